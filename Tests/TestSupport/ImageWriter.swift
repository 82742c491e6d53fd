import CPNG
import NNBase

/// Grey images as PNG and PGM bytes, for tests and fixtures only (`nn` itself only reads
/// them: `Sources/NNFormats/Files/PNG.swift`, `PGM.swift`). `pixels` are `height` rows of
/// `width` 8-bit samples.
package enum ImageWriter {
    /// An 8-bit grey PNG.
    package static func png(width: Int, height: Int, pixels: [UInt8]) throws -> [UInt8] {
        var png = png_image()
        png.version = png_uint_32(PNG_IMAGE_VERSION)
        png.width = png_uint_32(width)
        png.height = png_uint_32(height)
        png.format = png_uint_32(PNG_FORMAT_GRAY)
        defer { png_image_free(&png) }
        var size = 0
        // First call measures, second writes.
        _ = pixels.withUnsafeBytes { px in
            png_image_write_to_memory(&png, nil, &size, 0, px.baseAddress, png_int_32(width), nil)
        }
        var out = [UInt8](repeating: 0, count: size)
        let ok = pixels.withUnsafeBytes { px in
            out.withUnsafeMutableBytes { o in
                png_image_write_to_memory(&png, o.baseAddress, &size, 0, px.baseAddress, png_int_32(width), nil)
            }
        }
        guard ok != 0 else { throw NNError("PNG: cannot encode (libpng error \(png.warning_or_error))") }
        return Array(out[0..<size])
    }

    /// The binary P5 PGM encoding (maxval 255).
    package static func pgm(width: Int, height: Int, pixels: [UInt8]) -> [UInt8] {
        Array("P5\n\(width) \(height)\n255\n".utf8) + pixels
    }
}
