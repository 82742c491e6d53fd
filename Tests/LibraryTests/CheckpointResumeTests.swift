import Foundation
import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// Issue 9 item 2: a training resumed from a checkpoint at any epoch continues bit for bit
/// as the uninterrupted one (weights, history, generator), for every optimiser; damaged
/// checkpoints are one-line errors naming the file.
@Suite struct CheckpointResumeTests {
    static let epochs = 6

    func config(_ kind: OptimizerKind, batch: Int, lr: Double) throws -> ExperimentConfig {
        var c = ExperimentConfig()
        for (k, v) in [("layers", "3,8,4,1"), ("activations", "relu,relu,sigmoid"), ("gradient", "stable"),
                       ("optimizer", kind.rawValue), ("batch_size", String(batch)), ("lr", String(lr)),
                       ("epochs", String(Self.epochs))] {
            try c.set(k, v, source: "test")
        }
        return c
    }

    /// Trains `config` from scratch, or from `checkpoint`, writing a checkpoint after every
    /// epoch into `dir` as `ckpt-<epoch>.nnc`; returns the model bytes, the history and the
    /// generator's final state.
    func run(_ config: ExperimentConfig, from checkpoint: String?, dir: String) throws -> ([UInt8], [EpochRecord], MT19937.State) {
        let (x, y) = tinyProblem(n: 100, seed: 7)
        let net = Network<Double>(architecture: config.architecture, parallel: .serial)
        var rng = MT19937(seed: UInt32(config.seed))
        net.initialize(config.initialization, rng: &rng)
        var start: TrainingStart<Double>?
        if let checkpoint {
            let c = try Checkpoint<Double>.read(path: checkpoint, config: config)
            for (p, w) in zip(net.parameters, c.weights) { _ = p.value.storage.update(fromContentsOf: w) }
            rng = try #require(MT19937(state: c.rng))
            start = TrainingStart(history: c.history, optimizer: c.optimizer)
        }
        let digest = Checkpoint<Double>.configDigest(config)
        let result = Trainer.train(net, x: x, y: y, epochs: config.epochs, batchSize: config.batchSize,
                                   optimizer: config.optimizerSettings, rng: &rng, start: start, afterEpoch: { end in
            let c = Checkpoint(configSHA256: digest, weights: net.parameters.map { Array($0.value.storage) },
                               optimizer: end.optimizerState, rng: end.rng.state, history: end.history)
            try? c.write(to: dir + "/ckpt-\(end.epoch).nnc", config: config, code: .current(threads: 1))
            return false
        })
        #expect(result.divergence == nil)
        return (try ModelFile.encode(net), result.history, rng.state)
    }

    @Test(arguments: [(OptimizerKind.gd, 0, 0.5), (.sgd, 16, 0.2), (.momentum, 16, 0.05), (.adam, 16, 0.01)])
    func resumedAtAnyEpochIsBitIdentical(kind: OptimizerKind, batch: Int, lr: Double) throws {
        let dir = try makeTemporaryDirectory("ckpt")
        defer { removeTree(dir) }
        let c = try config(kind, batch: batch, lr: lr)
        let (model, history, rng) = try run(c, from: nil, dir: dir)
        for k in 1..<Self.epochs {
            let other = try makeTemporaryDirectory("ckpt-resumed")
            defer { removeTree(other) }
            let (m, h, r) = try run(c, from: dir + "/ckpt-\(k).nnc", dir: other)
            #expect(m == model, "\(kind) resumed after epoch \(k): model differs")
            #expect(h.map(\.loss.bitPattern) == history.map(\.loss.bitPattern), "\(kind) resumed after epoch \(k): history differs")
            #expect(r == rng)
            // The resumed run's checkpoints are the uninterrupted run's, byte for byte, but
            // for the seconds of the epochs it trained itself.
            #expect(try Checkpoint<Double>.read(path: other + "/ckpt-\(Self.epochs).nnc", config: c).weights
                    == Checkpoint<Double>.read(path: dir + "/ckpt-\(Self.epochs).nnc", config: c).weights)
        }
    }

    /// A checkpoint extended with more epochs equals a longer run from scratch.
    @Test func extendingEqualsTheLongerRun() throws {
        let dir = try makeTemporaryDirectory("ckpt-extend")
        defer { removeTree(dir) }
        var c = try config(.adam, batch: 16, lr: 0.01)
        _ = try run(c, from: nil, dir: dir)
        c.epochs = 10
        let (extended, h1, _) = try run(c, from: dir + "/ckpt-6.nnc", dir: dir)
        let (straight, h2, _) = try run(c, from: nil, dir: try makeTemporaryDirectory("ckpt-straight"))
        #expect(extended == straight)
        #expect(h1.map(\.loss.bitPattern) == h2.map(\.loss.bitPattern))
    }

    @Test func damagedCheckpointsAreOneLineErrors() throws {
        let dir = try makeTemporaryDirectory("ckpt-damage")
        defer { removeTree(dir) }
        let c = try config(.momentum, batch: 16, lr: 0.05)
        _ = try run(c, from: nil, dir: dir)
        let path = dir + "/ckpt-3.nnc"
        let good = try readFileBytes(path)
        var flipped = good
        flipped[flipped.count - 5] ^= 0x40
        for bytes in [flipped, Array(good.prefix(good.count - 8)), Array(good.prefix(20)), Array("NNCKPT01garbage".utf8), []] {
            try AtomicFile.write(bytes, to: path)
            let message = errorMessage { _ = try Checkpoint<Double>.read(path: path, config: c) }
            #expect(message.hasPrefix(path + ": ") && !message.contains("\n"), "\(message)")
        }
        try AtomicFile.write(good, to: path)
        var other = c
        other.lr = 0.5
        // A mismatch says what differs, and the checkpoint stays as it was.
        #expect(errorMessage { _ = try Checkpoint<Double>.read(path: path, config: other) }.contains("lr 0.05 in the checkpoint, 0.5 in config.json"))
        #expect(errorMessage { _ = try Checkpoint<Float>.read(path: path, config: c) }.contains("precision f64 in the checkpoint, f32 in config.json"))
        var adam = c
        adam.optimizer = .adam
        #expect(errorMessage { _ = try Checkpoint<Double>.read(path: path, config: adam) }.contains("optimizer state of momentum in the checkpoint"))
        let now = CodePath.current(threads: 2)
        #expect(errorMessage { _ = try Checkpoint<Double>.read(path: path, config: c, code: now) }.contains("threads 1 in the checkpoint, 2 now (give --threads 1)"))
        #expect(try readFileBytes(path) == good)
    }
}
