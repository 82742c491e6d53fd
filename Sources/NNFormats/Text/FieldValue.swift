import Foundation
import NNBase

/// One scalar cell of a results file: the text exactly as written, and its numeric value
/// when the text is a decimal number (see `NumberText.parse`). Two values compare as
/// numbers when both have one, otherwise as text.
package struct FieldValue: Equatable, Sendable, CustomStringConvertible {
    package var text: String
    package var number: Double?

    /// A cell read from text: numeric if `NumberText.parse` accepts it.
    package init(_ text: String) {
        self.text = text
        self.number = NumberText.parse(text)
    }

    /// A value with an explicit (possibly absent) number, e.g. a JSON string that looks
    /// numeric but must stay text.
    init(text: String, number: Double?) {
        self.text = text
        self.number = number
    }

    package var description: String { text }

    /// The text used to match key cells: numbers in shortest round-trip form (so `0.1`
    /// and `0.10` match), other text unchanged.
    package var normalized: String { number.map(NumberText.shortest) ?? text }
}
