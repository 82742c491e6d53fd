import ArgumentParser
import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

/// `nn mlflow push PATH... --tracking-uri URI [--experiment NAME]`.
struct MLflowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlflow",
        abstract: "Log runs to an MLflow tracking server.",
        subcommands: [MLflowPushCommand.self]
    )
}

struct MLflowPushCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Log every complete run under the paths to an MLflow tracking server (REST API).",
        discussion: """
            Runs, sweep points and make reproduce's seeds are found as nn runs finds them. \
            Each becomes one MLflow run: config.json as params, each history.csv column as a \
            metric history (step = epoch), metrics.json's numbers as metrics, tags for the nn \
            run id, name, tags, notes and provenance, and the model and charts as artifacts \
            (through the server's artifact proxy). Pushing again adds only what is missing: \
            a run is found by its nn.run_id tag, never duplicated, and a push that was \
            interrupted is completed. Exit status 2 when the server cannot be reached or \
            refuses a request. See docs/mlflow.md.
            """
    )

    @Argument(help: "Run or sweep directories, or directories holding them.", completion: .directory)
    var paths: [String] = []

    @Option(name: .customLong("tracking-uri"), help: "The tracking server, http(s)://HOST:PORT (default: $MLFLOW_TRACKING_URI).")
    var trackingURI: String?

    @Option(help: "The MLflow experiment (created when missing).")
    var experiment: String = MLflowPush.defaultExperiment

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one run or sweep directory") }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment["MLFLOW_TRACKING_URI"].flatMap { $0.isEmpty ? nil : $0 }
        guard let uri = trackingURI ?? environment else {
            throw NNError("--tracking-uri: missing (or set MLFLOW_TRACKING_URI)")
        }
        let outcome = try MLflowPush.push(paths: paths, trackingURI: uri, experiment: experiment) { print($0) }
        for skipped in outcome.skipped { print("skipped    \(skipped)") }
        print("\(uri) experiment \(experiment) (id \(outcome.experimentID)): \(outcome.created) created, "
              + "\(outcome.updated) updated, \(outcome.unchanged) up to date, \(outcome.skipped.count) skipped")
    }
}
