import Foundation
import NNKernel
import NNFormats

/// The files of a run directory (default `results/runs/<name>/<run id>/`; a sweep's point
/// is `<sweep>/runs/<run id>/`, see `SweepLayout`). `Run` writes them (`nn train`, `nn
/// eval`); `RunDirectory`, `History` and the sweep's summary read them:
///
/// - `config.json`     the fully resolved experiment (sorted keys) plus `data`: the prepared
///                     directory and its manifest's SHA-256 (`Run.write`, `Run.readConfig`)
/// - `history.csv`     `epoch,loss` — epoch k's loss is that epoch's forward pass, before its
///                     update (as the notebook prints it); shortest round-trip decimals (`History`)
/// - `model.nnm`       the trained weights (`ModelFile`)
/// - `timing.json`     every timing (nothing time-dependent is anywhere else)
/// - `metrics.json`, `metrics.csv` (`metric,value`), `predictions.csv`
///   (`index,label,probability,prediction`) — written by `nn eval` (`Run.evaluate`)
/// - `checkpoint.nnc`  the state to continue training from (`Checkpoint`; `nn train --resume`)
/// - `best.json`       with a validation set only: the best validation epoch (`ValidationTracker`)
/// - `.nn-run`         the marker: the directory is nn's, and whether its training is
///                     complete (`RunMarker`; how a run is put in place: `RunInstall`)
/// - `point.json`      a sweep point only: its experiment, written when the sweep is planned
/// - `status.json`     a failed sweep point only: `{"error": "...", "status": "failed"}`
/// - `report.md`, `loss.svg`  `nn report` (`Report`)
package struct RunLayout: Sendable {
    static let configFile = "config.json"
    static let historyFile = "history.csv"
    static let modelFile = "model.nnm"
    static let timingFile = "timing.json"
    static let metricsJSONFile = "metrics.json"
    package static let metricsCSVFile = "metrics.csv"
    package static let predictionsFile = "predictions.csv"
    static let markerFile = ".nn-run"
    static let checkpointFile = "checkpoint.nnc"
    static let bestFile = "best.json"
    static let pointFile = "point.json"
    static let statusFile = "status.json"

    /// The files of a run from before markers (`RunInstall`), report included.
    static let legacyFiles: Set<String> = [
        configFile, historyFile, timingFile, metricsJSONFile, metricsCSVFile, predictionsFile, modelFile,
        Report.markdownFile, Report.lossFile,
    ]

    /// The run directory.
    var directory: String

    package init(_ directory: String) { self.directory = directory }

    var config: String { path(Self.configFile) }
    package var history: String { path(Self.historyFile) }
    var model: String { path(Self.modelFile) }
    var timing: String { path(Self.timingFile) }
    package var metricsJSON: String { path(Self.metricsJSONFile) }
    var metricsCSV: String { path(Self.metricsCSVFile) }
    var predictions: String { path(Self.predictionsFile) }
    var marker: String { path(Self.markerFile) }
    var checkpoint: String { path(Self.checkpointFile) }
    var best: String { path(Self.bestFile) }
    var point: String { path(Self.pointFile) }
    var status: String { path(Self.statusFile) }

    /// The path of `file` in the run directory.
    func path(_ file: String) -> String { FilePath.join(directory, file) }
}
