import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

/// A sweep directory (default `results/sweeps/<name>/`): the one type that knows its files —
/// their names and paths, which names are the sweep's (`ownedFiles`), and how each is read
/// and written. `nn sweep` (`SweepRunner`) writes through it; `nn report`, `nn diff`, `nn
/// runs` and `nn sweep status` read through it:
///
///     sweep.json        the plan (`SweepPlan`): marks the directory as a sweep's
///     summary.csv       one row per point (the value: `SweepSummary`; `writeSummary`, `readSummary`)
///     timing.json       wall-clock and per-point seconds (the only file with timings)
///     provenance.json   nn version, git commit, start time, host, command line of the last
///                       `nn sweep` that ran or planned it (`Provenance`; never compared)
///     report.md, *.svg  `Report.writeSweep`, when at least one point is ok
///     report.html       `nn report --html` (`HTMLReport`)
///     runs/<id>/        one run directory per point (`RunLayout`): point.json (the resolved
///                       experiment, an experiment file), then what `nn train` and `nn
///                       eval` write (the point is trained in place, see `Run.Placement`)
///                       and, for a failed point, status.json (`recordFailure`)
///     logs/, slurm/     child processes' logs, `--submit slurm`'s scripts (`SweepRunner.submitSlurm`)
package struct SweepDirectory: Sendable {
    package static let planFile = "sweep.json"
    package static let summaryFile = "summary.csv"
    package static let timingFile = "timing.json"
    package static let provenanceFile = Provenance.file
    package static let runsDirectory = "runs"

    package static let logsDirectory = "logs"
    package static let slurmDirectory = "slurm"

    /// The files of a sweep directory, and its directories (everything below them is the
    /// sweep's too): no command writes onto one of them as an output (`OutputPath`).
    package static let ownedFiles = [planFile, summaryFile, timingFile, provenanceFile, Report.markdownFile, Report.lossFile,
                                     Report.htmlFile, RunMeta.file, runsDirectory, logsDirectory, slurmDirectory]

    /// True when `relative` (path components below a sweep directory) is the sweep's: one
    /// of `ownedFiles` or below one of its directories, a chart (`*.svg`), or a hidden file.
    package static func owns(_ relative: [String]) -> Bool {
        guard let first = relative.first else { return false }
        return ownedFiles.contains(first) || first.hasPrefix(".") || (relative.count == 1 && first.hasSuffix(".svg"))
    }

    /// True when `dir` holds a sweep (its `sweep.json`): what `nn sweep`, `nn runs` and
    /// `OutputPath` go by.
    package static func isSweep(_ dir: String) -> Bool { FilePath.exists(SweepDirectory(dir).plan) }

    /// True when `path` is a directory holding `summary.csv`: a sweep's results, what `nn
    /// report` and `nn diff` go by.
    package static func looksLikeSweep(_ path: String) -> Bool {
        FilePath.exists(path, directory: true) && FilePath.exists(SweepDirectory(path).summary)
    }

    /// The sweep directory.
    package var directory: String

    package init(_ directory: String) { self.directory = directory }

    /// The directory's last component (a sweep is named by its folder).
    package var name: String { URL(fileURLWithPath: directory).lastPathComponent }

    package var plan: String { FilePath.join(directory, Self.planFile) }
    package var summary: String { FilePath.join(directory, Self.summaryFile) }
    package var timing: String { FilePath.join(directory, Self.timingFile) }
    package var provenance: String { FilePath.join(directory, Self.provenanceFile) }
    /// Where the child processes' standard error goes, one `<run id>.log` per point in flight.
    var logs: String { FilePath.join(directory, Self.logsDirectory) }
    /// `--submit slurm`'s scripts and job output.
    var slurm: String { FilePath.join(directory, Self.slurmDirectory) }

    /// The run directory of point `id`: `runs/<id>`.
    package func run(_ id: String) -> RunLayout { RunLayout(FilePath.join(directory, Self.runsDirectory, id)) }

    /// The run directory of `runID` read from a file (a summary row), which must be a run
    /// id (`RunID.isValid`), so a crafted summary never leads outside the sweep.
    package func runPath(_ runID: String) throws -> String {
        guard RunID.isValid(runID) else {
            throw NNError("\(summary): run_id '\(runID)' is not a run id (12 lowercase hex digits)")
        }
        return run(runID).directory
    }

    // MARK: - sweep.json

    /// The plan (`sweep.json`), checked (`SweepPlan.read`).
    package func readPlan() throws -> SweepPlan { try SweepPlan.read(path: plan) }

    /// `sweep.json`'s name and point ids (valid run ids only; nil when it lists no points),
    /// read without checking the rest of the plan: `nn runs` lists a sweep's points fast,
    /// and names them by a plan it cannot fully read.
    package func readPointIDs() throws -> (name: String?, ids: [String]?) {
        let doc = try JSONValue.read(path: plan)
        return (doc["name"]?.text, doc["points"]?.elements.map { $0.compactMap { $0["id"]?.text }.filter(RunID.isValid) })
    }

    /// The random search's distribution text per key (`sweep.json`'s
    /// `random.distributions`, e.g. `lr: loguniform:0.01:1`); empty for a grid sweep or
    /// without a readable `sweep.json`.
    package func randomDistributions() -> [String: String] {
        guard let doc = try? JSONValue.read(path: plan), let members = doc["random"]?["distributions"]?.dictionary else { return [:] }
        return members.compactMapValues(\.text)
    }

    /// Checks that the directory may hold a sweep: it does not exist (when `creating`), is
    /// empty (when `creating`), or holds a `sweep.json` written by `nn sweep`. Anything else
    /// is refused so that nothing that is not ours is overwritten.
    package func checkOurs(creating: Bool) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir) else {
            if creating { return }
            throw NNError("\(directory): no such directory")
        }
        guard isDir.boolValue else { throw NNError("\(directory): exists and is not a directory") }
        if FileManager.default.fileExists(atPath: plan) {
            _ = try readPlan()
            return
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if !(creating && contents.isEmpty) {
            throw NNError("\(directory): not a sweep directory (no \(Self.planFile) written by nn sweep)\(creating ? "; choose another --name or --out" : "")")
        }
    }

    /// A sweep directory keeps every point it ever completed, so it holds one grid: when it
    /// already holds a sweep (its `sweep.json`), `plan` must have the same points (in any
    /// order, with any `--threads` or `--jobs`), or it is refused before anything is
    /// written, with the hint to give the new grid its own `--name`. Re-running the same
    /// grid resumes it.
    package func checkSamePoints(_ plan: SweepPlan) throws {
        guard FileManager.default.fileExists(atPath: self.plan) else { return }
        let old = Set(try readPlan().points.map(\.id)), new = Set(plan.points.map(\.id))
        guard old != new else { return }
        throw NNError("\(directory): holds a sweep of another grid (\(old.count) points; this one leaves out \(old.subtracting(new).count) of them and adds \(new.subtracting(old).count)); give the new grid its own --name (or --out), or run this directory's grid again")
    }

    /// Writes `sweep.json` and every point's `point.json` (atomically; files that already
    /// hold the same bytes are left alone), after removing temporary files that killed
    /// commands left in the directory.
    func writeSetup(_ setup: SweepSetup) throws {
        try checkSamePoints(setup.plan)
        AtomicFile.removeStaleTemporaries(in: directory)
        try Self.writeIfChanged(setup.plan.json.fileText, to: plan)
        for p in setup.points {
            let text = JSONValue.sortedObject(p.config.jsonObject()).fileText
            try Self.writeIfChanged(text, to: run(p.point.id).point)
        }
    }

    static func writeIfChanged(_ text: String, to path: String) throws {
        if let old = FileManager.default.contents(atPath: path), old == Data(text.utf8) { return }
        try AtomicFile.write(text, to: path)
    }

    // MARK: - summary.csv

    /// Builds the summary of `plan` from the run directories (`SweepSummary.build`) and
    /// writes it atomically to `summary.csv`; returns the counts.
    @discardableResult
    func writeSummary(_ plan: SweepPlan, cache: SweepSummary.Cache = SweepSummary.Cache()) throws -> SweepSummary.Counts {
        let (built, counts) = try SweepSummary.build(plan, in: self, cache: cache)
        try AtomicFile.write(built.table.encoded(), to: summary)
        return counts
    }

    /// Reads `summary.csv` (error: the directory holds none); with `maxFields`, a file of
    /// more fields is refused while it is parsed (`CSVTable.read`), `why` ending the error.
    package func readSummary(maxFields: Int = .max, why: String = "") throws -> SweepSummary {
        guard Self.looksLikeSweep(directory) else { throw NNError("\(directory): not a sweep directory (no \(Self.summaryFile))") }
        return try SweepSummary(table: CSVTable.read(path: summary, maxFields: maxFields, why: why), name: summary)
    }

    // MARK: - A point's run directory

    /// Where a point stands on disk.
    package enum PointState: Equatable, Sendable {
        /// `metrics.json` exists and `config.json` resolves to the point's run id.
        case complete
        /// `status.json` records a failure (and the point is not complete).
        case failed(error: String)
        /// Not run yet, or interrupted, or stale (its files belong to another id).
        case pending
    }

    /// The state of point `id`.
    package func state(of id: String) -> PointState { Self.state(runDir: run(id).directory, id: id) }

    /// The state of the point `id` whose run directory is `runDir`.
    static func state(runDir: String, id: String) -> PointState {
        if isComplete(runDir: runDir, id: id) { return .complete }
        return failure(runDir: runDir).map { .failed(error: $0.error) } ?? .pending
    }

    /// True when `runDir` holds a finished, evaluated run of exactly point `id`.
    static func isComplete(runDir: String, id: String) -> Bool {
        guard isEvaluated(runDir), let (config, _, sha) = try? Run.readConfig(runDir: runDir), let sha else { return false }
        return RunID.of(config: config, manifestSHA256: sha) == id
    }

    /// True when the run in `runDir` is evaluated (`metrics.json`) and its marker, if any,
    /// says complete.
    static func isEvaluated(_ runDir: String) -> Bool {
        FileManager.default.fileExists(atPath: RunLayout(runDir).metricsJSON) && (try? RunMarker.requireComplete(runDir)) != nil
    }

    /// `status.json`'s member naming the epochs a failed training was for (successive
    /// halving's points only).
    static let failedEpochsKey = "epochs"

    /// Records a failed point: `status.json` with the error (and, for a halving step, the
    /// epochs it was training towards), written atomically.
    static func recordFailure(runDir: String, error: String, epochs: Int? = nil) throws {
        var members: [String: JSONValue] = ["status": .string("failed"), "error": .string(error)]
        if let epochs { members[failedEpochsKey] = .int(epochs) }
        try AtomicFile.write(JSONValue.sortedObject(members).fileText, to: RunLayout(runDir).status)
    }

    /// The failure `status.json` records in `runDir` (nil: none): its error (or that the
    /// file is unreadable) and the epochs it was for, when recorded.
    static func failure(runDir: String) -> (error: String, epochs: Int?)? {
        let status = RunLayout(runDir).status
        guard FileManager.default.fileExists(atPath: status) else { return nil }
        let doc = try? JSONValue.read(path: status)
        return (doc?["error"]?.text ?? "\(status): unreadable", doc?[failedEpochsKey]?.text.flatMap { Int($0) })
    }
}
