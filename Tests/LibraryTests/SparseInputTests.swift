import Foundation
import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNExperiments
import TestSupport

@Suite struct SparseInputTests {
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

    static func dense<T: NNScalar>(_ rows: Int, _ cols: Int, seed: UInt32) -> Matrix<T> {
        Matrix(rows: rows, cols: cols, values: GEMMTests.values(rows * cols, seed: seed))
    }

    /// `op(a)·op(b)` with the naive reference (sums over `p` in order).
    static func reference<T: NNScalar>(_ a: Matrix<T>, _ b: Matrix<T>, transB: Bool) -> [T] {
        let m = a.rows, k = a.cols, n = transB ? b.rows : b.cols
        var c = [T](repeating: 0, count: m * n)
        ReferenceGEMM.gemm(transA: false, transB: transB, m: m, n: n, k: k, alpha: 1, a: a.values, lda: a.cols,
                           b: b.values, ldb: b.cols, beta: 0, c: &c, ldc: n)
        return c
    }

    /// Largest `|got − want| / scale` where `scale` is the largest `|want|`.
    static func relativeError<T: NNScalar>(_ got: [T], _ want: [T]) -> Double {
        let scale = want.map { Swift.abs($0.double) }.max() ?? 0
        let diff = zip(got, want).map { Swift.abs($0.double - $1.double) }.max() ?? 0
        return scale == 0 ? diff : diff / scale
    }

    @Test func layoutHoldsExactlyTheNonzeros() {
        let x: Matrix<Double> = Self.sparse(29, 41, density: 0.25, seed: 1)
        x[0, 0] = -0.0  // a signed zero is not stored
        for blockSize in [1, 8, 41, 128] {
            let s = SparseInput(x, blockSize: blockSize, parallel: .serial)
            #expect(s.nonzeros == x.values.filter { $0 != 0 }.count)
            #expect(s.blockCount == (41 + blockSize - 1) / blockSize)
            #expect(s.dense().values == x.values.map { $0 == 0 ? 0 : $0 })
        }
    }

    /// The forward sum runs over features in increasing order from 0, like the reference, so
    /// they agree bit for bit (adding the reference's `w·0` terms changes nothing).
    func forwardMatchesReference<T: NNScalar>(_: T.Type, blas tolerance: Double) {
        for (out, inputs, m, blockSize) in [(37, 23, 45, 8), (1, 9, 7, 128), (70, 31, 19, 3)] {
            let w: Matrix<T> = Self.dense(out, inputs, seed: 2)
            let x: Matrix<T> = Self.sparse(inputs, m, density: 0.3, seed: 3)
            let z = Matrix<T>(rows: out, cols: m)
            z.fill(7)  // every element must be overwritten
            SparseGEMM.forward(w: w, x: SparseInput(x, blockSize: blockSize, parallel: .serial), into: z, parallel: .serial)
            #expect(z.values == Self.reference(w, x, transB: false), "out \(out) in \(inputs) m \(m)")
            let viaBLAS = Matrix<T>(rows: out, cols: m)
            Matrix.gemm(w, x, into: viaBLAS)
            #expect(Self.relativeError(z.values, viaBLAS.values) <= tolerance)
        }
    }

    @Test func forwardF64() { forwardMatchesReference(Double.self, blas: 1e-12) }
    @Test func forwardF32() { forwardMatchesReference(Float.self, blas: 1e-5) }

    /// With one block the gradient's sum over samples is the reference's order; with several
    /// it adds per-block partial sums, so it agrees to rounding.
    func gradientMatchesReference<T: NNScalar>(_: T.Type, tolerance: Double) {
        for (out, inputs, m) in [(37, 23, 45), (1, 9, 7), (70, 31, 19)] {
            let dz: Matrix<T> = Self.dense(out, m, seed: 4)
            let x: Matrix<T> = Self.sparse(inputs, m, density: 0.3, seed: 5)
            let want = Self.reference(dz, x, transB: true)
            let viaBLAS = Matrix<T>(rows: out, cols: inputs)
            Matrix.gemm(dz, x, transB: true, into: viaBLAS)
            for blockSize in [m, 128, 8, 1] {
                let g = Matrix<T>(rows: out, cols: inputs)
                g.fill(7)
                SparseGEMM.weightGradient(dz: dz, x: SparseInput(x, blockSize: blockSize, parallel: .serial), into: g, parallel: .serial)
                if blockSize >= m {
                    #expect(g.values == want, "out \(out) in \(inputs) m \(m) block \(blockSize)")
                }
                #expect(Self.relativeError(g.values, want) <= tolerance, "block \(blockSize)")
                #expect(Self.relativeError(g.values, viaBLAS.values) <= tolerance, "block \(blockSize)")
            }
        }
    }

    @Test func gradientF64() { gradientMatchesReference(Double.self, tolerance: 1e-12) }
    @Test func gradientF32() { gradientMatchesReference(Float.self, tolerance: 1e-5) }

    @Test func zeroInputGivesZeroProducts() {
        let x = Matrix<Float>(rows: 11, cols: 13)
        let s = SparseInput(x, blockSize: 4, parallel: .serial)
        #expect(s.nonzeros == 0)
        let z = Matrix<Float>(rows: 5, cols: 13), g = Matrix<Float>(rows: 5, cols: 11)
        z.fill(1); g.fill(1)
        SparseGEMM.forward(w: Self.dense(5, 11, seed: 6), x: s, into: z, parallel: .serial)
        SparseGEMM.weightGradient(dz: Self.dense(5, 13, seed: 7), x: s, into: g, parallel: .serial)
        #expect(z.values.allSatisfy { $0 == 0 })
        #expect(g.values.allSatisfy { $0 == 0 })
        // No samples: Z is empty and G = 0.
        let none = SparseInput(Matrix<Float>(rows: 11, cols: 0), parallel: .serial)
        g.fill(1)
        SparseGEMM.forward(w: Self.dense(5, 11, seed: 6), x: none, into: Matrix<Float>(rows: 5, cols: 0), parallel: .serial)
        SparseGEMM.weightGradient(dz: Matrix<Float>(rows: 5, cols: 0), x: none, into: g, parallel: .serial)
        #expect(none.blockCount == 0 && g.values.allSatisfy { $0 == 0 })
    }

    /// Large enough that `Parallel.forRanges` splits the work among 3 or 4 threads (3 cuts
    /// the gradient's (tile, feature) ranges inside tiles).
    func sameResultsForAnyThreadCount<T: NNScalar>(_: T.Type) {
        let (out, inputs, m) = (101, 60, 700)
        let w: Matrix<T> = Self.dense(out, inputs, seed: 8)
        let dz: Matrix<T> = Self.dense(out, m, seed: 9)
        let x = SparseInput<T>(Self.sparse(inputs, m, density: 0.3, seed: 10), blockSize: 64, parallel: .serial)
        func run(threads: Int) -> ([T], [T]) {
            let parallel = Parallel(threads: threads)
            let z = Matrix<T>(rows: out, cols: m), g = Matrix<T>(rows: out, cols: inputs)
            SparseGEMM.forward(w: w, x: x, into: z, parallel: parallel)
            SparseGEMM.weightGradient(dz: dz, x: x, into: g, parallel: parallel)
            return (z.values, g.values)
        }
        let one = run(threads: 1)
        for threads in [3, 4] {
            let many = run(threads: threads)
            #expect(one.0 == many.0, "forward, \(threads) threads")
            #expect(one.1 == many.1, "weight gradient, \(threads) threads")
        }
    }

    @Test func threadCountF64() { sameResultsForAnyThreadCount(Double.self) }
    @Test func threadCountF32() { sameResultsForAnyThreadCount(Float.self) }
}

/// Timing of the first layer's products on real MNIST, dense BLAS vs `SparseGEMM`. Runs only
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
        var sparse: SparseInput<T>? = nil
        var best = [Double](repeating: .infinity, count: 5)
        for _ in 0..<Self.rounds {
            sparse = nil
            var s: SparseInput<T>! = nil
            let times = [
                Self.seconds { s = SparseInput(x, parallel: Self.parallel) },
                Self.seconds { Matrix.gemm(w, x, into: zDense) },
                Self.seconds { SparseGEMM.forward(w: w, x: s, into: zSparse, parallel: Self.parallel) },
                Self.seconds { Matrix.gemm(dz, x, transB: true, into: gDense) },
                Self.seconds { SparseGEMM.weightGradient(dz: dz, x: s, into: gSparse, parallel: Self.parallel) },
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
            layout \(s.byteCount / 1_048_576) MiB; threads \(Self.parallel.threads), BLAS threads \(BLAS.threads); best of \(Self.rounds)
              build SparseInput        \(f(best[0])) s
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
