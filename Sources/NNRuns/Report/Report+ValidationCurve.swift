import Foundation
import NNBase
import NNKernel
import NNFormats

extension Report {
    /// A one-run loss chart with the validation loss beside the training loss when the run
    /// has a validation set (`history.csv` `val_loss`), and the best epoch (lowest
    /// validation loss, the first on ties) marked by a vertical line. Unchanged otherwise.
    static func withValidation(_ chart: LineChart, history: History) -> LineChart {
        guard let v = history.table.column("val_loss"), let e = history.table.column("epoch") else { return chart }
        let points = history.table.rows.compactMap { row -> ChartPoint? in
            guard let x = NumberText.parse(row[e]), let y = NumberText.parse(row[v]), y.isFinite else { return nil }
            return ChartPoint(x: x, y: y)
        }
        guard !points.isEmpty else { return chart }
        var out = chart
        if !out.series.isEmpty { out.series[0].name = "training loss" }
        out.series.append(Series(name: "validation loss", points: points, color: LineChart.palette[1], dash: "6 3"))
        let best = points.min { $0.y < $1.y || ($0.y == $1.y && $0.x < $1.x) }!
        out.verticalLines.append((x: best.x, label: "best epoch \(NumberText.shortest(best.x))"))
        out.yLabel = out.yLabel.replacingOccurrences(of: "training loss", with: "loss")
        out.title = out.title.replacingOccurrences(of: "Training loss", with: "Training and validation loss")
        return out
    }
}
