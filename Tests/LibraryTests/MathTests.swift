import Foundation
import Synchronization
import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import TestSupport

@Suite struct GEMMTests {
    /// Deterministic pseudo-random values in [-1, 1).
    static func values<T: NNScalar>(_ n: Int, seed: UInt32) -> [T] {
        var rng = MT19937(seed: seed)
        return (0..<n).map { _ in T(rng.randomDouble() * 2 - 1) }
    }

    func check<T: NNScalar>(_: T.Type, tolerance: Double, m: Int = 7, n: Int = 5, k: Int = 9, parallel: Parallel = .serial) {
        for transA in [false, true] {
            for transB in [false, true] {
                let a = Matrix<T>(rows: transA ? k : m, cols: transA ? m : k, values: Self.values(m * k, seed: 1))
                let b = Matrix<T>(rows: transB ? n : k, cols: transB ? k : n, values: Self.values(k * n, seed: 2))
                let c0: [T] = Self.values(m * n, seed: 3)
                let c = Matrix<T>(rows: m, cols: n, values: c0)
                Matrix.gemm(a, transA: transA, b, transB: transB, into: c, alpha: T(0.5), beta: T(2), parallel: parallel)
                var ref = c0
                ReferenceGEMM.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: T(0.5),
                                   a: a.values, lda: a.cols, b: b.values, ldb: b.cols, beta: T(2), c: &ref, ldc: n)
                for i in 0..<(m * n) {
                    let got: Double = c.storage[i].double
                    let want: Double = ref[i].double
                    let ok = Swift.abs(got - want) <= tolerance
                    #expect(ok, "transA \(transA) transB \(transB) element \(i): \(got) vs \(want)")
                }
            }
        }
    }

    @Test func blasMatchesReferenceF64() { check(Double.self, tolerance: 1e-13) }
    @Test func blasMatchesReferenceF32() { check(Float.self, tolerance: 1e-5) }

    /// Products big enough to be split among threads (`Matrix.gemmMinimumWork`), cut by
    /// columns (n ≥ m) and by rows (m > n), into 2 and 3 uneven blocks, every transposition.
    @Test(arguments: [(40, 301, 70), (301, 40, 70)])
    func splitProductsMatchReference(m: Int, n: Int, k: Int) {
        #expect(m * n * k >= 3 * Matrix<Double>.gemmMinimumWork, "large enough to split 3 ways")
        for threads in [2, 3] {
            check(Double.self, tolerance: 1e-12, m: m, n: n, k: k, parallel: Parallel(threads: threads))
            check(Float.self, tolerance: 1e-4, m: m, n: n, k: k, parallel: Parallel(threads: threads))
        }
    }
}

extension GEMMTests {
    /// Independent products as one job (backward's dW and dA_prev): each against the
    /// reference, whole (up to 3 threads) or cut (4), and an empty and a k = 0 product.
    @Test func productsAsOneJobMatchReference() {
        let (m, n, k) = (60, 90, 70)
        let a = Matrix<Double>(rows: m, cols: k, values: Self.values(m * k, seed: 11))
        let b = Matrix<Double>(rows: n, cols: k, values: Self.values(n * k, seed: 12))
        let d = Matrix<Double>(rows: m, cols: n, values: Self.values(m * n, seed: 13))
        var abt = [Double](repeating: 0, count: m * n), atd = [Double](repeating: 0, count: k * n)
        ReferenceGEMM.gemm(transA: false, transB: true, m: m, n: n, k: k, alpha: 1, a: a.values, lda: k, b: b.values,
                           ldb: k, beta: 0, c: &abt, ldc: n)
        ReferenceGEMM.gemm(transA: true, transB: false, m: k, n: n, k: m, alpha: 1, a: a.values, lda: k, b: d.values,
                           ldb: n, beta: 0, c: &atd, ldc: n)
        for threads in 1...4 {
            let c1 = Matrix<Double>(rows: m, cols: n), c2 = Matrix<Double>(rows: k, cols: n)
            // With 4 threads each product is cut in two (2 threads per product).
            Matrix.gemm([.init(a: a, b: b, transB: true, c: c1), .init(a: a, transA: true, b: d, c: c2)],
                        parallel: Parallel(threads: threads))
            let noK = Matrix<Double>(rows: 3, cols: 4, values: [Double](repeating: 5, count: 12))
            Matrix.gemm([.init(a: Matrix(rows: 0, cols: 2), b: Matrix(rows: 2, cols: 3), c: Matrix(rows: 0, cols: 3)),
                         .init(a: Matrix(rows: 3, cols: 0), b: Matrix(rows: 0, cols: 4), c: noK)],
                        parallel: Parallel(threads: threads))
            #expect(zip(c1.values, abt).allSatisfy { abs($0 - $1) <= 1e-12 }, "A·Bᵀ, \(threads) threads")
            #expect(zip(c2.values, atd).allSatisfy { abs($0 - $1) <= 1e-12 }, "Aᵀ·D, \(threads) threads")
            #expect(noK.values.allSatisfy { $0 == 0 }, "k = 0 with β 0 gives zeros")
        }
    }
}

@Suite struct PairwiseSumTests {
    /// x_i = ((i·7919) mod 1000)/7 + 1e-3·(i mod 13); expected sums computed with NumPy 2.4
    /// (`float(np.sum(x))`), where pairwise summation differs from a sequential loop.
    static func data(_ n: Int) -> [Double] {
        (0..<n).map { (i: Int) -> Double in
            let a = Double((i * 7919) % 1000) / 7.0
            let b = 1e-3 * Double(i % 13)
            return a + b
        }
    }

    @Test(arguments: [
        (7, 614.1638571428571), (100, 7007.724857142857), (129, 9181.33942857143),
        (1000, 71363.13685714286), (50000, 3568157.131857143),
    ])
    func matchesNumPy(n: Int, expected: Double) {
        let x = Self.data(n)
        let s = x.withUnsafeBufferPointer { PairwiseSum.sum($0.baseAddress!, n) }
        #expect(s == expected)
    }

    /// The contiguous blocks are summed eight lanes at a time; a strided run (the scalar
    /// accumulators) gives the same bits, in f64 and f32.
    @Test(arguments: [7, 8, 100, 128, 129, 1000, 50000])
    func stridedAndContiguousAgree(n: Int) {
        let x = Self.data(n)
        let spread = x.flatMap { [$0, -1e9] }
        #expect(spread.withUnsafeBufferPointer { PairwiseSum.sum($0.baseAddress!, n, stride: 2) }
            == x.withUnsafeBufferPointer { PairwiseSum.sum($0.baseAddress!, n) })
        let (xf, spreadf) = (x.map { Float($0) }, spread.map { Float($0) })
        #expect(spreadf.withUnsafeBufferPointer { PairwiseSum.sum($0.baseAddress!, n, stride: 2) }
            == xf.withUnsafeBufferPointer { PairwiseSum.sum($0.baseAddress!, n) })
    }

    @Test func sequentialSumDiffersSoTheOrderMatters() {
        let x = Self.data(1000)
        #expect(x.reduce(0, +) == 71363.13685714289)
    }
}

@Suite struct WorkerPoolTests {
    /// Runs `parts` parts on `pool` and returns how often each ran (each part writes only its
    /// own counter).
    static func counts(_ pool: WorkerPool, _ parts: Int, inner: Int = 0) -> [Int] {
        let c = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(1, parts))
        c.initialize(repeating: 0)
        defer { c.deallocate() }
        pool.run(parts) { p in
            c[p] += 1
            // A job started from inside a part runs serially in that thread, all its parts.
            if inner > 0 && counts(pool, inner) != [Int](repeating: 1, count: inner) { c[p] += 100 }
        }
        return Array(c.prefix(parts))
    }

    /// Fewer parts than threads leave some workers out (neither woken nor waited for); more
    /// parts than threads give each thread several.
    @Test(arguments: [3, 8])
    func everyPartRunsExactlyOnce(threads: Int) {
        let pool = WorkerPool.shared(threads: threads)
        for parts in [0, 1, 2, 3, 4, 7, 64, 2, 8, 1, 5] {
            #expect(Self.counts(pool, parts) == [Int](repeating: 1, count: parts), "\(parts) parts")
        }
        #expect(Self.counts(pool, 5, inner: 4) == [Int](repeating: 1, count: 5), "nested")
    }

    /// After a pause the workers have gone to sleep; the next job must wake them.
    @Test func jobsAfterThePoolHasSleptStillRun() {
        let pool = WorkerPool.shared(threads: 2)
        for _ in 0..<5 {
            #expect(Self.counts(pool, 2) == [1, 1])
            usleep(20_000)
        }
    }

    /// Jobs from two threads at once: one runs on the pool, the other serially in its caller.
    @Test func jobsFromTwoThreadsAtOnce() {
        let pool = WorkerPool.shared(threads: 2)
        let bad = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            for parts in 0..<2000 where Self.counts(pool, parts % 9) != [Int](repeating: 1, count: parts % 9) {
                bad.withLock { $0 += 1 }
            }
        }
        #expect(bad.withLock { $0 } == 0)
    }
}
