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

    /// Makes BLAS single-threaded (OpenBLAS; Accelerate has no such setting): `Parallel`
    /// splits the products itself, on `WorkerPool`'s threads, so that one set of threads
    /// runs everything (OpenBLAS's own threads spin between its calls and competed with them:
    /// 20% of a mini-batch epoch went to `sched_yield` and rescheduling).
    package static func useOneThread() {
        #if !canImport(Accelerate)
        openblas_set_num_threads(1)
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

    /// A one-line description of the BLAS in use, for timing.json (with OpenBLAS, the
    /// build's configuration and the kernels it chose for this CPU).
    package static var implementation: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #else
        var s = "OpenBLAS"
        if let cfg = openblas_get_config() { s += " " + String(cString: cfg) }
        if let core = openblas_get_corename() { s += "; kernels " + String(cString: core) }
        return s
        #endif
    }

    /// OpenBLAS chooses its kernels for the CPU when it is loaded, and releases before 0.3.22
    /// (Debian 12 has 0.3.21) do not recognise recent x86-64 CPUs (Sapphire Rapids, say):
    /// they fall back to the Prescott (SSE3) kernels, 1.5–3× slower than the AVX2 ones the
    /// CPU runs. Its documented override is the environment variable `OPENBLAS_CORETYPE`,
    /// read at load time; so when OpenBLAS chose Prescott on a CPU with AVX2 and FMA, this
    /// sets `OPENBLAS_CORETYPE` to `SkylakeX` (AVX-512 F/VL/BW/DQ present) or `Haswell`
    /// and executes the program again (same process, arguments and environment otherwise).
    /// SkylakeX's AVX-512 kernels are 15–20% faster per epoch on such a CPU (measured:
    /// mini-batch 128, one thread); they round `1e300·1e302 − 1e300·1e302` to +inf where
    /// Haswell's give NaN, which is why a model with weights above √max is refused where it
    /// is read (`ModelFile`), whatever the BLAS makes of its overflowing products.
    /// Call it first thing in `main`. Does nothing when `OPENBLAS_CORETYPE` is set already
    /// (so it happens at most once, and a user's choice stands), with Accelerate, or when
    /// OpenBLAS chose other kernels; if the exec fails, the program carries on.
    package static func useKernelsForThisCPU() {
        #if os(Linux) && !canImport(Accelerate)
        guard LibC.environment("OPENBLAS_CORETYPE") == nil, let core = openblas_get_corename(),
              String(cString: core).lowercased() == "prescott", Kernels.cpuHasAVX2FMA else { return }
        LibC.setEnvironment("OPENBLAS_CORETYPE", Kernels.cpuHasAVX512 ? "SkylakeX" : "Haswell")
        LibC.executeSelfAgain()
        #endif
    }

    #if canImport(Accelerate)
    @inline(__always) private static func blasInt(_ x: Int) -> Int32 { Int32(x) }
    #else
    @inline(__always) private static func blasInt(_ x: Int) -> blasint { blasint(x) }
    #endif
}
