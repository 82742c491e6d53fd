import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

/// What `nn sweep` keeps on disk besides the summary: the plan and point files, each
/// point's state, failures (the files: `SweepLayout`, `RunLayout`).
package enum SweepFiles {
    /// Where a point stands on disk.
    package enum State: Equatable, Sendable {
        /// `metrics.json` exists and `config.json` resolves to the point's run id.
        case complete
        /// `status.json` records a failure (and the point is not complete).
        case failed(error: String)
        /// Not run yet, or interrupted, or stale (its files belong to another id).
        case pending
    }

    /// The state of the point `id` whose run directory is `runDir`.
    static func state(runDir: String, id: String) -> State {
        if isComplete(runDir: runDir, id: id) { return .complete }
        let status = RunLayout(runDir).status
        if FileManager.default.fileExists(atPath: status) {
            let error = (try? JSONValue.read(path: status))?["error"]?.text
            return .failed(error: error ?? "\(status): unreadable")
        }
        return .pending
    }

    /// True when `runDir` holds a finished, evaluated run of exactly point `id` (and its
    /// marker, if any, says complete).
    static func isComplete(runDir: String, id: String) -> Bool {
        guard FileManager.default.fileExists(atPath: RunLayout(runDir).metricsJSON),
              (try? RunMarker.requireComplete(runDir)) != nil,
              let (config, _, sha) = try? Run.readConfig(runDir: runDir), let sha else { return false }
        return RunID.of(config: config, manifestSHA256: sha) == id
    }

    /// Records a failed point: `status.json` with the error, written atomically.
    static func recordFailure(runDir: String, error: String) throws {
        let doc = JSONValue.sortedObject(["status": .string("failed"), "error": .string(error)])
        try AtomicFile.write(doc.fileText, to: RunLayout(runDir).status)
    }

    /// Checks that `dir` may hold this sweep: it does not exist, is empty, or holds a
    /// `sweep.json` written by `nn sweep`. Anything else is refused so that nothing that
    /// is not ours is overwritten.
    package static func checkOurs(_ dir: String, creating: Bool) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) else {
            if creating { return }
            throw NNError("\(dir): no such directory")
        }
        guard isDir.boolValue else { throw NNError("\(dir): exists and is not a directory") }
        let plan = SweepLayout(dir).plan
        if FileManager.default.fileExists(atPath: plan) {
            _ = try SweepPlan.read(path: plan)
            return
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        if !(creating && contents.isEmpty) {
            throw NNError("\(dir): not a sweep directory (no \(SweepLayout.planFile) written by nn sweep)\(creating ? "; choose another --name or --out" : "")")
        }
    }

    /// Writes `sweep.json` and every point's `point.json` (atomically; files that already
    /// hold the same bytes are left alone), after removing temporary files that killed
    /// commands left in `dir`.
    static func writeSetup(_ setup: SweepSetup, dir: String) throws {
        try checkSamePoints(setup.plan, dir: dir)
        AtomicFile.removeStaleTemporaries(in: dir)
        let layout = SweepLayout(dir)
        try writeIfChanged(setup.plan.json.fileText, to: layout.plan)
        for p in setup.points {
            let text = JSONValue.sortedObject(p.config.jsonObject()).fileText
            try writeIfChanged(text, to: layout.run(p.point.id).point)
        }
    }

    /// A sweep directory keeps every point it ever completed, so it holds one grid: when
    /// `dir` already holds a sweep (its `sweep.json`), `plan` must have the same points (in
    /// any order, with any `--threads` or `--jobs`), or it is refused before anything is
    /// written, with the hint to give the new grid its own `--name`. Re-running the same
    /// grid resumes it.
    package static func checkSamePoints(_ plan: SweepPlan, dir: String) throws {
        let path = SweepLayout(dir).plan
        guard FileManager.default.fileExists(atPath: path) else { return }
        let old = Set(try SweepPlan.read(path: path).points.map(\.id)), new = Set(plan.points.map(\.id))
        guard old != new else { return }
        throw NNError("\(dir): holds a sweep of another grid (\(old.count) points; this one leaves out \(old.subtracting(new).count) of them and adds \(new.subtracting(old).count)); give the new grid its own --name (or --out), or run this directory's grid again")
    }

    static func writeIfChanged(_ text: String, to path: String) throws {
        if let old = FileManager.default.contents(atPath: path), old == Data(text.utf8) { return }
        try AtomicFile.write(text, to: path)
    }
}

/// A sweep's directory as `nn report` and `nn diff` read it: its `summary.csv` and the
/// run directories it names (`SweepLayout`).
package struct SweepDirectory: Sendable {
    var path: String
    package var summary: SweepSummary

    package init(path: String, summary: SweepSummary) {
        self.path = path
        self.summary = summary
    }

    /// True when `path` is a directory holding `summary.csv`.
    package static func looksLikeSweep(_ path: String) -> Bool {
        FilePath.exists(path, directory: true) && FilePath.exists(SweepLayout(path).summary)
    }

    /// Reads the sweep at `path`; `maxFields` and `why` bound its summary (`SweepSummary.read`).
    package static func load(_ path: String, maxFields: Int = .max, why: String = "") throws -> SweepDirectory {
        guard looksLikeSweep(path) else { throw NNError("\(path): not a sweep directory (no \(SweepLayout.summaryFile))") }
        return SweepDirectory(path: path, summary: try SweepSummary.read(path: SweepLayout(path).summary,
                                                                         maxFields: maxFields, why: why))
    }

    /// The directory's last component (a sweep is named by its folder).
    package var name: String { URL(fileURLWithPath: path).lastPathComponent }

    /// Path of the run directory of `runID`, which must be a run id (`RunID.isValid`),
    /// so a crafted summary never leads outside the sweep.
    package func runPath(_ runID: String) throws -> String {
        guard RunID.isValid(runID) else {
            throw NNError("\(SweepLayout(path).summary): run_id '\(runID)' is not a run id (12 lowercase hex digits)")
        }
        return SweepLayout(path).run(runID).directory
    }
}
