// The one file that talks to BLAS: OpenBLAS through the CBLAS system library on Linux,
// Accelerate on macOS.
#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// Thin, typed wrappers over CBLAS `?gemm` (row-major) and BLAS thread control.
///
/// `gemm` computes `C ← α·op(A)·op(B) + β·C` where `op(A)` is `m×k`, `op(B)` is `k×n` and
/// `C` is `m×n`; `op(X)` is `Xᵀ` when the matching `trans` flag is set. Leading dimensions
/// are the row strides of the matrices as stored (row-major).
package enum BLAS {
    static func dgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                      a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                      beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasInt(m), blasInt(n), blasInt(k), alpha, a, blasInt(lda), b, blasInt(ldb),
                    beta, c, blasInt(ldc))
    }

    static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    blasInt(m), blasInt(n), blasInt(k), alpha, a, blasInt(lda), b, blasInt(ldb),
                    beta, c, blasInt(ldc))
    }

    /// Sets how many threads BLAS may use (OpenBLAS); a no-op on Accelerate.
    package static func setThreads(_ n: Int) {
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(clamping: max(1, n)))
        #endif
    }

    /// Threads BLAS currently uses (1 where unknown).
    package static var threads: Int {
        #if canImport(Accelerate)
        return 1
        #else
        return Int(openblas_get_num_threads())
        #endif
    }

    /// A one-line description of the BLAS in use, for timing.json.
    package static var implementation: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        if let cfg = openblas_get_config() { return "OpenBLAS " + String(cString: cfg) }
        return "OpenBLAS"
        #endif
    }

    #if canImport(Accelerate)
    @inline(__always) private static func blasInt(_ x: Int) -> Int32 { Int32(x) }
    #else
    @inline(__always) private static func blasInt(_ x: Int) -> blasint { blasint(x) }
    #endif
}
