import Foundation
import NNBase

/// A CSV file held as text cells: a header row of unique column names, then data rows
/// of exactly as many fields.
///
/// Format read (RFC 4180): fields separated by `,`; a field may be wrapped in double
/// quotes, inside which `""` stands for one quote and commas / line breaks are literal;
/// records end with LF or CRLF; completely empty lines are skipped; a UTF-8 BOM at the
/// start is ignored. Format written: the same, LF line ends, a field quoted only when it
/// contains `,`, `"`, CR or LF.
package struct CSVTable: Equatable, Sendable {
    package var header: [String]
    package var rows: [[String]]

    package init(header: [String], rows: [[String]]) {
        self.header = header
        self.rows = rows
    }

    /// Index of the column called `name`, if any.
    package func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// Reads and parses the CSV file at `path` (a regular file that fits in memory; see
    /// `readFileBytes`); errors name the file (and the line). With `maxFields`, a file of
    /// more fields (header included) is refused as soon as parsing passes that many, with
    /// `why` saying who bounds it.
    package static func read(path: String, maxFields: Int = .max, why: String = "") throws -> CSVTable {
        try parse(Data(try readFileBytes(path)), name: path, maxFields: maxFields, why: why)
    }

    /// Parses CSV text; `name` (usually the path) prefixes every error message.
    static func parse(_ text: String, name: String) throws -> CSVTable {
        try parse(Data(text.utf8), name: name)
    }

    package static func parse(_ data: Data, name: String, maxFields: Int = .max, why: String = "") throws -> CSVTable {
        guard String(data: data, encoding: .utf8) != nil else { throw NNError("\(name): not UTF-8 text") }
        let bytes = [UInt8](data)
        var records: [(line: Int, fields: [String])] = []
        var fieldCount = 0
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1
        var i = ByteOrderMark.length(bytes)
        if maxFields < .max { try countFields(bytes, from: i, maxFields: maxFields, name: name, why: why) }
        var inQuotes = false, wasQuoted = false, recordHasContent = false

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        func endRecord() throws {
            endField()
            if recordHasContent || fields.count > 1 {
                records.append((recordLine, fields))
                fieldCount += fields.count
                if fieldCount > maxFields {
                    throw NNError("\(name): more than \(maxFields) fields by line \(recordLine); \(why.isEmpty ? "too large" : why)")
                }
            }
            fields.removeAll(keepingCapacity: true)
            recordHasContent = false
        }

        while i < bytes.count {
            let c = bytes[i]
            if inQuotes {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "\"") {
                        field.append(c); i += 2; continue
                    }
                    inQuotes = false
                } else {
                    if c == UInt8(ascii: "\n") { line += 1 }
                    field.append(c)
                }
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "\""):
                guard field.isEmpty, !wasQuoted else {
                    throw NNError("\(name): line \(line): stray double quote inside an unquoted field")
                }
                inQuotes = true; wasQuoted = true; recordHasContent = true
            case UInt8(ascii: ","):
                recordHasContent = true
                endField()
            case UInt8(ascii: "\r") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "\n"):
                break
            case UInt8(ascii: "\n"):
                try endRecord()
                line += 1
                recordLine = line
            default:
                if wasQuoted {
                    throw NNError("\(name): line \(line): text after a closing double quote")
                }
                field.append(c); recordHasContent = true
            }
            i += 1
        }
        if inQuotes { throw NNError("\(name): line \(recordLine): unterminated quoted field") }
        try endRecord()

        guard let first = records.first else { throw NNError("\(name): empty file, no CSV header") }
        let header = first.fields
        var seen = Set<String>()
        for column in header {
            if column.isEmpty { throw NNError("\(name): line \(first.line): empty column name in header") }
            if !seen.insert(column).inserted { throw NNError("\(name): line \(first.line): duplicate column '\(column)'") }
        }
        var rows: [[String]] = []
        rows.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            guard record.fields.count == header.count else {
                throw NNError("\(name): line \(record.line): expected \(header.count) fields, found \(record.fields.count)")
            }
            rows.append(record.fields)
        }
        return CSVTable(header: header, rows: rows)
    }

    /// Throws when the records of `bytes` (from `start`) hold more than `maxFields` fields,
    /// counted in one pass over the bytes (commas and line ends outside quotes) before any
    /// field becomes a string, so a file past the bound costs its bytes, not its cells.
    private static func countFields(_ bytes: [UInt8], from start: Int, maxFields: Int, name: String, why: String) throws {
        var fields = 0, commas = 0, line = 1, recordLine = 1
        var inQuotes = false, content = false
        func endRecord() throws {
            if content || commas > 0 { fields += commas + 1 }
            if fields > maxFields {
                throw NNError("\(name): more than \(maxFields) fields by line \(recordLine); \(why.isEmpty ? "too large" : why)")
            }
            commas = 0
            content = false
        }
        try bytes.withUnsafeBufferPointer { b in
            for i in start..<b.count {
                let c = b[i]
                if c == UInt8(ascii: "\n") {
                    line += 1
                    if inQuotes { continue }
                    try endRecord()
                    recordLine = line
                } else if c == UInt8(ascii: "\"") {
                    inQuotes.toggle()
                    content = true
                } else if !inQuotes {
                    if c == UInt8(ascii: ",") { commas += 1 } else if c != UInt8(ascii: "\r") { content = true }
                }
            }
        }
        try endRecord()
    }

    /// The table as CSV text (header first, LF after every record).
    /// A CSV document: header then rows, `\n` line ends, fields quoted only when needed.
    package static func text(header: [String], rows: [[String]]) -> String {
        CSVTable(header: header, rows: rows).encoded()
    }

    package func encoded() -> String {
        var out = ""
        for record in [header] + rows {
            out += record.map(CSVTable.escape).joined(separator: ",")
            out += "\n"
        }
        return out
    }

    /// One field as CSV: quoted (with inner quotes doubled) only when needed.
    static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
