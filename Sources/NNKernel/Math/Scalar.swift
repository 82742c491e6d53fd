
/// The element types a network can be trained in: `Double` (`--precision f64`, the
/// notebook's) and `Float` (`--precision f32`). Elementary functions go to the C library
/// (glibc's `exp`/`log`/`tanh`, as NumPy's scalar fallbacks do); matrix products go to BLAS
/// through `BLAS.gemm`.
package protocol NNScalar: BinaryFloatingPoint & SIMDScalar & Codable & Sendable where Self.RawSignificand: FixedWidthInteger {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func sqrt(_ x: Self) -> Self
    init(_ d: Double)
    var double: Double { get }
    /// `C = alpha·op(A)·op(B) + beta·C`, all row-major (see `BLAS.gemm`).
    static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                     a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
    static var precisionName: String { get }
}

extension Double: NNScalar {
    @inline(__always) package static func exp(_ x: Double) -> Double { LibC.exp(x) }
    @inline(__always) package static func log(_ x: Double) -> Double { LibC.log(x) }
    @inline(__always) package static func log1p(_ x: Double) -> Double { LibC.log1p(x) }
    @inline(__always) package static func tanh(_ x: Double) -> Double { LibC.tanh(x) }
    @inline(__always) package static func sqrt(_ x: Double) -> Double { x.squareRoot() }
    @inline(__always) package var double: Double { self }
    package static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                            a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        BLAS.dgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                   b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
    package static var precisionName: String { "f64" }
}

extension Float: NNScalar {
    @inline(__always) package static func exp(_ x: Float) -> Float { LibC.exp(x) }
    @inline(__always) package static func log(_ x: Float) -> Float { LibC.log(x) }
    @inline(__always) package static func log1p(_ x: Float) -> Float { LibC.log1p(x) }
    @inline(__always) package static func tanh(_ x: Float) -> Float { LibC.tanh(x) }
    @inline(__always) package static func sqrt(_ x: Float) -> Float { x.squareRoot() }
    @inline(__always) package var double: Double { Double(self) }
    package static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        BLAS.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                   b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }
    package static var precisionName: String { "f32" }
}
