import Foundation
import NNKernel
import NNFormats

/// An extra Markdown section appended to a generated `report.md`: `## <title>`, a blank
/// line, then `markdown` as given (e.g. the notebook's published figures beside ours).
package struct ReportSection: Sendable, Equatable {
    var title: String
    var markdown: String
    init(title: String, markdown: String) {
        self.title = title
        self.markdown = markdown
    }
}

/// Charts (SVG) and `report.md` for run and sweep directories.
///
/// Every file is rendered in memory first and then written atomically, so a failure
/// leaves no partial output; the same inputs give byte-identical files (no dates, no
/// timings). Images are referenced from `report.md` by file name, next to it.
package enum Report {
    static let markdownFile = "report.md"
    static let lossFile = "loss.svg"

    /// What a report consists of, before anything is written.
    package struct Files: Sendable {
        /// File name -> content, written in this order (report.md last).
        var files: [(name: String, content: String)]

        /// Writes every file into `dir` (created if needed); returns the paths written.
        @discardableResult
        package func write(to dir: String) throws -> [String] {
            var written: [String] = []
            AtomicFile.removeStaleTemporaries(in: dir)
            for (name, content) in files {
                let path = FilePath.join(dir, name)
                try AtomicFile.write(content, to: path)
                written.append(path)
            }
            return written
        }
    }

    // MARK: - Entry points

    /// `nn report`: one or more run directories, or a single sweep directory.
    /// Several runs need `out`; `metric` and `param` apply only to a sweep.
    @discardableResult
    package static func write(paths: [String], out: String?, metric: String? = nil, param: String? = nil,
                             logY: Bool = false, extraSections: [ReportSection] = []) throws -> [String] {
        guard !paths.isEmpty else { throw NNError("report: no directory given") }
        for path in paths where !FilePath.exists(path, directory: true) {
            throw NNError("\(path): no such directory")
        }
        let sweeps = paths.filter(SweepDirectory.looksLikeSweep)
        if !sweeps.isEmpty {
            guard paths.count == 1 else { throw NNError("\(sweeps[0]): a sweep directory must be reported on its own") }
            return try writeSweep(dir: paths[0], metric: metric, param: param, out: out, logY: logY, extraSections: extraSections)
        }
        if let metric { throw NNError("--metric \(metric): applies only to a sweep directory") }
        if let param { throw NNError("--param \(param): applies only to a sweep directory") }
        if paths.count == 1 { return try writeRun(dir: paths[0], out: out, logY: logY, extraSections: extraSections) }
        guard let out else { throw NNError("--out: required when reporting on several run directories") }
        return try writeRuns(dirs: paths, out: out, logY: logY, extraSections: extraSections)
    }

    /// One run: `loss.svg` (loss per epoch) and `report.md` (loss chart, metrics,
    /// confusion matrix when there is one, configuration) in `out` (default: `dir`).
    @discardableResult
    static func writeRun(dir: String, out: String? = nil, logY: Bool = false,
                                extraSections: [ReportSection] = []) throws -> [String] {
        try run(dir: dir, logY: logY, extraSections: extraSections).write(to: out ?? dir)
    }

    /// Several runs: one `loss.svg` with a line per run, and `report.md` comparing their
    /// metrics and the configuration fields that differ, in `out`.
    @discardableResult
    static func writeRuns(dirs: [String], out: String, logY: Bool = false,
                                 extraSections: [ReportSection] = []) throws -> [String] {
        try runs(dirs: dirs, logY: logY, extraSections: extraSections).write(to: out)
    }

    /// A sweep: `loss.svg` (every ok run overlaid), `<metric>-vs-<param>.svg` and
    /// `report.md` (both charts and the summary table) in `out` (default: `dir`).
    /// See `sweep(dir:metric:param:logY:extraSections:)` for the defaults.
    @discardableResult
    package static func writeSweep(dir: String, metric: String? = nil, param: String? = nil, out: String? = nil,
                                  logY: Bool = false, extraSections: [ReportSection] = []) throws -> [String] {
        try sweep(dir: dir, metric: metric, param: param, logY: logY, extraSections: extraSections).write(to: out ?? dir)
    }

    // MARK: - Rendering

    /// The files of a one-run report (see `writeRun`). Needs `history.csv`.
    static func run(dir: String, logY: Bool = false, extraSections: [ReportSection] = []) throws -> Files {
        let run = try RunDirectory.load(dir)
        let history = try requireHistory(run)
        let chart = lossChart([(run.name, history)], title: "Training loss: \(run.name)", logY: logY)

        var md = "# Run report: \(run.name)\n\nRun directory: `\(dir)`\n\n"
        md += "## Loss\n\n![loss](\(lossFile))\n\n"
        md += "\(history.losses.count) epochs; final loss \(history.finalLoss.map(NumberText.shortest) ?? "n/a").\n\n"
        md += "## Metrics\n\n"
        if let metrics = run.metrics {
            let scalars = metrics.flattened().filter { !$0.key.hasPrefix("confusion") }
            md += Markdown.table(header: ["metric", "value"], rows: scalars.map { [$0.key, $0.value.text] }) + "\n"
            if let confusion = confusionMatrix(metrics) {
                md += "## Confusion matrix\n\nAs stored in metrics.json `confusion` (row i, column j).\n\n"
                md += Markdown.table(header: [""] + confusion.indices.map(String.init),
                                     rows: confusion.enumerated().map { [String($0.offset)] + $0.element }) + "\n"
            }
        } else {
            md += "No \(RunLayout.metricsJSONFile) in this run directory.\n\n"
        }
        md += "## Configuration\n\n"
        if let config = run.config {
            md += Markdown.table(header: ["parameter", "value"], rows: config.flattened().map { [$0.key, $0.value.text] }) + "\n"
        } else {
            md += "No \(RunLayout.configFile) in this run directory.\n\n"
        }
        return Files(files: [(lossFile, chart.svg()), (markdownFile, md + sections(extraSections))])
    }

    /// The files of a several-runs report (see `writeRuns`). Every run needs `history.csv`.
    static func runs(dirs: [String], logY: Bool = false, extraSections: [ReportSection] = []) throws -> Files {
        let runs = try dirs.map(RunDirectory.load)
        let histories = try runs.map(requireHistory)
        let labels = runLabels(dirs)
        let chart = lossChart(Array(zip(labels, histories)), title: "Training loss", logY: logY)

        var md = "# Runs compared\n\n"
        md += Markdown.table(header: ["run", "directory"], rows: zip(labels, dirs).map { [$0, "`\($1)`"] }) + "\n"
        md += "## Loss\n\n![loss](\(lossFile))\n\n"

        let metrics = runs.map { ($0.metrics?.flattened() ?? []).filter { !$0.key.hasPrefix("confusion") } }
        var metricRows = unionRows(metrics)
        metricRows.append(["final_loss"] + histories.map { $0.finalLoss.map(NumberText.shortest) ?? "" })
        metricRows.append(["history_epochs"] + histories.map { String($0.losses.count) })
        md += "## Metrics\n\n" + Markdown.table(header: ["metric"] + labels, rows: metricRows) + "\n"

        let configRows = unionRows(runs.map { $0.config?.flattened() ?? [] })
        let differing = configRows.filter { Set($0.dropFirst()).count > 1 }
        let common = configRows.filter { Set($0.dropFirst()).count == 1 }
        md += "## Configuration differences\n\n"
        md += differing.isEmpty
            ? "The configurations are identical.\n\n"
            : Markdown.table(header: ["parameter"] + labels, rows: differing) + "\n"
        if !common.isEmpty {
            md += "## Common configuration\n\n" + Markdown.table(header: ["parameter", "value"], rows: common.map { [$0[0], $0[1]] }) + "\n"
        }
        return Files(files: [(lossFile, chart.svg()), (markdownFile, md + sections(extraSections))])
    }

    /// The files of a sweep report (see `writeSweep`).
    ///
    /// `metric` defaults to the first of f1, macro_f1, accuracy, final_loss that is a
    /// column; `param` to the first parameter column with more than one distinct numeric
    /// value among the ok rows. Without such a pair the metric chart is left out and
    /// `report.md` says why. Every ok run needs `runs/<run_id>/history.csv`.
    static func sweep(dir: String, metric: String? = nil, param: String? = nil, logY: Bool = false,
                             extraSections: [ReportSection] = []) throws -> Files {
        let sweep = try SweepDirectory.load(dir)
        let summary = sweep.summary
        let summaryPath = SweepLayout(dir).summary
        let table = summary.table
        let ok = summary.okRows

        var histories: [(String, History)] = []
        for row in ok {
            let runDir = try sweep.runPath(row[0])
            try RunMarker.requireComplete(runDir)   // e.g. the point is being trained again
            let path = RunLayout(runDir).history
            guard FilePath.exists(path) else { throw NNError("\(path): missing (run \(row[0]) is ok in \(summaryPath))") }
            histories.append((row[0], try History.read(path: path)))
        }
        var files: [(name: String, content: String)] = [
            (lossFile, lossChart(histories, title: "Training loss: \(sweep.name)", logY: logY).svg()),
        ]

        var md = "# Sweep report: \(sweep.name)\n\nSweep directory: `\(dir)`\n\n"
        md += "\(table.rows.count) points: \(ok.count) ok, \(table.rows.count - ok.count) not ok. "
        md += "Swept parameters: \(summary.parameterColumns.isEmpty ? "none" : summary.parameterColumns.joined(separator: ", ")).\n\n"
        md += "## Loss\n\n![loss](\(lossFile))\n\nLoss per epoch of the \(ok.count) ok runs.\n\n"

        if let metric, table.column(metric) == nil {
            throw NNError("\(summaryPath): no metric column '\(metric)'")
        }
        if let param, !summary.parameterColumns.contains(param) {
            throw NNError("\(summaryPath): '\(param)' is not a parameter column (parameters: \(summary.parameterColumns.joined(separator: ", ")))")
        }
        let chosenMetric = metric ?? ["f1", "macro_f1", "accuracy", "final_loss"].first { table.column($0) != nil }
        let chosenParam = param ?? defaultParam(summary)
        if let m = chosenMetric, let p = chosenParam {
            let plot = try metricChart(summary, metric: m, param: p, source: summaryPath)
            let name = "\(fileSafe(m))-vs-\(fileSafe(p)).svg"
            files.append((name, plot.chart.svg()))
            md += "## \(m) vs \(p)\n\n![\(m) vs \(p)](\(name))\n\n"
            md += plot.grouping.isEmpty
                ? "One line: no other parameter varies.\n\n"
                : "One line per \(plot.grouping.joined(separator: ", ")).\n\n"
            if plot.leftOut > 0 { md += "\(plot.leftOut) ok rows without a numeric \(m) are not drawn.\n\n" }
        } else {
            md += "## Metric chart\n\n"
            md += chosenMetric == nil
                ? "No metric column (f1, macro_f1, accuracy, final_loss) to chart.\n\n"
                : "No swept parameter has more than one distinct numeric value among the ok runs, so there is no metric chart.\n\n"
        }
        md += "## Summary\n\n" + Markdown.table(header: table.header, rows: table.rows) + "\n"
        files.append((markdownFile, md + sections(extraSections)))
        return Files(files: files)
    }

    // MARK: - Building blocks

    /// Loss against epoch, one series per run (`history.csv` epochs on x).
    static func lossChart(_ runs: [(name: String, history: History)], title: String, logY: Bool = false) -> LineChart {
        let series = runs.map { Series(name: $0.name, points: zip($0.history.epochs, $0.history.losses).map { ChartPoint(x: $0, y: $1) }) }
        return LineChart(title: title, xLabel: "epoch", yLabel: "loss", series: series, logY: logY)
    }

    /// `metric` against the parameter column `param` over the ok rows of a summary.
    ///
    /// Rows are grouped by the values of the other parameter columns that vary among the
    /// ok rows (`grouping`); each group is one series named `col=value, col=value` (or
    /// the metric's name when nothing else varies), groups sorted by those values
    /// (numbers numerically), points sorted by x. The x axis is logarithmic when every x
    /// is positive and max/min >= 100. Rows whose metric is not a number are left out
    /// and counted in `leftOut`. Errors: `param` not numeric in every ok row.
    static func metricChart(_ summary: SweepSummary, metric: String, param: String,
                                   source: String) throws -> (chart: LineChart, grouping: [String], leftOut: Int) {
        let table = summary.table
        guard let mi = table.column(metric) else { throw NNError("\(source): no metric column '\(metric)'") }
        guard let pi = table.column(param) else { throw NNError("\(source): no parameter column '\(param)'") }
        let ok = summary.okRows
        let others = summary.parameterColumns.filter { $0 != param }.compactMap { c in table.column(c).map { (c, $0) } }
        let grouping = others.filter { _, i in Set(ok.map { FieldValue($0[i]).normalized }).count > 1 }

        // Group by the normalized texts of the varying columns; keep the first row's
        // values of each group for its label and its place in the order.
        var groups: [[String]: (values: [FieldValue], points: [(x: Double, y: Double, order: Int)])] = [:]
        var leftOut = 0
        for (n, row) in ok.enumerated() {
            guard let x = NumberText.parse(row[pi]) else {
                throw NNError("\(source): parameter '\(param)' is not numeric ('\(row[pi])' for run \(row[0]))")
            }
            guard let y = NumberText.parse(row[mi]) else { leftOut += 1; continue }
            let values = grouping.map { FieldValue(row[$0.1]) }
            groups[values.map(\.normalized), default: (values, [])].points.append((x, y, n))
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
        let series = ordered.map { group -> Series in
            let name = grouping.isEmpty ? metric : zip(grouping, group.values).map { "\($0.0)=\($1.text)" }.joined(separator: ", ")
            let points = group.points.sorted { ($0.x, $0.order) < ($1.x, $1.order) }
            return Series(name: name, points: points.map { ChartPoint(x: $0.x, y: $0.y) })
        }
        let xs = series.flatMap { $0.points.map(\.x) }
        let logX = !xs.isEmpty && xs.allSatisfy { $0 > 0 } && (xs.max() ?? 0) >= 100 * (xs.min() ?? 0)
        let chart = LineChart(title: "\(metric) vs \(param)", xLabel: param, yLabel: metric, series: series, logX: logX)
        return (chart, grouping.map(\.0), leftOut)
    }

    /// The first parameter column with more than one distinct numeric value among the
    /// ok rows (every ok value numeric), if any.
    static func defaultParam(_ summary: SweepSummary) -> String? {
        let ok = summary.okRows
        return summary.parameterColumns.first { column in
            guard let i = summary.table.column(column) else { return false }
            let values = ok.map { NumberText.parse($0[i]) }
            return values.allSatisfy { $0 != nil } && Set(values.compactMap { $0 }).count > 1
        }
    }

    /// Short, distinct labels for run directories: the fewest trailing path components
    /// that tell them apart (`seed-0`, or `a/seed-0` and `b/seed-0`); a path given twice
    /// gets ` #2`.
    static func runLabels(_ paths: [String]) -> [String] {
        let parts = paths.map { URL(fileURLWithPath: $0).standardized.pathComponents.filter { $0 != "/" } }
        let depth = parts.map(\.count).max() ?? 1
        var labels = parts.map { $0.suffix(1).joined(separator: "/") }
        for k in 1...max(depth, 1) {
            labels = parts.map { $0.suffix(k).joined(separator: "/") }
            if Set(labels).count == labels.count { return labels }
        }
        var seen: [String: Int] = [:]
        return labels.map { label in
            let n = (seen[label] ?? 0) + 1
            seen[label] = n
            return n == 1 ? label : "\(label) #\(n)"
        }
    }

    // MARK: - Helpers

    private static func requireHistory(_ run: RunDirectory) throws -> History {
        guard let history = run.history else {
            throw NNError("\(RunLayout(run.path).history): missing, needed for the loss chart")
        }
        return history
    }

    /// metrics.json `confusion` as rows of cell texts, when it is an array of arrays.
    private static func confusionMatrix(_ metrics: JSONValue) -> [[String]]? {
        guard case .array(let rows)? = metrics["confusion"], !rows.isEmpty else { return nil }
        var out: [[String]] = []
        for row in rows {
            guard case .array(let cells) = row else { return nil }
            let texts = cells.compactMap { $0.scalarField?.text }
            guard texts.count == cells.count else { return nil }
            out.append(texts)
        }
        return out
    }

    /// One row per field seen in any record (first-seen order): name, then each
    /// record's value text ("" where absent).
    private static func unionRows(_ records: [[(key: String, value: FieldValue)]]) -> [[String]] {
        var order: [String] = []
        var seen = Set<String>()
        for record in records { for (key, _) in record where seen.insert(key).inserted { order.append(key) } }
        let lookups = records.map { Dictionary($0.map { ($0.key, $0.value.text) }, uniquingKeysWith: { x, _ in x }) }
        return order.map { key in [key] + lookups.map { $0[key] ?? "" } }
    }

    private static func sections(_ extra: [ReportSection]) -> String {
        extra.map { "## \($0.title)\n\n\($0.markdown)\($0.markdown.hasSuffix("\n") ? "" : "\n")\n" }.joined()
    }

    /// A name usable in a file name: characters other than A-Z a-z 0-9 . _ - become `_`.
    static func fileSafe(_ name: String) -> String {
        String(name.unicodeScalars.map { c -> Character in
            (c.isASCII && (CharacterSet.alphanumerics.contains(c) || "._-".unicodeScalars.contains(c))) ? Character(c) : "_"
        })
    }
}
