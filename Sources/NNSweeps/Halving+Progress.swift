import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

extension Halving {
    /// How far one point of a halving sweep got, read from its run directory alone (so the
    /// sweep, a re-run after a kill and `nn sweep --collect` all see the same thing).
    ///
    /// A point trained to rung j is a run of the point's experiment with `epochs` r_j: its
    /// `config.json` is the point's except for `epochs`, which is how a run directory is
    /// recognised as the point's (`trainedEpochs`). Its history.csv holds every epoch so far,
    /// so the metric at each rung it passed is read there: a resumed run's history is the
    /// uninterrupted run's, row for row.
    struct PointState: Equatable, Sendable {
        /// The metric at each rung (nil: not reached); `.failed` at the rung whose training failed.
        var results: [RungResult?]
        /// Epochs of the complete, evaluated run of this point in the directory (nil: none).
        var completeEpochs: Int?
        /// The error of a failed training (`status.json`).
        var failure: String?
    }

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

    /// The state of point `id` (see `PointState`) for rungs `rungs`.
    func state(runDir: String, id: String, rungs: [Int]) -> PointState {
        var state = PointState(results: rungs.map { _ in nil }, completeEpochs: nil, failure: nil)
        let run = RunLayout(runDir)
        let epochs = Self.trainedEpochs(runDir: runDir, id: id, fullEpochs: rungs.last ?? 0)
        var failedRung: Int?
        if let failure = SweepDirectory.failure(runDir: runDir) {
            state.failure = failure.error
            let target = failure.epochs ?? epochs ?? 0
            failedRung = rungs.firstIndex { $0 >= target } ?? rungs.count - 1
            state.results[failedRung!] = .failed
        }
        guard let epochs else { return state }
        if SweepDirectory.isEvaluated(runDir) { state.completeEpochs = epochs }
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
