import Foundation
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
///   a header and skipped).
///
/// Errors are one line naming the file (`standard input` for `-`); a wrong image size
/// says both sizes.
package struct PredictInput: Sendable {
    /// Pixels per image (the model's input width without the bias column).
    let features: Int

    /// The most bytes read from standard input (about 300,000 images of CSV).
    static let maxStandardInputBytes = 1 << 30

    /// The size of one image as people say it: `28x28` for a square, else `N pixels`.
    var sizeText: String {
        let side = Int(Double(features).squareRoot().rounded())
        return side * side == features ? "\(side)x\(side)" : "\(features) pixels"
    }

    /// The images of `path`, and how many there are.
    func read(_ path: String) throws -> (pixels: [UInt8], count: Int) {
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
        if head.starts(with: [0x1f, 0x8b]) || head.starts(with: [0, 0]) { return try idx(path) }
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

    func idx(_ path: String) throws -> (pixels: [UInt8], count: Int) {
        let bytes = try IDXArray.readFile(path: path)
        let header = try IDXHeader.parse(bytes, name: path)
        try header.checkPayload(bytes.count - header.size, name: path)
        let shape = header.shape
        let imageShape = Array(shape.dropFirst())
        guard header.type == .u8, shape.count == 2 || shape.count == 3 else {
            throw NNError("\(path): IDX \(header.type.name) of shape \(shape) is not images (expected u8 of shape [n, rows, cols])")
        }
        guard let pixels = MemoryBudget.product(imageShape), pixels == features else {
            let size = imageShape.map(String.init).joined(separator: "x")
            throw NNError("\(path): IDX images are \(size), but the model takes \(sizeText) grey images")
        }
        return (Array(bytes[header.size...]), shape[0])
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
        var count = 0, line = 0, i = 0
        while i < bytes.count {
            line += 1
            var end = i
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            var row = bytes[i..<end]
            i = end + 1
            if row.last == 0x0D { row = row.dropLast() }
            if row.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let first = row.first(where: { $0 != 0x20 && $0 != 0x09 })!
            if line == 1 && !(0x30...0x39).contains(first) { continue }  // a header
            let values = try csvRow(row, line: line, name: name)
            pixels += values
            count += 1
        }
        guard count > 0 else { throw NNError("\(name): no CSV rows of pixels") }
        return (pixels, count)
    }

    func csvRow(_ row: ArraySlice<UInt8>, line: Int, name: String) throws -> [UInt8] {
        var values: [UInt8] = []
        values.reserveCapacity(features)
        for field in row.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            var lo = field.startIndex, hi = field.endIndex
            while lo < hi && (field[lo] == 0x20 || field[lo] == 0x09) { lo += 1 }
            while hi > lo && (field[hi - 1] == 0x20 || field[hi - 1] == 0x09) { hi -= 1 }
            let digits = field[lo..<hi]
            var v = 0
            guard !digits.isEmpty, digits.count <= 3, digits.allSatisfy({ (0x30...0x39).contains($0) }) else {
                throw NNError("\(name): line \(line), value \(values.count + 1): '\(String(decoding: field.prefix(20), as: UTF8.self))' is not an integer 0-255")
            }
            for d in digits { v = v * 10 + Int(d - 0x30) }
            guard v <= 255 else { throw NNError("\(name): line \(line), value \(values.count + 1): \(v) is more than 255") }
            values.append(UInt8(v))
            guard values.count <= features else { break }
        }
        guard values.count == features else {
            let got = values.count > features ? "more than \(features)" : "\(values.count)"
            throw NNError("\(name): line \(line) has \(got) values, but the model takes \(features) pixels (\(sizeText)) per row")
        }
        return values
    }
}
