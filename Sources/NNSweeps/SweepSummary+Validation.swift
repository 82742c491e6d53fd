import Foundation
import NNKernel
import NNFormats
import NNRuns

extension SweepSummary {
    /// The validation columns of a sweep's summary, present only when the sweep has a
    /// validation set (`val_size` > 0 in its base or its grid), so that sweeps are ranked on
    /// validation rather than test metrics: `best_epoch` (of `best.json`: the best evaluation
    /// by `monitor`, the saved model's with keep_best), and `val_loss` and the validation metric
    /// (`val_f1` or `val_accuracy`) of that epoch, from `history.csv`. A point without a
    /// validation set (`val_size` 0 in a grid) has empty cells.
    static func validationColumns(_ plan: SweepPlan) -> [String] {
        let swept = plan.grid.axes.first { $0.key == "val_size" }?.values.contains { $0 != "0" } ?? false
        guard plan.base.valSize > 0 || swept else { return [] }
        return ["best_epoch", "val_loss", plan.classes == .all ? "val_accuracy" : "val_f1"]
    }

    /// The cells of the validation `columns` for the complete run in `runDir`.
    static func validationCells(runDir: String, columns: [String]) throws -> [String] {
        guard !columns.isEmpty else { return [] }
        let run = RunLayout(runDir)
        guard FileManager.default.fileExists(atPath: run.best) else { return columns.map { _ in "" } }
        guard case .number(let text)? = try JSONValue.read(path: run.best)["epoch"], let epoch = Int(text) else {
            return columns.map { _ in "" }
        }
        let table = try History.read(path: run.history).table
        let row = table.rows.first { $0.first == String(epoch) }
        return [String(epoch)] + columns.dropFirst().map { name in
            guard let row, let i = table.column(name), i < row.count else { return "" }
            return row[i]
        }
    }
}
