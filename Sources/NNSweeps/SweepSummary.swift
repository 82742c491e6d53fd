import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

/// A sweep's summary table, `summary.csv`, as a value: one row per point, computed from
/// `sweep.json` and the run directories alone (`build`, so the in-process sweep and
/// `--collect` after a plan file write the same bytes), or read back from the file
/// (`init(table:name:)`; the files themselves: `SweepDirectory.writeSummary`, `readSummary`).
///
///     run_id,status,<param columns>,last_epoch_loss,train_loss,<metric columns>,[validation columns,]error
///
/// - one row per point, in point order (`SweepPlan.points`);
/// - `status`: `ok` (evaluated), `failed` (`status.json` holds the error), `pending`
///   (not run yet or interrupted);
/// - parameter columns: the grid keys in axis order, with `precision` named `dtype` (the
///   metric `precision` has that name); values as `ExperimentConfig.text` writes them;
/// - `last_epoch_loss`: the last loss of `history.csv` — the loss of the last epoch's
///   forward pass, *before* its update (for a 1-epoch run, the untrained model's loss);
///   `train_loss`: the trained model's loss on the training split (`metrics.json`,
///   computed by `nn eval`); then the metrics of `metrics.json`: binary
///   `accuracy,precision,recall,f1,roc_auc,average_precision,tp,fp,fn,tn`, ten classes
///   `accuracy,macro_precision,macro_recall,macro_f1,micro_f1,macro_roc_auc`. (Summaries
///   written before these had `final_loss` in place of `last_epoch_loss`, no `train_loss`
///   and no AUC columns; readers accept both.) `train_loss` and the AUCs are empty for a
///   run evaluated by an `nn` that did not compute them;
///   with a validation set, `best_epoch,val_loss,val_f1|val_accuracy` (`validationColumns`);
///   for successive halving (only), `rung,stopped_at` (`halvingColumns`);
/// - reals as `NumberText.real` (shortest round-trip), counts as integers; a point that is
///   not ok has empty metric cells; `error` is empty unless the point failed;
/// - no timings (see `timing.json`). Written like every CSV here: `\n` line ends, fields
///   quoted only when needed (`"785,16,1"`).
///
/// It is a results table, not a ranking: it has no rank or best column, and its bytes
/// depend only on the results. Which point is best is decided where it is shown (the sweep
/// report, `nn runs`, `nn report --html`), always by `Ranking` over these rows, whose
/// default metric and tie-break may change without changing a results file.
package struct SweepSummary: Sendable, Equatable {
    static let binaryMetrics = ["accuracy", "precision", "recall", "f1", "roc_auc", "average_precision", "tp", "fp", "fn", "tn"]
    static let multiClassMetrics = ["accuracy", "macro_precision", "macro_recall", "macro_f1", "micro_f1", "macro_roc_auc"]
    /// Columns left empty when metrics.json lacks them (it was written before they existed).
    static let optionalMetrics: Set<String> = ["train_loss", "roc_auc", "average_precision", "macro_roc_auc"]

    /// Metric columns a reader recognises (for summaries without `last_epoch_loss` or
    /// `final_loss`, the parameter columns end before the first of these).
    static let knownMetricColumns: Set<String> = [
        "last_epoch_loss", "final_loss", "train_loss", "loss", "accuracy", "roc_auc", "average_precision", "macro_roc_auc", "precision", "recall", "f1", "tp", "fp", "fn", "tn",
        "threshold", "samples", "positives", "macro_precision", "macro_recall", "macro_f1",
        "micro_precision", "micro_recall", "micro_f1",
    ]

    package var table: CSVTable
    /// The swept parameter columns: those after `status` and before `last_epoch_loss` (or
    /// `final_loss`, its name in older summaries); when there is neither, before the first
    /// column named in `knownMetricColumns` or `error`.
    package var parameterColumns: [String]

    /// True for a header that starts `run_id,status`.
    package static func isSummaryHeader(_ header: [String]) -> Bool {
        header.count >= 2 && header[0] == "run_id" && header[1] == "status"
    }

    /// The summary in `table`, read from `name` (which errors name).
    package init(table: CSVTable, name: String) throws {
        guard SweepSummary.isSummaryHeader(table.header) else {
            throw NNError("\(name): not a sweep summary (the header must start with run_id,status)")
        }
        let rest = table.header.dropFirst(2)
        let end: Int
        if let f = rest.firstIndex(where: { $0 == "last_epoch_loss" || $0 == "final_loss" }) {
            end = f
        } else {
            end = rest.firstIndex(where: { SweepSummary.knownMetricColumns.contains($0) || $0 == "error" }) ?? rest.endIndex
        }
        self.table = table
        self.parameterColumns = Array(rest[..<end])
    }

    /// The rows whose `status` is `ok`.
    package var okRows: [[String]] { table.rows.filter { $0[1] == "ok" } }

    /// The parameter columns whose value is not the same in every row (the swept ones that
    /// vary), and the others with their one value, in column order.
    package var parameters: (varying: [String], fixed: [(column: String, value: String)]) {
        var varying: [String] = [], fixed: [(String, String)] = []
        for column in parameterColumns {
            guard let i = table.column(column) else { continue }
            let values = Set(table.rows.map { FieldValue($0[i]).normalized })
            if values.count > 1 { varying.append(column) } else if let row = table.rows.first { fixed.append((column, row[i])) }
        }
        return (varying, fixed)
    }

    // MARK: - Building it from the run directories

    /// How many points are in each state.
    package struct Counts: Equatable, Sendable {
        package var ok = 0, failed = 0, pending = 0
        package var total: Int { ok + failed + pending }
        init(ok: Int = 0, failed: Int = 0, pending: Int = 0) {
            self.ok = ok
            self.failed = failed
            self.pending = pending
        }
    }

    /// The result cells of points found complete, by run id, kept across rewrites of one
    /// sweep run: a complete point stays complete, so its run is read once, and each
    /// rewrite after a point finishes costs little more than the pending points' checks.
    final class Cache {
        var results: [String: [String]] = [:]
        init() {}
    }

    /// The columns after `last_epoch_loss` for a target (`classes` binary or all).
    static func metricColumns(classes: Classes) -> [String] {
        ["train_loss"] + (classes == .all ? multiClassMetrics : binaryMetrics)
    }

    /// The summary column that holds grid key `key`.
    static func column(forKey key: String) -> String { key == "precision" ? "dtype" : key }

    static func header(_ plan: SweepPlan) -> [String] {
        ["run_id", "status"] + plan.grid.keys.map(column(forKey:)) + ["last_epoch_loss"]
            + metricColumns(classes: plan.classes) + validationColumns(plan)
            + (plan.halving == nil ? [] : halvingColumns) + ["error"]
    }

    /// The summary of `plan` as its sweep directory `dir` holds it now.
    static func build(_ plan: SweepPlan, in dir: SweepDirectory, cache: Cache = Cache()) throws -> (summary: SweepSummary, counts: Counts) {
        if let halving = plan.halving { return try buildHalving(plan, halving: halving, in: dir, cache: cache) }
        let metrics = metricColumns(classes: plan.classes), validation = validationColumns(plan)
        var counts = Counts()
        var rows: [[String]] = []
        for point in plan.points {
            let runDir = dir.run(point.id).directory
            let params = point.params.map(\.value)
            let empty = [String](repeating: "", count: 1 + metrics.count + validation.count)
            if let cells = cache.results[point.id] {
                counts.ok += 1
                rows.append([point.id, "ok"] + params + cells + [""])
                continue
            }
            switch SweepDirectory.state(runDir: runDir, id: point.id) {
            case .complete:
                counts.ok += 1
                let cells = try results(runDir: runDir, metrics: metrics) + validationCells(runDir: runDir, columns: validation)
                cache.results[point.id] = cells
                rows.append([point.id, "ok"] + params + cells + [""])
            case .failed(let error):
                counts.failed += 1
                rows.append([point.id, "failed"] + params + empty + [error])
            case .pending:
                counts.pending += 1
                rows.append([point.id, "pending"] + params + empty + [""])
            }
        }
        return (SweepSummary(plan, rows: rows), counts)
    }

    /// The summary of `plan` with `rows` (its header from the plan).
    init(_ plan: SweepPlan, rows: [[String]]) {
        table = CSVTable(header: Self.header(plan), rows: rows)
        parameterColumns = plan.grid.keys.map(Self.column(forKey:))
    }

    /// `last_epoch_loss` and the metric cells of a complete run.
    static func results(runDir: String, metrics: [String]) throws -> [String] {
        let run = RunLayout(runDir)
        let history = try History.read(path: run.history)
        guard let loss = history.finalLoss else { throw NNError("\(run.history): no epochs") }
        let path = run.metricsJSON
        let doc = try JSONValue.read(path: path)
        return [NumberText.real(loss)] + (try metrics.map { name in
            let value: Double?
            switch doc[name] {
            case .number(let t)?: value = Double(t)
            case .string(let t)?: value = NumberText.parse(t)
            default: value = nil
            }
            guard let value else {
                if doc[name] == nil, optionalMetrics.contains(name) { return "" }
                throw NNError("\(path): no numeric '\(name)'")
            }
            if integerMetrics.contains(name) {
                guard let i = Int(exactly: value) else { throw NNError("\(path): '\(name)' is not an integer") }
                return String(i)
            }
            return NumberText.real(value)
        })
    }

    /// The metrics that are counts, as `Metrics` defines them.
    static let integerMetrics: Set<String> = {
        let scalars = Metrics.Binary(threshold: 0.5).scalars + Metrics.MultiClass(confusion: [[0]]).scalars
        return Set(scalars.compactMap { name, value in
            if case .int = value { return name }
            return nil
        })
    }()
}
