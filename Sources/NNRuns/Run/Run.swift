import Foundation
import NNBase
import NNKernel
import NNFormats

/// Train and evaluate runs: the code behind `nn train` and `nn eval`, which write a run
/// directory (its files: `RunLayout`).
package enum Run {

    package struct TrainOutcome: Sendable {
        package var history: [EpochRecord]
        package var divergence: RunDivergence?
        package var runDirectory: String
        package var seconds: Double
        /// True when a diverged retraining (`--force`) was discarded and the old run kept.
        package var previousKept = false
        /// True when the run directory already held this complete run: nothing was trained.
        package var upToDate = false
    }

    /// A divergence with the advice that fits the run: a smaller `--lr` always,
    /// `--gradient stable` unless it is already stable, `--precision f64` unless it is
    /// already f64 (the kernel's `Divergence` says what happened, never which flag to use).
    package struct RunDivergence: Equatable, Sendable {
        package var divergence: Divergence
        package var message: String

        init(_ divergence: Divergence, config: ExperimentConfig) {
            var tries = ["a smaller --lr"]
            if config.gradient != .stable { tries.append("--gradient stable") }
            if config.precision != .f64 { tries.append("--precision f64") }
            let advice = tries.count == 1 ? tries[0] : tries.dropLast().joined(separator: ", ") + ", or " + tries[tries.count - 1]
            self.divergence = divergence
            self.message = divergence.problem + "; try " + advice
        }
    }

    /// Where `train` puts the run.
    package enum Placement: Sendable {
        /// `nn train`: built aside and installed when done (`RunInstall`); an existing run
        /// is replaced only with `force`.
        case newRun(force: Bool)
        /// A sweep point: trained in its own (locked) directory, beside `point.json`.
        case inPlace
    }

    /// The default run directory of `config` on data with manifest `manifestSHA256`:
    /// `results/runs/<name>/<run id>` (the sweep's run id, `RunID.of`), so two
    /// different configurations never share one.
    static func defaultDirectory(config: ExperimentConfig, manifestSHA256: String) -> String {
        FilePath.join("results/runs", config.name, RunID.of(config: config, manifestSHA256: manifestSHA256))
    }

    /// Loads prepared data for `config`, or explains which `nn prepare` makes it.
    static func loadData(config: ExperimentConfig, dataDir: String?) throws -> PreparedDataset {
        let opts = config.prepareOptions
        let dir = dataDir ?? opts.defaultDirectory(dataset: config.dataset)
        try PreparedLayout(dir).prepareIfMissing(opts, dataset: config.dataset, given: dataDir != nil)
        let data = try PreparedDataset.load(directory: dir)
        if data.target != config.target {
            throw NNError("\(dir): prepared for target \(data.target.slug), but the experiment needs \(config.target.slug)")
        }
        return data
    }

    /// Trains `config` on the prepared data and writes the run directory `outDir` (default
    /// `defaultDirectory`). A diverging run keeps its config, history and timing, is
    /// marked diverged, and is reported in the outcome (the caller exits non-zero).
    /// `threads` is how many threads the maths may use; the results do not depend on it.
    package static func train(config: ExperimentConfig, dataDir: String?, outDir: String?,
                             placement: Placement = .newRun(force: false), threads: Int, resume: ResumePoint? = nil,
                             inputs: RunInputs? = nil,
                             progress: @escaping (EpochReport) -> Void = { _ in }) throws -> TrainOutcome {
        try config.validate()
        let t0 = DispatchTime.now().uptimeNanoseconds
        let data = try inputs?.dataset(config: config, dataDir: dataDir) ?? loadData(config: config, dataDir: dataDir)
        try config.validate(features: data.train.features, samples: data.train.count)
        let dir = outDir ?? defaultDirectory(config: config, manifestSHA256: data.manifestSHA256)
        if let resume { try checkResume(resume, config: config, data: data, threads: threads) }
        switch placement {
        case .inPlace:
            try AtomicFile.createDirectory(dir)
            AtomicFile.removeStaleTemporaries(in: dir)
            try RunMarker.write(.training, dir: dir)
            // A new run replaces the results of an old one in the same directory.
            let layout = RunLayout(dir)
            for f in RunLayout.evalFiles.map(layout.path) + [layout.model] + (resume == nil ? [layout.checkpoint] : []) {
                try? FileManager.default.removeItem(atPath: f)
            }
            return try write(config: config, data: data, dir: dir, started: t0, threads: threads, checkpoint: resume?.checkpoint,
                             inputs: inputs, progress: progress)
        case .newRun(let force):
            if !force, resume == nil, let done = try upToDate(config: config, data: data, dir: dir) { return done }
            // A resumed training reads its checkpoint where it is and builds the run in a
            // directory of its own, so a failure removes only what this command made.
            let existing = try RunInstall.prepare(dir, force: force, restarting: resume == nil)
            let tmp = RunInstall.temporaryDirectory(for: dir)
            do {
                try AtomicFile.createDirectory(tmp)
                try RunMarker.write(.training, dir: tmp)
                var outcome = try write(config: config, data: data, dir: tmp, started: t0, threads: threads,
                                        checkpoint: resume?.checkpoint, progress: progress)
                outcome.runDirectory = dir
                if outcome.divergence != nil, existing != .nothing {
                    try? FileManager.default.removeItem(atPath: tmp)
                    outcome.previousKept = true
                    return outcome
                }
                try RunInstall.install(tmp, at: dir, replacing: existing != .nothing)
                return outcome
            } catch {
                try? FileManager.default.removeItem(atPath: tmp)
                throw error
            }
        }
    }

    /// Writes config.json, provenance.json, trains (history.csv, model.nnm), timing.json,
    /// and last the marker's final state, into `dir`.
    static func write(config: ExperimentConfig, data: PreparedDataset, dir outDir: String, started t0: UInt64,
                      threads: Int, checkpoint: String? = nil, inputs: RunInputs? = nil,
                      progress: @escaping (EpochReport) -> Void) throws -> TrainOutcome {
        // `data` records what was actually trained on (with --data the prepared split may be
        // smaller than the experiment's train_size / test_size).
        try AtomicFile.write(configJSON(config: config, data: data).fileText, to: RunLayout(outDir).config)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        try Provenance.write(to: RunLayout(outDir).provenance, started: Date(timeIntervalSinceNow: -elapsed))
        let loaded = DispatchTime.now().uptimeNanoseconds
        let outcome: TrainOutcome
        if config.precision == .f32 {
            outcome = try trainNetwork(Float.self, config: config, data: data, outDir: outDir, parallel: Parallel(threads: threads),
                                       checkpoint: checkpoint, inputs: inputs, progress: progress)
        } else {
            outcome = try trainNetwork(Double.self, config: config, data: data, outDir: outDir, parallel: Parallel(threads: threads),
                                       checkpoint: checkpoint, inputs: inputs, progress: progress)
        }
        let done = DispatchTime.now().uptimeNanoseconds
        let timing: [String: JSONValue] = [
            "load_seconds": .real(Double(loaded - t0) / 1e9),
            "train_seconds": .real(outcome.history.reduce(0) { $0 + $1.seconds }),
            "total_seconds": .real(Double(done - t0) / 1e9),
            "epoch_seconds": .array(outcome.history.map { .real($0.seconds) }),
            "blas": .string(BLAS.implementation),
            "blas_threads": .int(BLAS.threads),
            "kernels": .string(Kernels.active.name),
            "threads": .int(threads),
        ]
        try AtomicFile.write(JSONValue.sortedObject(timing).fileText, to: RunLayout(outDir).timing)
        if let d = outcome.divergence {
            try RunMarker.write(.diverged, error: d.message, dir: outDir)
        } else {
            try RunMarker.write(.complete, dir: outDir)
        }
        var o = outcome
        o.seconds = Double(done - t0) / 1e9
        return o
    }

    /// Reads a run's `config.json` back into a config and its data record.
    package static func readConfig(runDir: String) throws -> (ExperimentConfig, dataDirectory: String?, manifestSHA256: String?) {
        let path = RunLayout(runDir).config
        guard FileManager.default.fileExists(atPath: path) else {
            throw NNError("\(runDir): not a run directory (no \(RunLayout.configFile)); \(notARunHint(runDir))")
        }
        guard var obj = try JSONValue.read(path: path).dictionary else { throw NNError("\(path): not a JSON object") }
        let data = obj.removeValue(forKey: "data")
        var c = ExperimentConfig()
        try c.apply(json: obj, source: path)
        return (c, data?["directory"]?.text, data?["manifest_sha256"]?.text)
    }
}

/// What is reported after each epoch of a training: the epoch's record, the epochs in all and, when the run
/// has a validation set, that epoch's validation figures (`val_loss`, and `val_f1` or
/// `val_accuracy`), named as in history.csv.
package struct EpochReport: Sendable {
    package var record: EpochRecord
    /// The epochs the training runs to (a resumed training's too: `epoch 2/3`).
    package var epochs: Int
    package var validation: [(name: String, value: Double)] = []
}
