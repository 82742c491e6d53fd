import Foundation
import NNBase
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
    package var sort: String?
    /// `--asc` (true) / `--desc` (false) override the key's direction.
    package var ascending: Bool?
    /// `key=value`, also `key!=value`, `key<value`, `key<=value`, `key>value`, `key>=value`.
    package var filters: [String]
    /// `--rank-by METRIC` and `--goal`: the ranking metric instead of the default (`Ranking`).
    package var rankBy: String?
    package var goal: RankGoal?
    /// `--columns`: exactly these columns after `best`.
    package var columns: [String]?
    /// The terminal's table: the columns that fit 120 characters (`compactColumns`).
    package var compact: Bool

    package init(sort: String? = nil, ascending: Bool? = nil, filters: [String] = [], rankBy: String? = nil, goal: RankGoal? = nil,
                 columns: [String]? = nil, compact: Bool = false) {
        self.sort = sort
        self.ascending = ascending
        self.filters = filters
        self.rankBy = rankBy
        self.goal = goal
        self.columns = columns
        self.compact = compact
    }
}

/// The table of `nn runs`: one row per run and sweep point found (`RunsScan`), columns
///
///     best  name  id  status  <parameters that differ>  <results>  path
///
/// `best` is `*` on the one best complete run of each data set by `Ranking`'s rule (the
/// default metric per task: `val_loss` when every complete run has one, else
/// `average_precision` for a binary target, `accuracy` for ten classes; `--rank-by`
/// overrides it); `ranking` states the rule for the table's header.
/// Results: `last_epoch_loss` (the last epoch's loss, before its update), the test
/// metrics of `metrics.json` (`accuracy, precision, recall, f1, ...`; counts left out),
/// then any other history/metrics columns (`val_loss`, `best_val_loss`, ...).
package struct RunsTable: Sendable {
    package var header: [String]
    package var rows: [[String]]
    /// Per row: it is the best of its task.
    package var best: [Bool]
    /// One line per file that could not be read (its run is listed nonetheless).
    package var warnings: [String]
    /// The columns that hold results (rounded for people in `table` and `md`).
    package var resultColumns: Set<String>
    /// Which metric ranked, and how (`Ranking.statement`).
    package var ranking: String = ""

    /// The columns that are not parameters or results (text, sorted ascending).
    static let fixedColumns = ["name", "id", "status", "tags", "note", "started", "data", "where", "path"]
    /// Every column a run can have whatever its files hold: `--columns`, `--sort` and
    /// `--filter` accept them even when no listed run has a value (an empty column).
    static let knownColumns = fixedColumns + ["duration"]
    static let metricOrder = [
        "accuracy", "precision", "recall", "f1", "roc_auc", "pr_auc",
        "macro_precision", "macro_recall", "macro_f1", "micro_precision", "micro_recall", "micro_f1",
    ]

    /// Scans `paths`, filters, sorts and lays out the table. A bad `--sort` or `--filter`
    /// is a one-line error naming the flag.
    package static func build(paths: [String], query: RunsQuery) throws -> RunsTable {
        let scan = try RunsScan.scan(paths)
        return try build(rows: scan.rows, warnings: scan.warnings, query: query)
    }

    package static func build(rows all: [RunsRow], warnings: [String], query: RunsQuery) throws -> RunsTable {
        func check(_ key: String, _ flag: String) throws {
            guard all.isEmpty || key.hasPrefix("tag.") || knownColumns.contains(key) || all.contains(where: { $0.value(key) != nil }) else {
                let known = Set(knownColumns).union(all.flatMap { Array($0.params.keys) + Array($0.results.keys) })
                throw NNError("\(flag): no column '\(key)' in these runs (columns: \(known.sorted().joined(separator: ", ")))")
            }
        }
        let filters = try query.filters.map { try RunsFilter(parsing: $0) }
        for f in filters { try check(f.key, "--filter") }
        var rows = all.filter { row in filters.allSatisfy { $0.matches(row.value($0.key)) } }

        if let rankBy = query.rankBy { try check(rankBy, "--rank-by") }
        let ranking = rankings(rows, rankBy: query.rankBy, goal: query.goal)
        if query.sort == nil && query.ascending == nil {
            rows = rankedFirst(rows, rankings: ranking)
        } else {
            let (sortKey, descending) = try sortOrder(query, primary: primaryMetric(rows, ranking), check: check)
            rows = sorted(rows, by: sortKey, descending: descending)
        }
        let rank = ranks(rows, rankings: ranking)
        let bestRows = Set(rows.indices.filter { rank[$0] == 1 })

        let params = differingParameters(rows)
        let results = resultColumns(rows)
        let tags = rows.contains { !($0.meta?.tags.isEmpty ?? true) } ? ["tags"] : []
        let timing = ["started", "duration"].filter { key in rows.contains { $0.value(key) != nil } }
        let used = Set(rows.map { $0.classes ?? "binary" }).sorted().compactMap { ranking[$0] }
        var header = ["best", "name", "id", "status"] + tags + params + results + timing + ["path"]
        if let columns = query.columns {
            for c in columns { try check(c, "--columns") }
            header = ["best"] + columns
        }
        for (i, place) in Self.places(rows).enumerated() { rows[i].place = place }
        if query.columns == nil && query.compact {
            header = compactColumns(rows, tags: tags, params: params, metrics: used.map(\.metric), timing: timing, best: bestRows)
        }
        let cells = rows.enumerated().map { i, row in
            [bestRows.contains(i) ? "*" : ""] + header.dropFirst().map { key in
                let cell = row.value(key) ?? ""
                return query.compact ? compactTiming(key, cell) : cell
            }
        }
        return RunsTable(header: header, rows: cells, best: rows.indices.map(bestRows.contains), warnings: warnings,
                         resultColumns: Set(results), ranking: Ranking.statement(used))
    }

    /// The terminal's columns, at most `width` characters wide: name, id, status, tags, the
    /// parameters that differ (not the data's: one short `data` column when the data
    /// differ), the ranking metric and two more, started and duration. While the table is too
    /// wide, the parameters with the fewest distinct values are left out first; `--columns`
    /// or `--format` show all. The same run id on two rows (one configuration trained in
    /// two places, the same point in two sweeps) adds `where` after the id, or those rows
    /// would look alike.
    static func compactColumns(_ rows: [RunsRow], tags: [String], params: [String], metrics: [String], timing: [String],
                               best: Set<Int>, width: Int = 120) -> [String] {
        let present = Set(rows.flatMap(\.results.keys))
        let others = ["average_precision", "accuracy", "f1", "roc_auc", "macro_f1", "last_epoch_loss"]
        var shown = metrics.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let ranking = shown.count
        // Two more that tell the runs apart (a column equal in every row says nothing here).
        for m in others where present.contains(m) && shown.count < ranking + 2 && !shown.contains(m)
            && Set(rows.compactMap { $0.results[m] }).count > 1 { shown.append(m) }
        let data = Set(rows.compactMap(\.data)).count > 1 ? ["data"] : []
        // The parameters that tell the most runs apart stay longest (most distinct values
        // first, a missing value counting as one), shown in alphabetical order.
        let distinct = Dictionary(uniqueKeysWithValues: params.map { key in (key, Set(rows.map { $0.params[key] }).count) })
        var kept = params.filter { !$0.hasPrefix("data.") }
            .sorted { a, b in distinct[a]! != distinct[b]! ? distinct[a]! > distinct[b]! : a < b }
        let place = Set(rows.map(\.id)).count < rows.count ? ["where"] : []
        func header() -> [String] { ["best", "name", "id"] + place + ["status"] + tags + kept.sorted() + data + shown + timing }
        func tableWidth(_ h: [String]) -> Int {
            let widths = h.map { key in
                rows.map { row in
                    let cell = row.value(key) ?? ""
                    return (present.contains(key) ? roundedForReading(cell) : compactTiming(key, cell)).count
                }
                    .reduce(key.count, max)
            }
            return widths.reduce(0, +) + 2 * (widths.count - 1)
        }
        while tableWidth(header()) > width {
            if kept.count > 2 { kept.removeLast() } else if shown.count > ranking { shown.removeLast() } else if !kept.isEmpty { kept.removeLast() } else { break }
        }
        return header()
    }

    /// Where each row's run is, short: its path without the directories every row shares
    /// and without a trailing `runs/ID` (a run inside a sweep or a results folder), so
    /// `results/a` and `results/sweeps/lr/runs/ID` read `a` and `sweeps/lr`.
    static func places(_ rows: [RunsRow]) -> [String] {
        let parts = rows.map { row -> [Substring] in
            var p = row.path.split(separator: "/").filter { $0 != "." }
            if p.last.map(String.init) == row.id { p.removeLast(); if p.last == "runs" { p.removeLast() } }
            return p
        }
        var common = 0
        while let first = parts.first, common < first.count - 1,
              parts.allSatisfy({ $0.count > common + 1 && $0[common] == first[common] }) { common += 1 }
        return parts.map { $0.isEmpty ? "." : $0.dropFirst(common).joined(separator: "/") }
    }

    /// The terminal's form of a timing cell: `started` as `shortTime`, `duration` (seconds)
    /// with its unit, `8.4s` under a minute, else `m:ss` or `h:mm:ss`; other cells as they are.
    static func compactTiming(_ key: String, _ cell: String) -> String {
        switch key {
        case "started": return shortTime(cell)
        case "duration":
            guard let seconds = Double(cell), seconds.isFinite, seconds >= 0 else { return cell }
            if seconds < 60 { return cell + "s" }
            let whole = Int(seconds.rounded())
            let (h, m, sec) = (whole / 3600, whole / 60 % 60, whole % 60)
            let mm = h > 0 && m < 10 ? "0\(m)" : "\(m)", ss = sec < 10 ? "0\(sec)" : "\(sec)"
            return h > 0 ? "\(h):\(mm):\(ss)" : "\(mm):\(ss)"
        default: return cell
        }
    }

    /// `2026-12-07T15:45:27Z` as `12-07 15:45` (the year and seconds left out).
    static func shortTime(_ iso: String) -> String {
        guard iso.count >= 16, iso.dropFirst(4).first == "-" else { return iso }
        let chars = Array(iso)
        return String(chars[5..<10]) + " " + String(chars[11..<16])
    }

    /// The ranking of each task (`classes`) among `rows` (`Ranking.choose` over its complete rows).
    static func rankings(_ rows: [RunsRow], rankBy: String?, goal: RankGoal?) -> [String: Ranking] {
        let tasks = Dictionary(grouping: rows, by: { $0.classes ?? "binary" })
        return tasks.mapValues { group in
            Ranking.choose(task: group.first?.classes, rows: group.filter { $0.status == "complete" }.map(\.results), rankBy: rankBy, goal: goal)
        }
    }

    /// The data a row was measured on: its task and prepared data (`data.manifest_sha256`).
    static func dataGroup(_ row: RunsRow) -> String {
        (row.classes ?? "binary") + " " + (row.params["data.manifest_sha256"] ?? "")
    }

    /// The ranking entry of `row` under its task's ranking.
    static func entry(_ row: RunsRow, _ ranking: Ranking) -> Ranking.Entry {
        Ranking.Entry(group: dataGroup(row), complete: row.status == "complete", value: row.value(ranking.metric),
                      loss: row.results["last_epoch_loss"], path: row.path)
    }

    /// Each row's rank within its data set (1: the best), nil for rows that do not rank.
    package static func ranks(_ rows: [RunsRow], rankings: [String: Ranking]) -> [Int?] {
        var out = [Int?](repeating: nil, count: rows.count)
        for (task, ranking) in rankings {
            let members = rows.indices.filter { (rows[$0].classes ?? "binary") == task }
            let r = ranking.ranks(members.map { entry(rows[$0], ranking) })
            for (k, i) in members.enumerated() { out[i] = r[k] }
        }
        return out
    }

    /// The default order: ranked rows best first (by the ranking's order, across data
    /// sets), then the rows that do not rank, in path order.
    static func rankedFirst(_ rows: [RunsRow], rankings: [String: Ranking]) -> [RunsRow] {
        let r = ranks(rows, rankings: rankings)
        let ranked = rows.indices.filter { r[$0] != nil }.sorted { a, b in
            let (ta, tb) = (rows[a].classes ?? "binary", rows[b].classes ?? "binary")
            guard ta == tb, let ranking = rankings[ta] else { return ta != tb ? ta < tb : a < b }
            return ranking.isBefore(entry(rows[a], ranking), entry(rows[b], ranking))
        }
        return (ranked + rows.indices.filter { r[$0] == nil }).map { rows[$0] }
    }

    /// The ranking metric of the most common task (`--sort`'s default).
    static func primaryMetric(_ rows: [RunsRow], _ rankings: [String: Ranking]) -> String {
        let groups = Dictionary(grouping: rows, by: { $0.classes ?? "binary" })
        let first = groups.max { a, b in a.value.count != b.value.count ? a.value.count < b.value.count : a.key > b.key }?.key
        return first.flatMap { rankings[$0]?.metric } ?? "average_precision"
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
        let isResult = !knownColumns.contains(key) && !key.contains("loss") && !isParameterName(key)
        return (key, descending ?? isResult)
    }

    /// Parameters are config keys; results are metric names (see `RunsRow`; the metric
    /// `precision` is a result, the config's precision is `dtype`).
    static func isParameterName(_ key: String) -> Bool {
        !metricOrder.contains(key) && (key == "dtype" || key.hasPrefix("data.") || ExperimentConfig.keys.contains(key))
    }

    /// `rows` sorted by `key` (numbers as numbers, else text); rows without the key last
    /// whatever the direction; ties keep their order (by path).
    package static func sorted(_ rows: [RunsRow], by key: String, descending: Bool) -> [RunsRow] {
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
    package static func resultColumns(_ rows: [RunsRow]) -> [String] {
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
    package var key: String
    var op: String
    package var value: String

    package init(parsing text: String) throws {
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

    package func matches(_ cell: String?) -> Bool {
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
