import Foundation
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import TestSupport
import Testing

/// A tiny synthetic dataset in a temporary directory: `trainCount` + `testCount` images of
/// rows x cols u8 pixels, gzip'd IDX files named as MNIST's, and a `DatasetSpec` pinning
/// their payload checksums. Pool item p has pixel j = (31p + 7j) mod 256 and label p mod 10.
struct TinyDataset {
    let root: String
    let dataDir: String
    var spec: DatasetSpec
    let trainCount: Int
    let testCount: Int
    let rows: Int
    let cols: Int

    var out: String { root + "/out" }
    var features: Int { rows * cols }

    init(trainCount: Int = 12, testCount: Int = 5, rows: Int = 3, cols: Int = 2) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("nn-prepare-\(UUID().uuidString)").path
        dataDir = root + "/data"
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        spec = Datasets.mnist
        spec.name = "tiny"
        spec.mirrors = []
        spec.defaultDirectory = dataDir
        self.trainCount = trainCount
        self.testCount = testCount
        self.rows = rows
        self.cols = cols
        try put(\.trainImages, images(0..<trainCount, rows: rows, cols: cols))
        try put(\.trainLabels, labels(0..<trainCount))
        try put(\.testImages, images(trainCount..<(trainCount + testCount), rows: rows, cols: cols))
        try put(\.testLabels, labels(trainCount..<(trainCount + testCount)))
    }

    func pixels(_ p: Int) -> [UInt8] { (0..<features).map { UInt8((31 * p + 7 * $0) % 256) } }
    func label(_ p: Int) -> UInt8 { UInt8(p % 10) }

    func images(_ items: Range<Int>, rows: Int, cols: Int) -> IDXArray {
        IDXArray(u8: items.flatMap { p in (0..<(rows * cols)).map { UInt8((31 * p + 7 * $0) % 256) } },
                 shape: [items.count, rows, cols])
    }

    func labels(_ items: Range<Int>) -> IDXArray { IDXArray(u8: items.map(label), shape: [items.count]) }

    /// Writes `array` gzip'd as the file `role` names and (if `pin`) pins its checksum.
    mutating func put(_ role: WritableKeyPath<DatasetSpec, DatasetFile>, _ array: IDXArray, pin: Bool = true) throws {
        let bytes = array.encoded()
        try Data(try GzipWriter.compress(bytes)).write(to: URL(fileURLWithPath: dataDir + "/" + spec[keyPath: role].name))
        if pin {
            spec[keyPath: role].payloadSHA256 = Checksum.sha256(bytes)
            spec[keyPath: role].payloadBytes = bytes.count
        }
    }

    func prepare(_ options: PrepareOptions, outDir: String? = nil) throws -> Prepare.Outcome {
        try Prepare.run(spec: spec, dataDir: dataDir, outDir: outDir ?? out, options: options)
    }

    /// Entries of the root other than the data directory (empty = no output left behind).
    func outputs() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root).filter { $0 != "data" }.sorted()
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}

/// (inode, mtime in ns) of a file: changes whenever the file is rewritten.
func identity(_ path: String) -> (UInt64, Int) {
    var st = stat()
    guard stat(path, &st) == 0 else { return (0, -1) }
    return (UInt64(st.st_ino), st.st_mtim.tv_sec * 1_000_000_000 + st.st_mtim.tv_nsec)
}

func errorMessage(_ body: () throws -> Void) -> String {
    do { try body() } catch let e as NNError { return e.message } catch { return "other error: \(error)" }
    return ""
}

@Suite struct PrepareTests {
    static let options = PrepareOptions(trainSize: 10, testSize: 6, seed: 3, target: .binary(positiveDigit: 4))
    static let dataFiles = ["manifest.json", "test-images.idx", "test-labels.idx", "train-images.idx", "train-labels.idx"]

    @Test func writesTheSplitInSplitOrder() throws {
        let tiny = try TinyDataset()
        defer { tiny.remove() }
        let outcome = try tiny.prepare(Self.options)
        #expect(!outcome.upToDate)
        let split = try TrainTestSplit(poolSize: 17, trainSize: 10, testSize: 6, seed: 3)
        #expect(outcome.split == split)
        #expect(try FileManager.default.contentsOfDirectory(atPath: tiny.out).sorted() == Self.dataFiles)

        let data = try PreparedDataset.load(directory: tiny.out)
        for (side, indices) in [(data.train, split.train), (data.test, split.test)] {
            #expect(side.count == indices.count && side.features == 6)
            #expect(side.images == indices.flatMap(tiny.pixels))
            #expect(side.labels == indices.map(tiny.label))
        }
        #expect(try data.splitIndices() == split)
        #expect(data.target == .binary(positiveDigit: 4))
        #expect(data.manifestSHA256 == Checksum.sha256(try Data(contentsOf: URL(fileURLWithPath: tiny.out + "/manifest.json"))))

        let m = data.manifest
        #expect(m.dataset == "tiny" && m.imageShape == [3, 2] && m.features == 6)
        #expect(m.sources.map(\.file) == tiny.spec.files.map(\.name))
        #expect(m.sources.map(\.payloadSHA256) == tiny.spec.files.map(\.payloadSHA256))
        #expect(m.split.poolSize == 17 && m.split.seed == 3 && m.split.method == TrainTestSplit.method)
        #expect(m.split.testIndicesSHA256 == TrainTestSplit.indexDigest(split.test))
        var counts = [Int](repeating: 0, count: 10)
        for p in split.train { counts[p % 10] += 1 }
        #expect(m.train.classCounts == counts)
        #expect(m.test.classCounts.reduce(0, +) == 6)
        #expect(m.transform.biasColumn == "prepend ones before scaling")
        #expect(m.transform.scale == "divide by 255")
        let trainFile = try Data(contentsOf: URL(fileURLWithPath: tiny.out + "/train-images.idx"))
        #expect(m.train.images.sha256 == Checksum.sha256(trainFile))
        #expect(Array(trainFile.prefix(16)) == [0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 3, 0, 0, 0, 2])
    }

    @Test func secondRunIsUpToDateAndWritesNothing() throws {
        let tiny = try TinyDataset()
        defer { tiny.remove() }
        _ = try tiny.prepare(Self.options)
        let before = Self.dataFiles.map { identity(tiny.out + "/" + $0) }
        let again = try tiny.prepare(Self.options)
        #expect(again.upToDate)
        let after = Self.dataFiles.map { identity(tiny.out + "/" + $0) }
        #expect(before.map(\.0) == after.map(\.0))
        #expect(before.map(\.1) == after.map(\.1))
    }

    @Test func sameInputsGiveByteIdenticalOutputs() throws {
        let tiny = try TinyDataset()
        defer { tiny.remove() }
        _ = try tiny.prepare(Self.options)
        _ = try tiny.prepare(Self.options, outDir: tiny.root + "/again")
        for name in Self.dataFiles {
            let a = try Data(contentsOf: URL(fileURLWithPath: tiny.out + "/" + name))
            let b = try Data(contentsOf: URL(fileURLWithPath: tiny.root + "/again/" + name))
            #expect(a == b, "\(name) differs")
        }
    }

    @Test func otherOptionsOrDamagedOutputArePreparedAgain() throws {
        let tiny = try TinyDataset()
        defer { tiny.remove() }
        _ = try tiny.prepare(Self.options)
        var other = Self.options
        other.seed = 4
        let reseeded = try tiny.prepare(other)
        #expect(!reseeded.upToDate)
        #expect(try PreparedDataset.load(directory: tiny.out).manifest.split.seed == 4)
        other.target = .allClasses
        #expect(try !tiny.prepare(other).upToDate)
        #expect(try tiny.prepare(other).upToDate)

        // Flip one pixel of the prepared training images: loading refuses, prepare redoes it.
        let path = tiny.out + "/train-images.idx"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[20] ^= 1
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(errorMessage { _ = try PreparedDataset.load(directory: tiny.out) }
            .contains("train-images.idx: contents do not match the SHA-256 in manifest.json"))
        #expect(try PreparedDataset.load(directory: tiny.out, verify: false).train.count == 10)
        #expect(try !tiny.prepare(other).upToDate)
        #expect(try PreparedDataset.load(directory: tiny.out).train.count == 10)
    }

    @Test func unpinnedSourcesAreHashedAndRecorded() throws {
        var tiny = try TinyDataset()
        defer { tiny.remove() }
        let pinned = tiny.spec.testImages.payloadSHA256
        tiny.spec.testImages.payloadSHA256 = ""
        tiny.spec.testImages.payloadBytes = 0
        let outcome = try tiny.prepare(Self.options)
        #expect(outcome.manifest.sources[2].payloadSHA256 == pinned)
        #expect(try tiny.prepare(Self.options).upToDate)
    }

    @Test func countMismatchIsAnErrorNamingTheFiles() throws {
        var tiny = try TinyDataset()
        defer { tiny.remove() }
        try tiny.put(\.trainLabels, tiny.labels(0..<11))
        let message = errorMessage { _ = try tiny.prepare(Self.options) }
        #expect(message.contains("train-labels-idx1-ubyte.gz: 11 labels but"))
        #expect(message.contains("train-images-idx3-ubyte.gz has 12 images"))
        #expect(try tiny.outputs() == [])
    }

    @Test func imageSizeMismatchBetweenFilesIsAnError() throws {
        var tiny = try TinyDataset()
        defer { tiny.remove() }
        try tiny.put(\.testImages, tiny.images(12..<17, rows: 2, cols: 3))
        #expect(errorMessage { _ = try tiny.prepare(Self.options) }
            .contains("t10k-images-idx3-ubyte.gz: images are 2x3 but"))
        #expect(try tiny.outputs() == [])
    }

    @Test func wrongTypesAndLabelsAreErrors() throws {
        var tiny = try TinyDataset()
        defer { tiny.remove() }
        try tiny.put(\.testLabels, IDXArray(u8: [1, 2, 12, 3, 4], shape: [5]))
        #expect(errorMessage { _ = try tiny.prepare(Self.options) }
            .contains("t10k-labels-idx1-ubyte.gz: label 12 at index 2 is not a digit 0-9"))
        try tiny.put(\.testLabels, IDXArray(type: .i16, shape: [5], values: [1, 2, 3, 4, 5]))
        #expect(errorMessage { _ = try tiny.prepare(Self.options) }.contains("expected u8 labels of rank 1, found i16"))
        try tiny.put(\.testLabels, tiny.labels(12..<17))
        try tiny.put(\.testImages, IDXArray(u8: Array(repeating: 0, count: 30), shape: [5, 6]))
        #expect(errorMessage { _ = try tiny.prepare(Self.options) }.contains("expected u8 images of rank 3"))
        #expect(try tiny.outputs() == [])
    }

    @Test func splitLargerThanThePoolIsAnError() throws {
        let tiny = try TinyDataset()
        defer { tiny.remove() }
        let message = errorMessage {
            _ = try tiny.prepare(PrepareOptions(trainSize: 15, testSize: 5, seed: 42))
        }
        #expect(message == "--train-size 15 + --test-size 5 = 20 is more than the 17 items in the pool")
        #expect(errorMessage { _ = try tiny.prepare(PrepareOptions(trainSize: 0, testSize: 5)) }.contains("--train-size 0"))
        #expect(errorMessage { _ = try tiny.prepare(PrepareOptions(target: .binary(positiveDigit: 10))) }
            .contains("--positive-digit 10: must be a digit 0-9"))
        #expect(try tiny.outputs() == [])
    }

    @Test func checksumMismatchRefusesAndPointsToFetch() throws {
        var tiny = try TinyDataset()
        defer { tiny.remove() }
        // Same size, different pixels: only the SHA-256 can tell.
        var other = tiny.images(12..<17, rows: 3, cols: 2)
        other.payload[0] ^= 0xff
        try tiny.put(\.testImages, other, pin: false)
        let message = errorMessage { _ = try tiny.prepare(Self.options) }
        #expect(message.contains("t10k-images-idx3-ubyte.gz: payload SHA-256"))
        #expect(message.contains("does not match \(tiny.spec.testImages.payloadSHA256) pinned for tiny"))
        #expect(message.contains("run `nn fetch --dataset tiny`"))
        // A different size is reported as such.
        try tiny.put(\.testImages, tiny.images(12..<16, rows: 3, cols: 2), pin: false)
        #expect(errorMessage { _ = try tiny.prepare(Self.options) }.contains("payload is 40 bytes but tiny pins 46"))
        try FileManager.default.removeItem(atPath: tiny.dataDir + "/t10k-images-idx3-ubyte.gz")
        #expect(errorMessage { _ = try tiny.prepare(Self.options) }.contains("t10k-images-idx3-ubyte.gz: no such file; run `nn fetch"))
        #expect(try tiny.outputs() == [])
    }

    @Test func unwritableOutputIsAnErrorWithNothingLeftBehind() throws {
        let tiny = try TinyDataset()
        defer { tiny.remove() }
        let blocker = tiny.root + "/file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        #expect(errorMessage { _ = try tiny.prepare(Self.options, outDir: blocker + "/out") }.contains("file/out: cannot create directory"))
        #expect(errorMessage { _ = try tiny.prepare(Self.options, outDir: blocker) }.contains("exists and is not a directory"))
        #expect(try tiny.outputs() == ["file"])
    }

    @Test func failedWriteLeavesNoManifestAndNoTemporaryFiles() throws {
        let tiny = try TinyDataset()
        defer { tiny.remove() }
        _ = try tiny.prepare(Self.options)
        // A directory where a data file must go makes its rename fail midway.
        try FileManager.default.removeItem(atPath: tiny.out + "/test-labels.idx")
        try FileManager.default.createDirectory(atPath: tiny.out + "/test-labels.idx/blocker", withIntermediateDirectories: true)
        var other = Self.options
        other.seed = 9
        #expect(errorMessage { _ = try tiny.prepare(other) }.contains("test-labels.idx: is a directory, not a regular file; not replacing it"))
        let left = try FileManager.default.contentsOfDirectory(atPath: tiny.out).sorted()
        #expect(!left.contains("manifest.json"))
        #expect(left.allSatisfy { !$0.hasPrefix(".") })
        #expect(errorMessage { _ = try PreparedDataset.load(directory: tiny.out) }.contains("no prepared dataset here"))
    }

    @Test func missingPreparedDirectorySaysWhatToRun() {
        let options = PrepareOptions()
        let dir = "/nonexistent/results/prepared/" + options.directoryName(dataset: "mnist")
        let message = errorMessage {
            try PreparedLayout(dir).requireManifest(options, dataset: "mnist", given: false)
        }
        #expect(message == "\(dir): no prepared data here; run "
            + "`nn prepare --dataset mnist --train-size 50000 --test-size 20000 --seed 42 --classes binary --positive-digit 8` first")
        #expect(errorMessage { _ = try PreparedDataset.load(directory: dir) }.contains("run `nn prepare --out \(dir)`"))
    }

    @Test func directoryNamesAndCommandLines() {
        let notebook = PrepareOptions()
        #expect(notebook.directoryName(dataset: "mnist") == "mnist-binary8-50000-20000-s42")
        #expect(notebook.defaultDirectory(dataset: "mnist") == "results/prepared/mnist-binary8-50000-20000-s42")
        let all = PrepareOptions(trainSize: 100, testSize: 10, seed: 7, target: .allClasses)
        #expect(all.directoryName(dataset: "fashion-mnist") == "fashion-mnist-all-100-10-s7")
        #expect(all.commandLine(dataset: "fashion-mnist")
            == "nn prepare --dataset fashion-mnist --train-size 100 --test-size 10 --seed 7 --classes all")
    }

    @Test func inputsAndTargetsFollowTheNotebook() throws {
        let split = PreparedSplit(images: [0, 255, 51, 10, 20, 30], labels: [8, 3], count: 2, features: 3)
        let x = split.inputs()
        let pixels: [Double] = [0, 255, 51, 10, 20, 30]
        let expected: [Double] = [1, pixels[0], pixels[1], pixels[2], 1, pixels[3], pixels[4], pixels[5]].map { $0 / 255 }
        #expect(x == expected)
        #expect(x[0] == 1.0 / 255 && x[2] == 1.0)
        #expect(PreparedTarget.binary(positiveDigit: 8).targets(for: split.labels) == [1, 0])
        let oneHot = PreparedTarget.allClasses.targets(for: split.labels)
        #expect(oneHot.count == 20)
        #expect(oneHot[8] == 1 && oneHot[13] == 1)
        #expect(oneHot.reduce(0, +) == 2)
        #expect(PreparedTarget.allClasses.outputs == 10 && PreparedTarget.binary(positiveDigit: 1).outputs == 1)
    }

    @Test func manifestRoundTripsAndRejectsOtherFormats() throws {
        let tiny = try TinyDataset()
        defer { tiny.remove() }
        let manifest = try tiny.prepare(PrepareOptions(trainSize: 3, testSize: 2, seed: 1, target: .allClasses)).manifest
        let bytes = try manifest.encoded()
        #expect(try PreparedManifest.decode(bytes, name: "m.json") == manifest)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"kind\" : \"all\"") && text.contains("\"format_version\" : 1"))
        let newer = text.replacingOccurrences(of: "\"format_version\" : 1", with: "\"format_version\" : 2")
        #expect(errorMessage { _ = try PreparedManifest.decode(Array(newer.utf8), name: "m.json") }
            .contains("m.json: manifest format nn-prepared-dataset v2, expected nn-prepared-dataset v1"))
        #expect(errorMessage { _ = try PreparedManifest.decode(Array("{}".utf8), name: "m.json") }
            .contains("m.json: not a valid prepared-dataset manifest (missing key"))
    }
}

/// Integration on the vendored MNIST (data/mnist): the notebook's split.
@Suite struct PrepareMNISTTests {
    static let mnistDir: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        }
        return url.appendingPathComponent("data/mnist").path
    }()

    @Test func notebookSplitOfMNIST() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nn-prepare-mnist-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let outcome = try Prepare.run(spec: Datasets.mnist, dataDir: Self.mnistDir, outDir: out, options: PrepareOptions())
        #expect(Array(outcome.split.test.prefix(5)) == [46730, 48393, 41416, 34506, 43725])
        let data = try PreparedDataset.load(directory: out)
        #expect(Array(data.test.labels.prefix(5)) == [8, 4, 8, 7, 7])
        #expect(data.test.labels.filter { $0 == 8 }.count == 1912)
        #expect(data.train.labels.filter { $0 == 8 }.count == 4913)
        #expect(data.train.count == 50_000 && data.test.count == 20_000 && data.train.features == 784)
        #expect(data.manifest.test.classCounts == [1966, 2240, 2039, 2061, 1831, 1822, 1995, 2156, 1912, 1978])
        // Computed with NumPy/scikit-learn from the same four files (see the report).
        #expect(data.manifest.train.images.sha256 == "96c69c1bc1810bad0491f3ec42804cedb14e6eac7b0301a5aa1cd0b5140bd671")
        #expect(data.manifest.test.images.sha256 == "113f2bb0380cb5beac74ac51b908ed46752a4070154c095e28541d00915ba6a2")
        #expect(try Prepare.run(spec: Datasets.mnist, dataDir: Self.mnistDir, outDir: out, options: PrepareOptions()).upToDate)
    }
}
