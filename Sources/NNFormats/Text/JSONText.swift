import Foundation
import NNBase

/// A JSON document that keeps what `JSONSerialization` loses: the order of object
/// members and the exact text of every number (so `0.30000000000000004` and `1e-05`
/// survive a read/write unchanged, and integers never turn into `1.0`).
package indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number, held as its literal text (RFC 8259 grammar).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in file order.
    case object([JSONMember])

    /// A JSON number from a `Double`, written shortest round-trip (non-finite values,
    /// which JSON cannot hold, become the strings `nan`, `inf`, `-inf`).
    package static func double(_ x: Double) -> JSONValue {
        x.isFinite ? .number(NumberText.shortest(x)) : .string(NumberText.shortest(x))
    }

    /// The member called `key` of an object, if any.
    package subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    /// Reads and parses the JSON file at `path` (a regular file that fits in memory and,
    /// when given, holds at most `maxBytes` bytes; see `readFileBytes`); errors name the file.
    package static func read(path: String, maxBytes: Int? = nil) throws -> JSONValue {
        let data = Data(try readFileBytes(path, maxBytes: maxBytes))
        guard let text = String(data: data, encoding: .utf8) else { throw NNError("\(path): not UTF-8 text") }
        return try parse(text, name: path)
    }

    /// Parses one JSON text (RFC 8259). Errors read `<name>: invalid JSON at line L,
    /// column C: <what>`.
    static func parse(_ text: String, name: String) throws -> JSONValue {
        try parse(bytes: Array(text.utf8), name: name)
    }

    /// Parses the UTF-8 bytes of one JSON text (a file read whole), as `parse` does.
    package static func parse(bytes: [UInt8], name: String) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes, name: name)
        return try parser.document()
    }

    /// JSON text: `pretty` puts every member and element on its own line indented by two
    /// spaces (like `JSONSerialization`'s `.prettyPrinted`), otherwise compact.
    package func encoded(pretty: Bool = true) -> String {
        var out = ""
        write(to: &out, indent: pretty ? 0 : nil)
        return out
    }

    private func write(to out: inout String, indent: Int?) {
        let inner = indent.map { $0 + 1 }
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): out += JSONValue.quoted(s)
        case .array(let items):
            Self.writeContainer("[", "]", count: items.count, indent: indent, to: &out) { i, out in
                items[i].write(to: &out, indent: inner)
            }
        case .object(let members):
            Self.writeContainer("{", "}", count: members.count, indent: indent, to: &out) { i, out in
                out += JSONValue.quoted(members[i].key) + (indent == nil ? ":" : ": ")
                members[i].value.write(to: &out, indent: inner)
            }
        }
    }

    /// An array or object: `open`, the `count` entries written by `entry` separated by
    /// commas (each on its own line, one level in, when `indent` is given), `close`.
    private static func writeContainer(_ open: String, _ close: String, count: Int, indent: Int?, to out: inout String,
                                       entry: (Int, inout String) -> Void) {
        guard count > 0 else { out += open + close; return }
        func newline(_ level: Int) {
            if indent != nil { out += "\n" + String(repeating: "  ", count: level) }
        }
        let level = indent ?? 0
        out += open
        for i in 0..<count {
            if i > 0 { out += "," }
            newline(level + 1)
            entry(i, &out)
        }
        newline(level)
        out += close
    }

    /// `s` as a JSON string literal: `"` `\` and control characters escaped.
    static func quoted(_ s: String) -> String {
        "\"" + TextEscape.map(s) { u in
            guard u.value < 0x20 || u == "\"" || u == "\\" else { return nil }     // most scalars: kept, no lookup
            if let e = jsonEscapes[u] { return e }
            let hex = String(u.value, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } + "\""
    }

    /// The two-character escapes of JSON strings; other control characters are `\u00XX`.
    private static let jsonEscapes: [Unicode.Scalar: String] = ["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"]

    /// The document as a flat list of scalar fields, in document order:
    /// - object members become `prefix.key` (no prefix at the top level);
    /// - an array of scalars becomes ONE field whose text is the elements' texts joined
    ///   with `,` (e.g. `layers` = `785,395,200,100,20,1`), not numeric;
    /// - an array holding arrays or objects gets one key per element, `prefix.<index>`
    ///   (so a confusion matrix becomes `confusion.0` ... `confusion.9`, one row each);
    /// - scalars: numbers keep their literal text and value, strings stay text even when
    ///   they look numeric, `true`/`false`/`null` are text;
    /// - an empty object below the top level is the text `{}`; a scalar document is the
    ///   single field `value`.
    package func flattened() -> [(key: String, value: FieldValue)] {
        var out: [(key: String, value: FieldValue)] = []
        flatten(prefix: nil, into: &out)
        return out
    }

    private func flatten(prefix: String?, into out: inout [(key: String, value: FieldValue)]) {
        func join(_ key: String) -> String { prefix.map { "\($0).\(key)" } ?? key }
        switch self {
        case .object(let members):
            if members.isEmpty, let prefix { out.append((prefix, FieldValue(text: "{}", number: nil))) }
            for member in members { member.value.flatten(prefix: join(member.key), into: &out) }
        case .array(let items):
            let texts = items.compactMap(\.scalarText)
            if texts.count == items.count {
                out.append((prefix ?? "value", FieldValue(text: texts.joined(separator: ","), number: nil)))
            } else {
                for (i, item) in items.enumerated() { item.flatten(prefix: join(String(i)), into: &out) }
            }
        default:
            if let scalar = scalarField { out.append((prefix ?? "value", scalar)) }
        }
    }

    /// The field value of a scalar (nil for arrays and objects).
    package var scalarField: FieldValue? {
        switch self {
        case .number(let n): return FieldValue(text: n, number: Double(n))
        case .string(let s): return FieldValue(text: s, number: nil)
        case .bool(let b): return FieldValue(text: b ? "true" : "false", number: nil)
        case .null: return FieldValue(text: "null", number: nil)
        case .array, .object: return nil
        }
    }

    private var scalarText: String? { scalarField?.text }
}

/// One member of a JSON object.
package struct JSONMember: Sendable, Equatable {
    package var key: String
    package var value: JSONValue
    package init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// Recursive-descent parser over UTF-8 bytes (RFC 8259; nesting limited to 512 levels).
private struct JSONParser {
    let bytes: [UInt8]
    let name: String
    var i = 0

    init(bytes: [UInt8], name: String) {
        self.bytes = bytes
        self.name = name
        i = ByteOrderMark.length(bytes)
    }

    mutating func document() throws -> JSONValue {
        let v = try value(depth: 0)
        skipSpace()
        if i < bytes.count { throw fail("unexpected text after the JSON value") }
        return v
    }

    /// An error at byte offset `at` (default: the current position).
    func fail(_ what: String, at: Int? = nil) -> NNError {
        var line = 1, column = 1
        for b in bytes[..<min(at ?? i, bytes.count)] {
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return NNError("\(name): invalid JSON at line \(line), column \(column): \(what)")
    }

    mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    mutating func expect(_ word: String, _ v: JSONValue) throws -> JSONValue {
        let w = Array(word.utf8)
        guard bytes.count - i >= w.count, Array(bytes[i..<i + w.count]) == w else { throw fail("unexpected character") }
        i += w.count
        return v
    }

    mutating func value(depth: Int) throws -> JSONValue {
        guard depth < 512 else { throw fail("nested too deeply") }
        skipSpace()
        guard i < bytes.count else { throw fail("unexpected end of text") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [JSONMember] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a member name in double quotes") }
                let keyStart = i
                let key = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after member name") }
                i += 1
                let v = try value(depth: depth + 1)
                if members.contains(where: { $0.key == key }) { throw fail("duplicate member '\(key)'", at: keyStart) }
                members.append(JSONMember(key, v))
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end of text in object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                throw fail("expected ',' or '}' in object")
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [JSONValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end of text in array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw fail("expected ',' or ']' in array")
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        default: return try number()
        }
    }

    mutating func number() throws -> JSONValue {
        let start = i
        func digits() -> Int {
            let s = i
            while i < bytes.count, (48...57).contains(bytes[i]) { i += 1 }
            return i - s
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        let n = digits()
        guard n > 0 else { throw fail("unexpected character") }
        if n > 1, bytes[intStart] == UInt8(ascii: "0") { throw fail("number with a leading zero") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw fail("expected digits after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw fail("expected digits in exponent") }
        }
        return .number(String(decoding: bytes[start..<i], as: UTF8.self))
    }

    mutating func string() throws -> String {
        i += 1  // opening quote
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { i += 1; return String(decoding: out, as: UTF8.self) }
            if c < 0x20 { throw fail("control character in string") }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard i < bytes.count else { break }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code) {
                    guard bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired surrogate in \\u escape")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in \\u escape") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                i -= 1
                throw fail("invalid escape in string")
            }
        }
        throw fail("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
        guard bytes.count - i >= 4, bytes[i..<i + 4].allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 | 0x20 >= 97 && $0 | 0x20 <= 102) }),
              let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw fail("invalid \\u escape")
        }
        i += 4
        return v
    }
}
