import Foundation
import NNKernel
import NNFormats
import NNRuns
import NNSweeps

/// How `nn runs` prints its table.
package enum RunsFormat: String, CaseIterable, Sendable {
    case table, csv, json, md
}

/// What `nn runs` was asked for besides the paths.
package struct RunsQuery: Sendable {
    /// `KEY`, `+KEY` (ascending) or `-KEY` (descending); nil: the main metric, best first.
    var sort: String?
    /// `--asc` (true) / `--desc` (false) override the key's direction.
    var ascending: Bool?
    /// `key=value`, also `key!=value`, `key<value`, `key<=value`, `key>value`, `key>=value`.
    var filters: [String]

    package init(sort: String? = nil, ascending: Bool? = nil, filters: [String] = []) {
        self.sort = sort
        self.ascending = ascending
        self.filters = filters
    }
}

/// The table of `nn runs`: one row per run and sweep point found (`RunsScan`), columns
///
///     best  name  id  status  <parameters that differ>  <results>  path
///
/// `best` is `*` on the best complete run of each task (on every run tied for it) by its
/// main metric (F1 for a binary target, accuracy for ten classes; the validation one,
/// `val_f1` / `val_accuracy`, when runs record it, so that models are chosen without the
/// test set; ties on it go to the lower `val_loss`).
/// Results: `last_epoch_loss` (the last epoch's loss, before its update), the test
/// metrics of `metrics.json` (`accuracy, precision, recall, f1, ...`; counts left out),
/// then any other history/metrics columns (`val_loss`, `best_val_loss`, ...).
package struct RunsTable: Sendable {
    package var header: [String]
    package var rows: [[String]]
    /// Per row: it is the best of its task.
    var best: [Bool]
    /// One line per file that could not be read (its run is listed nonetheless).
    package var warnings: [String]
    /// The columns that hold results (rounded for people in `table` and `md`).
    var resultColumns: Set<String>

    static let fixedColumns = ["name", "id", "status", "path"]
    static let metricOrder = [
        "accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc",
        "macro_precision", "macro_recall", "macro_f1", "micro_precision", "micro_recall", "micro_f1",
    ]

    /// The main metric of a task (`classes`).
    static func mainMetric(classes: String?) -> String { classes == "all" ? "accuracy" : "f1" }

    /// Scans `paths`, filters, sorts and lays out the table. A bad `--sort` or `--filter`
    /// is a one-line error naming the flag.
    package static func build(paths: [String], query: RunsQuery) throws -> RunsTable {
        let scan = try RunsScan.scan(paths)
        return try build(rows: scan.rows, warnings: scan.warnings, query: query)
    }

    static func build(rows all: [RunsRow], warnings: [String], query: RunsQuery) throws -> RunsTable {
        func check(_ key: String, _ flag: String) throws {
            guard all.isEmpty || all.contains(where: { $0.value(key) != nil }) else {
                let known = Set(fixedColumns).union(all.flatMap { Array($0.params.keys) + Array($0.results.keys) })
                throw NNError("\(flag): no column '\(key)' in these runs (columns: \(known.sorted().joined(separator: ", ")))")
            }
        }
        let filters = try query.filters.map { try RunsFilter(parsing: $0) }
        for f in filters { try check(f.key, "--filter") }
        var rows = all.filter { row in filters.allSatisfy { $0.matches(row.value($0.key)) } }

        let ranking = rankingKeys(rows)
        let (sortKey, descending) = try sortOrder(query, primary: ranking.primary, check: check)
        rows = sorted(rows, by: sortKey, descending: descending)

        let bestRows = best(rows, ranking: ranking.byTask)

        let params = differingParameters(rows)
        let results = resultColumns(rows)
        let header = ["best", "name", "id", "status"] + params + results + ["path"]
        let cells = rows.enumerated().map { i, row in
            [bestRows.contains(i) ? "*" : ""] + header.dropFirst().map { row.value($0) ?? "" }
        }
        return RunsTable(header: header, rows: cells, best: rows.indices.map(bestRows.contains), warnings: warnings,
                         resultColumns: Set(results))
    }

    /// The indices of the best complete rows of each task by its ranking key; when that is
    /// a validation metric, ties are broken by the lower `val_loss` (a row without one
    /// loses the tie). Every row still tied is marked.
    static func best(_ rows: [RunsRow], ranking: [String: String]) -> Set<Int> {
        var best: [String: (indices: [Int], value: Double, loss: Double)] = [:]
        for (i, row) in rows.enumerated() where row.status == "complete" {
            let task = row.classes ?? "binary"
            guard let key = ranking[task], let v = row.value(key).flatMap(NumberText.parse), !v.isNaN else { continue }
            var loss = 0.0      // no tie-break when ranking by a test metric
            if key.hasPrefix("val_") {
                loss = row.value("val_loss").flatMap(NumberText.parse) ?? .infinity
                if loss.isNaN { loss = .infinity }
            }
            if let b = best[task], b.value > v || (b.value == v && b.loss < loss) { continue }
            let tied = best[task].map { $0.value == v && $0.loss == loss } ?? false
            best[task] = (tied ? best[task]!.indices + [i] : [i], v, loss)
        }
        return Set(best.values.flatMap(\.indices))
    }

    /// Per task, the column that ranks its runs: `val_<main>` when any of them has it,
    /// else `<main>`; `primary` is that of the most common task (the default sort).
    static func rankingKeys(_ rows: [RunsRow]) -> (primary: String, byTask: [String: String]) {
        let groups = Dictionary(grouping: rows, by: { $0.classes ?? "binary" })
        var byTask: [String: String] = [:]
        for (task, group) in groups {
            let main = mainMetric(classes: task)
            byTask[task] = group.contains { $0.results["val_" + main] != nil } ? "val_" + main : main
        }
        let first = groups.max { a, b in a.value.count != b.value.count ? a.value.count < b.value.count : a.key > b.key }?.key
        return (first.flatMap { byTask[$0] } ?? mainMetric(classes: nil), byTask)
    }

    /// The sort column and direction: `--sort` (with its sign), else the primary ranking
    /// key; a result is sorted best first (highest, or lowest for a loss), anything else
    /// ascending; `--asc` / `--desc` override.
    static func sortOrder(_ query: RunsQuery, primary: String, check: (String, String) throws -> Void) throws -> (String, Bool) {
        var key = primary
        var descending: Bool?
        if var text = query.sort {
            if let sign = text.first, sign == "+" || sign == "-" {
                descending = sign == "-"
                text.removeFirst()
            }
            guard !text.isEmpty else { throw NNError("--sort: expected a column name, optionally after + or -") }
            try check(text, "--sort")
            key = text
        }
        if let ascending = query.ascending { descending = !ascending }
        let isResult = !fixedColumns.contains(key) && !key.contains("loss") && !isParameterName(key)
        return (key, descending ?? isResult)
    }

    /// Parameters are config keys; results are metric names (see `RunsRow`; the metric
    /// `precision` is a result, the config's precision is `dtype`).
    static func isParameterName(_ key: String) -> Bool {
        !metricOrder.contains(key) && (key == "dtype" || key.hasPrefix("data.") || ExperimentConfig.keys.contains(key))
    }

    /// `rows` sorted by `key` (numbers as numbers, else text); rows without the key last
    /// whatever the direction; ties keep their order (by path).
    static func sorted(_ rows: [RunsRow], by key: String, descending: Bool) -> [RunsRow] {
        let texts = rows.map { row in row.value(key).flatMap { $0.isEmpty ? nil : $0 } }
        let numbers = texts.map { $0.flatMap(NumberText.parse).flatMap { $0.isNaN ? nil : $0 } }
        let order = rows.indices.sorted { a, b in
            switch (texts[a], texts[b]) {
            case (nil, nil): return a < b
            case (nil, _): return false
            case (_, nil): return true
            case (let x?, let y?):
                if let p = numbers[a], let q = numbers[b] {
                    if p != q { return descending ? p > q : p < q }
                } else if x != y {
                    return descending ? x > y : x < y
                }
                return a < b
            }
        }
        return order.map { rows[$0] }
    }

    /// The parameters whose values are not the same in every listed run that has a
    /// configuration (a key some runs lack differs too), alphabetically, `data.*` last.
    static func differingParameters(_ rows: [RunsRow]) -> [String] {
        // One pass: a key differs when a value is not its first one, or some run lacks it.
        var first: [String: (value: String, count: Int)] = [:]
        var differing = Set<String>()
        var configured = 0
        for row in rows where !row.params.isEmpty {
            configured += 1
            for (key, value) in row.params {
                if let f = first[key] {
                    first[key] = (f.value, f.count + 1)
                    if f.value != value { differing.insert(key) }
                } else {
                    first[key] = (value, 1)
                }
            }
        }
        for (key, f) in first where f.count < configured { differing.insert(key) }
        return differing.sorted { a, b in
            let (x, y) = (a.hasPrefix("data."), b.hasPrefix("data."))
            return x != y ? y : a < b
        }
    }

    /// Every result some listed run has: `last_epoch_loss`, the known test metrics in
    /// their order, then the others alphabetically, each `best_C` after its `C`.
    static func resultColumns(_ rows: [RunsRow]) -> [String] {
        let keys = Set(rows.flatMap(\.results.keys))
        let lead = (["last_epoch_loss"] + metricOrder).filter(keys.contains)
        let rest = keys.subtracting(lead).sorted { a, b in
            let (x, y) = (a.hasPrefix("best_") ? String(a.dropFirst(5)) : a, b.hasPrefix("best_") ? String(b.dropFirst(5)) : b)
            return x != y ? x < y : !a.hasPrefix("best_")
        }
        return lead + rest
    }
}

/// One `--filter`: `key` `op` `value`, `op` one of `=`, `!=`, `<`, `<=`, `>`, `>=`.
/// `=` and `!=` compare numbers as numbers when both sides are numbers (`lr=0.30`
/// matches `0.3`), else text; the others need numbers. A run without the key matches
/// only `key=` and `key!=value`.
struct RunsFilter: Sendable, Equatable {
    var key: String
    var op: String
    var value: String

    init(parsing text: String) throws {
        guard let i = text.firstIndex(where: { "=!<>".contains($0) }), i != text.startIndex else {
            throw NNError("--filter: expected key=value (or key!=, <, <=, >, >=), got '\(text)'")
        }
        key = String(text[..<i])
        var rest = text[i...]
        op = String(rest.removeFirst())
        if rest.first == "=" { op += "=" ; rest.removeFirst() }
        guard op != "!" else { throw NNError("--filter: expected key!=value, got '\(text)'") }
        value = String(rest)
        if op != "=" && op != "!=" && NumberText.parse(value) == nil {
            throw NNError("--filter: '\(text)': \(op) needs a number, got '\(value)'")
        }
    }

    func matches(_ cell: String?) -> Bool {
        let text = cell ?? ""
        let (a, b) = (NumberText.parse(text), NumberText.parse(value))
        let equal = a != nil && b != nil ? a == b : text == value
        switch op {
        case "=": return equal
        case "!=": return !equal
        default:
            guard let a, let b else { return false }
            switch op {
            case "<": return a < b
            case "<=": return a <= b
            case ">": return a > b
            default: return a >= b
            }
        }
    }
}
