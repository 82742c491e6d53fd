import Foundation
import NNBase
import NNKernel
import NNFormats

extension Run {
    /// Trains `config` into `outDir` (history.csv, model.nnm, checkpoint.nnc, and with a
    /// validation set best.json), from scratch or continuing from the checkpoint at
    /// `checkpoint`. A checkpoint is written every `checkpoint_every` epochs and after the
    /// last one; the arithmetic is the same either way, so a resumed run's files are the
    /// uninterrupted run's.
    static func trainNetwork<T: NNScalar>(_: T.Type, config: ExperimentConfig, data: PreparedDataset, outDir: String,
                                          parallel: Parallel, checkpoint: String?, inputs runInputs: RunInputs? = nil,
                                          progress: @escaping (EpochReport) -> Void) throws -> TrainOutcome {
        let inputs = try RunInputs.training(runInputs, T.self, config: config, data: data, parallel: parallel)
        let tracker = inputs.validation.map {
            ValidationTracker<T>(config: config, input: $0.input, y: $0.y, labels: $0.labels, target: data.target)
        }
        let net = Network<T>(architecture: config.architecture, parallel: parallel)
        var rng = MT19937(seed: UInt32(config.seed))
        net.initialize(config.initialization, rng: &rng)
        var start: TrainingStart<T>?
        var epochs = config.epochs
        if let checkpoint {
            let c = try Checkpoint<T>.read(path: checkpoint, config: config, code: .current(threads: parallel.threads))
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
        let code = CodePath.current(threads: parallel.threads)
        var failure: Error?
        // With a validation set an epoch is reported once its validation figures exist.
        let result = Trainer.train(net, input: inputs.input, y: inputs.y, epochs: epochs, batchSize: config.batchSize,
                                       optimizer: config.optimizerSettings, rng: &rng, start: start,
                                       progress: { record in if tracker == nil { progress(EpochReport(record: record, epochs: config.epochs)) } }) { end in
            let stop = tracker?.afterEpoch(end.epoch, net: net) ?? false
            if let tracker, let record = end.history.last {
                progress(EpochReport(record: record, epochs: config.epochs, validation: tracker.figures(epoch: end.epoch)))
            }
            let every = config.checkpointEvery
            if stop || end.epoch == epochs || (every > 0 && end.epoch % every == 0) {
                do {
                    try Checkpoint(configSHA256: digest, weights: net.parameters.map { Array($0.value.storage) },
                                   optimizer: end.optimizerState, rng: end.rng.state, history: end.history,
                                   validation: tracker?.state, bestWeights: tracker?.bestWeights)
                        .write(to: layout.checkpoint, config: config, code: code)
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
        return TrainOutcome(history: result.history, divergence: result.divergence.map { RunDivergence($0, config: config) },
                            runDirectory: outDir, seconds: 0)
    }

    /// Reads the checkpoint `resume` continues from, before anything is written: a damaged
    /// checkpoint, or one of another configuration or code path (`Checkpoint.read`), or
    /// prepared data other than the run's (`manifestSHA256`) is a one-line error saying
    /// what differs, and nothing is changed (the checkpoint is kept).
    static func checkResume(_ resume: ResumePoint, config: ExperimentConfig, data: PreparedDataset, threads: Int) throws {
        if let recorded = resume.manifestSHA256, recorded != data.manifestSHA256 {
            throw NNError("\(data.directory): not the data the run was trained on (manifest sha256 \(data.manifestSHA256.prefix(12)), the run's \(recorded.prefix(12))); give --data the run's prepared data")
        }
        let code = CodePath.current(threads: Parallel(threads: threads).threads)
        if config.precision == .f32 {
            _ = try Checkpoint<Float>.read(path: resume.checkpoint, config: config, code: code)
        } else {
            _ = try Checkpoint<Double>.read(path: resume.checkpoint, config: config, code: code)
        }
    }

    /// history.csv: `epoch,loss`, plus `val_loss` and the validation metric with a validation set.
    static func writeHistory<T>(_ records: [EpochRecord], validation: ValidationTracker<T>?, to path: String) throws {
        guard let validation else { return try History.write(records, to: path) }
        let rows = records.map { [String($0.epoch), NumberText.real($0.loss)] + validation.cells(epoch: $0.epoch) }
        try AtomicFile.write(CSVTable.text(header: ["epoch", "loss"] + validation.columns, rows: rows), to: path)
    }
}
