import Foundation
import NNBase
import NNKernel
import NNFormats

/// An extra Markdown section appended to a generated `report.md`: `## <title>`, a blank
/// line, then `markdown` as given (e.g. the notebook's published figures beside ours).
package struct ReportSection: Sendable, Equatable {
    var title: String
    var markdown: String
    package init(title: String, markdown: String) {
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
    package static let markdownFile = RunLayout.reportFile
    package static let lossFile = RunLayout.lossChartFile
    /// `nn report --html`'s page (written in NNReports, `HTMLReport`).
    package static let htmlFile = RunLayout.htmlReportFile

    /// The one-line warning when a report was written into `dir` without `--html` and an
    /// older `report.html` is there: it is kept (it may be the user's), never deleted.
    package static func staleHTMLWarning(dir: String) -> String? {
        let path = FilePath.join(dir, htmlFile)
        return FilePath.exists(path) ? "\(path) is older than the report.md just written; kept, "
            + "run `nn report --html` to rewrite it" : nil
    }
    /// The files every report writes (charts of a sweep's metrics besides).
    package static let outputFiles = [markdownFile, lossFile]

    /// What a report consists of, before anything is written.
    package struct Files: Sendable {
        /// File name -> content, written in this order (report.md last).
        package var files: [(name: String, content: String)]

        package init(files: [(name: String, content: String)]) { self.files = files }

        /// Writes every file into `dir` (created if needed); returns the paths written.
        @discardableResult
        package func write(to dir: String) throws -> [String] {
            AtomicFile.removeStaleTemporaries(in: dir)
            let written = files.map { FilePath.join(dir, $0.name) }
            try AtomicFile.write(files: zip(written, files).map { ($0, $1.content) })
            return written
        }
    }

    // MARK: - Entry points

    /// One run: `loss.svg` (loss per epoch) and `report.md` (loss chart, metrics,
    /// confusion matrix when there is one, configuration) in `out` (default: `dir`).
    @discardableResult
    static func writeRun(dir: String, out: String? = nil, logY: Bool = false,
                                extraSections: [ReportSection] = []) throws -> [String] {
        try run(dir: dir, out: out, logY: logY, extraSections: extraSections).write(to: out ?? dir)
    }

    /// Several runs: one `loss.svg` with a line per run, and `report.md` comparing their
    /// metrics and the configuration fields that differ, in `out`.
    @discardableResult
    static func writeRuns(dirs: [String], out: String, logY: Bool = false,
                                 extraSections: [ReportSection] = []) throws -> [String] {
        try runs(dirs: dirs, logY: logY, extraSections: extraSections).write(to: out)
    }

    // MARK: - Rendering

    /// The files of a one-run report (see `writeRun`). Needs `history.csv`. The metrics
    /// come first (`ReportTables`: fixed order, 5 significant digits), then the loss, then
    /// the configuration without the keys of other optimisers. `nn eval`'s charts are
    /// linked when the report sits beside them (`out` nil or `dir`) and they exist.
    package static func run(dir: String, out: String? = nil, logY: Bool = false, extraSections: [ReportSection] = []) throws -> Files {
        let evalCharts = out == nil || out == dir
        let run = try RunDirectory.load(dir)
        let history = try requireHistory(run)
        let name = legendLabels(dirs: [dir], configs: [run.config])[0]
        let chart = withValidation(lossChart([(name, history)], title: "Training loss: \(name)", loss: run.lossName, logY: logY),
                                   history: history)

        var md = "# Run report: \(name)\n\nRun directory: \(location(of: dir, from: out ?? dir))\n\n"
        md += "## Metrics\n\n"
        if let metrics = run.metrics {
            let scalars = ReportTables.ordered(metrics.flattened())
            md += "On the test split (training loss: on the training split). Rounded; full precision in \(RunLayout.metricsJSONFile).\n\n"
            md += Markdown.table(header: ["metric", "value"], rows: scalars.map { [ReportTables.label($0.key), ReportTables.display($0.value)] }) + "\n"
            let charts = [(RunLayout.rocFile, "ROC curve"), (RunLayout.rocLogFile, "ROC curve, log FPR"), (RunLayout.prFile, "precision-recall curve"), (RunLayout.confusionFile, "confusion matrix")]
                .filter { evalCharts && FilePath.exists(RunLayout(dir).path($0.0)) }
            if !charts.isEmpty { md += charts.map { "![\($1)](\($0))" }.joined(separator: "\n") + "\n\n" }
            if let confusion = confusionMatrix(metrics) {
                md += "## Confusion matrix\n\nAs stored in metrics.json `confusion` (row i, column j).\n\n"
                md += Markdown.table(header: [""] + confusion.indices.map(String.init),
                                     rows: confusion.enumerated().map { [String($0.offset)] + $0.element }) + "\n"
            }
        } else {
            md += "No \(RunLayout.metricsJSONFile) in this run directory.\n\n"
        }
        md += "## Loss\n\n![loss](\(lossFile))\n\n"
        md += "\(history.losses.count) epochs; the last epoch's loss (its forward pass, before its update) "
        md += "\(history.finalLoss.map { Markdown.number($0) } ?? "n/a").\n\n"
        md += "## Configuration\n\n"
        if let config = run.config {
            md += Markdown.table(header: ["parameter", "value"],
                                 rows: ReportTables.applicable(config.flattened()).map { [$0.key, $0.value.text] }) + "\n"
        } else {
            md += "No \(RunLayout.configFile) in this run directory.\n\n"
        }
        return Files(files: [(lossFile, chart.svg()), (markdownFile, md + sections(extraSections))])
    }

    /// The files of a several-runs report (see `writeRuns`). Every run needs `history.csv`.
    /// `headline` sections come first, right after the title; `extraSections` last.
    package static func runs(dirs: [String], logY: Bool = false, headline: [ReportSection] = [],
                     extraSections: [ReportSection] = []) throws -> Files {
        let runs = try dirs.map { try RunDirectory.load($0) }
        let histories = try runs.map(requireHistory)
        let labels = legendLabels(dirs: dirs, configs: runs.map(\.config))
        let chart = lossChart(Array(zip(labels, histories)), title: "Training loss", loss: runs.first?.lossName, logY: logY)

        var md = "# Runs compared\n\n" + sections(headline)
        md += Markdown.table(header: ["run", "directory"], rows: zip(labels, dirs).map { [$0, "`\($1)`"] }) + "\n"

        let metrics = zip(runs, histories).map { run, history in
            (run.metrics?.flattened() ?? []) + [
                ("last_epoch_loss", FieldValue(history.finalLoss.map(NumberText.real) ?? "")),
                ("history_epochs", FieldValue(String(history.losses.count))),
            ]
        }
        let metricRows = unionRows(metrics.map(ReportTables.ordered), display: true)
        md += "## Metrics\n\n" + Markdown.table(header: ["metric"] + labels, rows: metricRows) + "\n"
        md += "## Loss\n\n![loss](\(lossFile))\n\n"

        let configRows = unionRows(runs.map { ReportTables.applicable($0.config?.flattened() ?? []) })
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

    // MARK: - Building blocks

    /// Loss against epoch, one series per run (`history.csv` epochs on x, whole-number
    /// ticks; the y axis from 0 up at most), the y label naming the loss (`loss`: config.json's
    /// `loss`, e.g. `bce`) and that it is the training loss before each epoch's update.
    package static func lossChart(_ runs: [(name: String, history: History)], title: String, loss: String? = nil,
                          logY: Bool = false) -> LineChart {
        let series = runs.map { Series(name: $0.name, points: zip($0.history.epochs, $0.history.losses).map { ChartPoint(x: $0, y: $1) }) }
        let kind = loss.map { " (\($0.uppercased()))" } ?? ""
        return LineChart(title: title, xLabel: "epoch", yLabel: "training loss\(kind), before the update", series: series,
                         logY: logY, yBounds: 0...Double.greatestFiniteMagnitude, integerX: true, margin: 12)
    }

    /// `lossChart` with runs in groups (a sweep's seeds of one configuration): one colour
    /// per group; a group of one run is its line, a larger group the mean loss per epoch
    /// (over the runs that reached it) inside a band from the minimum to the maximum.
    package static func groupedLossChart(_ groups: [(name: String, runs: [History])], title: String, loss: String? = nil,
                                         logY: Bool = false) -> LineChart {
        var chart = lossChart(groups.compactMap { g in g.runs.first.map { (g.name, $0) } }, title: title, loss: loss, logY: logY)
        for (i, group) in groups.enumerated() where group.runs.count > 1 {
            var byEpoch: [Double: [Double]] = [:]
            for h in group.runs { for (e, l) in zip(h.epochs, h.losses) where l.isFinite { byEpoch[e, default: []].append(l) } }
            let epochs = byEpoch.keys.sorted()
            chart.series[i] = Series(name: "\(group.name) (mean of \(group.runs.count); band min-max)",
                                     points: epochs.map { e in ChartPoint(x: e, y: byEpoch[e]!.reduce(0, +) / Double(byEpoch[e]!.count)) },
                                     markers: false, band: epochs.map { ChartBand(x: $0, lo: byEpoch[$0]!.min()!, hi: byEpoch[$0]!.max()!) })
        }
        return chart
    }

    /// Short, distinct labels for run directories: the fewest trailing path components
    /// that tell them apart (`seed-0`, or `a/seed-0` and `b/seed-0`); a path given twice
    /// gets ` #2`.
    package static func runLabels(_ paths: [String]) -> [String] {
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

    /// Where `dir` is, for a report written into `reportDir`: its path relative to
    /// `reportDir` in backquotes (`` `../runs/x` ``), and `` `.` (this report's
    /// directory) `` when it is that directory. Never absolute, so a report reads the same
    /// whichever way the directory was named (`nn sweep` knows it absolute, `nn report` as
    /// typed) and on every machine.
    package static func location(of dir: String, from reportDir: String) -> String {
        func parts(_ p: String) -> [String] { URL(fileURLWithPath: p).standardizedFileURL.pathComponents.filter { $0 != "/" } }
        let target = parts(dir), base = parts(reportDir)
        var common = 0
        while common < min(target.count, base.count), target[common] == base[common] { common += 1 }
        let relative = Array(repeating: "..", count: base.count - common) + target.dropFirst(common)
        return relative.isEmpty ? "`.` (this report's directory)" : "`\(relative.joined(separator: "/"))`"
    }

    static func requireHistory(_ run: RunDirectory) throws -> History {
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
    /// record's value text ("" where absent); with `display`, metric labels and rounded
    /// values (`ReportTables`).
    private static func unionRows(_ records: [[(key: String, value: FieldValue)]], display: Bool = false) -> [[String]] {
        var order: [String] = []
        var seen = Set<String>()
        for record in records { for (key, _) in record where seen.insert(key).inserted { order.append(key) } }
        if display { order = ReportTables.ordered(order.map { (key: $0, value: FieldValue("")) }).map(\.key) }
        let lookups = records.map { record in
            Dictionary(record.map { ($0.key, display ? ReportTables.display($0.value) : $0.value.text) }, uniquingKeysWith: { x, _ in x })
        }
        return order.map { key in [display ? ReportTables.label(key) : key] + lookups.map { $0[key] ?? "" } }
    }

    package static func sections(_ extra: [ReportSection]) -> String {
        extra.map { "## \($0.title)\n\n\($0.markdown)\($0.markdown.hasSuffix("\n") ? "" : "\n")\n" }.joined()
    }

    /// A name usable in a file name: characters other than A-Z a-z 0-9 . _ - become `_`.
    package static func fileSafe(_ name: String) -> String {
        String(name.unicodeScalars.map { c -> Character in
            (c.isASCII && (CharacterSet.alphanumerics.contains(c) || "._-".unicodeScalars.contains(c))) ? Character(c) : "_"
        })
    }
}
