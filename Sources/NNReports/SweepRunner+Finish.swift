import NNBase
import NNRuns
import NNSweeps

// Here, above NNSweeps, because finishing a sweep writes its report (`Report.writeSweep`),
// whose seed section is `nn diff --by seed`'s statistics.
extension SweepRunner {
    /// How the sweep in `dir` ended, with `counts`, once its points ran or were collected:
    /// writes its report when some point is ok, and returns the line to print (`wrote
    /// DIR/summary.csv: N points, K ok, F failed[, P not run]`), why the report could not be
    /// written (the sweep still counts), and, when some point is not ok, what is wrong and
    /// what to do: a negative outcome, exit status 1.
    package static func finish(dir: String, counts: SweepSummary.Counts) -> (summary: String, reportWarning: String?, notOk: String?) {
        var warning: String?
        if counts.ok > 0 {
            do {
                try Report.writeSweep(dir: dir)
                warning = Report.staleHTMLWarning(dir: dir)
            } catch { warning = "report not written: \(error)" }
        }
        let summary = "wrote \(SweepDirectory(dir).summary): \(NumberText.count(counts.total, "point")), \(counts.ok) ok, \(counts.failed) failed"
            + (counts.pending > 0 ? ", \(counts.pending) not run" : "")
        var notOk: String?
        if counts.ok < counts.total {
            // Training is deterministic (same config, seed and threads): a re-run fails a
            // failed point the same way unless the cause lay outside training, so only
            // points not run are sent back to a re-run.
            let what = [counts.failed > 0 ? "\(counts.failed) failed (see status.json in their run directories; training is deterministic, so a re-run fails them the same way unless the cause was outside training, e.g. a full disk)" : nil,
                        counts.pending > 0 ? "\(counts.pending) not run (re-run the sweep to run them)" : nil].compactMap { $0 }.joined(separator: ", ")
            notOk = "nn sweep: \(counts.total - counts.ok) of \(NumberText.count(counts.total, "point")) \(counts.total - counts.ok == 1 ? "is" : "are") not ok: \(what)"
        }
        return (summary, warning, notOk)
    }
}
