import NNBase

/// Netpbm grey images (PGM), binary `P5` and plain-text `P2`:
///
///     P5 <width> <height> <maxval>\n<width·height bytes>        (maxval 1...255)
///     P2 <width> <height> <maxval> <width·height decimal samples>
///
/// separated by whitespace, with `#` comments to the end of a line in the header (and, for
/// `P2`, anywhere). Samples are scaled to 0...255 as `round(v·255 / maxval)` (exact for the
/// usual maxval 255). 16-bit `P5` (maxval > 255) and multi-image files are refused. As with
/// PNG, the dimensions are checked against what the caller expects before any sample is read.
package enum PGM {
    /// The most bytes a PGM file given to `nn` may have (a 28×28 plain PGM is about 3 KB).
    package static let maxFileBytes = 16 << 20

    package static func isPGM(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == UInt8(ascii: "P") && (bytes[1] == UInt8(ascii: "5") || bytes[1] == UInt8(ascii: "2"))
    }

    package static func decode(_ bytes: [UInt8], name: String,
                               accept: (Int, Int) throws -> Void = { _, _ in }) throws -> GreyImage {
        guard isPGM(bytes) else { throw NNError("\(name): not a PGM image (expected P5 or P2)") }
        let plain = bytes[1] == UInt8(ascii: "2")
        var reader = Reader(bytes: bytes, position: 2, name: name)
        let width = try reader.number("width"), height = try reader.number("height")
        let maxval = try reader.number("maxval")
        guard width > 0, height > 0 else { throw NNError("\(name): PGM size \(width)x\(height) is empty") }
        guard (1...255).contains(maxval) else {
            throw NNError("\(name): PGM maxval \(maxval) is not supported (1...255: 8-bit grey)")
        }
        try accept(width, height)
        guard let count = MemoryBudget.product([width, height]), count <= bytes.count else {
            throw NNError("\(name): PGM \(width)x\(height) needs more samples than the file holds")
        }
        func scaled(_ v: Int) -> UInt8 { UInt8((v * 255 + maxval / 2) / maxval) }
        var pixels = [UInt8](repeating: 0, count: count)
        if plain {
            for i in 0..<count {
                let v = try reader.number("sample \(i + 1) of \(count)")
                guard v <= maxval else { throw NNError("\(name): PGM sample \(i + 1) is \(v), more than maxval \(maxval)") }
                pixels[i] = scaled(v)
            }
            reader.skipSpace()
        } else {
            // Exactly one whitespace byte separates maxval from the raster.
            guard reader.position < bytes.count, Reader.isSpace(bytes[reader.position]) else {
                throw NNError("\(name): PGM header does not end with whitespace after maxval")
            }
            reader.position += 1
            guard bytes.count - reader.position >= count else {
                throw NNError("\(name): PGM raster is \(bytes.count - reader.position) bytes, shorter than the \(count) that \(width)x\(height) needs")
            }
            for i in 0..<count {
                let v = Int(bytes[reader.position + i])
                guard v <= maxval else { throw NNError("\(name): PGM sample \(i + 1) is \(v), more than maxval \(maxval)") }
                pixels[i] = scaled(v)
            }
            reader.position += count
        }
        guard reader.position == bytes.count else {
            throw NNError("\(name): \(bytes.count - reader.position) bytes after the PGM image (one image per file)")
        }
        return GreyImage(width: width, height: height, pixels: pixels)
    }

    /// Whitespace- and comment-separated decimal numbers.
    struct Reader {
        let bytes: [UInt8]
        var position: Int
        let name: String

        static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

        mutating func skipSpace() {
            while position < bytes.count {
                if Self.isSpace(bytes[position]) { position += 1 }
                else if bytes[position] == UInt8(ascii: "#") {
                    while position < bytes.count && bytes[position] != 0x0A { position += 1 }
                } else { break }
            }
        }

        /// The next decimal number (at most 9 digits, so it cannot overflow).
        mutating func number(_ what: String) throws -> Int {
            skipSpace()
            var v = 0, digits = 0
            while position < bytes.count, (0x30...0x39).contains(bytes[position]) {
                guard digits < 9 else { throw NNError("\(name): PGM \(what) is too large") }
                v = v * 10 + Int(bytes[position] - 0x30)
                digits += 1
                position += 1
            }
            guard digits > 0 else {
                throw NNError("\(name): PGM \(what) missing or not a number" + (position >= bytes.count ? " (file ends)" : ""))
            }
            return v
        }
    }
}
