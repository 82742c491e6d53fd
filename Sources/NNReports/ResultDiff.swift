import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps

/// How `ResultDiff` compares.
package struct DiffOptions: Sendable {
    /// Relative tolerance: numbers a, b are equal when |a - b| <= atol + rtol * |b|.
    var rtol: Double
    /// Absolute tolerance (see `rtol`). Both 0 = exact equality of the values.
    var atol: Double
    /// Report every compared field, not only those that differ.
    var all: Bool
    /// Join rows on these columns instead of the sources' natural key.
    var key: [String]?

    package init(rtol: Double = 0, atol: Double = 0, all: Bool = false, key: [String]? = nil) {
        self.rtol = rtol
        self.atol = atol
        self.all = all
        self.key = key
    }
}

/// The verdict on one field of one row.
enum DiffStatus: String, Sendable {
    case equal
    case differs
    /// The field (or its whole row) exists only in A.
    case onlyA = "only-a"
    /// The field (or its whole row) exists only in B.
    case onlyB = "only-b"
}

/// One compared field: row key (`-` for single records, `row N` when joined by
/// position, else `col=value col=value`), field name, both values (nil = absent),
/// |a - b| and |a - b| / |b| when both are numbers.
struct DiffLine: Sendable {
    var key: String
    var field: String
    var a: FieldValue?
    var b: FieldValue?
    var absDelta: Double?
    var relDelta: Double?
    var status: DiffStatus
}

package struct DiffResult: Sendable {
    var a: String
    var b: String
    var options: DiffOptions
    /// The fields that differ (every compared field with `options.all`), in a fixed
    /// order: rows in A's order then B-only rows in B's order; fields in column order.
    var lines: [DiffLine]
    /// How many fields were compared (one-sided fields included).
    var compared: Int
    /// How many of them differ.
    var differing: Int
    package var equal: Bool { differing == 0 }

    /// One line: `N of M fields differ between A=<a> and B=<b> (rtol R, atol T)`.
    var summary: String {
        let tol = "(rtol \(NumberText.shortest(options.rtol)), atol \(NumberText.shortest(options.atol)))"
        return equal
            ? "equal: \(compared) fields compared between A=\(a) and B=\(b) \(tol)"
            : "\(differing) of \(compared) fields differ between A=\(a) and B=\(b) \(tol)"
    }
}

/// Field-by-field comparison of two results sources (`ResultTable`).
package enum ResultDiff {
    /// Loads both paths (`ResultTable.load`) and compares them.
    package static func compare(paths a: String, _ b: String, options: DiffOptions = DiffOptions()) throws -> DiffResult {
        try compare(ResultTable.load(a), ResultTable.load(b), options: options)
    }

    /// Compares two tables.
    ///
    /// Two records: every field in either, A's field order first. Two tables: they must
    /// have the same set of columns (else an error naming B); rows are joined on
    /// `options.key`, else on the natural key both share (the parameter columns of two
    /// sweep summaries, `run_id` of two CSVs that have it), else by position. A key
    /// value that repeats is matched by occurrence (`#2`, `#3`, ...). Key columns are
    /// not compared. A row present on one side only gives `only-a`/`only-b` for each field.
    /// A record and a multi-row table cannot be compared (error).
    static func compare(_ a: ResultTable, _ b: ResultTable, options: DiffOptions = DiffOptions()) throws -> DiffResult {
        var result = DiffResult(a: a.source, b: b.source, options: options, lines: [], compared: 0, differing: 0)
        func emit(_ key: String, _ field: String, _ x: FieldValue?, _ y: FieldValue?) {
            var line = DiffLine(key: key, field: field, a: x, b: y, absDelta: nil, relDelta: nil, status: .equal)
            switch (x, y) {
            case let (x?, y?):
                let v = values(x, y, rtol: options.rtol, atol: options.atol)
                (line.absDelta, line.relDelta, line.status) = (v.abs, v.rel, v.equal ? .equal : .differs)
            case (_?, nil): line.status = .onlyA
            case (nil, _): line.status = .onlyB
            }
            result.compared += 1
            if line.status != .equal { result.differing += 1 }
            if options.all || line.status != .equal { result.lines.append(line) }
        }

        if a.isRecord != b.isRecord {
            let (record, table) = a.isRecord ? (a, b) : (b, a)
            throw NNError("\(table.source): is a \(table.kind.rawValue) with \(table.rows.count) rows but \(record.source) is a single \(record.kind.rawValue); compare like with like")
        }
        if a.isRecord {
            if options.key != nil { throw NNError("--key: \(a.source) is a single \(a.kind.rawValue), there are no rows to join") }
            let fa = Dictionary(zip(a.columns, a.rows.first ?? []), uniquingKeysWith: { x, _ in x })
            let fb = Dictionary(zip(b.columns, b.rows.first ?? []), uniquingKeysWith: { x, _ in x })
            for field in a.columns { emit("-", field, fa[field] ?? nil, fb[field] ?? nil) }
            for field in b.columns where fa[field] == nil { emit("-", field, nil, fb[field] ?? nil) }
            return result
        }

        let missing = a.columns.filter { !b.columns.contains($0) }, extra = b.columns.filter { !a.columns.contains($0) }
        if !missing.isEmpty || !extra.isEmpty {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("lacks \(missing.joined(separator: ","))") }
            if !extra.isEmpty { parts.append("has extra \(extra.joined(separator: ","))") }
            throw NNError("\(b.source): columns differ from \(a.source): \(parts.joined(separator: "; "))")
        }
        let key: [String]
        if let k = options.key {
            for column in k where !a.columns.contains(column) { throw NNError("--key: no column '\(column)' in \(a.source)") }
            key = k
        } else {
            key = a.keyColumns == b.keyColumns ? a.keyColumns : []
        }
        let ka = rowKeys(a, key), kb = rowKeys(b, key)
        let bIndex = Dictionary(kb.enumerated().map { ($1, $0) }, uniquingKeysWith: { x, _ in x })
        let aKeys = Set(ka)
        let bColumn = Dictionary(b.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { x, _ in x })
        let compared = a.columns.enumerated().filter { !key.contains($0.element) }
        for (r, k) in ka.enumerated() {
            let rowB = bIndex[k].map { b.rows[$0] }
            for (c, column) in compared {
                emit(k, column, a.rows[r][c], rowB.flatMap { row in bColumn[column].flatMap { row[$0] } })
            }
        }
        for (r, k) in kb.enumerated() where !aKeys.contains(k) {
            for (_, column) in compared { emit(k, column, nil, bColumn[column].flatMap { b.rows[r][$0] }) }
        }
        return result
    }

    /// Row labels: `row N` (1-based) without a key, else `col=value ...` with numbers in
    /// shortest form, plus `#n` on the n-th (n >= 2) repeat of a label.
    static func rowKeys(_ t: ResultTable, _ key: [String]) -> [String] {
        guard !key.isEmpty else { return t.rows.indices.map { "row \($0 + 1)" } }
        let idx = key.compactMap { t.columns.firstIndex(of: $0) }
        var seen: [String: Int] = [:]
        return t.rows.map { row in
            let label = zip(key, idx).map { "\($0)=\(row[$1]?.normalized ?? "")" }.joined(separator: " ")
            let n = (seen[label] ?? 0) + 1
            seen[label] = n
            return n == 1 ? label : "\(label) #\(n)"
        }
    }

    /// Compares two values: as numbers when both are (equal when identical, both NaN,
    /// or |a - b| <= atol + rtol * |b|; deltas |a - b| and |a - b| / |b|, the latter
    /// infinite when b = 0 != a), else as exact text (no deltas).
    static func values(_ a: FieldValue, _ b: FieldValue, rtol: Double, atol: Double) -> (equal: Bool, abs: Double?, rel: Double?) {
        guard let x = a.number, let y = b.number else { return (a.text == b.text, nil, nil) }
        if x == y || (x.isNaN && y.isNaN) { return (true, 0, 0) }
        let d = Swift.abs(x - y)
        let rel = y == 0 ? Double.infinity : d / Swift.abs(y)
        return (d <= atol + rtol * Swift.abs(y), d, rel)
    }
}

/// Output formats of `nn diff`.
package enum DiffFormat: String, CaseIterable, Sendable {
    /// Aligned columns, then the summary line.
    case table
    /// RFC 4180 CSV with header `key,field,a,b,abs_delta,rel_delta,status`; absent = empty.
    case csv
    /// An object: a, b, rtol, atol, equal, compared, differing, lines (each with key,
    /// field, a, b, abs_delta, rel_delta, status; absent values and deltas are null,
    /// non-finite deltas the strings "inf"/"nan").
    case json
    /// A Markdown table, then the summary line as a paragraph.
    case md

    package func render(_ r: DiffResult) -> String {
        func delta(_ d: Double?) -> String { d.map(NumberText.shortest) ?? "" }
        switch self {
        case .table, .md:
            // For people: numbers with the digits that matter (`ReportTables.display`);
            // csv and json keep every digit.
            let absent = "(absent)"
            let rows = r.lines.map {
                let (a, b) = ReportTables.display($0.a, $0.b)
                return [$0.key, $0.field, a ?? absent, b ?? absent, $0.absDelta.map(ReportTables.display) ?? "",
                        $0.relDelta.map(ReportTables.display) ?? "", $0.status.rawValue]
            }
            if self == .md {
                return Markdown.table(header: ["key", "field", "A", "B", "abs delta", "rel delta", "status"], rows: rows)
                    + "\n" + r.summary + "\n"
            }
            if rows.isEmpty { return r.summary + "\n" }
            return TextTable.aligned(header: ["key", "field", "A", "B", "abs_delta", "rel_delta", "status"], rows: rows) + r.summary + "\n"
        case .csv:
            let rows = r.lines.map {
                [$0.key, $0.field, $0.a?.text ?? "", $0.b?.text ?? "", delta($0.absDelta), delta($0.relDelta), $0.status.rawValue]
            }
            return CSVTable(header: ["key", "field", "a", "b", "abs_delta", "rel_delta", "status"], rows: rows).encoded()
        case .json:
            func text(_ v: FieldValue?) -> JSONValue { v.map { .string($0.text) } ?? .null }
            func number(_ d: Double?) -> JSONValue { d.map(JSONValue.double) ?? .null }
            let lines: [JSONValue] = r.lines.map {
                .object([
                    JSONMember("key", .string($0.key)), JSONMember("field", .string($0.field)),
                    JSONMember("a", text($0.a)), JSONMember("b", text($0.b)),
                    JSONMember("abs_delta", number($0.absDelta)), JSONMember("rel_delta", number($0.relDelta)),
                    JSONMember("status", .string($0.status.rawValue)),
                ])
            }
            let doc = JSONValue.object([
                JSONMember("a", .string(r.a)), JSONMember("b", .string(r.b)),
                JSONMember("rtol", .double(r.options.rtol)), JSONMember("atol", .double(r.options.atol)),
                JSONMember("equal", .bool(r.equal)), JSONMember("compared", .double(Double(r.compared))),
                JSONMember("differing", .double(Double(r.differing))), JSONMember("lines", .array(lines)),
            ])
            return doc.encoded() + "\n"
        }
    }
}
