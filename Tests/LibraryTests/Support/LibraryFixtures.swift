import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

// Helpers only the tests use, kept out of the library: building IDX arrays of any type,
// reading a whole gzip payload, a sparse input back as a dense matrix, a split's
// notebook design matrix as plain doubles.

extension IDXArray {
    /// Builds an array of any type from doubles (converted to the element type; integer
    /// types truncate toward zero).
    init(type: IDXType, shape: [Int], values: [Double]) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(values.count * type.size)
        func be<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) } }
        for v in values {
            switch type {
            case .u8: bytes.append(UInt8(v))
            case .i8: bytes.append(UInt8(bitPattern: Int8(v)))
            case .i16: be(Int16(v))
            case .i32: be(Int32(v))
            case .f32: be(Float(v).bitPattern)
            case .f64: be(v.bitPattern)
            }
        }
        self.init(type: type, shape: shape, payload: bytes)
    }
}

extension Gzip {
    /// The whole payload in memory (at most `maxBytes`; see `forEachChunk`).
    static func readAll(path: String, maxBytes: Int = .max) throws -> [UInt8] {
        var out = [UInt8]()
        try forEachChunk(path: path, maxBytes: maxBytes) { out.append(contentsOf: $0) }
        return out
    }
}

extension SampleSparse {
    /// `X` back as a dense matrix.
    func dense() -> Matrix<T> {
        let x = Matrix<T>(rows: features, cols: samples)
        for s in 0..<samples {
            for k in Int(start[s * groups])..<Int(start[(s + 1) * groups]) { x[Int(feature[k]), s] = value[k] }
        }
        return x
    }
}

extension PreparedSplit {
    /// The notebook's design matrix, `X = np.c_[np.ones(n), X]; X /= 255`: `count` rows of
    /// `features + 1` doubles, row-major, column 0 = 1/255, column j+1 = pixel j / 255.
    func inputs() -> [Double] {
        let width = features + 1
        var x = [Double](repeating: 0, count: count * width)
        for k in 0..<count {
            x[k * width] = 1.0 / 255.0
            for j in 0..<features { x[k * width + 1 + j] = Double(images[k * features + j]) / 255.0 }
        }
        return x
    }
}
