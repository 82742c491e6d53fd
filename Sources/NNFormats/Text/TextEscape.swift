/// Escaping text one Unicode scalar at a time, the one loop behind JSON string literals
/// (`JSONValue.quoted`) and SVG/XML text (`LineChart.escape`): each scalar is replaced by
/// `replacement(scalar)`, or kept when that is nil.
package enum TextEscape {
    package static func map(_ text: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for u in text.unicodeScalars {
            if let r = replacement(u) { out += r } else { out.unicodeScalars.append(u) }
        }
        return out
    }
}
