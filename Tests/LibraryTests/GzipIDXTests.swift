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

/// Gzip and IDX edge cases, on fixtures built in code (`GzipWriter.compress`, `IDXArray.encoded`).
@Suite final class GzipIDXTests {
    private let dir: String

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-gzip-idx-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    private func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = dir + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The message of the `NNError` that `body` throws ("" if it throws none).
    private func message(_ body: () throws -> Void) -> String {
        do { try body() } catch let e as NNError { return e.message } catch { return "other error: \(error)" }
        return ""
    }

    private static let sample = IDXArray(u8: Array(0..<24), shape: [2, 3, 4])

    @Test(arguments: IDXType.allCases)
    func everyTypeAndRankRoundTripsThroughGzip(type: IDXType) throws {
        let shapes = [[5], [2, 3], [2, 1, 3], [1, 2, 2, 2]]
        for shape in shapes {
            let count = shape.reduce(1, *)
            // Values every type holds exactly: small integers, negative ones where signed,
            // and halves for the float types.
            let values: [Double] = (0..<count).map { i in
                switch type {
                case .u8: return Double(i * 37 % 256)
                case .i8: return Double(i * 37 % 256 - 128)
                case .i16: return Double(i * 4099 - 30000)
                case .i32: return Double(i * 1_000_003 - 2_000_000_000)
                case .f32, .f64: return Double(i) * 0.5 - 3.0
                }
            }
            let array = IDXArray(type: type, shape: shape, values: values)
            #expect(array.payload.count == count * type.size)
            let gz = try file("a-\(type.name)-\(shape.count).gz", GzipWriter.compress(array.encoded()))
            let back = try IDXArray.read(path: gz)
            #expect(back == array)
            #expect(back.doubles() == values)
            #expect(try Gzip.isGzip(path: gz))
        }
    }

    @Test func plainIDXIsAccepted() throws {
        let path = try file("plain.idx", Self.sample.encoded())
        #expect(try !Gzip.isGzip(path: path))
        #expect(try IDXArray.read(path: path) == Self.sample)
        #expect(try Checksum.payloadDigest(path: path).sha256 == Checksum.sha256(Self.sample.encoded()))
    }

    @Test func headerErrorsNameTheProblem() {
        let good = Self.sample.encoded()
        var badMagic = good; badMagic[0] = 1
        #expect(message { _ = try IDXArray.decode(badMagic, name: "x.idx") }.contains("x.idx: bad IDX magic 01 00 08 03"))
        var badType = good; badType[2] = 0x0A
        #expect(message { _ = try IDXArray.decode(badType, name: "x.idx") }.contains("unknown IDX element type code 0xA"))
        #expect(message { _ = try IDXArray.decode(Array(good[0..<9]), name: "x.idx") }.contains("declares rank 3"))
        #expect(message { _ = try IDXArray.decode([0, 0], name: "x.idx") }.contains("too short"))
        #expect(message { _ = try IDXArray.decode(good.dropLast(), name: "x.idx") }
            .contains("payload is 23 bytes, shorter than the 24"))
        #expect(message { _ = try IDXArray.decode(good + [7], name: "x.idx") }
            .contains("payload is 25 bytes, longer than the 24"))
        #expect(message { _ = try IDXArray.decode([0, 0, 8, 2, 255, 255, 255, 255, 255, 255, 255, 255], name: "x.idx") }
            .contains("x.idx: IDX dimensions [4294967295, 4294967295] are too large"))
    }

    @Test func damagedGzipIsAClearError() throws {
        let gz = try GzipWriter.compress(IDXArray(u8: [UInt8](repeating: 9, count: 5000), shape: [50, 100]).encoded())
        let truncated = try file("truncated.gz", Array(gz.dropLast(12)))
        #expect(message { _ = try IDXArray.read(path: truncated) }.contains("\(truncated): truncated gzip stream"))
        let noTrailer = try file("notrailer.gz", Array(gz.dropLast(3)))
        #expect(message { _ = try Checksum.payloadDigest(path: noTrailer) }.contains("truncated gzip stream"))
        var crc = gz; crc[crc.count - 8] ^= 0xff
        let badCRC = try file("crc.gz", crc)
        #expect(message { _ = try IDXArray.read(path: badCRC) }.contains("\(badCRC): gzip CRC-32 mismatch"))
        var len = gz; len[len.count - 4] ^= 0x01
        let badLength = try file("len.gz", len)
        #expect(message { _ = try IDXArray.read(path: badLength) }.contains("\(badLength): gzip length mismatch"))
        let junk = try file("junk.gz", [0x1f, 0x8b] + Array(repeating: 0x55, count: 64))
        #expect(message { _ = try IDXArray.read(path: junk) }.contains("\(junk): corrupt gzip stream"))
        let trailing = try file("trailing.gz", gz + [0x42, 0x42])
        #expect(message { _ = try IDXArray.read(path: trailing) }.contains("trailing garbage after gzip member"))
    }

    @Test func nonGzipGarbageIsReadAsPlainAndRejectedAsIDX() throws {
        let garbage = try file("garbage.bin", Array("this is not an IDX file".utf8))
        #expect(try !Gzip.isGzip(path: garbage))
        #expect(message { _ = try IDXArray.read(path: garbage) }.contains("\(garbage): bad IDX magic"))
        #expect(message { _ = try IDXArray.read(path: dir + "/missing.gz") }.contains("missing.gz: no such file"))
    }

    @Test func multiMemberGzipIsConcatenated() throws {
        let bytes = Self.sample.encoded()
        let cut = 10
        let path = try file("multi.gz", try GzipWriter.compress(Array(bytes[..<cut])) + GzipWriter.compress(Array(bytes[cut...]))
            + [0, 0, 0, 0])  // trailing zero padding is ignored
        #expect(try IDXArray.read(path: path) == Self.sample)
        let digest = try Checksum.payloadDigest(path: path)
        #expect(digest.sha256 == Checksum.sha256(bytes))
        #expect(digest.bytes == bytes.count)
    }
}
