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

/// Issue 17, parts 6-8, by class rather than by example: every reader bounds a header's
/// claim by what its file can hold (`InputBound`); every input-driven loop is bounded
/// before it starts; every key takes its own JSON type and decimal numbers only; every
/// text reader skips a byte-order mark.
@Suite struct BoundedInputTests {
    // MARK: - One bound for every reader

    @Test func ceilingIsTheFileSizeOrDeflatesLargestExpansion() {
        #expect(InputBound.payloadCeiling(fileSize: 1000, gzip: false) == 1000)
        #expect(InputBound.payloadCeiling(fileSize: 1000, gzip: true) == 1000 * 1032 + 1024)
        #expect(InputBound.payloadCeiling(fileSize: Int.max / 2, gzip: true) == Int.max)
        // A real deflate stream never passes it: 16 MiB of zeros, the best case for deflate.
        let zeros = try! GzipWriter.compress([UInt8](repeating: 0, count: 16 << 20), level: 9)
        #expect(16 << 20 <= InputBound.payloadCeiling(fileSize: zeros.count, gzip: true))
    }

    /// Every IDX reader (the library's, prepare's unpinned sources, predict's) refuses a
    /// header claiming more than the gzip file can inflate to, after its first chunk.
    @Test func everyIDXReaderRefusesAClaimItsFileCannotHold() throws {
        let dir = try makeTemporaryDirectory("claim")
        defer { removeTree(dir) }
        let path = dir + "/claims.idx.gz"
        let header = IDXArray(u8: [], shape: [10_000_000, 28, 28]).encoded()
        try AtomicFile.write(try GzipWriter.compress(header + [UInt8](repeating: 0, count: 4 << 20)), to: path)
        let expected = "\(path): IDX header of u8 of shape [10000000, 28, 28] declares 7840000016 bytes, but a gzip file of "
        var seen = 0
        let read = errorMessage { _ = try IDXArray.readFile(path: path, observe: { seen += $0.count }) }
        #expect(read.hasPrefix(expected), "\(read)")
        #expect(seen <= Gzip.chunkSize)   // stopped at the header's chunk, not after 4 MiB
        #expect(errorMessage { _ = try IDXArray.readPayload(path: path) }.hasPrefix(expected))
        #expect(errorMessage { _ = try PredictInput(features: 784).read(path) }.hasPrefix(expected))
        // A plain file holds no more than its size.
        let plain = dir + "/claims.idx"
        try AtomicFile.write(header + [1, 2, 3], to: plain)
        #expect(errorMessage { _ = try PredictInput(features: 784).read(plain) }
            == "\(plain): IDX header of u8 of shape [10000000, 28, 28] declares 7840000016 bytes, but the file has only 19; the file is truncated, damaged or hostile")
    }

    /// A PNG's width x height is bounded the same way, before its pixels are allocated; the
    /// claim is the scanlines the header's bit depth makes (a 1-bit grey row of 30,000
    /// pixels inflates from 3,751 bytes, not 30,000), so a valid 1-bit image is not called hostile.
    @Test(arguments: [(UInt8(8), 900_030_000), (UInt8(1), 112_530_000)])
    func pngClaimingMoreThanItsFileCanHoldIsRefused(depth: UInt8, declared: Int) throws {
        var png = try ImageWriter.png(width: 1, height: 1, pixels: [7])
        // IHDR: length (4) "IHDR" (4) width (4) height (4) bit depth (1) ... CRC over type and data.
        let ihdr = 8 + 8
        for (offset, value) in [(ihdr, UInt32(30_000)), (ihdr + 4, UInt32(30_000))] {
            withUnsafeBytes(of: value.bigEndian) { for i in 0..<4 { png[offset + i] = $0[i] } }
        }
        png[ihdr + 8] = depth
        let crc = png[12..<(12 + 4 + 13)].withUnsafeBytes { Gzip.crc32($0) }
        withUnsafeBytes(of: crc.bigEndian) { for i in 0..<4 { png[12 + 17 + i] = $0[i] } }
        let m = errorMessage { _ = try PNG.decodeGrey(png, name: "big.png") }
        #expect(m.hasPrefix("big.png: PNG header of 30000x30000 pixels declares \(declared) bytes, but a gzip file of \(png.count) bytes"), "\(m)")
        #expect(PNG.scanlineBytes(width: 28, height: 28, bitDepth: Int(depth), colourType: 0) == 28 * (1 + 28 * Int(depth) / 8 + (depth == 1 ? 1 : 0)))
    }

    /// Predicting reads an IDX file's pixels once (no copy with its header in front).
    @Test func predictReadsThePayloadAlone() throws {
        let dir = try makeTemporaryDirectory("payload")
        defer { removeTree(dir) }
        let path = dir + "/images.idx.gz"
        let pixels = (0..<(3 * 4)).map { UInt8($0 * 9) }
        try AtomicFile.write(try GzipWriter.compress(IDXArray(u8: pixels, shape: [3, 2, 2]).encoded()), to: path)
        let (header, payload) = try IDXArray.readPayload(path: path)
        #expect(header.shape == [3, 2, 2] && payload == pixels && payload.capacity < pixels.count + 32)   // no room kept for a header
        var asked: [Int] = []
        let read = try PredictInput(features: 4).read(path) { asked.append($0) }
        #expect(read.pixels == pixels && read.count == 3 && asked == [3])
        #expect(errorMessage { _ = try PredictInput(features: 4).read(path) { _ in throw NNError("no room") } } == "no room")
    }

    @Test func diffRefusesACSVPastItsFieldBound() throws {
        let dir = try makeTemporaryDirectory("diffbound")
        defer { removeTree(dir) }
        let path = dir + "/a.csv"
        try AtomicFile.write(Array(("a,b\n" + String(repeating: "1,2\n", count: 60)).utf8), to: path)
        #expect(try ResultTable.load(path, maxFields: 122).rows.count == 60)
        #expect(errorMessage { _ = try ResultTable.load(path, maxFields: 121) }
            == "\(path): more than 121 fields by line 61; nn diff holds both sources in memory and compares at most 121 fields per file; compare a smaller extract")
    }

    /// The field bound covers every kind of source `nn diff` takes: a run directory's
    /// `history.csv` by fields, its JSON files and a JSON file by bytes (2 per field).
    @Test func diffBoundsRunDirectoriesAndJSON() throws {
        let dir = try makeTemporaryDirectory("diffboundrun")
        defer { removeTree(dir) }
        let run = dir + "/run", json = dir + "/m.json"
        try FileManager.default.createDirectory(atPath: run, withIntermediateDirectories: true)
        try AtomicFile.write(Array(("epoch,loss\n" + (1...60).map { "\($0),0.5\n" }.joined()).utf8), to: RunLayout(run).history)
        #expect(try ResultTable.load(run, maxFields: 122).columns == ["last_epoch_loss", "history_epochs"])
        #expect(errorMessage { _ = try ResultTable.load(run, maxFields: 121) }
            == "\(RunLayout(run).history): more than 121 fields by line 61; nn diff holds both sources in memory and compares at most 121 fields per file; compare a smaller extract")
        let values = "[" + Array(repeating: "1", count: 30).joined(separator: ",") + "]"   // 61 bytes
        try AtomicFile.write(Array("{\"a\":\(values)}".utf8), to: json)    // 67 bytes
        let run2 = dir + "/run2"
        try FileManager.default.createDirectory(atPath: run2, withIntermediateDirectories: true)
        try AtomicFile.write(Array("{\"a\":\(values)}".utf8), to: RunLayout(run2).metricsJSON)
        #expect(try ResultTable.load(json, maxFields: 34).columns.first?.hasPrefix("a") == true)   // 67 <= 68 bytes: read
        #expect(errorMessage { _ = try ResultTable.load(json, maxFields: 33) }
            == "\(json): 67 bytes, more than the 66 such a file may hold")
        #expect(try ResultTable.load(run2, maxFields: 34).columns.first?.hasPrefix("a") == true)
        #expect(errorMessage { _ = try ResultTable.load(run2, maxFields: 33) }
            == "\(RunLayout(run2).metricsJSON): 67 bytes, more than the 66 such a file may hold")
    }

    // MARK: - Loops driven by input

    func grid(_ flags: [(String, String)], count: Int?) throws -> SweepGrid {
        try SweepGrid(file: [], fileSource: "exp.json", flags: flags.map { (key: $0.0, list: $0.1, source: "--" + $0.0) },
                      random: count.map { ($0, 1) })
    }

    @Test func sampleSpacesCountRealsToSixDigits() throws {
        let log = try #require(try SweepDistribution.parse(key: "lr", "loguniform:0.01:1", source: "--lr"))
        #expect((1_800_000...1_800_010).contains(log.spaceSize))
        let narrow = try #require(try SweepDistribution.parse(key: "lr", "uniform:0.1:0.100005", source: "--lr"))
        #expect((6...10).contains(narrow.spaceSize))   // 0.100000 ... 0.100005, and the bounds
        #expect(SweepDistribution.int(1, 5).spaceSize == 5 && SweepDistribution.int(Int.min, Int.max).spaceSize == Int.max)
        let wide = try #require(try SweepDistribution.parse(key: "momentum", "uniform:-1:1", source: "--momentum"))
        #expect(wide.spaceSize > 100_000_000)
    }

    /// Every kind of distribution: asking for more distinct points than exist fails before
    /// drawing (before: after 100 draws per point, or never for a real's space).
    @Test(arguments: [("lr", "uniform:0.1:0.100005"), ("lr", "loguniform:0.5:0.500003"), ("epochs", "int:1:5"),
                      ("batch_size", "choice:32,64")])
    func aSpaceTooSmallFailsBeforeDrawing(key: String, spec: String) throws {
        let m = sweepError { _ = try grid([(key, spec)], count: 11) }
        #expect(m.hasPrefix("--random 11: space too small: the distributions hold at most "), "\(m)")
    }

    /// A real's space is counted, not drawn: 10^9 samples of one decade fail at once.
    @Test func aBillionSamplesOfADecadeFailAtOnce() throws {
        #expect(sweepError { _ = try grid([("lr", "loguniform:0.01:1")], count: 1_000_000_000) }
            .hasPrefix("--random 1000000000: space too small: the distributions hold at most 1800004 distinct points"))
    }

    /// A grid (or random search) of more points than a sweep may have fails before any
    /// point is made; the product cannot overflow.
    @Test func sweepSizesAreCapped() throws {
        let lrs = (1...1001).map { "0.\(1000 + $0)" }.joined(separator: ",")
        let sizes = (1...100).map(String.init).joined(separator: ",")
        #expect(sweepError { _ = try grid([("lr", lrs), ("batch_size", sizes)], count: nil) }
            == "grid: 100 batch_size x 1001 lr is more than the 100000 points a sweep may have; sweep fewer values")
        #expect(sweepError { _ = try grid([("lr", "uniform:0:1")], count: 2_000_000) }
            == "--random 2000000: more than the 100000 points a sweep may have; ask for fewer")
        #expect(try grid([("lr", "uniform:0:1")], count: 1000).count == 1000)
    }

    // MARK: - Strict types

    /// Every key given in an experiment file as a JSON value of another type is an error
    /// naming the file and the key: its own text as a string where a number, list or
    /// truth value belongs; a number where text belongs.
    @Test(arguments: ExperimentConfig.table.map(\.name))
    func everyKeyTakesItsOwnJSONType(key: String) throws {
        let entry = try ExperimentConfig.entry(key, source: "test")
        let text = entry.defaultText
        let wrong: JSONValue = entry.isJSON(.string(text)) ? .number("123") : .string(text)
        var config = ExperimentConfig()
        let m = errorMessage { try config.apply(json: [key: wrong], source: "exp.json") }
        #expect(m.hasPrefix("exp.json: \(key): \(wrong.encoded(pretty: false)) is "), "\(m)")
        #expect(m.hasSuffix("but \(key) takes \(entry.jsonName)"), "\(m)")
        // Its own JSON form is accepted.
        try config.apply(json: [key: entry.json(ExperimentConfig())], source: "exp.json")
    }

    /// Every number key takes decimal numbers only, from a flag, a grid or a file.
    @Test(arguments: ExperimentConfig.table.filter { $0.typeName == "number" }.map(\.name))
    func numberKeysAreDecimal(key: String) throws {
        var config = ExperimentConfig()
        for text in ["0x10", "0x1p-2", "inf", "-infinity", "nan", "1_0"] {
            #expect(errorMessage { try config.set(key, text, source: "--k") } == "--k: '\(text)' is not a number")
        }
        try config.set(key, "0.5", source: "--k")
        #expect(config.text(key) == "0.5")
    }

    /// The items of a `grid` list are of their key's type for list keys too: `layers`
    /// items are lists of numbers (a text of one was accepted before); a `choice:` text
    /// stays a distribution.
    @Test func gridItemsOfListKeysAreLists() throws {
        let dir = try makeTemporaryDirectory("gridtypes")
        defer { removeTree(dir) }
        let file = dir + "/exp.json"
        try AtomicFile.write(Array(#"{"grid": {"layers": ["785,20,1", "785,40,1"]}}"#.utf8), to: file)
        #expect(errorMessage { _ = try ExperimentConfig.load(path: file) }
            == #"\#(file): grid layers: "785,20,1" is a string, but layers takes a list of numbers"#)
        try AtomicFile.write(Array(#"{"grid": {"activations": [["relu", 3]]}}"#.utf8), to: file)
        #expect(errorMessage { _ = try ExperimentConfig.load(path: file) }.hasPrefix("\(file): grid activations: "))
        try AtomicFile.write(Array(#"{"grid": {"layers": [[785, 20, 1], "choice:785,40,1;785,8,1"]}}"#.utf8), to: file)
        #expect(try ExperimentConfig.load(path: file).1.map(\.1) == [["785,20,1", "choice:785,40,1;785,8,1"]])
    }

    // MARK: - Byte-order marks

    /// Every text reader skips a byte-order mark at the start, and reads the rest exactly
    /// as without it.
    @Test func everyTextReaderSkipsAByteOrderMark() throws {
        let bom = ByteOrderMark.utf8
        let csv = Array("a,b\n1,2\n".utf8)
        #expect(try CSVTable.parse(Data(bom + csv), name: "x") == CSVTable.parse(Data(csv), name: "x"))
        let json = Array(#"{"lr": 0.1}"#.utf8)
        #expect(try JSONValue.parse(bytes: bom + json, name: "x") == JSONValue.parse(bytes: json, name: "x"))
        let pixels = Array("1,2,3,4\n5,6,7,8\n".utf8)
        let reader = PredictInput(features: 4)
        let marked = try reader.csv(bom + pixels, name: "standard input")
        #expect(marked.count == 2 && marked.pixels == [1, 2, 3, 4, 5, 6, 7, 8])
        // A header after the mark is still a header.
        #expect(try reader.csv(bom + Array("p1,p2,p3,p4\n".utf8) + pixels, name: "s").count == 2)
        let dir = try makeTemporaryDirectory("bom")
        defer { removeTree(dir) }
        try AtomicFile.write(bom + Array(#"{"lr": 0.1, "epochs": 2}"#.utf8), to: dir + "/exp.json")
        let (config, _) = try ExperimentConfig.load(path: dir + "/exp.json")
        #expect(config.lr == 0.1 && config.epochs == 2)
    }
}
