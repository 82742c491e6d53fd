
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
        let count = max(1, rows * cols)
        storage = UnsafeMutableBufferPointer(start: LibC.zeroedAllocation(count, of: T.self), count: count)
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

    /// Multiply-adds below which a part of a product is not worth a thread (a few µs of
    /// work); a constant, unlike `Parallel.minimumWork`, which tests lower to split tiny loops.
    static var gemmMinimumWork: Int { 1 << 16 }

    /// One product `C ← α·op(A)·op(B) + β·C` for `gemm(_:parallel:)`.
    struct Product {
        var a: Matrix<T>, transA = false, b: Matrix<T>, transB = false, c: Matrix<T>
        var alpha: T = 1, beta: T = 0
    }

    /// `C ← α·op(A)·op(B) + β·C` through BLAS; checks the shapes. See `gemm(_:parallel:)`.
    static func gemm(_ a: Matrix<T>, transA: Bool = false, _ b: Matrix<T>, transB: Bool = false,
                     into c: Matrix<T>, alpha: T = 1, beta: T = 0, parallel: Parallel = .serial) {
        gemm([Product(a: a, transA: transA, b: b, transB: transB, c: c, alpha: alpha, beta: beta)], parallel: parallel)
    }

    /// Independent products (no `C` is another's input) through BLAS as one job on
    /// `parallel`'s threads; checks the shapes. Each product of at least `gemmMinimumWork`
    /// multiply-adds per part is cut into up to `threads / products.count` column blocks (or
    /// row blocks, when `C` has more rows than columns), every block a product of its own in
    /// single-threaded BLAS (`BLAS.useOneThread`); thread t runs blocks t, t + threads, ….
    /// So with 2 threads, backward's `dW` and `dA_prev` run whole side by side. BLAS may
    /// round a block's elements differently from the whole product's in the last bit (as
    /// OpenBLAS's own threads did): results depend on the thread count, never on timing.
    static func gemm(_ products: [Product], parallel: Parallel) {
        // Each block: its product, that product's m, n, k, and its range of C's columns (n ≥ m)
        // or rows.
        var blocks: [(p: Product, m: Int, n: Int, k: Int, lo: Int, hi: Int)] = []
        let share = max(1, parallel.threads / max(1, products.count))
        for p in products {
            let (m, k) = p.transA ? (p.a.cols, p.a.rows) : (p.a.rows, p.a.cols)
            let (kb, n) = p.transB ? (p.b.cols, p.b.rows) : (p.b.rows, p.b.cols)
            precondition(k == kb && p.c.rows == m && p.c.cols == n, "gemm shape mismatch")
            if m == 0 || n == 0 { continue }
            if k == 0 { if p.beta == 0 { p.c.fill(0) }; continue }
            let split = max(m, n)
            let (mn, o1) = m.multipliedReportingOverflow(by: n), (mnk, o2) = mn.multipliedReportingOverflow(by: k)
            let worth = o1 || o2 ? Int.max : max(1, mnk / Self.gemmMinimumWork)
            let parts = min(share, worth, split), per = (split + parts - 1) / parts
            for lo in stride(from: 0, to: split, by: per) { blocks.append((p, m, n, k, lo, min(split, lo + per))) }
        }
        parallel.forParts(blocks.count) { i in
            let (p, m, n, k, lo, hi) = blocks[i]
            let (a, b, c) = (p.a, p.b, p.c)
            if n >= m {         // C[:, lo..<hi] = op(A)·op(B)[:, lo..<hi]
                T.gemm(transA: p.transA, transB: p.transB, m: m, n: hi - lo, k: k, alpha: p.alpha,
                       a: a.pointer, lda: a.cols, b: b.pointer + (p.transB ? lo * b.cols : lo), ldb: b.cols,
                       beta: p.beta, c: c.pointer + lo, ldc: c.cols)
            } else {            // C[lo..<hi, :] = op(A)[lo..<hi, :]·op(B)
                T.gemm(transA: p.transA, transB: p.transB, m: hi - lo, n: n, k: k, alpha: p.alpha,
                       a: a.pointer + (p.transA ? lo : lo * a.cols), lda: a.cols, b: b.pointer, ldb: b.cols,
                       beta: p.beta, c: c.pointer + lo * c.cols, ldc: c.cols)
            }
        }
    }
}

extension Matrix {
    /// Columns `start..<start+width` as a new matrix (a copy).
    func columns(_ start: Int, _ width: Int) -> Matrix<T> {
        if start == 0 && width == cols { return self }
        let m = Matrix(rows: rows, cols: width)
        for r in 0..<rows { (m.pointer + r * width).update(from: pointer + r * cols + start, count: width) }
        return m
    }

    /// Columns `start..<start + block.cols` ← `block` (same rows).
    func copyColumns(at start: Int, from block: Matrix<T>) {
        precondition(block.rows == rows && start >= 0 && block.cols <= cols - start, "copyColumns shape mismatch")
        let w = block.cols
        for r in 0..<rows { (pointer + r * cols + start).update(from: block.pointer + r * w, count: w) }
    }

    /// The columns listed in `indices`, in that order (a gather, for mini-batches).
    func gatherColumns(_ indices: ArraySlice<Int>, parallel: Parallel) -> Matrix<T> {
        let m = Matrix(rows: rows, cols: indices.count)
        gatherColumns(indices, into: m, parallel: parallel)
        return m
    }

    /// The columns listed in `indices` into `m` (`rows × indices.count`).
    func gatherColumns(_ indices: ArraySlice<Int>, into m: Matrix<T>, parallel: Parallel) {
        precondition(m.rows == rows && m.cols == indices.count, "gather shape mismatch")
        let w = indices.count
        parallel.forRanges(rows, cost: w) { lo, hi in
            for r in lo..<hi {
                let src = pointer + r * cols, dst = m.pointer + r * w
                var j = 0
                for idx in indices { dst[j] = src[idx]; j += 1 }
            }
        }
    }
}
