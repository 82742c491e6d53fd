import ArgumentParser
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

/// `--x-scale`: auto, linear or log.
extension XScale: ExpressibleByArgument {}

/// `nn report PATH...`: SVG charts and report.md for run or sweep directories.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write SVG charts and report.md for run or sweep directories.",
        discussion: """
            One run directory: loss.svg and report.md in the run directory (or --out). \
            Several run directories: one overlaid loss.svg and a comparison report.md in \
            --out (required). A sweep directory: <metric>-vs-<param>.svg (mean over seeds \
            with their min-max band), loss.svg (all ok runs) and report.md in the sweep \
            directory (or --out).

            Examples:
              nn report results/sweeps/notebook
              nn report results/runs/notebook/0123456789ab
              nn report run-a run-b --out compare
            """
    )

    @Argument(help: "Run directories, or one sweep directory.", completion: .directory)
    var paths: [String] = []

    @Option(help: "Directory to write into (default: the run or sweep directory).", completion: .directory)
    var out: String?

    @Option(help: "Sweep only: metric column to chart (default: the sweep's ranking metric, \(Ranking.defaultMetric); when that is the same for every ok point, the first other metric that varies).")
    var metric: String?

    @Option(help: "Sweep only: numeric parameter column for the x axis (default: the one with the most distinct values, seed last).")
    var param: String?

    @Flag(name: .customLong("log-y"), help: "Logarithmic loss axis.")
    var logY = false

    @Option(name: .customLong("x-scale"), help: "Sweep only: x axis of the metric chart (auto: log when every value is positive and they span more than a decade, or a random search drew it loguniform).")
    var xScale: XScale = .auto

    @Flag(help: "Set the runs (seeds of the notebook experiment) beside the notebook's published figures: test-set check, metric band, loss curves. Needs --out.")
    var notebook = false

    @Flag(help: "Also write report.html beside report.md: one self-contained page (runs table to sort and filter, the charts, each run's config and provenance) that opens from file:// and makes no network request.")
    var html = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one run or sweep directory") }
        if paths.count > 1 && out == nil { throw ValidationError("--out is required with several directories") }
    }

    func run() throws {
        if let out {
            try OutputPath.check(directory: out, receiving: Report.outputFiles, flag: "--out", own: paths.count == 1 ? paths : [])
        }
        let lock = try RunLock.reading(paths)
        defer { withExtendedLifetime(lock) {} }
        if notebook {
            guard let out else { throw NNError("--notebook: needs --out DIR for the report") }
            let outcome = try NotebookComparison.compare(runs: paths)
            let written = try (html ? outcome.files.addingHTML(runs: paths) : outcome.files).write(to: out)
            for line in outcome.summary { print(line) }
            for path in written { print(path) }
            if !html, let warning = Report.staleHTMLWarning(dir: out) { Console.err("warning: \(warning)\n") }
            if !outcome.testSetMatches { throw NNError("the test set differs from the notebook's (see \(out)/report.md)") }
            return
        }
        let written = try Report.write(paths: paths, out: out, metric: metric, param: param, logY: logY,
                                       xScale: xScale, html: html)
        for path in written { print(path) }
        if !html, let warning = Report.staleHTMLWarning(dir: out ?? paths[0]) {
            Console.err("warning: \(warning)\n")
        }
    }
}
