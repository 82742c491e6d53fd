import Foundation
import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import TestSupport

@Suite struct SampleSparseTests {
    /// A `rows × cols` matrix with about `density` of its entries drawn from [-1, 1), the rest
    /// exactly 0; feature row `zeroRow` and sample column `zeroCol` are entirely 0.
    static func sparse<T: NNScalar>(_ rows: Int, _ cols: Int, density: Double, seed: UInt32,
                                    zeroRow: Int = 3, zeroCol: Int = 5) -> Matrix<T> {
        var rng = MT19937(seed: seed)
        let x = Matrix<T>(rows: rows, cols: cols)
        for r in 0..<rows {
            for c in 0..<cols {
                let keep = rng.randomDouble() < density
                let v = rng.randomDouble() * 2 - 1
                if keep && r != zeroRow && c != zeroCol { x[r, c] = T(v) }
            }
        }
        return x
    }

    /// `x` with row 1 (a feature) and column 2 (a sample) nonzero throughout: the kernels'
    /// counting sorts then meet their largest keys (a feature with an entry for every
    /// sample of a 128-sample chunk; a sample with every feature of a group).
    static func withFullLines<T: NNScalar>(_ x: Matrix<T>) -> Matrix<T> {
        for c in 0..<x.cols { x[1, c] = T(0.5 + Double(c) / 1024) }
        for r in 0..<x.rows { x[r, 2] = T(-0.25 - Double(r) / 1024) }
        return x
    }

    static func dense<T: NNScalar>(_ rows: Int, _ cols: Int, seed: UInt32) -> Matrix<T> {
        Matrix(rows: rows, cols: cols, values: GEMMTests.values(rows * cols, seed: seed))
    }

    /// `op(a)·op(b)` with the naive reference (sums over `p` in order, from 0; each
    /// multiply-add fused when `fused`, as the AVX2 and AVX-512 kernels do).
    static func reference<T: NNScalar>(_ a: Matrix<T>, _ b: Matrix<T>, transB: Bool, fused: Bool = false) -> [T] {
        let m = a.rows, k = a.cols, n = transB ? b.rows : b.cols
        var c = [T](repeating: 0, count: m * n)
        ReferenceGEMM.gemm(transA: false, transB: transB, m: m, n: n, k: k, alpha: 1, a: a.values, lda: a.cols,
                           b: b.values, ldb: b.cols, beta: 0, c: &c, ldc: n, fused: fused)
        return c
    }

    /// `dz·xᵀ` in the kernels' order: the reference's partial sum over each chunk of 128
    /// samples, added to the total chunk by chunk.
    static func chunkedReference<T: NNScalar>(_ dz: Matrix<T>, _ x: Matrix<T>, fused: Bool = false) -> [T] {
        var total = [T](repeating: 0, count: dz.rows * x.rows)
        for c0 in stride(from: 0, to: dz.cols, by: 128) {
            let w = min(128, dz.cols - c0)
            let part = reference(dz.columns(c0, w), x.columns(c0, w), transB: true, fused: fused)
            for i in 0..<total.count { total[i] = total[i] + part[i] }
        }
        return total
    }

    /// Largest `|got − want| / scale` where `scale` is the largest `|want|`.
    static func relativeError<T: NNScalar>(_ got: [T], _ want: [T]) -> Double {
        let scale = want.map { Swift.abs($0.double) }.max() ?? 0
        let diff = zip(got, want).map { Swift.abs($0.double - $1.double) }.max() ?? 0
        return scale == 0 ? diff : diff / scale
    }

    /// Every kernel variant this CPU runs (portable always; AVX2 and AVX-512 where present).
    static var variants: [Kernels] { [Kernels.portable] + [Kernels.avx2, Kernels.avx512].compactMap { $0 } }

    @Test func layoutHoldsExactlyTheNonzeros() throws {
        for (rows, cols) in [(29, 41), (400, 7), (1, 1)] {
            let x: Matrix<Double> = Self.sparse(rows, cols, density: 0.25, seed: 1, zeroRow: 0, zeroCol: 0)
            x[0, 0] = -0.0  // a signed zero is not stored
            let s = try #require(SampleSparse(x, parallel: .serial))
            #expect(s.nonzeros == x.values.filter { $0 != 0 }.count)
            #expect(s.groups == (rows + SampleSparse<Double>.featureGroup - 1) / SampleSparse<Double>.featureGroup)
            #expect(s.dense().values == x.values.map { $0 == 0 ? 0 : $0 })
            let perSample = (0..<cols).map { c in (0..<rows).filter { x[$0, c] != 0 }.count }
            #expect(s.mostPerSample == perSample.max())
        }
        // Features must fit 16 bits.
        #expect(SampleSparse(Matrix<Float>(rows: 65_537, cols: 1), parallel: .serial) == nil)
        #expect(SampleSparse(Matrix<Float>(rows: 65_536, cols: 1), parallel: .serial) != nil)
    }

    /// Z's sums run over features in increasing order from 0, like the reference, so they
    /// agree bit for bit (the reference's `w·0` terms change nothing) — for the whole input,
    /// a run of it, and a shuffled mini-batch, on every kernel variant (the AVX2 and AVX-512
    /// ones against the reference with fused multiply-adds).
    func forwardMatchesReference<T: NNScalar>(_: T.Type, blas tolerance: Double) throws {
        for (out, inputs, m) in [(37, 23, 45), (1, 9, 7), (70, 400, 300), (33, 200, 129), (40, 300, 140)] {
            let w: Matrix<T> = Self.dense(out, inputs, seed: 2)
            var x: Matrix<T> = Self.sparse(inputs, m, density: 0.3, seed: 3)
            if m == 140 { x = Self.withFullLines(x) }
            var rng = MT19937(seed: 4)
            let order = rng.permutation(m)
            let cases: [(String, [Int], (SparseBatch<T>) -> Void)] = [
                ("all", Array(0..<m), { $0.selectRange(first: 0, count: m) }),
                ("run", Array(1..<(m / 2 + 1)), { $0.selectRange(first: 1, count: m / 2) }),
                ("shuffled", Array(order[(m / 3)...]), { $0.setOrder(order); $0.selectPositions(m / 3, m) }),
            ]
            for kernels in Self.variants {
                let batch = SparseBatch(try #require(SampleSparse(x, parallel: .serial)), kernels: kernels)
                for (name, samples, select) in cases {
                    select(batch)
                    let z = Matrix<T>(rows: out, cols: samples.count)
                    z.fill(7)  // every element must be overwritten
                    batch.forward(w: w, into: z, parallel: .serial)
                    let xb = x.gatherColumns(samples[...], parallel: .serial)
                    #expect(z.values == Self.reference(w, xb, transB: false, fused: kernels.fusesMultiplyAdd),
                            "\(kernels.name) \(name) out \(out) in \(inputs) m \(m)")
                    let viaBLAS = Matrix<T>(rows: out, cols: samples.count)
                    Matrix.gemm(w, xb, into: viaBLAS)
                    #expect(Self.relativeError(z.values, viaBLAS.values) <= tolerance)
                }
            }
        }
    }

    @Test func forwardF64() throws { try forwardMatchesReference(Double.self, blas: 1e-12) }
    @Test func forwardF32() throws { try forwardMatchesReference(Float.self, blas: 1e-5) }

    /// The gradient adds per-chunk (128 samples) partial sums in order: the chunked
    /// reference bit for bit; the plain reference when the batch is one chunk, and to
    /// rounding otherwise; BLAS to rounding.
    func gradientMatchesReference<T: NNScalar>(_: T.Type, tolerance: Double) throws {
        for (out, inputs, m) in [(37, 23, 45), (1, 9, 7), (70, 400, 300), (33, 200, 128), (40, 300, 140)] {
            let dzAll: Matrix<T> = Self.dense(out, m, seed: 4)
            var x: Matrix<T> = Self.sparse(inputs, m, density: 0.3, seed: 5)
            if m == 140 { x = Self.withFullLines(x) }
            var rng = MT19937(seed: 6)
            let order = rng.permutation(m)
            for kernels in Self.variants {
                let batch = SparseBatch(try #require(SampleSparse(x, parallel: .serial)), kernels: kernels)
                for shuffled in [false, true] {
                    let samples = shuffled ? Array(order[(m / 4)...]) : Array(0..<m)
                    if shuffled { batch.setOrder(order); batch.selectPositions(m / 4, m) } else { batch.selectRange(first: 0, count: m) }
                    let dz = dzAll.columns(0, samples.count)
                    let xb = x.gatherColumns(samples[...], parallel: .serial)
                    let g = Matrix<T>(rows: out, cols: inputs)
                    g.fill(7)
                    batch.weightGradient(dz: dz, into: g, parallel: .serial)
                    #expect(g.values == Self.chunkedReference(dz, xb, fused: kernels.fusesMultiplyAdd),
                            "\(kernels.name) out \(out) in \(inputs) m \(samples.count)")
                    let want = Self.reference(dz, xb, transB: true, fused: kernels.fusesMultiplyAdd)
                    if samples.count <= 128 { #expect(g.values == want) }
                    #expect(Self.relativeError(g.values, want) <= tolerance)
                    let viaBLAS = Matrix<T>(rows: out, cols: inputs)
                    Matrix.gemm(dz, xb, transB: true, into: viaBLAS)
                    #expect(Self.relativeError(g.values, viaBLAS.values) <= tolerance)
                }
            }
        }
    }

    @Test func gradientF64() throws { try gradientMatchesReference(Double.self, tolerance: 1e-12) }
    @Test func gradientF32() throws { try gradientMatchesReference(Float.self, tolerance: 1e-5) }

    /// Packed training (gd/sgd): one step's `descendPacked` — the weight gradient and the
    /// descent in one pass of the kernel — gives, bit for bit, `weightGradient` followed by
    /// the descend kernel `Optimizer` uses, on every variant, for one chunk, several chunks,
    /// a shuffled batch and no samples; and `forward` then uses the updated weights.
    func packedDescentMatchesGradientThenDescend<T: NNScalar>(_: T.Type) throws {
        // (40, 300, 60) at density 0.02: a one-chunk batch where most features have no
        // entries, which the kernel leaves untouched for a positive rate.
        for (out, inputs, m, density) in [(37, 23, 45, 0.3), (70, 400, 300, 0.3), (33, 200, 129, 0.3), (5, 11, 0, 0.3),
                                          (40, 300, 60, 0.02)] {
            let x: Matrix<T> = Self.sparse(inputs, m, density: density, seed: 8)
            let dz: Matrix<T> = Self.dense(out, m, seed: 9)
            let scale = T(1.0 / Double(max(1, m)))
            var rng = MT19937(seed: 10)
            let order = rng.permutation(m)
            // Feature 3 has no entries (Self.sparse's zero row) and weights −0 here: a positive
            // rate leaves them −0 (w − (+0)), a negative one makes lr·(scale·0) −0 and them +0
            // (−0 − (−0)); compared bit for bit, so a kernel that skips or rewrites them wrongly fails.
            for kernels in Self.variants {
                for (lr, shuffled) in [(T(0.3), false), (T(0.3), true), (T(-0.5), false), (T(-0.5), true)] {
                    let batch = SparseBatch(try #require(SampleSparse(x, parallel: .serial)), kernels: kernels)
                    let count = shuffled ? m - m / 4 : m
                    let select = { if shuffled { batch.setOrder(order); batch.selectPositions(m / 4, m) } else { batch.selectRange(first: 0, count: m) } }
                    select()
                    let dzb = dz.columns(0, count)
                    let w: Matrix<T> = Self.dense(out, inputs, seed: 11)
                    if inputs > 3 { for r in 0..<out { w[r, 3] = -T.zero } }
                    let g = Matrix<T>(rows: out, cols: inputs)
                    batch.weightGradient(dz: dzb, into: g, parallel: .serial)
                    let want = w.copy()
                    kernels.descend(want.pointer, raw: g.pointer, lr: lr, scale: scale, 0..<want.count)
                    let parallel = Parallel(threads: 2, minimumWork: 1)
                    let z = Matrix<T>(rows: out, cols: count), zWant = Matrix<T>(rows: out, cols: count)
                    batch.trainingPacked(w, parallel: parallel) {
                        batch.weightGradient(dz: dzb, into: g, parallel: parallel)
                        batch.descendPacked(lr: lr, scale: scale, parallel: parallel)
                        batch.forward(w: w, into: z, parallel: parallel)
                    }
                    #expect(w.values == want.values && zip(w.values, want.values).allSatisfy { $0.sign == $1.sign }, "\(kernels.name) lr \(lr) out \(out) in \(inputs) m \(count)")
                    batch.forward(w: want, into: zWant, parallel: .serial)
                    #expect(z.values == zWant.values, "\(kernels.name) forward after the packed descent")
                }
            }
        }
    }

    @Test func packedDescentF64() throws { try packedDescentMatchesGradientThenDescend(Double.self) }
    @Test func packedDescentF32() throws { try packedDescentMatchesGradientThenDescend(Float.self) }

    /// A 4-feature, 6-sample sparse batch, 3×4 weights, a 3×6 dZ and a 3×4 gradient.
    static func packedFixture() -> (SparseBatch<Double>, w: Matrix<Double>, dz: Matrix<Double>, g: Matrix<Double>) {
        let x = Matrix<Double>(rows: 4, cols: 6)
        x[0, 0] = 1; x[2, 3] = 2
        let batch = SparseBatch(SampleSparse(x, parallel: .serial)!)
        batch.selectRange(first: 0, count: 6)
        let w = Matrix<Double>(rows: 3, cols: 4), dz = Matrix<Double>(rows: 3, cols: 6)
        w.fill(0.5); dz.fill(1)
        return (batch, w, dz, Matrix<Double>(rows: 3, cols: 4))
    }

    /// The packed mode's order is enforced: a descent outside `trainingPacked` or without a
    /// weight gradient, a forward before the pending descent, and a nested scope each trap
    /// (each case runs in a child process); the right order passes, and the weights are
    /// written back when the scope ends.
    @Test func packedTrainingOrderIsEnforced() async throws {
        let (batch, w, dz, g) = SampleSparseTests.packedFixture()
        let z = Matrix<Double>(rows: 3, cols: 6)
        batch.trainingPacked(w, parallel: .serial) {
            batch.forward(w: w, into: z, parallel: .serial)
            batch.weightGradient(dz: dz, into: g, parallel: .serial)
            batch.descendPacked(lr: 1, scale: 1, parallel: .serial)
        }
        #expect(!batch.trainsPacked)
        #expect(w[0, 0] == 0.5 - 1 && w[0, 2] == 0.5 - 2 && w[0, 1] == 0.5 && w[2, 3] == 0.5, "the scope writes the descended weights back")

        await #expect(processExitsWith: .failure) {
            let (batch, _, _, _) = SampleSparseTests.packedFixture()
            batch.descendPacked(lr: 1, scale: 1, parallel: .serial)   // outside the scope
        }
        await #expect(processExitsWith: .failure) {
            let (batch, w, _, _) = SampleSparseTests.packedFixture()
            batch.trainingPacked(w, parallel: .serial) {
                batch.descendPacked(lr: 1, scale: 1, parallel: .serial)   // no weight gradient yet
            }
        }
        await #expect(processExitsWith: .failure) {
            let (batch, w, dz, g) = SampleSparseTests.packedFixture()
            let z = Matrix<Double>(rows: 3, cols: 6)
            batch.trainingPacked(w, parallel: .serial) {
                batch.weightGradient(dz: dz, into: g, parallel: .serial)
                batch.forward(w: w, into: z, parallel: .serial)            // before the descent
            }
        }
        await #expect(processExitsWith: .failure) {
            let (batch, w, _, _) = SampleSparseTests.packedFixture()
            batch.trainingPacked(w, parallel: .serial) {
                batch.trainingPacked(w, parallel: .serial) {}             // nested
            }
        }
    }

    @Test func zeroInputGivesZeroProducts() throws {
        let s = try #require(SampleSparse(Matrix<Float>(rows: 11, cols: 13), parallel: .serial))
        #expect(s.nonzeros == 0)
        let batch = SparseBatch(s)
        let z = Matrix<Float>(rows: 5, cols: 13), g = Matrix<Float>(rows: 5, cols: 11)
        z.fill(1); g.fill(1)
        batch.forward(w: Self.dense(5, 11, seed: 6), into: z, parallel: .serial)
        batch.weightGradient(dz: Self.dense(5, 13, seed: 7), into: g, parallel: .serial)
        #expect(z.values.allSatisfy { $0 == 0 })
        #expect(g.values.allSatisfy { $0 == 0 })
        // No samples: Z is empty and G = 0.
        let none = SparseBatch(try #require(SampleSparse(Matrix<Float>(rows: 11, cols: 0), parallel: .serial)))
        g.fill(1)
        none.forward(w: Self.dense(5, 11, seed: 6), into: Matrix<Float>(rows: 5, cols: 0), parallel: .serial)
        none.weightGradient(dz: Matrix<Float>(rows: 5, cols: 0), into: g, parallel: .serial)
        #expect(g.values.allSatisfy { $0 == 0 })
    }

    /// Large enough that the work is split among 3 or 4 threads, by chunks and by tiles.
    func sameResultsForAnyThreadCount<T: NNScalar>(_: T.Type) throws {
        let (out, inputs, m) = (101, 60, 1500)
        let w: Matrix<T> = Self.dense(out, inputs, seed: 8)
        let dz: Matrix<T> = Self.dense(out, m, seed: 9)
        let batch = SparseBatch(try #require(SampleSparse<T>(Self.sparse(inputs, m, density: 0.3, seed: 10), parallel: .serial)))
        func run(threads: Int) -> ([T], [T]) {
            // A low threshold, so that every loop really splits.
            let parallel = Parallel(threads: threads, minimumWork: 64)
            let z = Matrix<T>(rows: out, cols: m), g = Matrix<T>(rows: out, cols: inputs)
            batch.forward(w: w, into: z, parallel: parallel)
            batch.weightGradient(dz: dz, into: g, parallel: parallel)
            return (z.values, g.values)
        }
        let one = run(threads: 1)
        for threads in [3, 4] {
            let many = run(threads: threads)
            #expect(one.0 == many.0, "forward, \(threads) threads")
            #expect(one.1 == many.1, "weight gradient, \(threads) threads")
        }
    }

    @Test func threadCountF64() throws { try sameResultsForAnyThreadCount(Double.self) }
    @Test func threadCountF32() throws { try sameResultsForAnyThreadCount(Float.self) }

    /// The element-wise kernels of every variant against the Swift formulas, bit for bit,
    /// with the edge values (±0, NaN, ±∞, subnormals) and lengths that leave vector tails.
    func elementwiseKernels<T: NNScalar>(_: T.Type) {
        let specials: [T] = [0, -0.0, .nan, .infinity, -.infinity, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, 1, -1]
        let n = 203
        var values: [T] = GEMMTests.values(n, seed: 11)
        for (i, v) in specials.enumerated() { values[i * 7] = v }
        let other: [T] = GEMMTests.values(n, seed: 12)
        let bias: [T] = [0.25, -0.5, .nan, -0.0, 3]
        // Equal values of equal sign (so -0 ≠ +0), or both NaN.
        func same(_ a: [T], _ b: [T]) -> Bool { zip(a, b).allSatisfy { ($0.isNaN && $1.isNaN) || ($0 == $1 && $0.sign == $1.sign) } }
        for k in Self.variants {
            let cols = 40, rows = bias.count  // 200 ≤ n elements
            var relu = [T](repeating: 7, count: rows * cols)
            k.reluForward(values, bias: bias, &relu, cols: cols, rows: 0..<rows)
            let reluWant = (0..<(rows * cols)).map { i -> T in let v = values[i] + bias[i / cols]; return v <= 0 ? 0 : v }
            #expect(same(relu, reluWant), "\(k.name) relu forward")
            var g = other
            k.reluBackward(&g, values, 0..<n)
            #expect(same(g, (0..<n).map { values[$0] <= 0 ? 0 : other[$0] }), "\(k.name) relu backward")
            var p = values
            k.descend(&p, raw: other, lr: 0.3, scale: 1 / 7, 0..<n)
            #expect(same(p, (0..<n).map { values[$0] - T(0.3) * ((1 / 7) * other[$0]) }), "\(k.name) descend")
        }
    }

    @Test func elementwiseF64() { elementwiseKernels(Double.self) }
    @Test func elementwiseF32() { elementwiseKernels(Float.self) }

    /// `NN_KERNELS=portable` forces the portable kernels (the fallback of a CPU without AVX2),
    /// `NN_KERNELS=avx2` the AVX2 ones; otherwise the best variant the CPU runs is used.
    @Test func activeVariant() {
        let best = Kernels.avx512?.name ?? Kernels.avx2?.name ?? "portable"
        switch ProcessInfo.processInfo.environment["NN_KERNELS"] {
        case "portable": #expect(Kernels.active.name == "portable")
        case "avx2": #expect(Kernels.active.name == Kernels.avx2?.name ?? best)
        default: #expect(Kernels.active.name == best)
        }
        #expect((Kernels.avx512 != nil) == Kernels.cpuHasAVX512)
    }
}

/// Timing of the first layer's products on real MNIST, dense BLAS vs `SparseBatch`. Runs only
/// when `NN_SPARSE_BENCH` is set; the data directory is `NN_SPARSE_DATA` or the package's
/// `results/prepared/mnist-binary8-50000-20000-s42` (`nn prepare`). Use a release build:
///
///     NN_SPARSE_BENCH=1 swift test -c release --filter SparseInputBenchmark
@Suite(.serialized) struct SparseInputBenchmark {
    static let enabled = ProcessInfo.processInfo.environment["NN_SPARSE_BENCH"] != nil
    static var dataDirectory: String {
        if let d = ProcessInfo.processInfo.environment["NN_SPARSE_DATA"] { return d }
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        }
        return url.appendingPathComponent("results/prepared/mnist-binary8-50000-20000-s42").path
    }
    static let rounds = Int(ProcessInfo.processInfo.environment["NN_SPARSE_ROUNDS"] ?? "") ?? 5
    /// All cores, as `nn train` uses by default.
    static let parallel = Parallel(threads: ProcessInfo.processInfo.activeProcessorCount)

    static func seconds(_ body: () -> Void) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    /// Largest elementwise `|a − b| / |b|` over `b ≠ 0`, and `max |a − b| / max |b|`.
    static func differences<T: NNScalar>(_ a: Matrix<T>, _ b: Matrix<T>) -> (elementwise: Double, normwise: Double) {
        var worst = 0.0, diff = 0.0, scale = 0.0
        for i in 0..<a.count {
            let x = a.storage[i].double, y = b.storage[i].double
            diff = Swift.max(diff, Swift.abs(x - y))
            scale = Swift.max(scale, Swift.abs(y))
            if y != 0 { worst = Swift.max(worst, Swift.abs(x - y) / Swift.abs(y)) }
        }
        return (worst, diff / scale)
    }

    func run<T: NNScalar>(_: T.Type, normwise tolerance: Double) throws {
        let data = try PreparedDataset.load(directory: Self.dataDirectory, verify: false)
        let split = data.train
        let x = DesignMatrix<T>(images: split.images, labels: split.labels, features: split.features,
                                target: data.target, biasColumn: true, parallel: Self.parallel).x
        let (out, inputs, m) = (395, x.rows, x.cols)
        var rng = MT19937(seed: 1)
        let w = Matrix<T>(rows: out, cols: inputs, values: (0..<(out * inputs)).map { _ in T((rng.randomDouble() * 2 - 1) * 0.05) })
        // dZ of a ReLU layer: about half the entries 0.
        let dz = Matrix<T>(rows: out, cols: m, values: (0..<(out * m)).map { _ in
            let v = rng.randomDouble() * 2 - 1
            return v < 0 ? 0 : T(v * 1e-3)
        })
        let zDense = Matrix<T>(rows: out, cols: m), zSparse = Matrix<T>(rows: out, cols: m)
        let gDense = Matrix<T>(rows: out, cols: inputs), gSparse = Matrix<T>(rows: out, cols: inputs)
        var sparse: SampleSparse<T>? = nil
        var best = [Double](repeating: .infinity, count: 5)
        for _ in 0..<Self.rounds {
            sparse = nil
            var s: SampleSparse<T>! = nil
            let build = Self.seconds { s = SampleSparse(x, parallel: Self.parallel) }
            let batch = SparseBatch(s)
            let times = [
                build,
                Self.seconds { Matrix.gemm(w, x, into: zDense) },
                Self.seconds { batch.forward(w: w, into: zSparse, parallel: Self.parallel) },
                Self.seconds { Matrix.gemm(dz, x, transB: true, into: gDense) },
                Self.seconds { batch.weightGradient(dz: dz, into: gSparse, parallel: Self.parallel) },
            ]
            sparse = s
            best = zip(best, times).map { Swift.min($0, $1) }
        }
        let s = try #require(sparse)
        let dZ = Self.differences(zSparse, zDense), dG = Self.differences(gSparse, gDense)
        let p = T.precisionName
        func f(_ v: Double) -> String { String(format: "%.4f", v) }
        print("""
            sparse bench \(p): X \(inputs)×\(m), \(s.nonzeros) nonzeros (\(String(format: "%.1f", 100 * s.density))%), \
            kernels \(Kernels.active.name); threads \(Self.parallel.threads), BLAS threads \(BLAS.threads); best of \(Self.rounds)
              build SampleSparse       \(f(best[0])) s
              Z0 = W0·X    BLAS \(f(best[1])) s   sparse \(f(best[2])) s   speed-up \(String(format: "%.2f", best[1] / best[2]))x
              dW0 = dZ0·Xᵀ BLAS \(f(best[3])) s   sparse \(f(best[4])) s   speed-up \(String(format: "%.2f", best[3] / best[4]))x
              both         BLAS \(f(best[1] + best[3])) s   sparse \(f(best[2] + best[4])) s   speed-up \(String(format: "%.2f", (best[1] + best[3]) / (best[2] + best[4])))x
              sparse vs BLAS: Z0 max rel diff \(String(format: "%.3g", dZ.elementwise)) (normwise \(String(format: "%.3g", dZ.normwise))), \
            dW0 max rel diff \(String(format: "%.3g", dG.elementwise)) (normwise \(String(format: "%.3g", dG.normwise)))
            """)
        #expect(dZ.normwise <= tolerance)
        #expect(dG.normwise <= tolerance)
    }

    @Test(.enabled(if: enabled, "set NN_SPARSE_BENCH=1 to run")) func mnistF64() throws { try run(Double.self, normwise: 1e-12) }
    @Test(.enabled(if: enabled, "set NN_SPARSE_BENCH=1 to run")) func mnistF32() throws { try run(Float.self, normwise: 1e-5) }
}

/// Training through the sparse first layer: mini-batches of a shuffled epoch (with a short
/// last batch) and the full batch, against the same training with the dense products.
@Suite struct SparseTrainingTests {
    func train(batch: Int, sparseDensity: Double, optimizer: OptimizerKind = .sgd,
               parallel: Parallel = .serial) -> (TrainingResult, [[Double]]) {
        let (features, n) = (40, 300)
        let x: Matrix<Double> = SampleSparseTests.sparse(features, n, density: 0.3, seed: 21, zeroRow: 0, zeroCol: 0)
        let y = Matrix<Double>(rows: 1, cols: n, values: (0..<n).map { j in x[1, j] + x[2, j] > 0 ? 1 : 0 })
        let arch = Architecture(sizes: [features, 37, 9, 1], activations: [.relu, .relu, .sigmoid], loss: .bce, gradient: .notebook)
        let net = Network<Double>(architecture: arch, parallel: parallel)
        var rng = MT19937(seed: 3)
        net.initialize(.notebook, rng: &rng)
        let r = Trainer.train(net, x: x, y: y, epochs: 3, batchSize: batch,
                              optimizer: OptimizerSettings(kind: optimizer, learningRate: 0.1), rng: &rng, sparseDensity: sparseDensity)
        return (r, net.layers.flatMap { [$0.weights.values, $0.bias.values] })
    }

    /// The sparse products sum in another order than BLAS: the weights agree to rounding
    /// (1e-12 relative after 3 epochs), the losses too; and the same run twice, or with
    /// another thread count, gives the same bits.
    @Test(arguments: [(32, OptimizerKind.sgd), (128, .adam), (0, .gd)])
    func sparseMatchesDense(batch: Int, optimizer: OptimizerKind) {
        let (sparse, ws) = train(batch: batch, sparseDensity: 0.5, optimizer: optimizer)
        let (dense, wd) = train(batch: batch, sparseDensity: 0, optimizer: optimizer)
        #expect(sparse.divergence == nil && dense.divergence == nil)
        for (a, b) in zip(sparse.history, dense.history) {
            #expect(Swift.abs(a.loss - b.loss) <= 1e-12 * Swift.abs(b.loss), "epoch \(a.epoch)")
        }
        for (a, b) in zip(ws, wd) {
            #expect(SampleSparseTests.relativeError(a, b) <= 1e-12)
        }
        #expect(train(batch: batch, sparseDensity: 0.5, optimizer: optimizer).1 == ws)
        let split = train(batch: batch, sparseDensity: 0.5, optimizer: optimizer, parallel: Parallel(threads: 3, minimumWork: 64))
        #expect(split.1 == ws)
    }
}
