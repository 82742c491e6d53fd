import Foundation
import NNKernel
import NNFormats

/// The files of a run directory (default `results/runs/<name>/<run id>/`; a sweep's point
/// is `<sweep>/runs/<run id>/`, see `SweepLayout`). `Run` writes them (`nn train`, `nn
/// eval`); `RunDirectory`, `History` and the sweep's summary read them. What each file
/// holds is said once, in docs/layout.md's table, which `RunLayoutDocsTests` keeps to
/// exactly the names below.
///
/// The code of each: `config.json` `Run.write`/`Run.readConfig`, `history.csv` `History`,
/// `model.nnm` `ModelFile`, `metrics.*` and `predictions.csv` `Run.evaluate` (another
/// threshold: `atThreshold`), `checkpoint.nnc` `Checkpoint`, `best.json`
/// `ValidationTracker`, `.nn-run` `RunMarker` (putting a run in place: `RunInstall`),
/// `provenance.json` `Provenance`, `report.md` `Report`.
package struct RunLayout: Sendable {
    package static let configFile = "config.json"
    package static let historyFile = "history.csv"
    package static let modelFile = "model.nnm"
    package static let timingFile = "timing.json"
    package static let provenanceFile = Provenance.file
    package static let metricsJSONFile = "metrics.json"
    package static let metricsCSVFile = "metrics.csv"
    package static let predictionsFile = "predictions.csv"
    package static let markerFile = ".nn-run"
    package static let checkpointFile = "checkpoint.nnc"
    package static let bestFile = "best.json"
    package static let pointFile = "point.json"
    package static let thresholdsFile = "thresholds.csv"
    package static let rocFile = "roc.svg"
    /// The ROC curve again on a log false-positive-rate axis (`EvalCharts.roc(logFPR:)`).
    package static let rocLogFile = "roc-log.svg"
    package static let prFile = "pr.svg"
    package static let confusionFile = "confusion.svg"
    /// The files `nn eval` writes (at the run's own threshold).
    package static let evalFiles = [metricsJSONFile, metricsCSVFile, predictionsFile, thresholdsFile, rocFile, rocLogFile, prFile, confusionFile]
    package static let statusFile = "status.json"
    /// `nn report`'s files (`Report`).
    package static let reportFile = "report.md"
    package static let lossChartFile = "loss.svg"
    /// `nn report --html`'s page (`HTMLReport`).
    package static let htmlReportFile = "report.html"

    /// Every file a run directory can hold under its own name; docs/layout.md's table of a run
    /// directory lists exactly these, plus `nn eval --threshold`'s (`atThreshold`) and `nn
    /// export`'s (`Export.defaultPath`) (`RunLayoutDocsTests`).
    static let allFiles = [configFile, historyFile, modelFile, timingFile, provenanceFile, metricsJSONFile, metricsCSVFile,
                           predictionsFile, thresholdsFile, rocFile, rocLogFile, prFile, confusionFile, checkpointFile, bestFile,
                           markerFile, pointFile, statusFile, reportFile, lossChartFile, htmlReportFile, RunMeta.file]

    /// The files of a run from before markers (`RunInstall`), report included.
    package static let legacyFiles: Set<String> = [
        configFile, historyFile, timingFile, metricsJSONFile, metricsCSVFile, predictionsFile, modelFile,
        reportFile, lossChartFile, htmlReportFile,
    ]

    /// Every file a run directory may hold (its own, `nn eval`'s, `nn report`'s and a sweep
    /// point's): no command writes onto one of them as an output (`OutputPath`).
    package static let ownedFiles = [
        configFile, historyFile, modelFile, timingFile, provenanceFile, metricsJSONFile, metricsCSVFile, predictionsFile,
        markerFile, checkpointFile, bestFile, pointFile, thresholdsFile, rocFile, rocLogFile, prFile, confusionFile, statusFile,
        Report.markdownFile, Report.lossFile, Report.htmlFile,
    ]

    /// True when `relative` (path components below a run directory) names a file the run
    /// owns: one of `ownedFiles`, one of them at another threshold (`atThreshold`), or a
    /// hidden file (the marker, temporary files).
    package static func owns(_ relative: [String]) -> Bool {
        guard relative.count == 1, let name = relative.first else { return false }
        if name.hasPrefix(".") || ownedFiles.contains(name) { return true }
        return [metricsJSONFile, metricsCSVFile, predictionsFile, confusionFile].contains { file in
            let dot = file.lastIndex(of: ".") ?? file.endIndex
            return name.hasPrefix(file[..<dot] + "-t") && name.hasSuffix(file[dot...])
        }
    }

    /// True when `dir` holds a run: its marker, or (from before markers) config.json and history.csv.
    package static func isRun(_ dir: String) -> Bool {
        let layout = RunLayout(dir)
        return FilePath.exists(layout.marker) || (FilePath.exists(layout.config) && FilePath.exists(layout.history))
    }

    /// The run directory.
    package var directory: String

    package init(_ directory: String) { self.directory = directory }

    package var config: String { path(Self.configFile) }
    package var history: String { path(Self.historyFile) }
    package var model: String { path(Self.modelFile) }
    package var timing: String { path(Self.timingFile) }
    package var provenance: String { path(Self.provenanceFile) }
    package var metricsJSON: String { path(Self.metricsJSONFile) }
    package var metricsCSV: String { path(Self.metricsCSVFile) }
    package var predictions: String { path(Self.predictionsFile) }
    package var marker: String { path(Self.markerFile) }
    package var checkpoint: String { path(Self.checkpointFile) }
    package var best: String { path(Self.bestFile) }
    package var point: String { path(Self.pointFile) }
    package var status: String { path(Self.statusFile) }

    /// The name of threshold-dependent `file` for an evaluation at `threshold`: `file` itself
    /// when `threshold` is nil (the run's own), else with `-t<threshold>` before the
    /// extension (`metrics.json` -> `metrics-t0.2.json`).
    package static func atThreshold(_ file: String, _ threshold: Double?) -> String {
        guard let threshold else { return file }
        let dot = file.lastIndex(of: ".") ?? file.endIndex
        return file[..<dot] + "-t" + NumberText.shortest(threshold) + file[dot...]
    }

    /// The path of `file` in the run directory.
    package func path(_ file: String) -> String { FilePath.join(directory, file) }
}
