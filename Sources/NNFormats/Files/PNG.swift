import CPNG
import Foundation
import NNBase

/// A grey image: `height` rows of `width` 8-bit pixels, row-major (0 black, 255 white).
package struct GreyImage: Equatable, Sendable {
    var width: Int
    var height: Int
    package var pixels: [UInt8]

    init(width: Int, height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// PNG through libpng's simplified API (`png_image_*`; the only file that imports libpng).
///
/// Any valid PNG is accepted (every colour type, bit depth and interlacing); libpng turns
/// it into 8-bit grey (`PNG_FORMAT_GRAY`: colour is converted with the sRGB luminance
/// weights, 16-bit samples are reduced, alpha is composited onto black). The dimensions are
/// read from the header and checked against what the caller expects *before* the pixels
/// are decoded, so a wrong-sized or huge image is refused without allocating it.
package enum PNG {
    static let magic: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
    /// The most bytes a PNG file given to `nn` may have (a 28×28 image is under 1 KB).
    package static let maxFileBytes = 16 << 20

    package static func isPNG(_ bytes: [UInt8]) -> Bool { bytes.starts(with: magic) }

    /// Decodes the PNG `bytes` to grey. `accept(width, height)` is called with the header's
    /// dimensions before anything is decoded and may throw (a wrong size). Errors name `name`.
    package static func decodeGrey(_ bytes: [UInt8], name: String,
                                   accept: (Int, Int) throws -> Void = { _, _ in }) throws -> GreyImage {
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        // libpng reads from the memory given to begin_read until finish_read: both in one scope.
        return try bytes.withUnsafeBytes { raw in
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0 else {
                throw NNError("\(name): not a readable PNG (\(message(image)))")
            }
            let width = Int(image.width), height = Int(image.height)
            try accept(width, height)
            guard let count = MemoryBudget.product([width, height]) else {
                throw NNError("\(name): PNG dimensions \(width)x\(height) are too large")
            }
            // The pixels are zlib data: at most deflate's largest expansion of the file. What
            // inflates is the header's scanlines (`scanlineBytes`: 1/8 byte a pixel for 1-bit
            // grey, 8 for 16-bit RGBA), not the 8-bit grey pixels we allocate.
            let depth = bytes.count > 25 ? Int(bytes[24]) : 8, colour = bytes.count > 25 ? Int(bytes[25]) : 0
            try InputBound.requireClaim(scanlineBytes(width: width, height: height, bitDepth: depth, colourType: colour),
                                        what: "PNG header of \(width)x\(height) pixels", path: name,
                                        fileSize: bytes.count, gzip: true)
            try MemoryBudget.require(count, for: "\(name) (PNG of \(width)x\(height) pixels)")
            image.format = png_uint_32(PNG_FORMAT_GRAY)
            var pixels = [UInt8](repeating: 0, count: count)
            let finished = pixels.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, nil, out.baseAddress, png_int_32(width), nil)
            }
            guard finished != 0 else { throw NNError("\(name): corrupt PNG (\(message(image)))") }
            return GreyImage(width: width, height: height, pixels: pixels)
        }
    }

    /// The bytes a PNG's image data inflates to (without interlacing): per row one filter
    /// byte and `width × bitDepth × channels` bits rounded up to bytes (IHDR's bit depth
    /// and colour type, bytes 24 and 25 of the file). nil when it overflows.
    static func scanlineBytes(width: Int, height: Int, bitDepth: Int, colourType: Int) -> Int? {
        let channels = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][colourType] ?? 4
        guard let bits = MemoryBudget.product([width, max(bitDepth, 1), channels]) else { return nil }
        return MemoryBudget.product([height, 1 + (bits + 7) / 8])
    }

    /// libpng's message for the last failure.
    private static func message(_ image: png_image) -> String {
        var m = image.message
        let text = withUnsafeBytes(of: &m) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return text.isEmpty ? "unknown libpng error" : text
    }
}
