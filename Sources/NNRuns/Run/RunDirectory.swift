import Foundation
import NNBase
import NNKernel
import NNFormats

/// A run's `history.csv`: header `epoch,loss` (more columns may follow and are kept in
/// `table`), one row per epoch, numbers as decimal text.
package struct History: Sendable, Equatable {
    var epochs: [Double]
    var losses: [Double]
    package var table: CSVTable

    /// Loss after the last epoch (nil for a header-only file).
    package var finalLoss: Double? { losses.last }

    package init(table: CSVTable, name: String) throws {
        guard let e = table.column("epoch"), let l = table.column("loss") else {
            throw NNError("\(name): expected columns 'epoch' and 'loss' in the header, found \(table.header.joined(separator: ","))")
        }
        var epochs: [Double] = [], losses: [Double] = []
        for (n, row) in table.rows.enumerated() {
            guard let epoch = NumberText.parse(row[e]), let loss = NumberText.parse(row[l]) else {
                throw NNError("\(name): data row \(n + 1): epoch and loss must be numbers, found '\(row[e])', '\(row[l])'")
            }
            epochs.append(epoch)
            losses.append(loss)
        }
        self.epochs = epochs
        self.losses = losses
        self.table = table
    }

    package static func read(path: String, maxFields: Int = .max, why: String = "") throws -> History {
        try History(table: CSVTable.read(path: path, maxFields: maxFields, why: why), name: path)
    }

    /// Writes `history.csv` of the epochs `records`: `epoch,loss`, losses as `NumberText.real`.
    static func write(_ records: [EpochRecord], to path: String) throws {
        let rows = records.map { [String($0.epoch), NumberText.real($0.loss)] }
        try AtomicFile.write(CSVTable.text(header: ["epoch", "loss"], rows: rows), to: path)
    }
}

/// One training run's directory as `nn report` and `nn diff` read it (`RunLayout`):
/// `config.json` (resolved configuration), `history.csv` (loss per epoch),
/// `metrics.json` (evaluation). `predictions.csv`, `metrics.csv` and `timing.json` may
/// sit beside them; they are not read here (`metrics.csv` repeats `metrics.json`, and
/// timings are not results). Any of the three may be missing, but not all of them.
package struct RunDirectory: Sendable {
    /// The files read, any of which makes a directory a run.
    static let files = [RunLayout.configFile, RunLayout.historyFile, RunLayout.metricsJSONFile]

    package var path: String
    package var config: JSONValue?
    package var history: History?
    package var metrics: JSONValue?

    /// True when `path` is a directory holding at least one of the three run files.
    package static func looksLikeRun(_ path: String) -> Bool {
        FilePath.exists(path, directory: true) && files.contains { FilePath.exists(RunLayout(path).path($0)) }
    }

    /// Reads whichever run files exist; errors name the bad file. A run whose marker says
    /// it is not complete (interrupted, diverged) is refused (`RunMarker.requireComplete`).
    /// With bounds (`nn diff`), `history.csv` may hold at most `maxFields` fields and each
    /// JSON file at most `maxJSONBytes` bytes; `why` ends a bound's error.
    package static func load(_ path: String, maxFields: Int = .max, maxJSONBytes: Int? = nil,
                             why: String = "") throws -> RunDirectory {
        guard FilePath.exists(path, directory: true) else { throw NNError("\(path): no such directory") }
        try RunMarker.requireComplete(path)
        guard looksLikeRun(path) else {
            throw NNError("\(path): not a run directory (none of \(files.joined(separator: ", ")))")
        }
        func object(_ file: String) throws -> JSONValue? {
            let p = RunLayout(path).path(file)
            guard FilePath.exists(p) else { return nil }
            let v = try JSONValue.read(path: p, maxBytes: maxJSONBytes)
            guard case .object = v else { throw NNError("\(p): expected a JSON object") }
            return v
        }
        let historyPath = RunLayout(path).history
        return RunDirectory(
            path: path,
            config: try object(RunLayout.configFile),
            history: FilePath.exists(historyPath) ? try History.read(path: historyPath, maxFields: maxFields, why: why) : nil,
            metrics: try object(RunLayout.metricsJSONFile))
    }

    /// `config.json`'s `loss` (`bce`, `cce`), if any.
    package var lossName: String? { config?["loss"]?.text }

    /// `config.json`'s `name`, else the directory's last component.
    var name: String {
        if case .string(let s)? = config?["name"], !s.isEmpty { return s }
        return URL(fileURLWithPath: path).lastPathComponent
    }

    /// The run as one flat record, in this order: every `config.json` field as
    /// `config.<dotted.key>` (see `JSONValue.flattened`), every `metrics.json` field under
    /// its own name (`accuracy`, `f1`, `confusion.0`, ...), then from `history.csv`
    /// `last_epoch_loss` (last row's loss: the last epoch's loss before its update, when there is a row) and `history_epochs` (row count).
    package func record() -> [(key: String, value: FieldValue)] {
        var out: [(key: String, value: FieldValue)] = []
        if let config {
            out += config.flattened().map { ("config." + $0.key, $0.value) }
        }
        if let metrics { out += metrics.flattened() }
        if let history {
            if let last = history.table.rows.last, let l = history.table.column("loss") {
                out.append(("last_epoch_loss", FieldValue(last[l])))
            }
            out.append(("history_epochs", FieldValue(String(history.table.rows.count))))
        }
        return out
    }
}
