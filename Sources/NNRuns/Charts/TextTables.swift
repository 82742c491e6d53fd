import Foundation
import NNBase
import NNKernel
import NNFormats

/// Markdown (GitHub-flavoured) tables.
package enum Markdown {
    /// A pipe table; every cell goes through `cell(_:)`.
    package static func table(header: [String], rows: [[String]]) -> String {
        var out = "| " + header.map(cell).joined(separator: " | ") + " |\n"
        out += "|" + String(repeating: " --- |", count: header.count) + "\n"
        for row in rows { out += "| " + row.map(cell).joined(separator: " | ") + " |\n" }
        return out
    }

    /// A table cell: `|` and `\` escaped with a backslash, line breaks as `<br>`, empty as a space.
    static func cell(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "|": out += "\\|"
            case "\\": out += "\\\\"
            case "\n", "\r", "\r\n": out += "<br>"
            default: out.append(ch)
            }
        }
        return out
    }
}

/// Plain-text tables for the terminal.
package enum TextTable {
    /// Columns left-aligned and padded to their widest cell (in characters), separated
    /// by two spaces, no trailing spaces; line breaks and tabs in cells shown as `\n`, `\t`.
    package static func aligned(header: [String], rows: [[String]]) -> String {
        let all = ([header] + rows).map { $0.map(flat) }
        var widths = [Int](repeating: 0, count: header.count)
        for row in all { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in all {
            var line = ""
            for (i, cell) in row.enumerated() {
                line += cell
                if i < row.count - 1 { line += String(repeating: " ", count: widths[i] - cell.count + 2) }
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    private static func flat(_ text: String) -> String {
        guard text.contains(where: { $0.isNewline || $0 == "\t" }) else { return text }
        var out = ""
        for ch in text {
            switch ch {
            case "\n", "\r\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.append(ch)
            }
        }
        return out
    }
}

extension Markdown {
    /// A real for people: `digits` significant digits, trailing zeros dropped (`%g`:
    /// 0.950950 -> `0.95095`, 0.66253869 -> `0.66254`, 1e-7 -> `1e-07`). Full precision
    /// stays in the JSON and CSV files.
    package static func number(_ x: Double, digits: Int = 5) -> String {
        x.isFinite ? String(format: "%.\(digits)g", x) : NumberText.shortest(x)
    }
}
