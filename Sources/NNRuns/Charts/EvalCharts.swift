import Foundation
import NNBase
import NNKernel
import NNFormats

/// The charts `nn eval` writes into a run: ROC and precision-recall curves
/// (`RankingMetrics`) and the confusion-matrix heat map (`HeatMap`).
package enum EvalCharts {
    /// Dark grey, dashed: reference lines (chance, the notebook's curve).
    package static let referenceColor = "#333333", referenceDash = "6 4"

    /// One ROC curve per `(name, curve)`, the legend giving each its AUC, over the
    /// diagonal of a random ranking; both axes 0...1. With `logFPR` the x axis is log10
    /// (from the decade of the smallest positive false positive rate to 1), so a good
    /// model's curve is not squashed into the top-left corner; points at FPR 0 cannot be
    /// drawn there, and the chance line (TPR = FPR) becomes a curve.
    static func roc(_ curves: [(name: String, curve: RankingMetrics.Curve)], title: String, logFPR: Bool = false) -> LineChart {
        var series = curves.map { name, curve in
            Series(name: "\(name) (AUC \(RankingMetrics.rocAUC(curve).map { Markdown.number($0) } ?? "n/a"))",
                   points: RankingMetrics.rocPoints(curve).map { ChartPoint(x: $0.fpr, y: $0.tpr) }, markers: false)
        }
        var chance = [ChartPoint(x: 0, y: 0), ChartPoint(x: 1, y: 1)]
        if logFPR {
            let smallest = series.flatMap { $0.points.map(\.x) }.filter { $0 > 0 }.min() ?? 0.001
            let decades = max(1, -floor(log10(smallest)))
            chance = (0...Int(4 * decades)).map { k in
                let x = pow(10, -decades + Double(k) / 4)
                return ChartPoint(x: x, y: x)
            }
        }
        series.append(Series(name: "chance (AUC 0.5)", points: chance, color: referenceColor, dash: referenceDash, markers: false))
        return LineChart(title: title, xLabel: "false positive rate (share of negatives above the threshold)",
                         yLabel: "true positive rate (recall)", series: series, logX: logFPR,
                         xBounds: logFPR ? nil : 0...1, yBounds: 0...1)
    }

    /// The precision-recall curve (legend: its average precision) over the level of a
    /// random ranking, the positive rate; both axes 0...1.
    static func precisionRecall(_ curve: RankingMetrics.Curve, title: String) -> LineChart {
        let ap = RankingMetrics.averagePrecision(curve).map { Markdown.number($0) } ?? "n/a"
        let rate = Double(curve.positives) / Double(max(1, curve.positives + curve.negatives))
        let series = [
            Series(name: "model (average precision \(ap))",
                   points: RankingMetrics.prPoints(curve).map { ChartPoint(x: $0.recall, y: $0.precision) }, markers: false),
            Series(name: "chance (positive rate \(Markdown.number(rate)))", points: [ChartPoint(x: 0, y: rate), ChartPoint(x: 1, y: rate)],
                   color: referenceColor, dash: referenceDash, markers: false),
        ]
        return LineChart(title: title, xLabel: "recall", yLabel: "precision", series: series, xBounds: 0...1, yBounds: 0...1)
    }
}

/// A confusion matrix as a heat map (standalone SVG): row i = true class, column j =
/// predicted class, each cell showing its count and its share of the row (the true
/// class's samples), shaded by the square root of that share (so errors of a few percent
/// still show, and errors of small classes are as visible as those of large ones); the
/// diagonal holds the correct predictions. Grey lines draw every cell, so an empty (white)
/// cell still reads as part of the matrix.
struct HeatMap: Sendable {
    var title: String
    var labels: [String]
    var counts: [[Int]]

    func svg() -> String {
        let n = labels.count
        let cell = n <= 2 ? 110.0 : 52.0
        let labelWidth = max(60, 7.0 * Double(labels.map(\.count).max() ?? 1) + 16)
        let left = 40 + labelWidth, top = 74.0
        let note = "cells: count and share of the true class (row); shade = square root of the share"
        let width = max(left + cell * Double(n) + 30, 8.5 * Double(title.count) + 40, left + 6.2 * Double(note.count) + 20).rounded(.up), height = (top + cell * Double(n) + 60).rounded(.up)
        let px = SVG.px
        var s = LineChart.documentStart(width: width, height: height, title: title, titleX: width / 2)
        // The matrix and its labels in the middle, under the title (a long title or note
        // would otherwise leave them at the left of an empty page).
        let shift = max(0, (width - (left + cell * Double(n) + 30)) / 2)
        s += "<g transform=\"translate(\(px(shift)) 0)\">\n"
        s += SVG.text("predicted class", x: px(left + cell * Double(n) / 2), y: "48", "text-anchor=\"middle\" font-size=\"12\"")
        let midY = px(top + cell * Double(n) / 2)
        s += SVG.text("true class", x: "16", y: midY, "text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 16 \(midY))\"")
        for (j, label) in labels.enumerated() {
            s += SVG.text(LineChart.escape(label), x: px(left + cell * (Double(j) + 0.5)), y: px(top - 8), "text-anchor=\"middle\"")
            s += SVG.text(LineChart.escape(label), x: px(left - 8), y: px(top + cell * (Double(j) + 0.5)), "text-anchor=\"end\" dy=\"0.35em\"")
        }
        for (i, row) in counts.enumerated() {
            let total = row.reduce(0, +)
            for (j, c) in row.enumerated() {
                let share = total == 0 ? 0 : Double(c) / Double(total)
                let x = left + cell * Double(j), y = top + cell * Double(i)
                s += "<rect x=\"\(px(x))\" y=\"\(px(y))\" width=\"\(px(cell))\" height=\"\(px(cell))\" fill=\"\(HeatMap.shade(share.squareRoot()))\" stroke=\"\(HeatMap.gridColor)\"/>\n"
                let ink = share > 0.25 ? "#ffffff" : "#222222"
                s += SVG.text(String(c), x: px(x + cell / 2), y: px(y + cell / 2 - (n <= 2 ? 8 : 5)), "text-anchor=\"middle\" fill=\"\(ink)\" font-size=\"\(n <= 2 ? 15 : 11)\"")
                s += SVG.text("\(NumberText.fixed(100 * share, decimals: 1))%", x: px(x + cell / 2), y: px(y + cell / 2 + (n <= 2 ? 12 : 9)), "text-anchor=\"middle\" fill=\"\(ink)\" font-size=\"\(n <= 2 ? 11 : 9)\"")
            }
        }
        s += "<rect x=\"\(px(left))\" y=\"\(px(top))\" width=\"\(px(cell * Double(n)))\" height=\"\(px(cell * Double(n)))\" fill=\"none\" stroke=\"#888888\"/>\n"
        s += "</g>\n"
        s += SVG.text(note, x: px(width / 2), y: px(height - 14), "text-anchor=\"middle\" fill=\"#555555\"")
        s += "</svg>\n"
        return s
    }

    /// The lines between cells: light grey, seen on white and on dark blue.
    static let gridColor = "#c8c8c8"

    /// White (0) to dark blue (1), linearly in RGB.
    static func shade(_ share: Double) -> String {
        let t = min(max(share, 0), 1)
        let (r, g, b) = (255 - 247 * t, 255 - 207 * t, 255 - 148 * t)   // to #08306b
        return "#" + [r, g, b].map { hex2(Int($0.rounded())) }.joined()
    }

    private static func hex2(_ v: Int) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[v / 16], digits[v % 16]])
    }
}
