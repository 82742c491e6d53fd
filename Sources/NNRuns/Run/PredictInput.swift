import Foundation
import NNBase
import NNKernel
import NNFormats

/// The inputs of `nn predict`: images as u8 pixels (0-255), sample-major, row-major within an
/// image. Each input is recognised by its first bytes, not its name:
///
/// - IDX (`00 00 08 <rank>`, gzip'd or not — the same reader and limits as `nn prepare`):
///   u8 of shape `[n, rows, cols]` with rows·cols = the model's pixels, or `[n, pixels]`;
/// - PNG (decoded by libpng to 8-bit grey) or PGM (`P5`, `P2`): one image of the model's size;
/// - `-`: CSV on standard input, one image per line, its pixels as integers 0-255 separated
///   by commas (blank lines are skipped; a first line that does not start with a number is
///   a header and skipped; a UTF-8 byte-order mark before it is skipped, `ByteOrderMark`).
///
/// Errors are one line naming the file (`standard input` for `-`); a wrong image size
/// says both sizes.
struct PredictInput: Sendable {
    /// Pixels per image (the model's input width without the bias column).
    let features: Int

    /// The most bytes read from standard input (about 300,000 images of CSV).
    static let maxStandardInputBytes = 1 << 30

    /// The size of one image as people say it: `28x28` for a square, else `N pixels`.
    var sizeText: String {
        let side = Int(Double(features).squareRoot().rounded())
        return side * side == features ? "\(side)x\(side)" : "\(features) pixels"
    }

    /// The images of `path`, and how many there are. `accept(n)` is asked before the
    /// pixels of an IDX file's `n` images are read (it may refuse them: memory).
    func read(_ path: String, accept: (Int) throws -> Void = { _ in }) throws -> (pixels: [UInt8], count: Int) {
        if path == "-" { return try csv(readStandardInput(), name: "standard input") }
        let head = try FileInput.bytes(path, maxBytes: 8)
        if PNG.isPNG(head) {
            let image = try PNG.decodeGrey(try readFileBytes(path, maxBytes: PNG.maxFileBytes), name: path, accept: check(path, "PNG"))
            return (image.pixels, 1)
        }
        if PGM.isPGM(head) {
            let image = try PGM.decode(try readFileBytes(path, maxBytes: PGM.maxFileBytes), name: path, accept: check(path, "PGM"))
            return (image.pixels, 1)
        }
        if head.starts(with: [0x1f, 0x8b]) || head.starts(with: [0, 0]) { return try idx(path, accept: accept) }
        throw NNError("\(path): not an IDX, PNG or PGM image file (nor `-` for CSV on standard input)")
    }

    /// A check of an image's width and height against the model's, before it is decoded.
    func check(_ path: String, _ kind: String) -> (Int, Int) throws -> Void {
        { width, height in
            guard let n = MemoryBudget.product([width, height]), n == features else {
                throw NNError("\(path): \(kind) image is \(width)x\(height), but the model takes \(sizeText) grey images")
            }
        }
    }

    /// The images of an IDX file. Its header is checked before any pixel is read: the
    /// shape against the model's, the size against what the file can hold and physical
    /// memory (`IDXArray.readPayload`), and the images against `accept` (the memory
    /// predicting them takes).
    func idx(_ path: String, accept: (Int) throws -> Void = { _ in }) throws -> (pixels: [UInt8], count: Int) {
        let (header, pixels) = try IDXArray.readPayload(path: path) { header in
            let shape = header.shape
            let imageShape = Array(shape.dropFirst())
            guard header.type == .u8, shape.count == 2 || shape.count == 3 else {
                throw NNError("\(path): IDX \(header.type.name) of shape \(shape) is not images (expected u8 of shape [n, rows, cols])")
            }
            guard let pixels = MemoryBudget.product(imageShape), pixels == features else {
                let size = imageShape.map(String.init).joined(separator: "x")
                throw NNError("\(path): IDX images are \(size), but the model takes \(sizeText) grey images")
            }
            try accept(shape[0])
        }
        return (pixels, header.shape[0])
    }

    /// Standard input, read to its end (at most `maxStandardInputBytes`).
    func readStandardInput() throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Foundation.read(0, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw NNError("standard input: read error: \(String(cString: strerror(errno)))") }
            if n == 0 { return out }
            out += chunk[0..<n]
            if out.count > Self.maxStandardInputBytes {
                throw NNError("standard input: more than \(Self.maxStandardInputBytes) bytes of CSV; pass an IDX file instead")
            }
        }
    }

    /// Parses CSV rows of `features` integers 0-255 (see the type's documentation).
    func csv(_ bytes: [UInt8], name: String) throws -> (pixels: [UInt8], count: Int) {
        var pixels: [UInt8] = []
        var count = 0, line = 0
        try bytes.withUnsafeBufferPointer { b in
            var i = ByteOrderMark.length(b)   // skipped, as by every text reader
            while i < b.count {
                line += 1
                var end = i
                while end < b.count && b[end] != 0x0A { end += 1 }
                var lo = i, hi = end
                i = end + 1
                while lo < hi && Self.isBlank(b[lo]) { lo += 1 }
                while hi > lo && (Self.isBlank(b[hi - 1]) || b[hi - 1] == 0x0D) { hi -= 1 }
                if lo == hi { continue }
                if line == 1 && !(0x30...0x39).contains(b[lo]) { continue }  // a header
                try csvRow(b, lo, hi, line: line, name: name, into: &pixels)
                count += 1
            }
        }
        guard count > 0 else { throw NNError("\(name): no CSV rows of pixels") }
        return (pixels, count)
    }

    static func isBlank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

    /// Appends the `features` pixels of the row `b[lo..<hi]` (one pass over its bytes).
    func csvRow(_ b: UnsafeBufferPointer<UInt8>, _ lo: Int, _ hi: Int, line: Int, name: String,
                into pixels: inout [UInt8]) throws {
        var values = 0, p = lo
        while true {
            let start = p
            while p < hi && Self.isBlank(b[p]) { p += 1 }
            var v = 0, digits = 0
            while p < hi && (0x30...0x39).contains(b[p]) && digits < 4 { v = v * 10 + Int(b[p] - 0x30); digits += 1; p += 1 }
            while p < hi && Self.isBlank(b[p]) { p += 1 }
            guard digits > 0, digits <= 3, p == hi || b[p] == UInt8(ascii: ",") else {
                var stop = start
                while stop < hi && b[stop] != UInt8(ascii: ",") && stop - start < 20 { stop += 1 }
                let field = String(decoding: UnsafeBufferPointer(rebasing: b[start..<stop]), as: UTF8.self)
                throw NNError("\(name): line \(line), value \(values + 1): '\(field)' is not an integer 0-255")
            }
            guard v <= 255 else { throw NNError("\(name): line \(line), value \(values + 1): \(v) is more than 255") }
            values += 1
            if values > features { break }
            pixels.append(UInt8(v))
            if p == hi { break }
            p += 1  // the comma
        }
        guard values == features else {
            let got = values > features ? "more than \(features)" : "\(values)"
            throw NNError("\(name): line \(line) has \(got) values, but the model takes \(features) pixels (\(sizeText)) per row")
        }
    }
}
