import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

/// How far one point of a halving sweep got, read from its run directory alone (so the
/// sweep, a re-run after a kill and `nn sweep --collect` all see the same thing).
///
/// A point trained to rung j is a run of the point's experiment with `epochs` r_j: its
/// `config.json` is the point's except for `epochs`, which is how a run directory is
/// recognised as the point's (`trainedEpochs`). Its history.csv holds every epoch so far,
/// so the metric at each rung it passed is read there: a resumed run's history is the
/// uninterrupted run's, row for row.
struct HalvingPointState: Equatable, Sendable {
    /// The metric at each rung (nil: not reached); `.failed` at the rung whose training failed.
    var results: [RungResult?]
    /// Epochs of the complete, evaluated run of this point in the directory (nil: none).
    var completeEpochs: Int?
    /// The error of a failed training (`status.json`).
    var failure: String?
}

extension Halving {
    /// `status.json`'s extra member: the epochs the failed training was for.
    static let failedEpochsKey = "epochs"

    /// The epochs every point of `plan` trains in all (the last rung): the swept `epochs`
    /// value when epochs is a parameter, else the base experiment's.
    package static func fullEpochs(_ plan: SweepPlan) -> Int {
        plan.points.first?.params.first { $0.key == "epochs" }.flatMap { Int($0.value) } ?? plan.base.epochs
    }

    /// The epochs of the run of point `id` in `runDir` as its `config.json` records them,
    /// when that config is the point's with only `epochs` changed; nil otherwise (no run,
    /// or another experiment's).
    static func trainedEpochs(runDir: String, id: String, fullEpochs: Int) -> Int? {
        guard let (read, _, sha) = try? Run.readConfig(runDir: runDir), let sha else { return nil }
        var config = read
        let epochs = config.epochs
        config.epochs = fullEpochs
        return RunID.of(config: config, manifestSHA256: sha) == id ? epochs : nil
    }

    /// True when the run in `runDir` is complete (its marker) and evaluated (`metrics.json`).
    static func isEvaluated(_ runDir: String) -> Bool {
        FileManager.default.fileExists(atPath: RunLayout(runDir).metricsJSON) && (try? RunMarker.requireComplete(runDir)) != nil
    }

    /// The state of point `id` (see `HalvingPointState`) for rungs `rungs`.
    func state(runDir: String, id: String, rungs: [Int]) -> HalvingPointState {
        var state = HalvingPointState(results: rungs.map { _ in nil }, completeEpochs: nil, failure: nil)
        let run = RunLayout(runDir)
        let epochs = Self.trainedEpochs(runDir: runDir, id: id, fullEpochs: rungs.last ?? 0)
        var failedRung: Int?
        if FileManager.default.fileExists(atPath: run.status) {
            let doc = try? JSONValue.read(path: run.status)
            state.failure = doc?["error"]?.text ?? "\(run.status): unreadable"
            let target = doc?[Self.failedEpochsKey]?.text.flatMap { Int($0) } ?? epochs ?? 0
            failedRung = rungs.firstIndex { $0 >= target } ?? rungs.count - 1
            state.results[failedRung!] = .failed
        }
        guard let epochs else { return state }
        if Self.isEvaluated(runDir) { state.completeEpochs = epochs }
        if let table = try? History.read(path: run.history).table, let epochColumn = table.column("epoch") {
            let column = table.column(self.column)
            var byEpoch: [String: [String]] = [:]
            for row in table.rows where epochColumn < row.count { byEpoch[row[epochColumn]] = row }
            for (j, r) in rungs.enumerated() where failedRung.map({ j < $0 }) ?? true {
                guard let row = byEpoch[String(r)] else { continue }
                let cell = column.flatMap { $0 < row.count ? row[$0] : nil } ?? ""
                state.results[j] = .value(NumberText.parse(cell) ?? .nan)
            }
        }
        return state
    }

    /// Records a failed training towards `epochs` epochs: `status.json` with the error and
    /// the epochs, written atomically.
    static func recordFailure(runDir: String, error: String, epochs: Int) throws {
        let doc = JSONValue.sortedObject(["status": .string("failed"), "error": .string(error), failedEpochsKey: .int(epochs)])
        try AtomicFile.write(doc.fileText, to: RunLayout(runDir).status)
    }

    /// The epochs a point with `fate` needs in its run directory to stand where the fate
    /// says (nil for a point that failed there: nothing to train).
    static func neededEpochs(_ fate: HalvingScheduler.Fate, results: [RungResult?], rungs: [Int]) -> Int? {
        switch fate {
        case .train(let j), .waiting(let j): return rungs[j]
        case .stopped(let j): return results[j] == .failed ? nil : rungs[j]
        case .finished: return rungs.last
        }
    }
}

extension SweepTable {
    /// The columns a halving sweep's summary adds before `error`: `rung`, the last rung the
    /// point completed (0 = the first, `min_epochs` epochs; empty before it completed
    /// one), and `stopped_at`, the epochs at which halving stopped it (empty for points
    /// that trained every epoch, and for points not ok).
    static let halvingColumns = ["rung", "stopped_at"]

    /// The summary of a halving sweep (`build`): a point is `ok` when its fate is settled
    /// (stopped at a rung, or through the last) and its run is complete and evaluated
    /// there; `failed` when its training to a rung failed; else `pending`.
    static func buildHalving(_ plan: SweepPlan, halving: Halving, dir: String, cache: Cache) throws -> (table: CSVTable, counts: Counts) {
        let metrics = metricColumns(classes: plan.classes), validation = SweepValidation.columns(plan)
        let rungs = halving.rungs(epochs: Halving.fullEpochs(plan))
        let states = plan.points.map { halving.state(runDir: SweepLayout(dir).run($0.id).directory, id: $0.id, rungs: rungs) }
        let fates = HalvingScheduler(points: plan.points.count, rungs: rungs.count, eta: halving.eta, goal: halving.goal)
            .fates(states.map(\.results))
        var counts = Counts()
        var rows: [[String]] = []
        let empty = [String](repeating: "", count: 1 + metrics.count + validation.count)
        for (n, point) in plan.points.enumerated() {
            let runDir = SweepLayout(dir).run(point.id).directory
            let params = point.params.map(\.value)
            let state = states[n], fate = fates[n]
            let reached: Int?
            switch fate {
            case .finished: reached = rungs.count - 1
            case .waiting(let j): reached = j
            case .train(let j): reached = j > 0 ? j - 1 : nil
            case .stopped(let j): reached = state.results[j] == .failed ? (j > 0 ? j - 1 : nil) : j
            }
            let rung = reached.map(String.init) ?? ""
            if case .stopped(let j) = fate, state.results[j] == .failed {
                counts.failed += 1
                rows.append([point.id, "failed"] + params + empty + [rung, "", state.failure ?? "failed"])
                continue
            }
            let settled: (epochs: Int, stoppedAt: String)?
            switch fate {
            case .finished: settled = (rungs[rungs.count - 1], "")
            case .stopped(let j): settled = (rungs[j], String(rungs[j]))
            case .train, .waiting: settled = nil
            }
            guard let settled, let done = state.completeEpochs, done >= settled.epochs else {
                counts.pending += 1
                rows.append([point.id, "pending"] + params + empty + [rung, "", ""])
                continue
            }
            counts.ok += 1
            let key = point.id + "@" + String(done)
            let cells = try cache.results[key]
                ?? (results(runDir: runDir, metrics: metrics) + SweepValidation.cells(runDir: runDir, columns: validation))
            cache.results[key] = cells
            rows.append([point.id, "ok"] + params + cells + [rung, settled.stoppedAt, ""])
        }
        return (CSVTable(header: header(plan), rows: rows), counts)
    }
}
