import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

/// One point of a sweep, run in its own run directory: the body of `nn sweep-point`, the
/// command every line of a plan file holds and every `--jobs` child runs.
///
/// Idempotent and self-contained: the run directory's `point.json` (written when the sweep
/// was planned) is the experiment; the directory's name is its run id, which must match
/// `point.json` on the given prepared data. A complete point is skipped. Otherwise the
/// point is trained in place and evaluated (`Run.train` with `.inPlace`, `Run.evaluate`,
/// writing the usual run files; the `.nn-run` marker says `training` until training ends,
/// so a point killed mid-training is pending, not complete); a failure (divergence, or
/// any error while training or evaluating) is recorded in `status.json` and reported as
/// `.failed`; success removes any old `status.json`.
/// The directory is locked (`flock`) while the point runs, so two runners never work on
/// one point at once. `eval_seconds` is added to the run's `timing.json`. With `--epochs N`
/// (successive halving's rung) the point is trained to N epochs only, continuing from its
/// checkpoint (`runToRung`).
package enum SweepPointRunner {
    package enum Outcome: Equatable, Sendable {
        case skipped
        case ok(finalLoss: Double)
        case failed(error: String)
    }

    /// Runs the point in `runDir` on the prepared data in `dataDir` with `threads` BLAS
    /// and element-wise threads. Throws (without touching the run) when the directory is
    /// not a sweep point, is busy, or does not match the data. With `epochs` (successive
    /// halving's rung), trains the point to that many epochs only (`runToRung`). With
    /// `inputs` (a sweep worker's), the data and inputs kept from earlier points are used
    /// for training and evaluation alike, and kept for later ones.
    package static func run(runDir: String, dataDir: String, threads: Int, epochs: Int? = nil,
                            inputs: RunInputs? = nil) throws -> Outcome {
        let run = RunLayout(runDir), pointPath = run.point
        guard FileManager.default.fileExists(atPath: pointPath) else {
            throw NNError("\(runDir): not a sweep point directory (no \(RunLayout.pointFile); made by `nn sweep`)")
        }
        let config = try ExperimentConfig.load(path: pointPath).0
        let id = URL(fileURLWithPath: runDir).lastPathComponent
        let lock = open(runDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard lock >= 0 else { throw NNError("\(runDir): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(lock) }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            throw NNError("\(runDir): busy (another nn sweep-point is running this point)")
        }
        if let epochs {
            return try runToRung(runDir: runDir, id: id, config: config, dataDir: dataDir, threads: threads, epochs: epochs,
                                 inputs: inputs)
        }
        if SweepDirectory.isComplete(runDir: runDir, id: id) { return .skipped }
        try checkID(id, config: config, runDir: runDir, dataDir: dataDir)

        try? FileManager.default.removeItem(atPath: run.status)
        do {
            return try trainAndEvaluate(config: config, runDir: runDir, dataDir: dataDir, threads: threads, resume: nil,
                                        inputs: inputs)
        } catch let e as NNError {
            try SweepDirectory.recordFailure(runDir: runDir, error: e.message)
            return .failed(error: e.message)
        }
    }

    /// Successive halving's step (`Halving`): trains point `id` to `epochs` (<= its own
    /// epochs). Skipped when the directory holds the point's complete run of at least that
    /// many epochs; continues from the checkpoint when it holds the point's run (complete or
    /// interrupted) of at most that many; else trains from the start. The run is then
    /// the point's experiment with `epochs` epochs (its config.json says so), evaluated; its
    /// files are those of a run trained to `epochs` at once. A failure's `status.json`
    /// records `epochs`.
    static func runToRung(runDir: String, id: String, config: ExperimentConfig, dataDir: String, threads: Int,
                          epochs: Int, inputs: RunInputs? = nil) throws -> Outcome {
        guard (1...config.epochs).contains(epochs) else {
            throw NNError("--epochs: must be in 1...\(config.epochs) (the point's epochs), got \(epochs)")
        }
        let run = RunLayout(runDir)
        let trained = Halving.trainedEpochs(runDir: runDir, id: id, fullEpochs: config.epochs)
        if let trained, trained >= epochs, SweepDirectory.isEvaluated(runDir) { return .skipped }
        try checkID(id, config: config, runDir: runDir, dataDir: dataDir)
        let marker = (try? RunMarker.read(dir: runDir)) ?? nil
        let resumable = trained.map { $0 <= epochs } == true && FileManager.default.fileExists(atPath: run.checkpoint)
            && (marker?.state == .complete || marker?.state == .training)
        var rung = config
        rung.epochs = epochs
        try? FileManager.default.removeItem(atPath: run.status)
        do {
            return try trainAndEvaluate(config: rung, runDir: runDir, dataDir: dataDir, threads: threads,
                                        resume: resumable ? ResumePoint(checkpoint: run.checkpoint) : nil, inputs: inputs)
        } catch let e as NNError {
            try SweepDirectory.recordFailure(runDir: runDir, error: e.message, epochs: epochs)
            return .failed(error: e.message)
        }
    }

    /// Checks that point `id`'s experiment on the data in `dataDir` has that run id.
    static func checkID(_ id: String, config: ExperimentConfig, runDir: String, dataDir: String) throws {
        let sha = try SweepSetup.readManifest(dataDir, config: config, given: true).sha256
        let expected = RunID.of(config: config, manifestSHA256: sha)
        guard expected == id else {
            throw NNError("\(runDir): \(RunLayout.pointFile) on the data in \(dataDir) has run id \(expected), not the directory's \(id) (different prepared data?)")
        }
    }

    /// Trains `config` in place in `runDir` (from `resume` when given), evaluates it, adds
    /// `eval_seconds` to its timing and removes any old `status.json`. A divergence is
    /// thrown as an `NNError`.
    static func trainAndEvaluate(config: ExperimentConfig, runDir: String, dataDir: String, threads: Int,
                                 resume: ResumePoint?, inputs: RunInputs? = nil) throws -> Outcome {
        let trained = try Run.train(config: config, dataDir: dataDir, outDir: runDir, placement: .inPlace, threads: threads,
                                    resume: resume, inputs: inputs)
        if let d = trained.divergence { throw NNError(d.message) }
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try Run.evaluate(runDir: runDir, dataDir: dataDir, threshold: nil, threads: threads, inputs: inputs)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        try addTiming(["eval_seconds": .real(seconds)], runDir: runDir)
        try? FileManager.default.removeItem(atPath: RunLayout(runDir).status)
        return .ok(finalLoss: trained.history.last?.loss ?? .nan)
    }

    /// Adds entries to the run's `timing.json` (members kept sorted).
    static func addTiming(_ entries: [String: JSONValue], runDir: String) throws {
        let path = RunLayout(runDir).timing
        var timing = (try? JSONValue.read(path: path))?.dictionary ?? [:]
        for (k, v) in entries { timing[k] = v }
        try AtomicFile.write(JSONValue.sortedObject(timing).fileText, to: path)
    }
}
