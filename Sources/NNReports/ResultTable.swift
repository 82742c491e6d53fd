import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps

/// Any results source loaded into one comparable shape: named columns and rows of
/// scalar values (`nil` where a record lacks a field).
///
/// What each source becomes (see `load`):
/// - run directory -> one record (`RunDirectory.record()`);
/// - sweep directory, or a CSV whose header starts `run_id,status` -> the summary rows,
///   keyed by the sweep's parameter columns;
/// - CSV with header exactly `metric,value` (`metrics.csv`) -> one record, a field per row;
/// - other CSV -> its rows, keyed by `run_id` when there is such a column;
/// - JSON -> one record of its flattened scalars (`JSONValue.flattened()`).
struct ResultTable: Sendable {
    enum Kind: String, Sendable {
        case run = "run directory"
        case sweep = "sweep summary"
        case csv = "CSV table"
        case record = "results record"
    }

    var source: String
    var kind: Kind
    var columns: [String]
    var rows: [[FieldValue?]]
    /// The columns that identify a row when two tables are joined ([] = by position).
    var keyColumns: [String]

    /// Run directories and JSON / `metric,value` files are single records, whose
    /// fields may legitimately differ between two sources.
    var isRecord: Bool { kind == .run || kind == .record }

    init(source: String, kind: Kind, columns: [String], rows: [[FieldValue?]], keyColumns: [String] = []) {
        self.source = source
        self.kind = kind
        self.columns = columns
        self.rows = rows
        self.keyColumns = keyColumns
    }

    /// A one-row table from `(field, value)` pairs; a repeated field name is an error
    /// naming `source`.
    init(record: [(key: String, value: FieldValue)], source: String, kind: Kind) throws {
        var seen = Set<String>()
        for (key, _) in record where !seen.insert(key).inserted {
            throw NNError("\(source): field '\(key)' appears twice")
        }
        self.init(source: source, kind: kind, columns: record.map(\.key), rows: [record.map(\.value)])
    }

    /// A table of text cells, each read with `FieldValue.init(_:)`.
    init(csv: CSVTable, source: String, kind: Kind, keyColumns: [String]) {
        self.init(source: source, kind: kind, columns: csv.header,
                  rows: csv.rows.map { $0.map { FieldValue($0) } }, keyColumns: keyColumns)
    }

    /// Loads `path` as described on the type. Errors (one line, naming the path): no
    /// such path; a directory with none of our files; a file that is not .csv/.json;
    /// unreadable or malformed CSV/JSON.
    static func load(_ path: String, maxFields: Int = ResultTable.maxFields) throws -> ResultTable {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw NNError("\(path): no such file or directory")
        }
        let why = "nn diff holds both sources in memory and compares at most \(maxFields) fields per file; compare a smaller extract"
        let maxJSONBytes = maxJSONBytes(maxFields: maxFields)
        if isDir.boolValue {
            if SweepDirectory.looksLikeSweep(path) {
                return sweep(try SweepDirectory(path).readSummary(maxFields: maxFields, why: why), source: path)
            }
            guard RunDirectory.looksLikeRun(path) else {
                throw NNError("\(path): not a run or sweep directory (no summary.csv, config.json, history.csv or metrics.json)")
            }
            let run = try RunDirectory.load(path, maxFields: maxFields, maxJSONBytes: maxJSONBytes, why: why)
            return try ResultTable(record: run.record(), source: path, kind: .run)
        }
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "csv":
            let csv = try CSVTable.read(path: path, maxFields: maxFields, why: why)
            if csv.header == ["metric", "value"] {
                return try ResultTable(record: csv.rows.map { ($0[0], FieldValue($0[1])) }, source: path, kind: .record)
            }
            if SweepSummary.isSummaryHeader(csv.header) {
                return sweep(try SweepSummary(table: csv, name: path), source: path)
            }
            return ResultTable(csv: csv, source: path, kind: .csv, keyColumns: csv.column("run_id") == nil ? [] : ["run_id"])
        case "json":
            return try ResultTable(record: JSONValue.read(path: path, maxBytes: maxJSONBytes).flattened(), source: path, kind: .record)
        default:
            throw NNError("\(path): not a results file (expected a .csv or .json file, a run directory or a sweep directory)")
        }
    }

    /// The most fields (cells, header included) a CSV file given to `nn diff` may hold:
    /// both sides are held in memory, each cell as text and number (about 300 bytes a
    /// field with the comparison's lines), so 2,000,000 fields (predictions.csv for
    /// 666,000 images) stay well under a gigabyte; a larger file is refused while it is
    /// parsed, before its rows are all held.
    static let maxFields = 2_000_000

    /// The most bytes a JSON file given to `nn diff` (or a run directory's `config.json`
    /// and `metrics.json`) may hold: every JSON value takes at least 2 bytes (`1,`), so a
    /// file of `2 × maxFields` bytes holds at most `maxFields` values; the file is refused
    /// by its size, before it is read.
    static func maxJSONBytes(maxFields: Int) -> Int {
        maxFields > Int.max / 2 ? .max : 2 * maxFields
    }

    private static func sweep(_ summary: SweepSummary, source: String) -> ResultTable {
        let key = summary.parameterColumns.isEmpty ? ["run_id"] : summary.parameterColumns
        return ResultTable(csv: summary.table, source: source, kind: .sweep, keyColumns: key)
    }
}
