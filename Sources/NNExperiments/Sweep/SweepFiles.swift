import Foundation
import NNKernel
import NNFormats

/// The files of a sweep directory (default `results/sweeps/<name>/`):
///
///     sweep.json        the plan (`SweepPlan`): marks the directory as a sweep's
///     summary.csv       one row per point (`SweepTable`)
///     timing.json       wall-clock and per-point seconds (the only file with timings)
///     report.md, *.svg  `Report.writeSweep`, when at least one point is ok
///     runs/<id>/        one run directory per point: point.json (the resolved
///                       experiment, an experiment file), then what `nn train` and `nn
///                       eval` write (.nn-run, config.json, history.csv, model.nnm,
///                       timing.json, metrics.json, metrics.csv, predictions.csv; the
///                       point is trained in place, see `Run.Placement`) and, for a failed
///                       point, status.json (`{"error": "...", "status": "failed"}`)
package enum SweepFiles {
    static let planFile = "sweep.json"
    package static let summaryFile = "summary.csv"
    static let timingFile = "timing.json"
    static let runsDirectory = "runs"
    static let pointFile = "point.json"
    static let statusFile = "status.json"

    /// The run directory of point `id` in sweep directory `dir`.
    static func runDirectory(_ dir: String, id: String) -> String { "\(dir)/\(runsDirectory)/\(id)" }

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
        let status = runDir + "/" + statusFile
        if FileManager.default.fileExists(atPath: status) {
            let error = (try? JSONValue.read(path: status))?["error"]?.text
            return .failed(error: error ?? "\(status): unreadable")
        }
        return .pending
    }

    /// True when `runDir` holds a finished, evaluated run of exactly point `id` (and its
    /// marker, if any, says complete).
    static func isComplete(runDir: String, id: String) -> Bool {
        guard FileManager.default.fileExists(atPath: runDir + "/" + Run.metricsJSONFile),
              (try? RunMarker.requireComplete(runDir)) != nil,
              let (config, _, sha) = try? Run.readConfig(runDir: runDir), let sha else { return false }
        return SweepPlan.runID(config: config, manifestSHA256: sha) == id
    }

    /// Records a failed point: `status.json` with the error, written atomically.
    static func recordFailure(runDir: String, error: String) throws {
        let doc = JSONValue.sortedObject(["status": .string("failed"), "error": .string(error)])
        try AtomicFile.write(doc.fileText, to: runDir + "/" + statusFile)
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
        let plan = dir + "/" + planFile
        if FileManager.default.fileExists(atPath: plan) {
            _ = try SweepPlan.read(path: plan)
            return
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        if !(creating && contents.isEmpty) {
            throw NNError("\(dir): not a sweep directory (no \(planFile) written by nn sweep)\(creating ? "; choose another --name or --out" : "")")
        }
    }

    /// Writes `sweep.json` and every point's `point.json` (atomically; files that already
    /// hold the same bytes are left alone), after removing temporary files that killed
    /// commands left in `dir`.
    static func writeSetup(_ setup: SweepSetup, dir: String) throws {
        AtomicFile.removeStaleTemporaries(in: dir)
        try writeIfChanged(setup.plan.json.fileText, to: dir + "/" + planFile)
        for p in setup.points {
            let text = JSONValue.sortedObject(p.config.jsonObject()).fileText
            try writeIfChanged(text, to: runDirectory(dir, id: p.point.id) + "/" + pointFile)
        }
    }

    static func writeIfChanged(_ text: String, to path: String) throws {
        if let old = FileManager.default.contents(atPath: path), old == Data(text.utf8) { return }
        try AtomicFile.write(text, to: path)
    }
}
