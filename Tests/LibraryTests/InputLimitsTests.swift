import Foundation
@testable import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import TestSupport
import Testing

/// Sizes from flags, headers and files are overflow-checked and compared with physical
/// memory before allocation; reads stop at the size a file may have; only regular files
/// are read.
@Suite struct InputLimitsTests {
    @Test func memoryBudgetArithmeticAndFormat() throws {
        #expect(MemoryBudget.product([3, 4, 5]) == 60)
        #expect(MemoryBudget.product([Int.max, 2]) == nil)
        #expect(MemoryBudget.product([-1, 2]) == nil)
        #expect(MemoryBudget.sum([1, 2, 3]) == 6)
        #expect(MemoryBudget.sum([Int.max, 1]) == nil)
        #expect(MemoryBudget.sum([1, nil]) == nil)
        #expect(MemoryBudget.format(512) == "512 bytes")
        #expect(MemoryBudget.format(1536) == "1.5 KiB")
        #expect(MemoryBudget.format(24 << 30) == "24 GiB")
        #expect(MemoryBudget.physicalBytes > 1 << 20 && MemoryBudget.physicalBytes < Int.max)
        let machine = MemoryBudget.format(MemoryBudget.physicalBytes)
        #expect(errorMessage { try MemoryBudget.require(Int.max / 2, for: "--x 1") }
            == "--x 1 needs 4 EiB; this machine has \(machine)")
        #expect(errorMessage { try MemoryBudget.require(nil, for: "--x 2", purpose: "y") }
            .hasPrefix("--x 2 needs more than 8 EiB (the size overflows) for y; this machine has"))
        try MemoryBudget.require(1 << 20, for: "small")
    }

    @Test func overflowingSplitSizesAreRefused() {
        for (train, test) in [(Int.max, 1), (1, Int.max), (Int.max, Int.max)] {
            let m = errorMessage { _ = try TrainTestSplit(poolSize: 70_000, trainSize: train, testSize: test, seed: 42) }
            #expect(m.contains("is more than the 70000 items in the pool"), "\(m)")
        }
        let huge = errorMessage { _ = try TrainTestSplit(poolSize: 1 << 62, trainSize: 1, testSize: 1, seed: 0) }
        #expect(huge.hasPrefix("a split of a pool of 4611686018427387904 items needs more than 8 EiB (the size overflows); this machine has"), "\(huge)")
        let large = errorMessage { _ = try TrainTestSplit(poolSize: 1 << 58, trainSize: 1, testSize: 1, seed: 0) }
        #expect(large.hasPrefix("a split of a pool of 288230376151711744 items needs 4 EiB; this machine has"), "\(large)")
    }

    @Test func hugeLayersAreRefusedWithTheFigure() {
        var c = ExperimentConfig()
        c.layers = [785, 1_000_000_000_000, 1]  // reported before the activation count
        let m = errorMessage { try c.validate() }
        #expect(m.hasPrefix("--layers 785,1000000000000,1 needs 5.6 PiB for layer 1's weights; this machine has"), "\(m)")
        c.layers = [785, 4_611_686_018_427_387_904, 1]
        #expect(errorMessage { try c.validate() }.hasPrefix("--layers 785,4611686018427387904,1 needs more than 8 EiB (the size overflows) for layer 1's weights"))
        // Weights that fit, but not with the activations of the samples.
        c.activations = [.relu, .sigmoid]
        c.layers = [785, 100_000, 1]
        #expect(errorMessage { try c.validate() } == "")
        let samples = errorMessage { try c.validate(features: 784, samples: 1_000_000) }
        #expect(samples.contains("for weights, gradients and activations for 1000000 samples"), "\(samples)")
    }

    @Test func gzipBombStopsAtTheLimit() throws {
        let dir = try makeTemporaryDirectory("bomb")
        defer { removeTree(dir) }
        let path = dir + "/bomb.gz"
        // 16 MiB of zeros compress to ~16 KiB.
        try AtomicFile.write(try GzipWriter.compress([UInt8](repeating: 0, count: 16 << 20)), to: path)
        var seen = 0
        let m = errorMessage { try Gzip.forEachChunk(path: path, maxBytes: 1000) { seen += $0.count } }
        #expect(m == "\(path): payload is more than 1000 bytes, the most this file may hold; stopped reading (wrong file, or a gzip bomb)")
        #expect(seen <= 1000)  // the callback never sees a byte past the limit
        // An IDX file's header fixes its size: a bomb behind a valid header stops there.
        let header = IDXArray(u8: [], shape: [10]).encoded()
        try AtomicFile.write(try GzipWriter.compress(header + [UInt8](repeating: 0, count: 4 << 20)), to: path)
        #expect(errorMessage { _ = try IDXArray.read(path: path) }
            .contains("IDX data runs past the 18 bytes its header declares; stopped reading"))
        // Plain (not gzip'd) files are bounded the same way.
        try AtomicFile.write([UInt8](repeating: 7, count: 5000), to: path)
        #expect(errorMessage { _ = try Gzip.readAll(path: path, maxBytes: 4999) }.contains("more than 4999 bytes"))
        #expect(try Gzip.readAll(path: path, maxBytes: 5000).count == 5000)
    }

    @Test func prepareStopsAGzipBombAtThePinOrTheHeader() throws {
        var tiny = try TinyDataset()
        defer { tiny.remove() }
        let labels = tiny.dataDir + "/" + tiny.spec.trainLabels.name
        // 12 labels (20 bytes with the header), then 8 MiB more.
        let bomb = IDXArray(u8: [UInt8](repeating: 1, count: 12), shape: [12]).encoded() + [UInt8](repeating: 1, count: 8 << 20)
        try AtomicFile.write(try GzipWriter.compress(bomb), to: labels)
        #expect(errorMessage { _ = try tiny.prepare(PrepareTests.options) }
            == "\(labels): payload is more than 20 bytes, the most this file may hold; stopped reading (wrong file, or a gzip bomb)")
        tiny.spec.trainLabels.payloadSHA256 = ""  // unpinned: the IDX header bounds the read
        #expect(errorMessage { _ = try tiny.prepare(PrepareTests.options) }
            == "\(labels): IDX data runs past the 20 bytes its header declares; stopped reading")
        #expect(try tiny.outputs().isEmpty)
    }

    @Test func idxHeaderDeclaringTooMuchIsRefusedBeforeReading() throws {
        let dir = try makeTemporaryDirectory("idxhuge")
        defer { removeTree(dir) }
        let path = dir + "/x.idx"
        // u8 [65535, 65535, 65535]: 2.8e14 bytes declared, 16 present.
        try AtomicFile.write([0, 0, 8, 3, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255], to: path)
        // A plain file holds no more than its size (`InputBound`): refused after the header.
        let m = errorMessage { _ = try IDXArray.read(path: path) }
        #expect(m == "\(path): IDX header of u8 of shape [65535, 65535, 65535] declares 281462092005391 bytes, but the file has only 16; the file is truncated, damaged or hostile", "\(m)")
        // gzip'd, it could hold 1032 times its size; the caller's cap comes first.
        try AtomicFile.write(try GzipWriter.compress([0, 0, 8, 3, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255]), to: path)
        #expect(errorMessage { _ = try IDXArray.read(path: path, maxBytes: 100) }
            .contains("declares 281462092005391 bytes, more than the 100 bytes this file may hold"))
        #expect(errorMessage { _ = try IDXArray.read(path: path) }.contains("but a gzip file of "))
    }

    @Test func fifosAndDevicesAreRefusedWithoutHanging() throws {
        let dir = try makeTemporaryDirectory("fifo")
        defer { removeTree(dir) }
        let fifo = dir + "/train-labels-idx1-ubyte.gz"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(errorMessage { _ = try IDXArray.read(path: fifo) } == "\(fifo): is a FIFO (named pipe), expected a regular file")
        #expect(errorMessage { _ = try Gzip.readAll(path: "/dev/zero") } == "/dev/zero: is a character device, expected a regular file")
        #expect(errorMessage { _ = try IDXArray.read(path: dir) } == "\(dir): is a directory, expected a regular file")
        // The commands' readers: prepare's sources, a model, a prepared manifest.
        var tiny = try TinyDataset()
        defer { tiny.remove() }
        let labels = tiny.dataDir + "/" + tiny.spec.trainLabels.name
        try FileManager.default.removeItem(atPath: labels)
        #expect(mkfifo(labels, 0o600) == 0)
        #expect(errorMessage { _ = try tiny.prepare(PrepareTests.options) } == "\(labels): is a FIFO (named pipe), expected a regular file")
        #expect(errorMessage { _ = try ModelFile.read(path: fifo, as: Double.self) }.contains("is a FIFO"))
        tiny.spec.trainLabels.payloadSHA256 = ""
        #expect(errorMessage { _ = try tiny.prepare(PrepareTests.options) }.contains("is a FIFO"))
    }

    @Test func downloadsStopAtTheCap() throws {
        let data = try SyntheticDataset()
        let name = data.names[1]
        var file = data.files[1]
        #expect(file.maxDownloadBytes == Int64(file.payloadBytes + file.payloadBytes / 1024 + (1 << 20)))
        file.payloadBytes = 0
        #expect(file.maxDownloadBytes == 4 << 30)
        let big = [UInt8](repeating: 1, count: 3 << 20)  // 3 MiB: more than any 14-byte file's cap
        let server = try TestHTTPServer(routes: ["/big/\(name)": .body(big), "/endless/\(name)": .endless])
        defer { server.stop() }
        let dir = try makeTemporaryDirectory("cap")
        defer { removeTree(dir) }
        try AtomicFile.write(big, to: dir + "/" + name)
        let mirrors = try ["\(server.baseURL)/big/", "\(server.baseURL)/endless/", "file://\(dir)/"].map(Mirror.init)
        let out = try makeTemporaryDirectory("capout")
        defer { removeTree(out) }
        let m = errorMessage {
            try Fetcher.download(data.files[1], to: out + "/" + name, mirrors: mirrors, timeouts: TransferTimeouts(request: 10))
        }
        let stop = "more than \(data.files[1].maxDownloadBytes) bytes, the most this file can be; stopped"
        #expect(m == "\(name): all mirrors failed: \(server.baseURL)/big/ (\(stop)); \(server.baseURL)/endless/ (\(stop)); file://\(dir)/ (\(stop))")
        #expect(listing(out).isEmpty)
    }
}
