
/// A dense row-major `rows × cols` matrix that owns its storage.
///
/// It is a reference type on purpose: training reuses the same buffers every epoch and
/// updates them in place, with no copy-on-write checks in the hot loops. Network
/// activations are stored as NumPy stores them in the notebook: features × samples.
package final class Matrix<T: NNScalar> {
    package let rows: Int
    package let cols: Int
    package let storage: UnsafeMutableBufferPointer<T>

    package var count: Int { rows * cols }
    package var pointer: UnsafeMutablePointer<T> { storage.baseAddress! }

    /// A zero-filled matrix.
    package init(rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.cols = cols
        // calloc: zero without a pass over the memory (a large allocation's fresh pages are
        // zero already; an unspecialised `initialize(repeating: 0)`, as callers in other
        // modules get, went through a value witness per element: 13% of `nn eval`).
        storage = UnsafeMutableBufferPointer(start: LibC.zeroedAllocation(max(1, rows * cols), of: T.self), count: max(1, rows * cols))
    }

    convenience init(rows: Int, cols: Int, values: [T]) {
        precondition(values.count == rows * cols, "value count must be rows × cols")
        self.init(rows: rows, cols: cols)
        for i in 0..<values.count { storage[i] = values[i] }
    }

    deinit { LibC.free(storage.baseAddress!) }

    @inline(__always) package subscript(r: Int, c: Int) -> T {
        get { storage[r * cols + c] }
        set { storage[r * cols + c] = newValue }
    }

    /// The elements in row-major order.
    var values: [T] { Array(UnsafeBufferPointer(start: storage.baseAddress, count: count)) }

    func copy() -> Matrix<T> {
        let m = Matrix(rows: rows, cols: cols)
        m.pointer.update(from: pointer, count: count)
        return m
    }

    func fill(_ v: T) { storage.update(repeating: v) }

    /// Row `r` as a buffer (contiguous).
    @inline(__always) func row(_ r: Int) -> UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer(start: pointer + r * cols, count: cols)
    }

    /// `C ← α·op(A)·op(B) + β·C` through BLAS; checks the shapes. With `parallel`, a product
    /// of at least `gemmMinimumWork` multiply-adds per part has `C` cut into column blocks (or
    /// row blocks, when it has more rows than columns), each a product of its own on one of
    /// `parallel`'s threads, BLAS itself being single-threaded (`BLAS.useOneThread`). BLAS
    /// may round a block's elements differently from the whole's in the last bit (as
    /// OpenBLAS's own threads did): results depend on the thread count, never on timing.
    /// Multiply-adds below which a part of a product is not worth a thread (a few µs of
    /// work); a constant, unlike `Parallel.minimumWork`, which tests lower to split tiny loops.
    static var gemmMinimumWork: Int { 1 << 16 }

    static func gemm(_ a: Matrix<T>, transA: Bool = false, _ b: Matrix<T>, transB: Bool = false,
                     into c: Matrix<T>, alpha: T = 1, beta: T = 0, parallel: Parallel = .serial) {
        let m = transA ? a.cols : a.rows
        let k = transA ? a.rows : a.cols
        let kb = transB ? b.cols : b.rows
        let n = transB ? b.rows : b.cols
        precondition(k == kb && c.rows == m && c.cols == n, "gemm shape mismatch")
        if m == 0 || n == 0 { return }
        if k == 0 { if beta == 0 { c.fill(0) }; return }
        let byColumns = n >= m
        Parallel(threads: parallel.threads, minimumWork: Self.gemmMinimumWork).forRanges(byColumns ? n : m, cost: (byColumns ? m : n).multipliedReportingOverflow(by: k).partialValue) { lo, hi in
            if byColumns {      // C[:, lo..<hi] = op(A)·op(B)[:, lo..<hi]
                T.gemm(transA: transA, transB: transB, m: m, n: hi - lo, k: k, alpha: alpha,
                       a: a.pointer, lda: a.cols, b: b.pointer + (transB ? lo * b.cols : lo), ldb: b.cols,
                       beta: beta, c: c.pointer + lo, ldc: c.cols)
            } else {            // C[lo..<hi, :] = op(A)[lo..<hi, :]·op(B)
                T.gemm(transA: transA, transB: transB, m: hi - lo, n: n, k: k, alpha: alpha,
                       a: a.pointer + (transA ? lo : lo * a.cols), lda: a.cols, b: b.pointer, ldb: b.cols,
                       beta: beta, c: c.pointer + lo * c.cols, ldc: c.cols)
            }
        }
    }
}
