import Foundation
import NNKernel
import NNFormats

/// Train and evaluate runs: the code behind `nn train` and `nn eval`, which write a run
/// directory (its files: `RunLayout`).
package enum Run {

    package struct TrainOutcome: Sendable {
        package var history: [EpochRecord]
        package var divergence: Divergence?
        package var runDirectory: String
        package var seconds: Double
        /// True when a diverged retraining (`--force`) was discarded and the old run kept.
        package var previousKept = false
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
    /// `results/runs/<name>/<run id>` (the sweep's run id, `SweepPlan.runID`), so two
    /// different configurations never share one.
    static func defaultDirectory(config: ExperimentConfig, manifestSHA256: String) -> String {
        FilePath.join("results/runs", config.name, SweepPlan.runID(config: config, manifestSHA256: manifestSHA256))
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
                             progress: @escaping (EpochRecord) -> Void = { _ in }) throws -> TrainOutcome {
        try config.validate()
        let t0 = DispatchTime.now().uptimeNanoseconds
        let data = try loadData(config: config, dataDir: dataDir)
        try config.validate(features: data.train.features, samples: data.train.count)
        let dir = outDir ?? defaultDirectory(config: config, manifestSHA256: data.manifestSHA256)
        switch placement {
        case .inPlace:
            try AtomicFile.createDirectory(dir)
            AtomicFile.removeStaleTemporaries(in: dir)
            try RunMarker.write(.training, dir: dir)
            // A new run replaces the results of an old one in the same directory.
            let layout = RunLayout(dir)
            for f in [layout.metricsJSON, layout.metricsCSV, layout.predictions, layout.model] + (resume == nil ? [layout.checkpoint] : []) {
                try? FileManager.default.removeItem(atPath: f)
            }
            return try write(config: config, data: data, dir: dir, started: t0, threads: threads, checkpoint: resume?.checkpoint,
                             progress: progress)
        case .newRun(let force):
            let existing = try RunInstall.prepare(dir, force: force)
            let tmp = resume?.buildDirectory ?? RunInstall.temporaryDirectory(for: dir)
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

    /// Writes config.json, trains (history.csv, model.nnm), timing.json, and last the
    /// marker's final state, into `dir`.
    static func write(config: ExperimentConfig, data: PreparedDataset, dir outDir: String, started t0: UInt64,
                      threads: Int, checkpoint: String? = nil, progress: @escaping (EpochRecord) -> Void) throws -> TrainOutcome {
        // `data` records what was actually trained on (with --data the prepared split may be
        // smaller than the experiment's train_size / test_size).
        let configJSON = config.jsonObject(extra: ["data": .sortedObject([
            "directory": .string(data.directory), "manifest_sha256": .string(data.manifestSHA256),
            "train_samples": .int(data.train.count), "test_samples": .int(data.test.count),
            "split_seed": .int(Int(data.manifest.split.seed))])])
        try AtomicFile.write(JSONValue.sortedObject(configJSON).fileText, to: RunLayout(outDir).config)
        let loaded = DispatchTime.now().uptimeNanoseconds
        let outcome: TrainOutcome
        if config.precision == .f32 {
            outcome = try trainNetwork(Float.self, config: config, data: data, outDir: outDir, parallel: Parallel(threads: threads),
                                       checkpoint: checkpoint, progress: progress)
        } else {
            outcome = try trainNetwork(Double.self, config: config, data: data, outDir: outDir, parallel: Parallel(threads: threads),
                                       checkpoint: checkpoint, progress: progress)
        }
        let done = DispatchTime.now().uptimeNanoseconds
        let timing: [String: JSONValue] = [
            "load_seconds": .real(Double(loaded - t0) / 1e9),
            "train_seconds": .real(outcome.history.reduce(0) { $0 + $1.seconds }),
            "total_seconds": .real(Double(done - t0) / 1e9),
            "epoch_seconds": .array(outcome.history.map { .real($0.seconds) }),
            "blas": .string(BLAS.implementation),
            "blas_threads": .int(BLAS.threads),
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
    static func readConfig(runDir: String) throws -> (ExperimentConfig, dataDirectory: String?, manifestSHA256: String?) {
        let path = RunLayout(runDir).config
        guard FileManager.default.fileExists(atPath: path) else {
            throw NNError("\(runDir): not a run directory (no \(RunLayout.configFile); run `nn train --out \(runDir)` first)")
        }
        guard var obj = try JSONValue.read(path: path).dictionary else { throw NNError("\(path): not a JSON object") }
        let data = obj.removeValue(forKey: "data")
        var c = ExperimentConfig()
        try c.apply(json: obj, source: path)
        return (c, data?["directory"]?.text, data?["manifest_sha256"]?.text)
    }

    package struct EvalOutcome: Sendable {
        package var binary: Metrics.Binary?
        package var multiClass: Metrics.MultiClass?
        package var warnings: [String]
    }

    /// Evaluates a trained run on its test split and writes metrics.json, metrics.csv and
    /// predictions.csv into the run.
    package static func evaluate(runDir: String, dataDir: String?, threshold: Double?, threads: Int) throws -> EvalOutcome {
        try RunMarker.requireComplete(runDir)
        var (config, recordedDir, recordedSHA) = try readConfig(runDir: runDir)
        AtomicFile.removeStaleTemporaries(in: runDir)
        if let threshold { config.threshold = threshold }
        try config.validate()
        let modelPath = RunLayout(runDir).model
        guard FileManager.default.fileExists(atPath: modelPath) else {
            throw NNError("\(runDir): no \(RunLayout.modelFile) (training did not finish?); run `nn train --out \(runDir)`")
        }
        let data = try loadData(config: config, dataDir: dataDir ?? recordedDir)
        var warnings: [String] = []
        if let recordedSHA, recordedSHA != data.manifestSHA256 {
            warnings.append("\(data.directory): prepared data differs from the data this run was trained on (manifest sha256 \(data.manifestSHA256.prefix(12)) vs \(recordedSHA.prefix(12)))")
        }
        var outcome: EvalOutcome
        if config.precision == .f32 {
            outcome = try evaluate(Float.self, config: config, data: data, modelPath: modelPath, runDir: runDir,
                                   parallel: Parallel(threads: threads))
        } else {
            outcome = try evaluate(Double.self, config: config, data: data, modelPath: modelPath, runDir: runDir,
                                   parallel: Parallel(threads: threads))
        }
        outcome.warnings = warnings
        return outcome
    }

    static func evaluate<T: NNScalar>(_: T.Type, config: ExperimentConfig, data: PreparedDataset, modelPath: String,
                                      runDir: String, parallel: Parallel) throws -> EvalOutcome {
        let net = try ModelFile.read(path: modelPath, as: T.self)
        net.parallel = parallel
        try config.validate(features: data.test.features)
        guard net.architecture.sizes == config.layers else {
            throw NNError("\(modelPath): model layers \(net.architecture.sizes) do not match config.json's \(config.layers)")
        }
        let design = DesignMatrix<T>(images: data.test.images, labels: data.test.labels, features: data.test.features,
                                     target: data.target, biasColumn: config.biasColumn, parallel: parallel)
        let out = net.predict(design.x)
        // Huge but finite weights (a model from before training checked its outputs) can
        // still overflow to NaN here; such probabilities are no metrics.
        if let j = (0..<out.count).first(where: { !out.storage[$0].isFinite }) {
            throw NNError("\(modelPath): the model's output for test sample \(j % out.cols) is not finite; the model is unusable (train it again with a smaller --lr)")
        }
        let n = out.cols
        var rows: [[String]] = []
        rows.reserveCapacity(n)
        var scalars: [(String, Metrics.MetricValue)]
        var metricsJSON: [String: JSONValue] = [:]
        var outcome = EvalOutcome(binary: nil, multiClass: nil, warnings: [])
        switch data.target {
        case .binary(let digit):
            let p = (0..<n).map { out.storage[$0].double }
            let y = data.test.labels.map { Int($0) == digit ? 1 : 0 }
            let m = Metrics.binary(probabilities: p, labels: y, threshold: config.threshold)
            for j in 0..<n { rows.append([String(j), String(y[j]), NumberText.real(p[j]), p[j] > config.threshold ? "1" : "0"]) }
            scalars = m.scalars
            outcome.binary = m
        case .allClasses:
            let classes = out.rows
            var predicted = [Int](repeating: 0, count: n), best = [Double](repeating: 0, count: n)
            for j in 0..<n {
                var k = 0
                for r in 1..<classes where out[r, j] > out[k, j] { k = r }
                predicted[j] = k
                best[j] = out[k, j].double
            }
            let truth = data.test.labels.map(Int.init)
            let m = Metrics.multiClass(predicted: predicted, truth: truth, classes: classes)
            for j in 0..<n { rows.append([String(j), String(truth[j]), NumberText.real(best[j]), String(predicted[j])]) }
            scalars = m.scalars
            metricsJSON["confusion"] = .array(m.confusion.map { .array($0.map { JSONValue.int($0) }) })
            outcome.multiClass = m
        }
        for (k, v) in scalars {
            switch v { case .int(let i): metricsJSON[k] = .int(i); case .real(let d): metricsJSON[k] = .real(d) }
        }
        try AtomicFile.write(CSVTable.text(header: ["index", "label", "probability", "prediction"], rows: rows),
                             to: RunLayout(runDir).predictions)
        try AtomicFile.write(CSVTable.text(header: ["metric", "value"], rows: scalars.map { [$0.0, $0.1.text] }),
                             to: RunLayout(runDir).metricsCSV)
        try AtomicFile.write(JSONValue.sortedObject(metricsJSON).fileText, to: RunLayout(runDir).metricsJSON)
        return outcome
    }
}
