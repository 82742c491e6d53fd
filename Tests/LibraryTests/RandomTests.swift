import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import Testing

/// Expected values were computed with NumPy 2.4.6 (legacy `np.random.RandomState`) when
/// these tests were written, e.g.
///     np.random.RandomState(42)._bit_generator.random_raw(628)
///     float(np.random.RandomState(42).random_sample()).hex()
/// Doubles are written as hex float literals and compared bit for bit.
@Suite struct RandomTests {
    private func bits(_ xs: [Double]) -> [UInt64] { xs.map(\.bitPattern) }

    @Test(arguments: [
        (UInt32(0), [UInt32(2357136044), 2546248239, 3071714933, 3626093760, 2588848963, 3684848379],
         [UInt32(631131020), 3791854820, 341544762, 1076416385, 384842097, 2909461632]),
        (UInt32(42), [UInt32(1608637542), 3421126067, 4083286876, 787846414, 3143890026, 3348747335],
         [UInt32(336967606), 1077437785, 108880612, 791707097, 4134543476, 347346749]),
        (UInt32.max, [UInt32(419326371), 479346978, 3918654476, 2416749639, 3388880820, 2260532800],
         [UInt32(1222270187), 1027084080, 3860652269, 657474326, 948840071, 4178390586]),
    ])
    func rawOutputsMatchNumPy(seed: UInt32, first: [UInt32], around624: [UInt32]) {
        var rng = MT19937(seed: seed)
        let raw = (0..<628).map { _ in rng.nextUInt32() }
        #expect(Array(raw[0..<6]) == first)
        // Outputs 622...627 straddle the second regeneration of the state.
        #expect(Array(raw[622..<628]) == around624)
    }

    @Test func randomSampleMatchesNumPy() {
        var rng = MT19937(seed: 42)
        #expect(bits((0..<4).map { _ in rng.randomDouble() })
            == bits([0x1.7f8771e5f51ecp-2, 0x1.e6c4068bbd654p-1, 0x1.76c7e8f1e6751p-1, 0x1.32835d6632cb0p-1]))
        var zero = MT19937(seed: 0)
        #expect(bits([zero.randomDouble(), zero.randomDouble()]) == bits([0x1.18fe1565f12a8p-1, 0x1.6e2d4cf608733p-1]))
    }

    @Test func randomIntervalMatchesNumPyRandint() {
        // np.random.RandomState(42).randint(0, 1001, size=6, dtype=np.int64): 32-bit masked draws.
        var small = MT19937(seed: 42)
        #expect((0..<6).map { _ in small.randomInterval(1000) } == [102, 435, 860, 270, 106, 71])
        // randint(0, 2**40 + 1, size=4, dtype=np.int64): 64-bit masked draws.
        var large = MT19937(seed: 42)
        #expect((0..<4).map { _ in large.randomInterval(1 << 40) }
            == [441507790259, 458615280711, 810017303572, 440001501305])
        var zero = MT19937(seed: 42)
        #expect(zero.randomInterval(0) == 0)
        #expect(zero.nextUInt32() == 1608637542)  // randomInterval(0) draws nothing
    }

    @Test func permutationMatchesNumPy() {
        var a = MT19937(seed: 42)
        #expect(a.permutation(10) == [8, 1, 5, 0, 7, 2, 9, 4, 3, 6])
        var b = MT19937(seed: 0)
        #expect(b.permutation(10) == [2, 8, 4, 9, 1, 6, 7, 3, 0, 5])
        var c = MT19937(seed: 42)
        #expect(c.permutation(1) == [0])
        #expect(c.permutation(0) == [])
    }

    @Test func fullPoolPermutationMatchesNumPy() {
        var rng = MT19937(seed: 42)
        let p = rng.permutation(70_000)
        #expect(Array(p.prefix(10)) == [46730, 48393, 41416, 34506, 43725, 11615, 24656, 22411, 936, 56364])
        #expect(Array(p.suffix(3)) == [54886, 860, 15795])
        // hashlib.sha256(p.astype('<i8').tobytes()).hexdigest()
        #expect(TrainTestSplit.indexDigest(p) == "9924cf7744b20bf467720346be83c19e07e24a7012d47083971662fc648c3448")
        #expect(Set(p).count == 70_000)
    }

    @Test func shuffleMatchesNumPy() {
        // a = np.arange(100, 107); np.random.RandomState(7).shuffle(a)
        var rng = MT19937(seed: 7)
        var a = Array(100..<107)
        rng.shuffle(&a)
        #expect(a == [102, 105, 100, 106, 103, 101, 104])
        var strings = ["only"]
        rng.shuffle(&strings)
        #expect(strings == ["only"])
    }

    @Test func standardNormalMatchesNumPy() {
        // np.random.RandomState(42).randn(7)
        var rng = MT19937(seed: 42)
        #expect(bits(rng.randn(7)) == bits([
            0x1.fca2a28a9307cp-2, -0x1.1b2a505de052ap-3, 0x1.4b9dd50245e68p-1, 0x1.85e548e01aa2bp+0,
            -0x1.df8bcdf57a640p-3, -0x1.df8332670db3bp-3, 0x1.94474a8407408p+0,
        ]))
        // The cached second value survives across calls: randn() three times.
        var calls = MT19937(seed: 42)
        #expect(bits((0..<3).map { _ in calls.standardNormal() })
            == bits([0x1.fca2a28a9307cp-2, -0x1.1b2a505de052ap-3, 0x1.4b9dd50245e68p-1]))
        // A uniform draw between two normals does not disturb the cache:
        // standard_normal(), random_sample(), standard_normal().
        var mixed = MT19937(seed: 42)
        let g1 = mixed.standardNormal(), u = mixed.randomDouble(), g2 = mixed.standardNormal()
        #expect(bits([g1, u, g2]) == bits([0x1.fca2a28a9307cp-2, 0x1.76c7e8f1e6751p-1, -0x1.1b2a505de052ap-3]))
        // Values 999 and 1000 of randn(1001) with seed 0 (an odd position reads the cache).
        var far = MT19937(seed: 0)
        let xs = far.randn(1001)
        #expect(bits([xs[999], xs[1000]]) == bits([-0x1.6eb574c9b16b2p-2, 0x1.1ca723ee4cda9p-1]))
    }

    @Test func reseedingDropsTheCachedNormal() {
        var rng = MT19937(seed: 42)
        _ = rng.standardNormal()  // leaves a cached value
        rng = MT19937(seed: 42)    // np.random.seed(42)
        #expect(rng.standardNormal().bitPattern == (0x1.fca2a28a9307cp-2 as Double).bitPattern)
    }

    @Test(arguments: [
        (UInt32(0), [0x1.c398ef3e5cfa5p+0, 0x1.99c2cfacc8953p-2, 0x1.f51d25222c9abp-1],
         [0x1.a76cbf22c6f8dp-2, 0x1.348f78c7fd4f4p+0, 0x1.980f22f5f150dp-3],
         "df2c711edd21442a72e13b42cc56c910302c3015e59f02f159cf9b2d30799502"),
        (UInt32(42), [0x1.fca2a28a9307cp-2, -0x1.1b2a505de052ap-3, 0x1.4b9dd50245e68p-1],
         [0x1.f0416e3fbaef1p-2, 0x1.b73d2488def91p-3, 0x1.6f8f9c9154f90p-1],
         "87648acd857a6cd95bc641d8ac081b879b7ef21d663698f74ca5ca1157a0689f"),
    ])
    func firstLayerWeightsMatchNumPy(seed: UInt32, first: [Double], last: [Double], sha256: String) {
        // np.random.seed(seed); W = np.random.randn(395, 785): the notebook's first layer.
        var rng = MT19937(seed: seed)
        let w = rng.randn(395 * 785)
        #expect(bits(Array(w.prefix(3))) == bits(first))
        #expect(bits(Array(w.suffix(3))) == bits(last))
        // hashlib.sha256(W.astype('<f8').tobytes()).hexdigest(): every value bit for bit.
        var bytes = [UInt8]()
        bytes.reserveCapacity(w.count * 8)
        for x in w { withUnsafeBytes(of: x.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        #expect(Checksum.sha256(bytes) == sha256)
    }
}
