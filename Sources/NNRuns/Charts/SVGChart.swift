import Foundation
import NNBase
import NNKernel
import NNFormats

/// Pieces of SVG markup the charts share.
enum SVG {
    /// A coordinate or length as written in the markup: 2 decimals.
    static func px(_ v: Double) -> String { NumberText.fixed(v, decimals: 2) }

    /// `<text x="x" y="y" attributes>content</text>` and a line break; `content` is markup
    /// (pass text through `LineChart.escape`).
    static func text(_ content: String, x: String, y: String, _ attributes: String = "") -> String {
        "<text x=\"\(x)\" y=\"\(y)\"\(attributes.isEmpty ? "" : " " + attributes)>\(content)</text>\n"
    }
}

/// One (x, y) point of a chart series.
package struct ChartPoint: Equatable, Sendable {
    package var x: Double
    package var y: Double

    package init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// A shaded range around a series at one x: from `lo` to `hi` (e.g. the min and max over seeds).
package struct ChartBand: Equatable, Sendable {
    var x: Double
    var lo: Double
    var hi: Double

    package init(x: Double, lo: Double, hi: Double) {
        self.x = x
        self.lo = lo
        self.hi = hi
    }
}

/// A named line of a chart; points are drawn in the given order.
package struct Series: Equatable, Sendable {
    var name: String
    package var points: [ChartPoint]
    /// Colour and dash pattern (SVG `stroke-dasharray`); nil = the palette's (`LineChart.style`).
    package var color: String?
    package var dash: String?
    /// A circle at every point (off for long curves such as ROC curves).
    var markers = true
    /// A band drawn under the line, in its colour, translucent.
    var band: [ChartBand] = []
    /// A polyline through the points; false: a scatter (markers only, e.g. the samples of a
    /// random search, whose order means nothing).
    var line = true

    package init(name: String, points: [ChartPoint], color: String? = nil, dash: String? = nil, markers: Bool = true,
                 band: [ChartBand] = [], line: Bool = true) {
        self.name = name
        self.points = points
        self.color = color
        self.dash = dash
        self.markers = markers || !line
        self.band = band
        self.line = line
    }
}

extension Series {
    init(_ name: String, points: [(Double, Double)]) {
        self.init(name: name, points: points.map { ChartPoint(x: $0.0, y: $0.1) })
    }
}

/// One chart axis: its data range rounded out to ticks, and where a value lands on it.
struct ChartAxis: Equatable, Sendable {
    var lo: Double
    var hi: Double
    var ticks: [Double]
    var labels: [String]
    var log: Bool

    /// Fraction 0...1 of the way from `lo` to `hi` (in log10 space on a log axis).
    func fraction(_ v: Double) -> Double {
        log ? (log10(v) - log10(lo)) / (log10(hi) - log10(lo)) : (v - lo) / (hi - lo)
    }

    /// A linear axis over `values`: ticks every 1, 2 or 5 x 10^e, chosen so that about
    /// `count` steps span the range (step = the first of 1, 2, 5, 10 x 10^e not below
    /// range / count; at least 1 when `integer`), the axis running from the tick at or below
    /// the minimum to the tick at or above the maximum. Labels have exactly as many
    /// decimals as the step (`max(0, -e)`), or shortest form when |e| >= 6. A single value
    /// v is widened to v +- 10% (+-1 for 0); no values gives 0...1. With `bounds` (a
    /// metric's range, such as 0...1) the axis and its ticks are cut to it.
    static func linear(_ values: [Double], count: Int = 5, integer: Bool = false,
                       bounds: ClosedRange<Double>? = nil) -> ChartAxis {
        let axis = linear(values, count: count, integer: integer)
        guard let bounds, axis.lo < bounds.lowerBound || axis.hi > bounds.upperBound else { return axis }
        let lo = Swift.max(axis.lo, bounds.lowerBound), hi = Swift.min(axis.hi, bounds.upperBound)
        guard lo < hi else { return axis }
        let kept = zip(axis.ticks, axis.labels).filter { $0.0 >= lo && $0.0 <= hi }
        return ChartAxis(lo: lo, hi: hi, ticks: kept.map(\.0), labels: kept.map(\.1), log: false)
    }

    private static func linear(_ values: [Double], count: Int, integer: Bool) -> ChartAxis {
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        if lo == hi {
            let pad = lo == 0 ? 1 : Swift.abs(lo) * 0.1
            (lo, hi) = (lo - pad, hi + pad)
        }
        let raw = (hi - lo) / Double(max(count, 1))
        guard raw.isFinite, raw > 1e-290, raw < 1e290 else {
            // Beyond double range for 1-2-5 steps: just the two ends.
            return ChartAxis(lo: lo, hi: hi, ticks: [lo, hi], labels: [lo, hi].map(NumberText.shortest), log: false)
        }
        var e = Int(floor(log10(raw)))
        let f = raw / power10(e)
        let eps = 1e-9
        var m = f <= 1 + eps ? 1 : f <= 2 + eps ? 2 : f <= 5 + eps ? 5 : 10
        if m == 10 { (m, e) = (1, e + 1) }
        if integer, e < 0 { (m, e) = (1, 0) }
        let step = Double(m) * power10(e)
        let first = Int64(floor(lo / step + eps)), last = Int64(ceil(hi / step - eps))
        let ticks = (first...max(first + 1, last)).map { decimal(Int64(m) * $0, e) }
        let labels = ticks.map { Swift.abs(e) >= 6 ? NumberText.shortest($0) : NumberText.fixed($0, decimals: max(0, -e)) }
        return ChartAxis(lo: ticks[0], hi: ticks[ticks.count - 1], ticks: ticks, labels: labels, log: false)
    }

    /// A log10 axis over the positive `values`, from the power of ten at or below the
    /// minimum to the one at or above the maximum (at least one decade). Ticks at every
    /// power of ten, plus 2x and 5x when the axis spans at most two decades; labels in
    /// shortest form (`0.01`, `1`, `1e+06`). No positive values gives 1...10.
    static func logarithmic(_ values: [Double]) -> ChartAxis {
        let positive = values.filter { $0 > 0 }
        var lo = Int(floor(log10(positive.min() ?? 1) + 1e-12)), hi = Int(ceil(log10(positive.max() ?? 10) - 1e-12))
        (lo, hi) = (min(max(lo, -300), 299), min(max(hi, -299), 300))
        if hi <= lo { hi = lo + 1 }
        var ticks: [Double] = []
        for e in lo...hi {
            for m in (hi - lo <= 2 && e < hi ? [1, 2, 5] : [1]) { ticks.append(decimal(Int64(m), e)) }
        }
        return ChartAxis(lo: power10(lo), hi: power10(hi), ticks: ticks, labels: ticks.map(NumberText.shortest), log: true)
    }

    /// 10^e, exact for |e| <= 22.
    static func power10(_ e: Int) -> Double {
        var p = 1.0
        for _ in 0..<Swift.abs(e) { p *= 10 }
        return e >= 0 ? p : 1 / p
    }

    /// n x 10^e as the double nearest that decimal (dividing by an exact power of ten,
    /// so 3 x 10^-1 is 0.3, not 0.30000000000000004).
    static func decimal(_ n: Int64, _ e: Int) -> Double {
        e >= 0 ? Double(n) * power10(e) : Double(n) / power10(-e)
    }
}

/// A line chart rendered as a standalone SVG document, with no dependencies.
///
/// Layout: title on top; plot area `plotWidth` x `plotHeight` with light grid lines at
/// the ticks (`ChartAxis.linear` / `.logarithmic`), axis labels below and rotated left;
/// legend to the right, one entry per series (long names cut to 40 characters), the
/// image growing taller when the legend needs it. Each series is a `<g class="series">`
/// holding a `<polyline>` through its points (when it has two or more, unless it is a
/// scatter: no `line`) and one `<circle>` per point (unless the series has no `markers`),
/// over its translucent `band` when it has one; colours come from a fixed 10-colour palette, then repeat with a dash
/// pattern, unless the series sets its own. A series whose drawn points are exactly a later
/// one's (hidden under it) gets a wider line and larger markers and says so in the legend. `xBounds`/`yBounds` cut an axis to a
/// quantity's range (`ChartAxis.linear`); `integerX` keeps x ticks on whole numbers
/// (epochs); `margin` keeps the axes' ends (and so every point) that many pixels inside
/// the frame. Points with a non-finite coordinate, or a non-positive one on a log axis,
/// are not drawn. All coordinates are written with two decimals by
/// `NumberText.fixed`, so equal inputs give byte-identical SVG.
package struct LineChart: Sendable {
    var title: String
    var xLabel: String
    var yLabel: String
    package var series: [Series]
    var logX = false
    var logY = false
    var xBounds: ClosedRange<Double>?
    var yBounds: ClosedRange<Double>?
    var integerX = false
    /// Vertical lines across the plot at these x values, each with its label at the top
    /// (dashed grey; e.g. successive halving's rungs). None by default.
    var verticalLines: [(x: Double, label: String)] = []
    var plotWidth: Double = 560
    var plotHeight: Double = 340
    /// Pixels between the frame and the axes' ends, so no point sits on the frame.
    var margin: Double = 0

    package init(title: String, xLabel: String, yLabel: String, series: [Series], logX: Bool = false, logY: Bool = false,
                 xBounds: ClosedRange<Double>? = nil, yBounds: ClosedRange<Double>? = nil, integerX: Bool = false,
                 verticalLines: [(x: Double, label: String)] = [], plotWidth: Double = 560, plotHeight: Double = 340,
                 margin: Double = 0) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.logX = logX
        self.logY = logY
        self.xBounds = xBounds
        self.yBounds = yBounds
        self.integerX = integerX
        self.verticalLines = verticalLines
        self.plotWidth = plotWidth
        self.plotHeight = plotHeight
        self.margin = margin
    }

    /// Tableau 10.
    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                 "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
    static let dashes = ["", "6 3", "2 3", "8 3 2 3"]

    /// Colour and dash pattern of series `i`: the palette in order, then again dashed.
    static func style(_ i: Int) -> (color: String, dash: String) {
        (palette[i % palette.count], dashes[(i / palette.count) % dashes.count])
    }

    /// The colour and dash of `series[i]`: its own, else `style(i)`.
    func style(_ i: Int) -> (color: String, dash: String) {
        let d = LineChart.style(i)
        return (series[i].color ?? d.color, series[i].dash ?? d.dash)
    }

    /// The band of `s` that is drawn (finite, and positive on a log axis).
    func drawnBand(_ s: Series) -> [ChartBand] {
        s.band.filter { b in [b.x, b.lo, b.hi].allSatisfy(\.isFinite) && (!logX || b.x > 0) && (!logY || b.lo > 0) }
    }

    /// The points of `s` that are drawn (see the type's description).
    func drawnPoints(_ s: Series) -> [ChartPoint] {
        s.points.filter { $0.x.isFinite && $0.y.isFinite && (!logX || $0.x > 0) && (!logY || $0.y > 0) }
    }

    package func svg() -> String {
        let drawn = series.map(drawnPoints), bands = series.map(drawnBand)
        let xs = drawn.flatMap { $0.map(\.x) } + (drawn.allSatisfy(\.isEmpty) ? [] : verticalLines.map(\.x).filter(\.isFinite))
        let ys = drawn.flatMap { $0.map(\.y) } + bands.flatMap { $0.flatMap { [$0.lo, $0.hi] } }
        let xAxis = logX ? ChartAxis.logarithmic(xs) : ChartAxis.linear(xs, integer: integerX, bounds: xBounds)
        let yAxis = logY ? ChartAxis.logarithmic(ys) : ChartAxis.linear(ys, bounds: yBounds)

        let left = 76.0, top = 48.0, bottom = 58.0, gap = 20.0, entry = 18.0
        let short = series.map { $0.name.count > 40 ? String($0.name.prefix(39)) + "…" : $0.name }
        // A series with exactly the points of later ones is hidden under them: its line and
        // markers grow by 2.5 px per such series (a border and a ring of its colour around
        // theirs) and its legend entry names the one drawn on top.
        let under = drawn.indices.map { i in drawn.indices.filter { $0 > i && !drawn[i].isEmpty && drawn[$0] == drawn[i] } }
        let names = short.indices.map { i in under[i].last.map { "\(short[i]) (same as \(short[$0]), under it)" } ?? short[i] }
        let legendWidth = series.isEmpty ? 0 : 34 + 6.5 * Double(names.map(\.count).max() ?? 0)
        let width = (left + plotWidth + gap + legendWidth + 12).rounded(.up)
        let height = max(top + plotHeight + bottom, top + entry * Double(series.count) + 12).rounded(.up)
        let px = SVG.px
        func sx(_ v: Double) -> String { px(left + margin + xAxis.fraction(v) * (plotWidth - 2 * margin)) }
        func sy(_ v: Double) -> String { px(top + plotHeight - margin - yAxis.fraction(v) * (plotHeight - 2 * margin)) }
        let right = left + plotWidth, base = top + plotHeight

        var s = LineChart.documentStart(width: width, height: height, title: title, titleX: left + plotWidth / 2)

        s += "<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">\n"
        for t in xAxis.ticks { s += "<line x1=\"\(sx(t))\" y1=\"\(px(top))\" x2=\"\(sx(t))\" y2=\"\(px(base))\"/>\n" }
        for t in yAxis.ticks { s += "<line x1=\"\(px(left))\" y1=\"\(sy(t))\" x2=\"\(px(right))\" y2=\"\(sy(t))\"/>\n" }
        s += "</g>\n"

        s += "<g class=\"axes\" stroke=\"#333333\" stroke-width=\"1\" fill=\"none\">\n"
        s += "<rect x=\"\(px(left))\" y=\"\(px(top))\" width=\"\(px(plotWidth))\" height=\"\(px(plotHeight))\"/>\n"
        for t in xAxis.ticks { s += "<line x1=\"\(sx(t))\" y1=\"\(px(base))\" x2=\"\(sx(t))\" y2=\"\(px(base + 5))\"/>\n" }
        for t in yAxis.ticks { s += "<line x1=\"\(px(left - 5))\" y1=\"\(sy(t))\" x2=\"\(px(left))\" y2=\"\(sy(t))\"/>\n" }
        s += "</g>\n"

        s += "<g class=\"tick-labels\" fill=\"#333333\">\n"
        for (t, label) in zip(xAxis.ticks, xAxis.labels) {
            s += SVG.text(LineChart.escape(label), x: sx(t), y: px(base + 18), "text-anchor=\"middle\"")
        }
        for (t, label) in zip(yAxis.ticks, yAxis.labels) {
            s += SVG.text(LineChart.escape(label), x: px(left - 8), y: sy(t), "text-anchor=\"end\" dy=\"0.35em\"")
        }
        s += "</g>\n"
        s += "<text class=\"x-label\" x=\"\(px(left + plotWidth / 2))\" y=\"\(px(base + 42))\" text-anchor=\"middle\" font-size=\"12\">\(LineChart.escape(xLabel + (logX ? " (log scale)" : "")))</text>\n"
        let yMid = px(top + plotHeight / 2)
        s += "<text class=\"y-label\" x=\"18\" y=\"\(yMid)\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 18 \(yMid))\">\(LineChart.escape(yLabel + (logY ? " (log scale)" : "")))</text>\n"
        if xs.isEmpty {
            s += SVG.text("no data", x: px(left + plotWidth / 2), y: px(top + plotHeight / 2), "text-anchor=\"middle\" fill=\"#888888\"")
        }

        if !verticalLines.isEmpty && !xs.isEmpty {
            s += "<g class=\"vertical-lines\" stroke=\"#888888\" stroke-width=\"1\" stroke-dasharray=\"4 3\">\n"
            for m in verticalLines where m.x.isFinite && (!logX || m.x > 0) {
                s += "<line x1=\"\(sx(m.x))\" y1=\"\(px(top))\" x2=\"\(sx(m.x))\" y2=\"\(px(base))\"/>\n"
                s += SVG.text(LineChart.escape(m.label), x: sx(m.x), y: px(top - 4), "text-anchor=\"middle\" stroke=\"none\" fill=\"#555555\"")
            }
            s += "</g>\n"
        }
        for (i, band) in bands.enumerated() where band.count >= 2 {
            let edge = band.map { "\(sx($0.x)),\(sy($0.hi))" } + band.reversed().map { "\(sx($0.x)),\(sy($0.lo))" }
            s += "<polygon class=\"band\" fill=\"\(style(i).color)\" fill-opacity=\"0.18\" stroke=\"none\" points=\"\(edge.joined(separator: " "))\"/>\n"
        }
        for (i, points) in drawn.enumerated() {
            let (color, dash) = style(i)
            let dashAttr = dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\""
            s += "<g class=\"series\" stroke=\"\(color)\" fill=\"\(color)\">\n<title>\(LineChart.escape(series[i].name))</title>\n"
            if points.count >= 2 && series[i].line {
                let coords = points.map { "\(sx($0.x)),\(sy($0.y))" }.joined(separator: " ")
                s += "<polyline fill=\"none\" stroke-width=\"\(NumberText.shortest(1.5 + 2.5 * Double(under[i].count)))\"\(dashAttr) points=\"\(coords)\"/>\n"
            }
            let r = NumberText.shortest((series[i].line ? 2.5 : 3.5) + 2.5 * Double(under[i].count))
            for p in points where series[i].markers { s += "<circle cx=\"\(sx(p.x))\" cy=\"\(sy(p.y))\" r=\"\(r)\" stroke=\"none\"/>\n" }
            s += "</g>\n"
        }

        if !series.isEmpty {
            s += "<g class=\"legend\">\n"
            let lx = right + gap
            for (i, name) in names.enumerated() {
                let (color, dash) = style(i)
                let y = top + 8 + entry * Double(i)
                if series[i].line {
                    s += "<line x1=\"\(px(lx))\" y1=\"\(px(y))\" x2=\"\(px(lx + 22))\" y2=\"\(px(y))\" stroke=\"\(color)\" stroke-width=\"2\"\(dash.isEmpty ? "" : " stroke-dasharray=\"\(dash)\"")/>\n"
                } else {
                    s += "<circle cx=\"\(px(lx + 11))\" cy=\"\(px(y))\" r=\"3.5\" fill=\"\(color)\"/>\n"
                }
                s += SVG.text(LineChart.escape(name), x: px(lx + 28), y: px(y), "dy=\"0.35em\"")
            }
            s += "</g>\n"
        }
        s += "</svg>\n"
        return s
    }

    /// The start of an SVG document `width` x `height` on white: the XML declaration, the
    /// `<svg>` element (sans-serif, 11 px), `<title>` and the bold title centred at `titleX`.
    static func documentStart(width: Double, height: Double, title: String, titleX: Double) -> String {
        let px = SVG.px
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(px(width))\" height=\"\(px(height))\" viewBox=\"0 0 \(px(width)) \(px(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<title>\(escape(title))</title>\n"
        s += "<rect x=\"0\" y=\"0\" width=\"\(px(width))\" height=\"\(px(height))\" fill=\"#ffffff\"/>\n"
        s += SVG.text(escape(title), x: px(titleX), y: "26", "text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\"")
        return s
    }

    /// Text for XML content or a double-quoted attribute: & < > " ' escaped.
    /// Control characters other than tab and line breaks, which XML 1.0 cannot hold,
    /// become U+FFFD.
    package static func escape(_ text: String) -> String {
        TextEscape.map(text) { u in
            if let e = xmlEscapes[u] { return e }
            let forbidden = (u.value < 0x20 && !["\t", "\n", "\r"].contains(u)) || u.value == 0xFFFE || u.value == 0xFFFF
            return forbidden ? "\u{FFFD}" : nil
        }
    }

    private static let xmlEscapes: [Unicode.Scalar: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&apos;"]
}
