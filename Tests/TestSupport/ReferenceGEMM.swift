import NNKernel

/// A naive, obviously correct matrix product kept to test the BLAS path against.
///
/// `C ← α·op(A)·op(B) + β·C`, row-major, with the same argument meaning as `BLAS.gemm`;
/// the inner sum runs over `p = 0..<k` in order.
package enum ReferenceGEMM {
    package static func gemm<T: NNScalar>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                         a: [T], lda: Int, b: [T], ldb: Int, beta: T, c: inout [T], ldc: Int,
                                         fused: Bool = false) {
        for i in 0..<m {
            for j in 0..<n {
                var s: T = 0
                for p in 0..<k {
                    let aip = transA ? a[p * lda + i] : a[i * lda + p]
                    let bpj = transB ? b[j * ldb + p] : b[p * ldb + j]
                    s = fused ? s.addingProduct(aip, bpj) : s + aip * bpj
                }
                c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j])
            }
        }
    }
}
