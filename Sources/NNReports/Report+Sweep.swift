import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps

/// The x axis scale of a metric-vs-parameter chart.
package enum XScale: String, CaseIterable, Sendable {
    /// Logarithmic when every x is positive and they span more than a decade (max/min > 10).
    case auto
    case linear
    case log
}

extension Report {
    /// A sweep: `<metric>-vs-<param>.svg`, `loss.svg` (every ok run overlaid) and
    /// `report.md` (both charts and the summary table) in `out` (default: `dir`).
    /// See `sweep(dir:metric:param:logY:xScale:extraSections:)` for the defaults.
    @discardableResult
    static func writeSweep(dir: String, metric: String? = nil, param: String? = nil, out: String? = nil,
                                  logY: Bool = false, xScale: XScale = .auto, extraSections: [ReportSection] = []) throws -> [String] {
        try sweep(dir: dir, metric: metric, param: param, out: out, logY: logY, xScale: xScale, extraSections: extraSections)
            .write(to: out ?? dir)
    }

    /// The metrics whose values lie in [0, 1] (ratios and AUCs); losses and counts are >= 0.
    static func bounds(ofMetric metric: String) -> ClosedRange<Double> {
        let unit = ["accuracy", "precision", "recall", "f1", "roc_auc", "average_precision"]
        return unit.contains(where: { metric == $0 || metric.hasSuffix("_" + $0) }) ? 0...1 : 0...Double.greatestFiniteMagnitude
    }

    /// The metric charted by default: the first of these that is a column.
    static let defaultMetrics = ["f1", "macro_f1", "accuracy", "last_epoch_loss", "final_loss"]

    /// The files of a sweep report (see `writeSweep`): the metric chart first (the
    /// headline), then the loss of every ok run (legend: the parameters that vary, such as
    /// `lr=0.1 seed=0`), then the summary table with metrics rounded to 5 significant
    /// digits (full precision in summary.csv).
    ///
    /// `metric` defaults to the sweep's ranking metric (`sweepRanking`: `Ranking.choose`,
    /// or the first other that varies when it is flat), else the first of `defaultMetrics`
    /// that is a column; `param` to `defaultParam`. Without such a pair the metric chart is
    /// left out and `report.md` says why. Every ok run needs `runs/<run_id>/history.csv`.
    /// `out` is where the report goes (default: `dir`); it names `dir` relative to it.
    static func sweep(dir: String, metric: String? = nil, param: String? = nil, out: String? = nil, logY: Bool = false,
                      xScale: XScale = .auto, extraSections: [ReportSection] = []) throws -> Files {
        let sweep = SweepDirectory(dir)
        let summary = try sweep.readSummary()
        let summaryPath = sweep.summary
        let table = summary.table
        let ok = summary.okRows

        let varying = summary.parameterColumns.compactMap { c in table.column(c).map { (c, $0) } }
            .filter { _, i in Set(ok.map { FieldValue($0[i]).normalized }).count > 1 }
        let plan = try? sweep.readPlan()
        var histories: [(String, History)] = []
        var labels: [String: String] = [:]
        var lossName: String?
        for row in ok {
            let runDir = try sweep.runPath(row[0])
            try RunMarker.requireComplete(runDir)   // e.g. the point is being trained again
            let path = RunLayout(runDir).history
            guard FilePath.exists(path) else { throw NNError("\(path): missing (run \(row[0]) is ok in \(summaryPath))") }
            let label = varying.isEmpty ? pointDescription(row, summary: summary, plan: plan) : varying.map { "\($0.0)=\(row[$0.1])" }.joined(separator: " ")
            labels[row[0]] = label
            histories.append((label, try History.read(path: path)))
            lossName = lossName ?? (try? JSONValue.read(path: RunLayout(runDir).config))?["loss"]?.text
        }
        // Seeds of one configuration share a colour: their mean inside a min-max band.
        let seedsVary = varying.contains { $0.0 == "seed" }
        var groups: [(name: String, runs: [History])] = []
        for (label, history) in histories {
            let rest = seedsVary ? label.split(separator: " ").filter { !$0.hasPrefix("seed=") }.joined(separator: " ") : label
            let name = rest.isEmpty ? sweep.name : rest
            if seedsVary, let i = groups.firstIndex(where: { $0.name == name }) { groups[i].runs.append(history) }
            else { groups.append((name, [history])) }
        }
        var files: [(name: String, content: String)] = [
            (lossFile, groupedLossChart(groups, title: "Training loss: \(sweep.name)", loss: lossName, logY: logY).svg()),
        ]

        var md = "# Sweep report: \(sweep.name)\n\nSweep directory: \(location(of: dir, from: out ?? dir))\n\n"
        md += "\(table.rows.count) points: \(ok.count) ok, \(table.rows.count - ok.count) not ok. "
        md += parametersText(summary) + "\n\n"

        if let metric, table.column(metric) == nil {
            throw NNError("\(summaryPath): no metric column '\(metric)'")
        }
        if let param, !summary.parameterColumns.contains(param) {
            throw NNError("\(summaryPath): '\(param)' is not a parameter column (parameters: \(summary.parameterColumns.joined(separator: ", ")))")
        }
        let ranked = sweepRanking(summary, in: sweep)
        if !ranked.best.isEmpty {
            let rows = ranked.best.map { ok[$0] }
            let text = rows.map { row in
                "`\(row[0])` (" + pointDescription(row, summary: summary, plan: plan)
                    + ", \(ranked.ranking.metric) \(table.column(ranked.ranking.metric).map { ReportTables.display(FieldValue(row[$0])) } ?? "-"))"
            }
            let rule = Ranking.statement([ranked.ranking])
            md += "Best point: \(text.joined(separator: "; ")). \(rule.prefix(1).uppercased())\(rule.dropFirst()).\n\n"
        }
        let chosenMetric = metric ?? ranked.chart ?? defaultMetrics.first { table.column($0) != nil }
        let chosenParam = param ?? defaultParam(summary)
        if metric == nil, let note = ranked.note { md += note + "\n\n" }
        if let m = chosenMetric, let p = chosenParam {
            let distribution = sweep.randomDistributions()[p]
            let plot = try metricChart(summary, metric: m, param: p, xScale: xScale, source: summaryPath,
                                       random: distribution.map { $0.hasPrefix("loguniform:") })
            let name = "\(fileSafe(m))-vs-\(fileSafe(p)).svg"
            files.append((name, plot.chart.svg()))
            md += "## \(m) vs \(p)\n\n![\(m) vs \(p)](\(name))\n\n"
            if let distribution {
                md += "Random search (\(p) drawn from \(distribution)): one dot per run, not joined"
                md += (plot.grouping.isEmpty ? "" : ", one colour per \(plot.grouping.joined(separator: ", "))") + ".\n\n"
            } else {
                md += plot.grouping.isEmpty ? "One line" : "One line per \(plot.grouping.joined(separator: ", "))"
                md += plot.seeds > 1 ? ": each point the mean over \(plot.seeds) seeds, the band their minimum to maximum.\n\n" : ".\n\n"
            }
            if plot.leftOut > 0 { md += "\(plot.leftOut) ok rows without a numeric \(m) are not drawn.\n\n" }
        } else {
            md += "## Metric chart\n\n"
            md += chosenMetric == nil
                ? "No metric column (\(defaultMetrics.joined(separator: ", "))) to chart.\n\n"
                : "No swept parameter has more than one distinct numeric value among the ok runs, so there is no metric chart.\n\n"
        }
        if let halving = try halvingSection(dir: dir, summary: summary, labels: labels) {
            // No seed table: the points of one configuration stopped after different epochs.
            files.append(halving.file)
            md += "## Successive halving\n\n" + halving.markdown + "\n"
        } else if let seeds = try SeedSpread.markdown(sweep: dir, ranking: ranked.ranking) {
            md += seeds
        }
        md += "## Loss\n\n![loss](\(lossFile))\n\nLoss per epoch of the \(ok.count) ok runs.\n\n"
        let shown = Set(["run_id", "status", "error"] + summary.parameterColumns)
        let rows = table.rows.map { row in
            row.enumerated().map { i, cell in shown.contains(table.header[i]) ? cell : ReportTables.display(FieldValue(cell)) }
        }
        md += "## Summary\n\nRounded; full precision in \(SweepDirectory.summaryFile).\n\n" + Markdown.table(header: table.header, rows: rows) + "\n"
        files.append((markdownFile, md + sections(extraSections)))
        return Files(files: files)
    }

    /// `metric` against the parameter column `param` over the ok rows of a summary.
    ///
    /// Rows are grouped by the values of the other parameter columns that vary among the
    /// ok rows, `seed` excepted (`grouping`); each group is one series named
    /// `col=value col=value` (or the metric's name when nothing else varies), groups sorted
    /// by those values (numbers numerically). Each series has one point per distinct x:
    /// the mean of the metric over that x's rows (the seeds), with a band from their
    /// minimum to their maximum; `seeds` is the most rows behind one point. The y axis is
    /// cut to the metric's range (`bounds(ofMetric:)`); the x axis follows `xScale`. Rows
    /// whose metric is not a number are left out and counted in `leftOut`. The axes end
    /// 12 px inside the frame, so no point sits on it. Errors: `param` not numeric in every
    /// ok row.
    ///
    /// With `random` (`param` sampled by a random search; true when log-spaced) each series
    /// is a scatter of its rows (no line, no mean: the samples' order means nothing), and
    /// `.auto` picks a log x axis when log-spaced (`loguniform`).
    static func metricChart(_ summary: SweepSummary, metric: String, param: String, xScale: XScale = .auto,
                            source: String, random: Bool? = nil) throws -> (chart: LineChart, grouping: [String], leftOut: Int, seeds: Int) {
        let table = summary.table
        guard let mi = table.column(metric) else { throw NNError("\(source): no metric column '\(metric)'") }
        guard let pi = table.column(param) else { throw NNError("\(source): no parameter column '\(param)'") }
        let ok = summary.okRows
        let others = summary.parameterColumns.filter { $0 != param && $0 != "seed" }.compactMap { c in table.column(c).map { (c, $0) } }
        let grouping = others.filter { _, i in Set(ok.map { FieldValue($0[i]).normalized }).count > 1 }

        // Group by the normalized texts of the varying columns; keep the first row's
        // values of each group for its label and its place in the order.
        var groups: [[String]: (values: [FieldValue], points: [Double: [Double]])] = [:]
        var leftOut = 0
        for row in ok {
            guard let x = NumberText.parse(row[pi]) else {
                throw NNError("\(source): parameter '\(param)' is not numeric ('\(row[pi])' for run \(row[0]))")
            }
            guard let y = NumberText.parse(row[mi]) else { leftOut += 1; continue }
            let values = grouping.map { FieldValue(row[$0.1]) }
            groups[values.map(\.normalized), default: (values, [:])].points[x, default: []].append(y)
        }
        // A total order (so the result never depends on dictionary order): numbers
        // first, by value; then everything else (NaN included) by text.
        func rank(_ v: FieldValue) -> (Int, Double, String) {
            if let x = v.number, !x.isNaN { return (0, x, "") }
            return (1, 0, v.normalized)
        }
        let ordered = groups.values.sorted { a, b in
            for (u, v) in zip(a.values, b.values) where u.normalized != v.normalized {
                return rank(u) < rank(v)
            }
            return false
        }
        var seeds = 0
        let series = ordered.map { group -> Series in
            let name = grouping.isEmpty ? metric : zip(grouping, group.values).map { "\($0.0)=\($1.text)" }.joined(separator: " ")
            let xs = group.points.keys.sorted()
            let ys = xs.map { group.points[$0]! }
            seeds = max(seeds, ys.map(\.count).max() ?? 0)
            if random != nil {
                let rows = zip(xs, ys).flatMap { x, ys in ys.map { ChartPoint(x: x, y: $0) } }
                return Series(name: name, points: rows, line: false)
            }
            let means = ys.map { $0.reduce(0, +) / Double($0.count) }
            let band = ys.map(\.count).contains { $0 > 1 }
                ? zip(xs, ys).map { ChartBand(x: $0, lo: $1.min()!, hi: $1.max()!) } : []
            return Series(name: name, points: zip(xs, means).map { ChartPoint(x: $0, y: $1) }, band: band)
        }
        let xs = series.flatMap { $0.points.map(\.x) }
        let logX: Bool
        switch xScale {
        case .auto: logX = random == true || !xs.isEmpty && xs.allSatisfy { $0 > 0 } && (xs.max() ?? 0) > 10 * (xs.min() ?? 0)
        case .linear: logX = false
        case .log: logX = true
        }
        let yLabel = seeds > 1 && random == nil ? "\(metric) (mean over seeds; band: min to max)" : metric
        let chart = LineChart(title: "\(metric) vs \(param)", xLabel: param, yLabel: yLabel, series: series, logX: logX,
                              yBounds: bounds(ofMetric: metric), integerX: xs.allSatisfy { $0 == $0.rounded() }, margin: 12)
        return (chart, grouping.map(\.0), leftOut, seeds)
    }

    /// A point of the sweep (its `summary.csv` row) in words, from `sweep.json`: its values
    /// of the grid keys that vary between the points (`lr=0.1`; the others are the same for
    /// every point, and the report names them once); in a sweep of one point, its values
    /// that differ from the base experiment; `base experiment` only when none does. Without
    /// a readable plan: its values of the parameter columns that differ between the points
    /// (ok or not), else of every parameter column.
    static func pointDescription(_ row: [String], summary: SweepSummary, plan: SweepPlan?) -> String {
        if let plan, let point = plan.points.first(where: { $0.id == row[0] }) {
            let varying = point.params.filter { p in Set(plan.points.map { $0.params.first { $0.key == p.key }?.value }).count > 1 }
            let fromBase = point.params.filter { p in
                var config = plan.base
                guard (try? config.set(p.key, p.value, source: SweepDirectory.planFile)) != nil else { return true }
                return config.text(p.key) != plan.base.text(p.key)
            }
            return SweepPoint(id: point.id, params: varying.isEmpty ? fromBase : varying).label
        }
        let varying = summary.parameters.varying
        return (varying.isEmpty ? summary.parameterColumns : varying).compactMap { c in
            summary.table.column(c).map { "\(c)=\(row[$0])" }
        }.joined(separator: " ")
    }

    /// The report's sentence on the parameters: those that differ between the points
    /// (`SweepSummary.parameters`), then the grid keys that hold one value for every point.
    /// `Swept parameters: lr, seed. The same for every point: `epochs=4`, `layers=785,16,1`.`
    static func parametersText(_ summary: SweepSummary) -> String {
        let (varying, fixed) = summary.parameters
        var text = "Swept parameters: " + (varying.isEmpty ? "none differ between the points" : varying.joined(separator: ", ")) + "."
        if !fixed.isEmpty { text += " The same for every point: " + fixed.map { "`\($0.column)=\($0.value)`" }.joined(separator: ", ") + "." }
        return text
    }

    /// The numeric parameter column with the most distinct values among the ok rows (at
    /// least two; every ok value numeric), the first such in column order on ties; `seed`
    /// only when no other column qualifies.
    static func defaultParam(_ summary: SweepSummary) -> String? {
        let ok = summary.okRows
        let counts = summary.parameterColumns.compactMap { column -> (String, Int)? in
            guard let i = summary.table.column(column) else { return nil }
            let values = ok.map { NumberText.parse($0[i]) }
            guard values.allSatisfy({ $0 != nil }) else { return nil }
            let distinct = Set(values.compactMap { $0 }).count
            return distinct > 1 ? (column, distinct) : nil
        }
        let candidates = counts.filter { $0.0 != "seed" }.isEmpty ? counts : counts.filter { $0.0 != "seed" }
        return candidates.reduce(nil as (String, Int)?) { best, c in best == nil || c.1 > best!.1 ? c : best }?.0
    }
}
