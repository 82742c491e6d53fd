import Foundation
import NNBase
import NNKernel
import NNFormats

/// The marker that makes a directory one of nn's runs: `.nn-run`, a small JSON object
/// `{"format": "nn-run", "state": "training|diverged|complete"}` (plus `error` for a
/// diverged run). It holds no time, so it is byte-identical for the same run, and no
/// reader compares it (`nn diff` reads config.json, metrics.json and history.csv).
///
/// `training` is written before anything else and `complete` (or `diverged`) after the
/// last training file, so a run killed mid-training says so. `nn eval`, `nn report` and
/// `nn diff` refuse a run that is not complete, including a diverged one (it keeps
/// config.json and history.csv for inspection, but has no model and no metrics). A
/// directory without the marker (made before markers existed, or a hand-made fixture) is
/// read as before; `nn train` never writes into one (see `RunInstall`).
package enum RunMarker {
    static let format = "nn-run"

    package enum State: String, Sendable { case training, diverged, complete }

    static func write(_ state: State, error: String? = nil, dir: String) throws {
        var doc: [String: JSONValue] = ["format": .string(format), "state": .string(state.rawValue)]
        if let error { doc["error"] = .string(error) }
        try AtomicFile.write(JSONValue.sortedObject(doc).fileText, to: RunLayout(dir).marker)
    }

    /// The marker's state and error; nil when `dir` has no marker. A marker that is not
    /// nn's is an error naming it.
    package static func read(dir: String) throws -> (state: State, error: String?)? {
        let path = RunLayout(dir).marker
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try parse(JSONValue.read(path: path), path: path)
    }

    /// The state and error of the marker document `doc` read from `path`.
    package static func parse(_ doc: JSONValue, path: String) throws -> (state: State, error: String?) {
        guard doc["format"]?.text == format, let s = doc["state"]?.text, let state = State(rawValue: s) else {
            throw NNError("\(path): not a run marker written by nn")
        }
        return (state, doc["error"]?.text)
    }

    /// Throws a one-line error unless the run in `dir` is complete (or carries no marker).
    package static func requireComplete(_ dir: String) throws {
        guard let (state, error) = try read(dir: dir) else { return }
        switch state {
        case .complete: return
        case .training:
            throw NNError("\(dir): incomplete run (training was interrupted or is still running); train it again")
        case .diverged:
            throw NNError("\(dir): not a complete run: \(error ?? "training diverged") (its config.json and history.csv are kept for inspection)")
        }
    }
}
