import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRunIndex
import NNSweeps
import NNRuns

/// What `nn sweep` prints while it runs: a header (points, jobs, threads, directory, the
/// metric the lines show), a line as each point finishes (its parameters, the ranking
/// metric, status, elapsed, and the sweep's ETA) and a status line (`statusLine`) that a
/// terminal shows updated in place. The runner only calls `line(for:)` through its
/// progress callback; this type reads the finished point's small files (`RunsScan`).
package final class SweepProgress {
    let runner: SweepRunner
    let jobs: Int
    /// The metric shown per point: halving's metric, else the sweep's default ranking
    /// (`Ranking.choose`: val_loss when every point has a validation set).
    let metric: String
    let start = DispatchTime.now().uptimeNanoseconds
    private(set) var finished = 0, ok = 0, failed = 0, skipped = 0
    private var ranSeconds: [Double] = []

    package init(runner: SweepRunner, jobs: Int) {
        self.runner = runner
        self.jobs = max(1, jobs)
        let setup = runner.setup
        if let h = setup.plan.halving {
            metric = h.metric == .loss ? "last_epoch_loss" : h.metric.rawValue
        } else {
            let validation = !setup.points.isEmpty && setup.points.allSatisfy { $0.config.valSize > 0 }
            metric = Ranking.choose(task: setup.plan.classes.rawValue, rows: validation ? [["val_loss": "0"]] : []).metric
        }
    }

    var total: Int { runner.setup.points.count }

    /// `sweep lr: 4 points, 2 jobs x 1 thread, results/sweeps/lr (lines show val_loss)`.
    var header: String {
        let plan = runner.setup.plan
        var text = "sweep \(plan.name): \(NumberText.count(total, "point")), \(NumberText.count(jobs, "job")) x \(NumberText.count(plan.threads, "thread")), \(runner.dir)"
        if let h = plan.halving, let e = runner.setup.points.first?.config.epochs {
            text += "\n" + h.summary(points: total, epochs: e)
        }
        return text + " (lines show \(metric))"
    }

    /// The line for one point's event; updates the counts behind `statusLine`.
    func line(for e: SweepRunner.Event) -> String {
        let n = String(e.index + 1), width = String(total).count
        var line = e.rung.map { "[rung \($0)] " } ?? "[\(String(repeating: " ", count: width - n.count))\(n)/\(total)] "
        let label = self.label(e)
        if !e.ran {
            skipped += 1
            finished += 1
            return line + "skipped  \(e.point.id)  \(label)  (complete)"
        }
        ranSeconds.append(e.seconds)
        let elapsed = String(format: "%.1f s", e.seconds)
        switch e.state {
        case .complete:
            ok += 1
            let value = pointValue(e).map { "\(metric) \(RunsTable.roundedForReading($0))" } ?? "\(metric) -"
            line += "ok       \(e.point.id)  \(label)  \(value)  \(elapsed)"
        case .failed(let error):
            failed += 1
            line += "failed   \(e.point.id)  \(label)  \(elapsed): \(error)"
        case .pending:
            failed += 1
            line += "not run  \(e.point.id)  \(label): \(e.message ?? "no result")"
        }
        if runner.setup.plan.halving == nil {
            finished += 1
            if let eta = eta { line += "  ETA \(Self.clock(eta))" }
        }
        return line
    }

    /// `7/12 done (1 failed), elapsed 0:41, ETA 0:30`: the sweep as it stands.
    var statusLine: String {
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var text = runner.setup.plan.halving == nil ? "\(finished)/\(total) done" : "\(ok + failed) rung results"
        if failed > 0 { text += " (\(failed) failed)" }
        text += ", elapsed \(Self.clock(elapsed))"
        if runner.setup.plan.halving == nil, let eta { text += ", ETA \(Self.clock(eta))" }
        return text
    }

    /// Seconds left: the points still to run × their mean time so far ÷ jobs.
    var eta: Double? {
        guard !ranSeconds.isEmpty else { return nil }
        let mean = ranSeconds.reduce(0, +) / Double(ranSeconds.count)
        return Double(total - finished) * mean / Double(jobs)
    }

    /// The point's parameters; for a halving rung the epochs it has actually trained
    /// (`epochs=2 of 6`) in place of the experiment's epochs.
    func label(_ e: SweepRunner.Event) -> String {
        guard let rung = e.rung, let h = runner.setup.plan.halving else { return e.point.label }
        let total = runner.setup.points[e.index].config.epochs
        let rungs = h.rungs(epochs: total)
        let trained = rungs[min(rung, rungs.count - 1)]
        let params = e.point.params.filter { $0.key != "epochs" }.map { "\($0.key)=\($0.value)" }
        return (params + ["epochs=\(trained) of \(total)"]).joined(separator: " ")
    }

    /// The point's value of `metric` as its run directory holds it now.
    func pointValue(_ e: SweepRunner.Event) -> String? {
        var warnings: [String] = []
        let dir = SweepDirectory(runner.dir).run(e.point.id).directory
        return RunsScan.read(run: dir, sweepName: runner.setup.plan.name, warnings: &warnings).value(metric)
    }

    /// `0:41`, `1:02:03`.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
