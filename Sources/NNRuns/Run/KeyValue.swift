import NNBase
import NNKernel
import NNFormats

/// `classes`: what the network predicts from the digit labels. With `positive_digit` it
/// makes the `PreparedTarget` the data is prepared for.
package enum Classes: String, CaseIterable, Sendable {
    /// One sigmoid output: is the digit `positive_digit` (the notebook: 8)?
    case binary
    /// Ten softmax outputs, one per digit.
    case all
}

/// `precision`: the floating-point type of the weights and of every computation.
enum Precision: String, CaseIterable, Sendable {
    case f64, f32

    /// Bytes per weight.
    var scalarBytes: Int { self == .f32 ? 4 : 8 }
}

/// A type an experiment key holds (`ExperimentKey`): read from its text form (a flag's
/// value, a grid item, a JSON value's text), written back in one canonical text form
/// (so `0.10` and `1e-1` name the same value) and as JSON (`config.json`).
protocol KeyValue: Sendable {
    /// Parses `text` (the value trimmed; `raw` as given, for messages). Errors start with
    /// `source`, the flag or file and key.
    static func parse(_ text: String, raw: String, source: String) throws -> Self
    /// The canonical text form; `parse` of it gives the value back.
    var text: String { get }
    /// The JSON form written to experiment files and `config.json`.
    var json: JSONValue { get }
    /// What the README calls the type: `integer`, `number`, `list of integers`, ...
    static var typeName: String { get }
    /// The allowed values when they are a closed set (an enum), else nil.
    static var choices: [String]? { get }
    /// What shell completion offers for a value: `choices`, or `true`/`false`.
    static var completions: [String]? { get }
    /// Whether a value is itself a list (items `,`-separated in text).
    static var isList: Bool { get }
    /// The JSON an experiment file must give the key (`"lr": 0.1`, not `"lr": "0.1"`): a
    /// string where a number, list or truth value belongs is an error, never coerced.
    static func isJSON(_ value: JSONValue) -> Bool
    /// What `isJSON` accepts, for messages: `a number`, `a list of numbers`, `text`, ...
    static var jsonName: String { get }
}

extension KeyValue {
    static func isJSON(_ value: JSONValue) -> Bool {
        if case .string = value { return true }
        return false
    }
    static var jsonName: String { "a string" }
    static var choices: [String]? { nil }
    static var completions: [String]? { choices }
    static var isList: Bool { false }
}

/// A key holding one number or truth value, read with `init?(_: String)`.
protocol ScalarKeyValue: KeyValue, LosslessStringConvertible {
    /// What a text that does not parse is not: `an integer`, `a number`, ...
    static var expected: String { get }
    /// Whether a parsed value is one an experiment can hold (a number is finite).
    var isUsable: Bool { get }
}

extension ScalarKeyValue {
    static func parse(_ text: String, raw: String, source: String) throws -> Self {
        guard let v = Self(text), v.isUsable else { throw NNError("\(source): '\(raw)' is not \(expected)") }
        return v
    }
    var text: String { description }
    var isUsable: Bool { true }
}

extension Int: ScalarKeyValue {
    static var expected: String { "an integer" }
    static func isJSON(_ value: JSONValue) -> Bool {
        if case .number = value { return true }
        return false
    }
    static var jsonName: String { "a number" }
    var json: JSONValue { .int(self) }
    static var typeName: String { "integer" }
}

extension Double: ScalarKeyValue {
    static var expected: String { "a number" }
    /// A decimal number as the README writes them (`0.3`, `1e-3`): no hex (`0x10`), no
    /// `inf` or `nan` (`NumberText.parse`, then finite).
    static func parse(_ text: String, raw: String, source: String) throws -> Double {
        guard let v = NumberText.parse(text), v.isFinite else {
            throw NNError("\(source): '\(raw)' is not a number")
        }
        return v
    }
    static func isJSON(_ value: JSONValue) -> Bool { Int.isJSON(value) }
    static var jsonName: String { "a number" }
    var isUsable: Bool { isFinite }
    /// Shortest round-trip decimal (`NumberText.real`).
    var text: String { NumberText.real(self) }
    var json: JSONValue { .real(self) }
    static var typeName: String { "number" }
}

extension Bool: ScalarKeyValue {
    static var expected: String { "true or false" }
    static func isJSON(_ value: JSONValue) -> Bool {
        if case .bool = value { return true }
        return false
    }
    static var jsonName: String { "true or false" }
    var json: JSONValue { .bool(self) }
    static var typeName: String { "true or false" }
    static var completions: [String]? { ["true", "false"] }
}

extension String: KeyValue {
    static func parse(_ text: String, raw: String, source: String) throws -> String { text }
    var text: String { self }
    var json: JSONValue { .string(self) }
    static var typeName: String { "text" }
}

/// A key whose values are a closed set: an enum whose raw values are its text and JSON
/// forms.
protocol ClosedSetValue: KeyValue, RawRepresentable<String>, CaseIterable {}

extension ClosedSetValue {
    static func parse(_ text: String, raw: String, source: String) throws -> Self {
        guard let v = Self(rawValue: text) else {
            throw NNError("\(source): unknown value '\(raw)' (expected one of: \(choices!.joined(separator: ", ")))")
        }
        return v
    }
    var text: String { rawValue }
    var json: JSONValue { .string(rawValue) }
    static var typeName: String { "one of " + choices!.joined(separator: ", ") }
    static var choices: [String]? { allCases.map(\.rawValue) }
}

extension Classes: ClosedSetValue {}
extension Precision: ClosedSetValue {}
extension Activation: ClosedSetValue {}
extension LossKind: ClosedSetValue {}
extension GradientPath: ClosedSetValue {}
extension InitKind: ClosedSetValue {}
extension OptimizerKind: ClosedSetValue {}

/// A list key (`layers`, `activations`): items separated by `,` in text, a JSON array.
extension Array: KeyValue where Element: KeyValue {
    static func parse(_ text: String, raw: String, source: String) throws -> [Element] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        if text.isEmpty || parts.contains(where: \.isEmpty) { throw NNError("\(source): '\(raw)' has an empty item") }
        return try parts.map { try Element.parse($0, raw: $0, source: source) }
    }
    var text: String { map(\.text).joined(separator: ",") }
    var json: JSONValue { .array(map(\.json)) }
    static var isList: Bool { true }
    static func isJSON(_ value: JSONValue) -> Bool {
        guard case .array(let items) = value else { return false }
        return items.allSatisfy(Element.isJSON)
    }
    static var jsonName: String { "a list of " + (Element.jsonName == "true or false" ? "true/false" : Element.jsonName.split(separator: " ").dropFirst().joined(separator: " ") + "s") }
    /// The closed set each item is drawn from, if any.
    static var choices: [String]? { Element.choices }
    static var typeName: String {
        Element.choices.map { "list of " + $0.joined(separator: ", ") } ?? "list of \(Element.typeName)s"
    }
}
