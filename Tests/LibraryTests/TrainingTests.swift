import Synchronization
import Foundation
import Testing
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// A tiny two-feature problem: label 1 when x0 + x1 > 0.
func tinyProblem(n: Int, seed: UInt32) -> (Matrix<Double>, Matrix<Double>) {
    var rng = MT19937(seed: seed)
    var xs = [Double](repeating: 0, count: 3 * n), ys = [Double](repeating: 0, count: n)
    for j in 0..<n {
        let a = rng.randomDouble() * 2 - 1, b = rng.randomDouble() * 2 - 1
        xs[j] = 1; xs[n + j] = a; xs[2 * n + j] = b
        ys[j] = a + b > 0 ? 1 : 0
    }
    return (Matrix(rows: 3, cols: n, values: xs), Matrix(rows: 1, cols: n, values: ys))
}

@Suite struct TrainingTests {
    let arch = Architecture(sizes: [3, 8, 4, 1], activations: [.relu, .relu, .sigmoid], loss: .bce, gradient: .notebook)

    /// The problem is separable, so outputs saturate: the stable path keeps training finite.
    func train(optimizer: OptimizerKind, batch: Int, lr: Double, epochs: Int = 30, seed: UInt32 = 1,
               gradient: GradientPath = .stable, parallel: Parallel = .serial) -> TrainingResult {
        let (x, y) = tinyProblem(n: 256, seed: 99)
        var a = arch
        a.gradient = gradient
        let net = Network<Double>(architecture: a, parallel: parallel)
        var rng = MT19937(seed: seed)
        net.initialize(.notebook, rng: &rng)
        return Trainer.train(net, x: x, y: y, epochs: epochs, batchSize: batch,
                             optimizer: OptimizerSettings(kind: optimizer, learningRate: lr), rng: &rng)
    }

    /// `meanLoss` (evaluation's train_loss, validation's loss) runs a sparse input through
    /// the first layer by its nonzeros, in blocks: its loss is the dense one-pass loss up to
    /// rounding, and the outputs it hands back are `predict`'s, bit for bit.
    @Test(arguments: [(10_000, "one block"), (70, "blocks with a short last one")])
    func meanLossInBlocksOfASparseInput(blockSize: Int, _: String) throws {
        let (n, features) = (300, 40)
        let x: Matrix<Double> = SampleSparseTests.sparse(features, n, density: 0.15, seed: 21)
        #expect(SparseBatch.ifWorthwhile(x, parallel: .serial) != nil, "the sparse path is the one under test")
        let y = Matrix<Double>(rows: 1, cols: n, values: (0..<n).map { Double($0 % 3 == 0 ? 1 : 0) })
        let net = Network<Double>(architecture: Architecture(sizes: [features, 12, 1], activations: [.relu, .sigmoid],
                                                             loss: .bce, gradient: .stable))
        var rng = MT19937(seed: 4)
        net.initialize(.notebook, rng: &rng)
        let outputs = Matrix<Double>(rows: 1, cols: n)
        let blocked = net.meanLoss(x: x, y: y, blockSize: blockSize, outputs: outputs)
        let dense = net.loss(x: x, y: y)
        #expect(abs(blocked - dense) <= 1e-13 * abs(dense), "\(blocked) vs \(dense)")
        #expect(outputs.values == net.predict(x, blockSize: blockSize).values)
        #expect(net.meanLoss(x: x, y: y, blockSize: blockSize) == blocked)
    }

    @Test(arguments: [(OptimizerKind.gd, 0, 0.5), (.sgd, 32, 0.2), (.momentum, 32, 0.05), (.adam, 32, 0.01)])
    func everyOptimizerLearns(optimizer: OptimizerKind, batch: Int, lr: Double) {
        let r = train(optimizer: optimizer, batch: batch, lr: lr, epochs: 60)
        #expect(r.divergence == nil)
        let first = r.history.first!.loss, last = r.history.last!.loss
        #expect(last < 0.6 * first, "loss went from \(first) to \(last)")
    }

    @Test func sameSeedSameHistoryBitForBit() {
        let a = train(optimizer: .sgd, batch: 50, lr: 0.1), b = train(optimizer: .sgd, batch: 50, lr: 0.1)
        #expect(a.history.map(\.loss) == b.history.map(\.loss))
        let c = train(optimizer: .sgd, batch: 50, lr: 0.1, seed: 2)
        #expect(a.history.map(\.loss) != c.history.map(\.loss))
    }

    /// With the split threshold lowered to one unit of work, every loop of this small
    /// problem really is cut into `threads` ranges (checked first); the histories must still
    /// agree bit for bit with the serial run's, for every optimiser.
    @Test(arguments: [(OptimizerKind.gd, 0), (.sgd, 32), (.adam, 32)])
    func threadCountDoesNotChangeResults(optimizer: OptimizerKind, batch: Int) {
        let split = Parallel(threads: 4, minimumWork: 1)
        let ranges = Mutex<[Range<Int>]>([])
        split.forRanges(256) { lo, hi in ranges.withLock { $0.append(lo..<hi) } }
        #expect(ranges.withLock { $0.sorted { $0.lowerBound < $1.lowerBound } } == [0..<64, 64..<128, 128..<192, 192..<256])
        let one = train(optimizer: optimizer, batch: batch, lr: 0.05)
        for threads in [2, 3, 4] {
            let many = train(optimizer: optimizer, batch: batch, lr: 0.05, parallel: Parallel(threads: threads, minimumWork: 1))
            #expect(one.history.map(\.loss) == many.history.map(\.loss), "\(threads) threads")
        }
    }

    @Test func divergenceStopsWithHistory() {
        let r = train(optimizer: .gd, batch: 0, lr: 1e6, epochs: 40, gradient: .notebook)
        let d = r.divergence
        #expect(d != nil)
        #expect(r.history.count == d?.epoch)
        #expect(r.history.count < 40)
        #expect(d?.problem.hasPrefix("training diverged at epoch \(r.history.count): ") == true)
        #expect(d?.problem.contains("--") == false)   // the kernel names no flag
    }

    /// The advice fits the run: no `--precision f64` to an f64 run, no `--gradient stable`
    /// to a stable one (issue 19: "no f64 advice to an f64 run").
    @Test(arguments: [
        (Precision.f64, GradientPath.notebook, "; try a smaller --lr, or --gradient stable"),
        (Precision.f64, GradientPath.stable, "; try a smaller --lr"),
        (Precision.f32, GradientPath.notebook, "; try a smaller --lr, --gradient stable, or --precision f64"),
        (Precision.f32, GradientPath.stable, "; try a smaller --lr, or --precision f64"),
    ])
    func divergenceAdviceFitsTheRun(precision: Precision, gradient: GradientPath, advice: String) {
        var config = ExperimentConfig()
        config.precision = precision
        config.gradient = gradient
        let d = Divergence(epoch: 3, loss: .nan)
        #expect(Run.RunDivergence(d, config: config).message == "training diverged at epoch 3: loss is NaN" + advice)
    }

    @Test func firstEpochLossIsBeforeTheUpdate() {
        // With lr → the first recorded loss equals the loss of the initial weights.
        let (x, y) = tinyProblem(n: 64, seed: 5)
        let net = Network<Double>(architecture: arch)
        var rng = MT19937(seed: 3)
        net.initialize(.notebook, rng: &rng)
        let before = net.loss(x: x, y: y)
        let r = Trainer.train(net, x: x, y: y, epochs: 1, batchSize: 0, optimizer: OptimizerSettings(kind: .gd, learningRate: 0.3), rng: &rng)
        #expect(r.history[0].loss == before)
        #expect(net.loss(x: x, y: y) != before)
    }
}

@Suite struct ModelFileTests {
    @Test(arguments: ["f64", "f32"])
    func roundTripsExactly(precision: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-model-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let arch = Architecture(sizes: [5, 4, 3], activations: [.tanh, .softmax], loss: .cce, gradient: .stable)
        func check<T: NNScalar>(_: T.Type) throws {
            let net = Network<T>(architecture: arch)
            var rng = MT19937(seed: 11)
            net.initialize(.xavierUniform, rng: &rng)
            net.layers[1].bias.storage[2] = T(0.125)
            try ModelFile.write(net, to: dir + "/m.nnm")
            let back = try ModelFile.read(path: dir + "/m.nnm", as: T.self)
            #expect(back.architecture == arch)
            for (a, b) in zip(net.layers, back.layers) {
                #expect(a.weights.values == b.weights.values)
                #expect(a.bias.values == b.bias.values)
            }
            #expect(try ModelFile.encode(back) == ModelFile.encode(net))
        }
        if precision == "f64" { try check(Double.self) } else { try check(Float.self) }
    }

    @Test func rejectsGarbageAndWrongPrecision() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-model-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write("not a model", to: dir + "/bad.nnm")
        #expect(throws: NNError.self) { try ModelFile.read(path: dir + "/bad.nnm", as: Double.self) }
        let net = Network<Float>(architecture: Architecture(sizes: [2, 1], activations: [.sigmoid], loss: .bce, gradient: .notebook))
        try ModelFile.write(net, to: dir + "/f32.nnm")
        #expect(throws: NNError.self) { try ModelFile.read(path: dir + "/f32.nnm", as: Double.self) }
        var bytes = try ModelFile.encode(net)
        bytes.removeLast()
        try AtomicFile.write(bytes, to: dir + "/short.nnm")
        #expect(throws: NNError.self) { try ModelFile.read(path: dir + "/short.nnm", as: Float.self) }
    }
}

@Suite struct ExperimentConfigTests {
    @Test func defaultsAreTheNotebook() throws {
        let c = ExperimentConfig()
        try c.validate()
        #expect(c.layers == [785, 395, 200, 100, 20, 1] && c.lr == 0.3 && c.epochs == 40 && c.biasColumn)
    }

    @Test func committedExperimentsLoadAndValidate() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let (nb, _) = try ExperimentConfig.load(path: root + "/experiments/notebook.json")
        var expected = ExperimentConfig()
        expected.description = nb.description
        #expect(nb == expected)
        let (ten, _) = try ExperimentConfig.load(path: root + "/experiments/mnist-10class.json")
        try ten.validate()
        #expect(ten.layers.last == 10 && ten.loss == .cce)
    }

    @Test(arguments: [
        ("epochs", "-1", "--epochs"), ("lr", "0", "--lr"), ("lr", "-0.1", "--lr"),
        ("layers", "785,395,1", "--activations"), ("activations", "relu,relu,relu,relu,softmax", "--loss"),
        ("layers", "785,395,200,100,20,2", "--layers"),
    ])
    func badValuesNameTheFlag(key: String, value: String, flag: String) throws {
        var c = ExperimentConfig()
        try c.set(key, value, source: "--" + key)
        #expect { try c.validate() } throws: { ($0 as? NNError)?.message.hasPrefix(flag) == true }
    }

    @Test func unknownNamesAreErrors() {
        var c = ExperimentConfig()
        #expect(throws: NNError.self) { try c.set("activations", "relu,swish,relu,relu,sigmoid", source: "--activations") }
        #expect(throws: NNError.self) { try c.set("optimizer", "lbfgs", source: "--optimizer") }
        #expect(throws: NNError.self) { try c.set("wobble", "1", source: "--wobble") }
        #expect(throws: NNError.self) { try c.set("lr", "0.1,,x", source: "--lr") }
    }

    @Test func inputWidthMustMatchTheData() {
        #expect(throws: NNError.self) { try ExperimentConfig().validate(features: 100) }
        #expect(throws: Never.self) { try ExperimentConfig().validate(features: 784) }
    }
}

struct OptimizerUpdateTests {
    /// `Optimizer.update` over several tensors at once, cut across threads at any point
    /// (including tensors without elements and cuts on a tensor's boundary), gives each
    /// element what updating the tensors one at a time gives it, for every optimiser.
    @Test(arguments: OptimizerKind.allCases)
    func oneJobMatchesTensorByTensor(kind: OptimizerKind) {
        let shapes = [(3, 5), (0, 4), (7, 1), (1, 1), (40, 3), (0, 0)]
        func parameters() -> [Parameter<Double>] {
            shapes.enumerated().map { i, shape in
                let count = shape.0 * shape.1
                let value = Matrix<Double>(rows: shape.0, cols: shape.1, values: (0..<count).map { Double($0 + i) / 7 - 1 })
                let gradient = Matrix<Double>(rows: shape.0, cols: shape.1, values: (0..<count).map { Double(3 * $0 - i) / 5 })
                return Parameter(role: .weights, value: value, gradient: gradient)
            }
        }
        let settings = OptimizerSettings(kind: kind, learningRate: 0.1)
        let together = parameters(), apart = parameters()
        let one = Optimizer<Double>(settings, for: together), each = Optimizer<Double>(settings, for: apart)
        for minimumWork in [1, 7, 1 << 13] {
            one.beginStep()
            each.beginStep()
            one.update(Array(together.indices), of: together, samples: 9, parallel: Parallel(threads: 3, minimumWork: minimumWork))
            for i in apart.indices { each.update([i], of: apart, samples: 9, parallel: .serial) }
            one.update([], of: together, samples: 9, parallel: Parallel(threads: 2, minimumWork: 1))
            #expect(zip(together, apart).allSatisfy { $0.value.values == $1.value.values }, "\(kind) minimumWork \(minimumWork)")
        }
        #expect(one.state == each.state)
    }
}
