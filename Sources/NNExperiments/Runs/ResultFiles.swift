import Foundation
import NNKernel
import NNFormats

/// Path helpers of the results readers and reports.
enum ResultPath {
    /// `dir/name`, without doubling a trailing slash.
    static func join(_ dir: String, _ name: String) -> String {
        (dir as NSString).appendingPathComponent(name)
    }

    /// True when `path` exists and is a directory (`directory`) or not.
    static func exists(_ path: String, directory: Bool = false) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue == directory
    }
}

/// A run's `history.csv`: header `epoch,loss` (more columns may follow and are kept in
/// `table`), one row per epoch, numbers as decimal text.
struct History: Sendable, Equatable {
    var epochs: [Double]
    var losses: [Double]
    var table: CSVTable

    /// Loss after the last epoch (nil for a header-only file).
    var finalLoss: Double? { losses.last }

    init(table: CSVTable, name: String) throws {
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

    static func read(path: String) throws -> History {
        try History(table: CSVTable.read(path: path), name: path)
    }
}

/// One training run's directory: `config.json` (resolved configuration), `history.csv`
/// (loss per epoch), `metrics.json` (evaluation). `predictions.csv`, `metrics.csv` and
/// `timing.json` may sit beside them; they are not read here (`metrics.csv` repeats
/// `metrics.json`, and timings are not results). Any of the three may be missing, but
/// not all of them.
struct RunDirectory: Sendable {
    static let configFile = "config.json"
    static let historyFile = "history.csv"
    static let metricsFile = "metrics.json"

    var path: String
    var config: JSONValue?
    var history: History?
    var metrics: JSONValue?

    /// True when `path` is a directory holding at least one of the three run files.
    static func looksLikeRun(_ path: String) -> Bool {
        ResultPath.exists(path, directory: true)
            && [configFile, historyFile, metricsFile].contains { ResultPath.exists(ResultPath.join(path, $0)) }
    }

    /// Reads whichever run files exist; errors name the bad file. A run whose marker says
    /// it is not complete (interrupted, diverged) is refused (`RunMarker.requireComplete`).
    static func load(_ path: String) throws -> RunDirectory {
        guard ResultPath.exists(path, directory: true) else { throw NNError("\(path): no such directory") }
        try RunMarker.requireComplete(path)
        guard looksLikeRun(path) else {
            throw NNError("\(path): not a run directory (none of \(configFile), \(historyFile), \(metricsFile))")
        }
        func object(_ file: String) throws -> JSONValue? {
            let p = ResultPath.join(path, file)
            guard ResultPath.exists(p) else { return nil }
            let v = try JSONValue.read(path: p)
            guard case .object = v else { throw NNError("\(p): expected a JSON object") }
            return v
        }
        let historyPath = ResultPath.join(path, historyFile)
        return RunDirectory(
            path: path,
            config: try object(configFile),
            history: ResultPath.exists(historyPath) ? try History.read(path: historyPath) : nil,
            metrics: try object(metricsFile))
    }

    /// `config.json`'s `name`, else the directory's last component.
    var name: String {
        if case .string(let s)? = config?["name"], !s.isEmpty { return s }
        return URL(fileURLWithPath: path).lastPathComponent
    }

    /// The run as one flat record, in this order: every `config.json` field as
    /// `config.<dotted.key>` (see `JSONValue.flattened`), every `metrics.json` field under
    /// its own name (`accuracy`, `f1`, `confusion.0`, ...), then from `history.csv`
    /// `final_loss` (last row's loss, when there is a row) and `history_epochs` (row count).
    func record() -> [(key: String, value: FieldValue)] {
        var out: [(key: String, value: FieldValue)] = []
        if let config {
            out += config.flattened().map { ("config." + $0.key, $0.value) }
        }
        if let metrics { out += metrics.flattened() }
        if let history {
            if let last = history.table.rows.last, let l = history.table.column("loss") {
                out.append(("final_loss", FieldValue(last[l])))
            }
            out.append(("history_epochs", FieldValue(String(history.table.rows.count))))
        }
        return out
    }
}

/// A sweep's `summary.csv`: columns `run_id,status`, then the swept parameter columns,
/// then metric columns (`final_loss,accuracy,...`), then `error`. One row per grid point;
/// `status` is `ok` or `failed`.
///
/// The parameter columns are those after `status` and before `final_loss`; when there is
/// no `final_loss` column, before the first column named in `knownMetricColumns` or
/// `error`.
struct SweepSummary: Sendable, Equatable {
    static let knownMetricColumns: Set<String> = [
        "final_loss", "loss", "accuracy", "precision", "recall", "f1", "tp", "fp", "fn", "tn",
        "threshold", "samples", "positives", "macro_precision", "macro_recall", "macro_f1",
        "micro_precision", "micro_recall", "micro_f1",
    ]

    var table: CSVTable
    var parameterColumns: [String]

    /// True for a header that starts `run_id,status`.
    static func isSummaryHeader(_ header: [String]) -> Bool {
        header.count >= 2 && header[0] == "run_id" && header[1] == "status"
    }

    init(table: CSVTable, name: String) throws {
        guard SweepSummary.isSummaryHeader(table.header) else {
            throw NNError("\(name): not a sweep summary (the header must start with run_id,status)")
        }
        let rest = table.header.dropFirst(2)
        let end: Int
        if let f = rest.firstIndex(of: "final_loss") {
            end = f
        } else {
            end = rest.firstIndex(where: { SweepSummary.knownMetricColumns.contains($0) || $0 == "error" }) ?? rest.endIndex
        }
        self.table = table
        self.parameterColumns = Array(rest[..<end])
    }

    static func read(path: String) throws -> SweepSummary {
        try SweepSummary(table: CSVTable.read(path: path), name: path)
    }

    /// The rows whose `status` is `ok`.
    var okRows: [[String]] { table.rows.filter { $0[1] == "ok" } }
}

/// A sweep's directory: `summary.csv`, `sweep.json` (the grid), `timing.json`, and
/// `runs/<run_id>/` run directories.
struct SweepDirectory: Sendable {
    static let summaryFile = "summary.csv"

    var path: String
    var summary: SweepSummary

    /// True when `path` is a directory holding `summary.csv`.
    static func looksLikeSweep(_ path: String) -> Bool {
        ResultPath.exists(path, directory: true) && ResultPath.exists(ResultPath.join(path, summaryFile))
    }

    static func load(_ path: String) throws -> SweepDirectory {
        guard looksLikeSweep(path) else { throw NNError("\(path): not a sweep directory (no \(summaryFile))") }
        return SweepDirectory(path: path, summary: try SweepSummary.read(path: ResultPath.join(path, summaryFile)))
    }

    /// The directory's last component (a sweep is named by its folder).
    var name: String { URL(fileURLWithPath: path).lastPathComponent }

    /// Path of the run directory of `runID`, which must be a run id (`SweepPlan.isRunID`),
    /// so a crafted summary never leads outside the sweep.
    func runPath(_ runID: String) throws -> String {
        guard SweepPlan.isRunID(runID) else {
            throw NNError("\(ResultPath.join(path, Self.summaryFile)): run_id '\(runID)' is not a run id (12 lowercase hex digits)")
        }
        return ResultPath.join(ResultPath.join(path, "runs"), runID)
    }
}
