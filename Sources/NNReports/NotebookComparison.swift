import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps

/// The notebook's published results, and a report section that sets a band of seeded runs
/// beside them (the notebook drew its weights unseeded, so one seed cannot be expected to
/// hit its figures exactly; the question is whether they fall inside our band).
package enum NotebookComparison {
    /// Printed by the notebook's `predict` (accuracy, F1, precision, recall).
    /// In the reports' order (accuracy, precision, recall, F1).
    static let published: [(metric: String, value: Double)] = [
        ("accuracy", 0.95095), ("precision", 0.9678391959798995), ("recall", 0.5036610878661087),
        ("f1", 0.6625386996904025),
    ]
    /// The confusion counts those figures imply on its 20,000-sample test set.
    static let counts: [(metric: String, value: Int)] = [("tp", 963), ("fp", 32), ("fn", 949), ("tn", 18056)]
    static let testSamples = 20_000
    static let testPositives = 1_912
    /// The notebook's printed per-epoch losses (its 40th line is cut off at `0.144`).
    static let losses: [Double] = [
        0.6769232302749445, 0.4731457871064196, 0.36120666619088, 0.3443704228772589, 0.33554247036164087,
        0.3271241362197645, 0.31883781204130346, 0.3103004736751103, 0.3013139984139406, 0.29203153200114385,
        0.2824937125847092, 0.2726961338102551, 0.2627090661276295, 0.25261691455129986, 0.24250532601691568,
        0.2326800162332227, 0.22353467228063736, 0.2152557976410191, 0.20776776367654515, 0.2009515267289394,
        0.1946947736761549, 0.18895410507198493, 0.1837711487653117, 0.1798973277343879, 0.18186625482790017,
        0.2169254341888924, 0.3985554292447169, 0.4040889052465391, 0.292943634882196, 0.19782695083127114,
        0.18247006680760827, 0.17480379675258048, 0.1693602110531448, 0.16498019102769504, 0.16110813283047506,
        0.15752398145475038, 0.1541039420430122, 0.15081394730296374, 0.14763324506769374, 0.144,
    ]

    package struct Outcome: Sendable {
        package var files: Report.Files
        /// Plain-text lines for the terminal.
        package var summary: [String]
        /// True when every run's test set has the notebook's size and number of eights.
        package var testSetMatches: Bool
    }

    /// Loads the seed runs' metrics (metrics.json) and histories.
    package static func compare(runs dirs: [String]) throws -> Outcome {
        guard !dirs.isEmpty else { throw NNError("report --notebook: no run directories given") }
        let runs = try dirs.map { try RunDirectory.load($0) }
        var metrics: [[String: Double]] = []
        for run in runs {
            guard let m = run.metrics else { throw NNError("\(run.path): no metrics.json (run `nn eval --run \(run.path)`)") }
            var d: [String: Double] = [:]
            for (k, v) in m.flattened() { if let x = v.number { d[k] = x } }
            for key in published.map(\.metric) + counts.map(\.metric) + ["samples", "positives"] where d[key] == nil {
                throw NNError("\(run.path)/metrics.json: no '\(key)' (not a binary run?)")
            }
            metrics.append(d)
        }
        let labels = Report.legendLabels(dirs: dirs, configs: runs.map(\.config))
        var summary: [String] = []
        var md = ""

        // The test set itself.
        var matches = true
        var setRows: [[String]] = []
        for (label, m) in zip(labels, metrics) {
            let n = Int(m["samples"]!), p = Int(m["positives"]!)
            let ok = n == testSamples && p == testPositives
            matches = matches && ok
            setRows.append([label, String(n), String(p), ok ? "yes" : "NO"])
        }
        md += "The notebook tested on \(testSamples) samples holding \(testPositives) eights.\n\n"
        md += Markdown.table(header: ["run", "test samples", "eights", "same as the notebook"], rows: setRows) + "\n"
        summary.append(matches
            ? "test set: \(testSamples) samples, \(testPositives) eights in every run (the notebook's: \(testSamples), \(testPositives))"
            : "test set DIFFERS from the notebook's (\(testSamples) samples, \(testPositives) eights): see the report")

        // Runs trained otherwise than the notebook are not "our seeds" of it: say so.
        for (label, run) in zip(labels, runs) {
            let differences = notebookDifferences(run.config)
            guard !differences.isEmpty else { continue }
            let line = "warning: \(label) differs from the notebook's configuration: \(differences.joined(separator: ", "))"
            summary.append(line)
            md += line.replacingOccurrences(of: "warning: ", with: "**Warning:** ") + "\n\n"
        }

        // Metrics band.
        var rows: [[String]] = []
        func band(_ key: String) -> (mean: Double, min: Double, max: Double) {
            let xs = metrics.map { $0[key]! }
            return (xs.reduce(0, +) / Double(xs.count), xs.min()!, xs.max()!)
        }
        let all: [(String, Double, Bool)] = published.map { ($0.metric, $0.value, false) } + counts.map { ($0.metric, Double($0.value), true) }
        for (key, nb, isCount) in all {
            let b = band(key)
            let inside = nb >= b.min && nb <= b.max
            let fmt: (Double) -> String = isCount ? { NumberText.shortest($0) } : { NumberText.fixed($0, decimals: 5) }
            rows.append([key, fmt(nb)] + metrics.map { fmt($0[key]!) } + [NumberText.fixed(b.mean, decimals: isCount ? 1 : 5), fmt(b.min), fmt(b.max), inside ? "yes" : "no"])
            summary.append("\(key.padding(toLength: 9, withPad: " ", startingAt: 0)) notebook \(fmt(nb))  ours mean \(NumberText.fixed(b.mean, decimals: isCount ? 1 : 5)) [\(fmt(b.min)), \(fmt(b.max))]  \(inside ? "inside" : "outside") the band")
        }
        md += "## Metrics: the notebook beside our \(runs.count) seeds\n\n"
        md += Markdown.table(header: ["metric", "notebook"] + labels + ["mean", "min", "max", "notebook inside [min, max]"], rows: rows) + "\n"

        // Loss curves with the notebook's printed losses.
        var series = runs.enumerated().compactMap { i, r in r.history.map { (labels[i], $0) } }
        let nbTable = CSVTable(header: ["epoch", "loss"], rows: losses.enumerated().map { [String($0.offset + 1), NumberText.shortest($0.element)] })
        series.append(("notebook (printed)", try History(table: nbTable, name: "notebook")))
        var chart = Report.lossChart(series, title: "Training loss: our seeds and the notebook's printed losses",
                                     loss: runs.first?.lossName)
        // The reference is the line that matters most: dark and dashed, drawn last (on top).
        chart.series[chart.series.count - 1].color = EvalCharts.referenceColor
        chart.series[chart.series.count - 1].dash = EvalCharts.referenceDash
        md += "## Loss per epoch\n\n![loss beside the notebook](loss-vs-notebook.svg)\n\n"
        md += "The notebook's run was unseeded, so no seed retraces its curve; what to compare is the shape: a steady descent, "
        md += "a transient spike where full-batch steps at this learning rate overshoot (the notebook's at epochs 25-28), then recovery.\n\n"

        var files = try Report.runs(dirs: dirs, headline: [ReportSection(title: "The notebook's published results", markdown: md)])
        files.files.insert(("loss-vs-notebook.svg", chart.svg()), at: 0)
        return Outcome(files: files, summary: summary, testSetMatches: matches)
    }

    /// The keys of a run's `config.json` whose values are not the notebook's (`key value
    /// (notebook V)`), leaving out the labels, the seed (the runs are seeds of it), the
    /// data keys (the test-set check covers them) and checkpointing.
    static func notebookDifferences(_ config: JSONValue?) -> [String] {
        guard var object = config?.dictionary else { return ["no config.json"] }
        object["data"] = nil
        var c = ExperimentConfig()
        guard (try? c.apply(json: object, source: "config.json")) != nil else { return ["config.json not readable"] }
        let notebook = ExperimentConfig()
        let skipped: Set<String> = ["name", "description", "seed", "checkpoint_every"]
        return ExperimentConfig.table.filter { !skipped.contains($0.name) && !$0.selectsData }
            .filter { $0.text(c) != $0.text(notebook) }
            .map { "\($0.name) \($0.text(c)) (notebook \($0.text(notebook)))" }
    }
}
