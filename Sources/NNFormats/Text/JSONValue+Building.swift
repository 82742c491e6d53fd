/// Conveniences for building and reading the JSON the trainer writes (config.json,
/// timing.json, metrics.json): objects are built from dictionaries with their members
/// sorted by key, so the same values always give the same bytes.
extension JSONValue {
    package static func int(_ i: Int) -> JSONValue { .number(String(i)) }
    package static func real(_ d: Double) -> JSONValue { .double(d) }

    /// An object whose members are sorted by key.
    package static func sortedObject(_ members: [String: JSONValue]) -> JSONValue {
        .object(members.keys.sorted().map { JSONMember($0, members[$0]!) })
    }

    /// The members of an object as a dictionary (nil if not an object).
    package var dictionary: [String: JSONValue]? {
        guard case .object(let members) = self else { return nil }
        var d: [String: JSONValue] = [:]
        for m in members { d[m.key] = m.value }
        return d
    }

    package var elements: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// Scalars and lists of scalars as command-line text (lists comma-joined); nil for
    /// objects and null.
    package var text: String? {
        switch self {
        case .bool(let b): return String(b)
        case .number(let n): return n
        case .string(let s): return s
        case .array(let a):
            let parts = a.compactMap(\.text)
            return parts.count == a.count ? parts.joined(separator: ",") : nil
        case .object, .null: return nil
        }
    }

    /// Pretty JSON text with a final newline, as results files are written.
    package var fileText: String { encoded(pretty: true) + "\n" }
}
