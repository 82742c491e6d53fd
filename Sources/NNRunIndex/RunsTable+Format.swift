import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps

extension RunsTable {
    /// The table as text: `table` (aligned columns) and `md` (a Markdown table) round
    /// results to 5 significant digits for reading; `csv` and `json` keep every digit.
    /// `json` is an array of objects, one per row, members in column order (`best` a
    /// boolean, numbers as numbers, a cell a run lacks as null).
    package func render(_ format: RunsFormat) -> String {
        switch format {
        case .table: return TextTable.aligned(header: header, rows: rounded())
        case .md: return Markdown.table(header: header, rows: rounded())
        case .csv: return CSVTable.text(header: header, rows: rows)
        case .json:
            let objects = rows.enumerated().map { n, row in
                JSONValue.object(zip(header, row).map { key, cell in
                    JSONMember(key, key == "best" ? .bool(best[n]) : Self.jsonCell(cell, text: Self.fixedColumns.contains(key)))
                })
            }
            return JSONValue.array(objects).fileText
        }
    }

    /// The rows with every result cell rounded (`roundedForReading`).
    package func rounded() -> [[String]] {
        let columns = header.map(resultColumns.contains)
        return rows.map { row in zip(row, columns).map { cell, isResult in isResult ? Self.roundedForReading(cell) : cell } }
    }

    /// A number to 5 significant digits (`0.66254`, `1.2346e-05`), integers whole; other
    /// text unchanged.
    package static func roundedForReading(_ cell: String) -> String {
        guard let x = NumberText.parse(cell), x.isFinite else { return cell }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        // Scale to 5 digits before the point, round, scale back; print shortest.
        let scale = Foundation.pow(10, 4 - Foundation.floor(Foundation.log10(abs(x))))
        let r = (x * scale).rounded() / scale
        return r.isFinite ? NumberText.shortest(r) : cell
    }

    /// A JSON cell: null when empty, a number when it reads as a finite one (and `text`
    /// is false), `true`/`false` as booleans, otherwise a string.
    static func jsonCell(_ cell: String, text: Bool) -> JSONValue {
        if cell.isEmpty { return .null }
        if text { return .string(cell) }
        if cell == "true" || cell == "false" { return .bool(cell == "true") }
        if let x = NumberText.parse(cell), x.isFinite { return .double(x) }
        return .string(cell)
    }
}
