import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNExperiments
import TestSupport

@Suite struct GEMMTests {
    /// Deterministic pseudo-random values in [-1, 1).
    static func values<T: NNScalar>(_ n: Int, seed: UInt32) -> [T] {
        var rng = MT19937(seed: seed)
        return (0..<n).map { _ in T(rng.randomDouble() * 2 - 1) }
    }

    func check<T: NNScalar>(_: T.Type, tolerance: Double) {
        let (m, n, k) = (7, 5, 9)
        for transA in [false, true] {
            for transB in [false, true] {
                let a = Matrix<T>(rows: transA ? k : m, cols: transA ? m : k, values: Self.values(m * k, seed: 1))
                let b = Matrix<T>(rows: transB ? n : k, cols: transB ? k : n, values: Self.values(k * n, seed: 2))
                let c0: [T] = Self.values(m * n, seed: 3)
                let c = Matrix<T>(rows: m, cols: n, values: c0)
                Matrix.gemm(a, transA: transA, b, transB: transB, into: c, alpha: T(0.5), beta: T(2))
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
