import Foundation
import NNKernel
import NNFormats
import NNRuns

extension SweepSummary {
    /// The columns a halving sweep's summary adds before `error`: `rung`, the last rung the
    /// point completed (0 = the first, `min_epochs` epochs; empty before it completed
    /// one), and `stopped_at`, the epochs at which halving stopped it (empty for points
    /// that trained every epoch, and for points not ok).
    static let halvingColumns = ["rung", "stopped_at"]

    /// The summary of a halving sweep (`build`): a point is `ok` when its fate is settled
    /// (stopped at a rung, or through the last) and its run is complete and evaluated
    /// there; `failed` when its training to a rung failed; else `pending`.
    static func buildHalving(_ plan: SweepPlan, halving: Halving, in dir: SweepDirectory,
                             cache: Cache) throws -> (summary: SweepSummary, counts: Counts) {
        let metrics = metricColumns(classes: plan.classes), validation = validationColumns(plan)
        let rungs = halving.rungs(epochs: Halving.fullEpochs(plan))
        let states = plan.points.map { halving.state(runDir: dir.run($0.id).directory, id: $0.id, rungs: rungs) }
        let fates = HalvingScheduler(points: plan.points.count, rungs: rungs.count, eta: halving.eta, goal: halving.goal)
            .fates(states.map(\.results))
        var counts = Counts()
        var rows: [[String]] = []
        let empty = [String](repeating: "", count: 1 + metrics.count + validation.count)
        for (n, point) in plan.points.enumerated() {
            let runDir = dir.run(point.id).directory
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
                ?? (results(runDir: runDir, metrics: metrics) + validationCells(runDir: runDir, columns: validation))
            cache.results[key] = cells
            rows.append([point.id, "ok"] + params + cells + [rung, settled.stoppedAt, ""])
        }
        return (SweepSummary(plan, rows: rows), counts)
    }
}
