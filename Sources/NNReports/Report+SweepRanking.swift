import Foundation
import NNKernel
import NNFormats
import NNRunIndex
import NNSweeps
import NNRuns

extension Report {
    /// The sweep's ranking (`Ranking.choose` over its ok rows: val_loss when every ok point
    /// has one, else average_precision or accuracy), the best point by `Ranking.ranks`
    /// (exactly one: the sweep's points share their data unless a data key is swept, then
    /// one per data; ties by path, the point's run directory in `sweep`), and the metric its
    /// chart shows: the ranking metric, or when that is the same for every ok point (a flat
    /// line says nothing) the first of the others that is not, with why.
    static func sweepRanking(_ summary: SweepSummary, in sweep: SweepDirectory) -> (ranking: Ranking, best: [Int], chart: String?, note: String?) {
        let table = summary.table
        let ok = summary.okRows
        let records = ok.map { row in
            Dictionary(zip(table.header, row).filter { !$0.1.isEmpty }.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        }
        let task = table.column("macro_f1") != nil ? "all" : "binary"
        let ranking = Ranking.choose(task: task, rows: records)
        let dataKeys = Set(ExperimentConfig.table.filter(\.selectsData).map(\.name))
        let entries = records.map { r in
            Ranking.Entry(group: summary.parameterColumns.filter(dataKeys.contains).map { r[$0] ?? "" }.joined(separator: " "),
                          complete: true, value: r[ranking.metric], loss: r["last_epoch_loss"] ?? r["final_loss"], path: sweep.run(r["run_id"] ?? "").directory)
        }
        let ranks = ranking.ranks(entries)
        let best = ok.indices.filter { ranks[$0] == 1 }
        func varies(_ m: String) -> Bool { Set(records.compactMap { $0[m].flatMap(Ranking.finite) }).count > 1 }
        if records.contains(where: { $0[ranking.metric] != nil }), varies(ranking.metric) || ok.count < 2 {
            return (ranking, best, ranking.metric, nil)
        }
        let fallbacks = ["val_loss", "average_precision", "roc_auc", "accuracy", "macro_f1", "train_loss", "last_epoch_loss", "final_loss"]
        let chart = fallbacks.first { $0 != ranking.metric && table.column($0) != nil && varies($0) }
        let value = records.first?[ranking.metric] ?? "-"
        let note = chart.map { "\(ranking.metric) is \(value) for every ok point, so the chart shows \($0) instead." }
            ?? "\(ranking.metric) is \(value) for every ok point, and so is every other metric: no chart."
        return (ranking, best, chart, note)
    }
}
