import Foundation
import NNKernel
import NNFormats

extension Run {
    /// Trains `config` into `outDir` (history.csv, model.nnm, checkpoint.nnc, and with a
    /// validation set best.json), from scratch or continuing from the checkpoint at
    /// `checkpoint`. A checkpoint is written every `checkpoint_every` epochs and after the
    /// last one; the arithmetic is the same either way, so a resumed run's files are the
    /// uninterrupted run's.
    static func trainNetwork<T: NNScalar>(_: T.Type, config: ExperimentConfig, data: PreparedDataset, outDir: String,
                                          parallel: Parallel, checkpoint: String?,
                                          progress: @escaping (EpochReport) -> Void) throws -> TrainOutcome {
        var train = data.train
        var tracker: ValidationTracker<T>?
        if config.valSize > 0 {
            guard config.valSize < train.count else {
                throw NNError("--val-size: \(config.valSize) leaves no training samples (the split has \(train.count))")
            }
            let (t, v) = ValidationSplit.indices(count: train.count, valSize: config.valSize, seed: config.splitSeed)
            let validation = ValidationSplit.subset(train, v)
            train = ValidationSplit.subset(train, t)
            let design = DesignMatrix<T>(images: validation.images, labels: validation.labels, features: validation.features,
                                         target: data.target, biasColumn: config.biasColumn, parallel: parallel)
            tracker = ValidationTracker(config: config, design: design, target: data.target)
        }
        let design = DesignMatrix<T>(images: train.images, labels: train.labels, features: train.features,
                                     target: data.target, biasColumn: config.biasColumn, parallel: parallel)
        let net = Network<T>(architecture: config.architecture, parallel: parallel)
        var rng = MT19937(seed: UInt32(config.seed))
        net.initialize(config.initialization, rng: &rng)
        var start: TrainingStart<T>?
        var epochs = config.epochs
        if let checkpoint {
            let c = try Checkpoint<T>.read(path: checkpoint, config: config)
            guard (c.validation != nil) == (tracker != nil), let restored = MT19937(state: c.rng) else {
                throw NNError("\(checkpoint): the checkpoint does not match the run's validation settings")
            }
            for (p, w) in zip(net.parameters, c.weights) { _ = p.value.storage.update(fromContentsOf: w) }
            rng = restored
            start = TrainingStart(history: c.history, optimizer: c.optimizer)
            if let tracker, let v = c.validation {
                tracker.state = v
                tracker.bestWeights = c.bestWeights
                if v.stoppedEarly { epochs = c.epoch }
            }
        }
        let layout = RunLayout(outDir)
        let digest = Checkpoint<T>.configDigest(config)
        var failure: Error?
        // With a validation set an epoch is reported once its validation figures exist.
        let result = Trainer.train(net, x: design.x, y: design.y, epochs: epochs, batchSize: config.batchSize,
                                       optimizer: config.optimizerSettings, rng: &rng, start: start,
                                       progress: { record in if tracker == nil { progress(EpochReport(record: record)) } }) { end in
            let stop = tracker?.afterEpoch(end.epoch, net: net) ?? false
            if let tracker, let record = end.history.last {
                progress(EpochReport(record: record, validation: tracker.figures(epoch: end.epoch)))
            }
            let every = config.checkpointEvery
            if stop || end.epoch == epochs || (every > 0 && end.epoch % every == 0) {
                do {
                    try Checkpoint(configSHA256: digest, weights: net.parameters.map { Array($0.value.storage) },
                                   optimizer: end.optimizerState, rng: end.rng.state, history: end.history,
                                   validation: tracker?.state, bestWeights: tracker?.bestWeights)
                        .write(to: layout.checkpoint, sizes: config.layers, kind: config.optimizer)
                } catch {
                    failure = error     // a checkpoint that cannot be written (a full disk) stops the run
                    return true
                }
            }
            return stop
        }
        if let failure { throw failure }
        try writeHistory(result.history, validation: tracker, to: layout.history)
        // A diverged run keeps its history for inspection, but nothing to resume from.
        if result.divergence != nil { try? FileManager.default.removeItem(atPath: layout.checkpoint) }
        if result.divergence == nil {
            if let best = tracker?.bestWeights {
                for (p, w) in zip(net.parameters, best) { _ = p.value.storage.update(fromContentsOf: w) }
            }
            try ModelFile.write(net, to: layout.model)
        }
        if let tracker {
            try AtomicFile.write(tracker.bestJSON(epochsTrained: result.history.count).fileText, to: layout.best)
        }
        return TrainOutcome(history: result.history, divergence: result.divergence, runDirectory: outDir, seconds: 0)
    }

    /// history.csv: `epoch,loss`, plus `val_loss` and the validation metric with a validation set.
    static func writeHistory<T>(_ records: [EpochRecord], validation: ValidationTracker<T>?, to path: String) throws {
        guard let validation else { return try History.write(records, to: path) }
        let rows = records.map { [String($0.epoch), NumberText.real($0.loss)] + validation.cells(epoch: $0.epoch) }
        try AtomicFile.write(CSVTable.text(header: ["epoch", "loss"] + validation.columns, rows: rows), to: path)
    }
}
