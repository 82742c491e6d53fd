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

/// The export formats (npy, npz, safetensors) and the image readers of `nn predict` (PGM,
/// PNG, CSV rows), on fixtures built in code.
@Suite struct ExportFormatTests {
    /// The message of the `NNError` that `body` throws ("" if it throws none).
    private func message(_ body: () throws -> Void) -> String {
        do { try body() } catch let e as NNError { return e.message } catch { return "other error: \(error)" }
        return ""
    }

    private func le<I: FixedWidthInteger>(_ bytes: [UInt8], _ offset: Int, _: I.Type) -> I {
        bytes[offset..<(offset + MemoryLayout<I>.size)].reversed().reduce(0) { $0 << 8 | I($1) }
    }

    @Test func crc32IsZlibs() {
        #expect(Array("123456789".utf8).withUnsafeBytes { Gzip.crc32($0) } == 0xCBF4_3926)
        #expect([UInt8]().withUnsafeBytes { Gzip.crc32($0) } == 0)
    }

    @Test func npyHeaderIsAlignedAndReadable() throws {
        for shape in [[395, 785], [7], []] {
            let count = shape.reduce(1, *)
            let npy = NPZ.npy(descr: "<f8", shape: shape, data: [UInt8](repeating: 0, count: 8 * count))
            #expect(Array(npy[0..<8]) == [0x93] + Array("NUMPY".utf8) + [1, 0])
            let h = Int(le(npy, 8, UInt16.self))
            #expect((10 + h) % 64 == 0)
            #expect(npy[10 + h - 1] == 0x0A)
            let header = String(decoding: npy[10..<(10 + h)], as: UTF8.self)
            let tuple = shape.count == 1 ? "(7,)" : shape.isEmpty ? "()" : "(395, 785)"
            #expect(header.hasPrefix("{'descr': '<f8', 'fortran_order': False, 'shape': \(tuple), }"))
            #expect(npy.count == 10 + h + 8 * count)
        }
        let s = NPZ.npyString("é{}")
        #expect(String(decoding: s[10..<60], as: UTF8.self).contains("'descr': '<U3'"))
        #expect(Array(s.suffix(12)) == [0xE9, 0, 0, 0, 0x7B, 0, 0, 0, 0x7D, 0, 0, 0])
    }

    /// The zip's local headers, central directory and end record agree (what `unzip -t` and
    /// NumPy check), and every member's bytes are stored as given.
    @Test func zipStructure() throws {
        let members: [(name: String, bytes: [UInt8])] = [("a.npy", Array("hello".utf8)), ("bb.npy", [])]
        let z = try NPZ.zip(members)
        let end = z.count - 22
        #expect(le(z, end, UInt32.self) == 0x0605_4B50)
        #expect(le(z, end + 10, UInt16.self) == 2)
        let cdSize = Int(le(z, end + 12, UInt32.self)), cdOffset = Int(le(z, end + 16, UInt32.self))
        #expect(cdOffset + cdSize == end)
        var p = cdOffset
        for m in members {
            #expect(le(z, p, UInt32.self) == 0x0201_4B50)
            let crc = le(z, p + 16, UInt32.self), size = Int(le(z, p + 20, UInt32.self))
            let nameLength = Int(le(z, p + 28, UInt16.self)), local = Int(le(z, p + 42, UInt32.self))
            #expect(String(decoding: z[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self) == m.name)
            #expect(size == m.bytes.count && crc == m.bytes.withUnsafeBytes { Gzip.crc32($0) })
            #expect(le(z, local, UInt32.self) == 0x0403_4B50)
            #expect(le(z, local + 14, UInt32.self) == crc)
            #expect(Array(z[(local + 30 + nameLength)..<(local + 30 + nameLength + size)]) == m.bytes)
            p += 46 + nameLength
        }
    }

    @Test func safetensorsHeaderAndOffsets() throws {
        let a = ExportTensor(name: "layers.0.weight", dtype: .f32, shape: [2, 3], data: Array(0..<24))
        let b = ExportTensor(name: "layers.0.bias", dtype: .f32, shape: [2], data: Array(24..<32))
        let bytes = try Safetensors.encode([a, b], metadata: [("format", "nn-export"), ("sizes", "[3,2]")])
        let n = Int(le(bytes, 0, UInt64.self))
        #expect(n % 8 == 0)
        let header = try #require(try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
        #expect((header["__metadata__"] as? [String: String]) == ["format": "nn-export", "sizes": "[3,2]"])
        let w = try #require(header["layers.0.weight"] as? [String: Any])
        #expect(w["dtype"] as? String == "F32" && w["shape"] as? [Int] == [2, 3] && w["data_offsets"] as? [Int] == [0, 24])
        #expect((header["layers.0.bias"] as? [String: Any])?["data_offsets"] as? [Int] == [24, 32])
        #expect(Array(bytes[(8 + n)...]) == Array(0..<32))
        let bad = ExportTensor(name: "x", dtype: .f64, shape: [2], data: [1, 2, 3])
        #expect(message { _ = try Safetensors.encode([bad], metadata: []) }.contains("x holds 3 bytes"))
    }

    @Test func pgmBinaryAndPlain() throws {
        let image = GreyImage(width: 3, height: 2, pixels: [0, 1, 2, 253, 254, 255])
        #expect(try PGM.decode(ImageWriter.pgm(width: image.width, height: image.height, pixels: image.pixels), name: "a.pgm") == image)
        let plain = Array("P2\n# a comment\n3 2\n# another\n255\n0 1 2\n253 254 255\n".utf8)
        #expect(try PGM.decode(plain, name: "b.pgm") == image)
        let maxval15 = Array("P2 1 2 15 0 15".utf8)
        #expect(try PGM.decode(maxval15, name: "c.pgm").pixels == [0, 255])
    }

    @Test(arguments: [
        ("P5\n3 2\n255\n\u{0}\u{1}", "shorter than the 6"),
        ("P2 3 2 255 1 2 3 4 5", "sample 6 of 6 missing"),
        ("P2 2 1 255 1 256", "more than maxval 255"),
        ("P5 3 2 65535\n", "maxval 65535 is not supported"),
        ("P2 3 2 255 1 2 3 4 5 6 7", "after the PGM image"),
        ("P2 99999999999 1 255", "width is too large"),
    ])
    func pgmErrorsNameTheFile(text: String, mention: String) {
        let m = message { _ = try PGM.decode(Array(text.utf8), name: "x.pgm") }
        #expect(m.hasPrefix("x.pgm: ") && m.contains(mention), "\(m)")
    }

    @Test func pngRoundTripAndSizeCheckBeforeDecoding() throws {
        let image = GreyImage(width: 28, height: 28, pixels: (0..<784).map { UInt8($0 % 256) })
        let png = try ImageWriter.png(width: image.width, height: image.height, pixels: image.pixels)
        #expect(PNG.isPNG(png))
        #expect(try PNG.decodeGrey(png, name: "a.png") == image)
        let input = PredictInput(features: 784)
        let wide = try ImageWriter.png(width: 32, height: 28, pixels: [UInt8](repeating: 9, count: 32 * 28))
        #expect(message { _ = try PNG.decodeGrey(wide, name: "w.png", accept: input.check("w.png", "PNG")) }
            == "w.png: PNG image is 32x28, but the model takes 28x28 grey images")
        #expect(message { _ = try PNG.decodeGrey(Array(png.prefix(60)), name: "t.png") }.hasPrefix("t.png: "))
        #expect(message { _ = try PNG.decodeGrey(PNG.magic + [1, 2, 3], name: "m.png") }.hasPrefix("m.png: not a readable PNG"))
    }

    @Test func csvRowsOfPixels() throws {
        let input = PredictInput(features: 4)
        let text = "a,b,c,d\n0, 1,2 ,255\r\n\n3,4,5,6\n"
        let (pixels, count) = try input.csv(Array(text.utf8), name: "standard input")
        #expect(count == 2 && pixels == [0, 1, 2, 255, 3, 4, 5, 6])
        #expect(message { _ = try input.csv(Array("1,2,3\n".utf8), name: "standard input") }
            == "standard input: line 1 has 3 values, but the model takes 4 pixels (2x2) per row")
        #expect(message { _ = try input.csv(Array("1,2,3,4,5\n".utf8), name: "standard input") }.contains("more than 4 values"))
        #expect(message { _ = try input.csv(Array("1,2,3,256\n".utf8), name: "-") }.contains("256 is more than 255"))
        #expect(message { _ = try input.csv(Array("1,2,x,4\n".utf8), name: "-") }.contains("value 3: 'x' is not an integer"))
        #expect(message { _ = try input.csv(Array("\n".utf8), name: "-") } == "-: no CSV rows of pixels")
    }
}
