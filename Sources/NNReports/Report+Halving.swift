import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps

extension Report {
    /// The section of a successive-halving sweep's report (nil for other sweeps, or when
    /// the sweep directory has no readable `sweep.json`): `halving-<metric>.svg`, every ok
    /// point's curve of the halving metric per epoch (validation epochs only) with the
    /// rungs drawn as vertical lines, and a table of the points (those that went furthest
    /// first, then by the metric at their last rung) with the rung each reached, where
    /// halving stopped it and its metric there.
    static func halvingSection(dir: String, summary: SweepSummary, labels: [String: String]) throws
        -> (file: (name: String, content: String), markdown: String)? {
        let sweep = SweepDirectory(dir)
        guard let plan = try? sweep.readPlan(), let halving = plan.halving else { return nil }
        let table = summary.table
        guard let rungColumn = table.column("rung"), let stoppedColumn = table.column("stopped_at") else { return nil }
        let rungs = halving.rungs(epochs: Halving.fullEpochs(plan))
        var series: [Series] = []
        var rows: [(rung: Int, value: Double, cells: [String])] = []
        for row in summary.okRows {
            let runDir = try sweep.runPath(row[0])
            let history = try History.read(path: RunLayout(runDir).history).table
            guard let e = history.column("epoch"), let m = history.column(halving.column) else { continue }
            let points = history.rows.compactMap { r -> ChartPoint? in
                guard e < r.count, m < r.count, let x = Double(r[e]), let y = NumberText.parse(r[m]) else { return nil }
                return ChartPoint(x: x, y: y)
            }
            let label = labels[row[0]] ?? row[0]
            series.append(Series(name: label, points: points, markers: points.count < 2))   // a lone point still shows
            let rung = Int(row[rungColumn]) ?? 0
            let value = points.last { $0.x == Double(rungs[min(rung, rungs.count - 1)]) }?.y ?? .nan
            rows.append((rung, value, [row[0], label, row[rungColumn], row[stoppedColumn], NumberText.real(value)]))
        }
        let chart = LineChart(title: "Successive halving: \(halving.metric.rawValue)", xLabel: "epoch",
                              yLabel: "\(halving.metric.rawValue) (\(halving.goal.rawValue == "max" ? "higher" : "lower") is better)",
                              series: series, yBounds: bounds(ofMetric: halving.metric.rawValue), integerX: true,
                              verticalLines: rungs.enumerated().map { (Double($0.element), "rung \($0.offset)") }, margin: 12)
        let name = "halving-\(fileSafe(halving.metric.rawValue)).svg"
        let rank = HalvingScheduler(points: rows.count, rungs: rungs.count, eta: halving.eta, goal: halving.goal)
        let ordered = rows.enumerated().sorted { a, b in
            a.element.rung != b.element.rung ? a.element.rung > b.element.rung
                : rank.ahead(a.offset, a.element.value, b.offset, b.element.value)
        }.map(\.element)
        var md = "Rungs at \(rungs.map(String.init).joined(separator: ", ")) epochs (eta \(halving.eta)); at each rung the best "
        md += "1/\(halving.eta) of the points by \(halving.metric.rawValue) (\(halving.goal.rawValue)) went on, from their checkpoints; "
        md += "\(HalvingScheduler.tieRule).\n\n"
        md += "![\(halving.metric.rawValue) per epoch with the rungs](\(name))\n\n"
        md += Markdown.table(header: ["run_id", "point", "rung", "stopped_at", "\(halving.metric.rawValue) at its last rung"],
                             rows: ordered.map { r in r.cells.enumerated().map { $0.offset == 4 ? ReportTables.display(FieldValue($0.element)) : $0.element } })
        return ((name, chart.svg()), md)
    }
}
