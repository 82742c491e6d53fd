/// Locale-free, deterministic number <-> text conversions shared by the result readers,
/// `nn diff` and the SVG charts. The same `Double` always gives the same characters.
package enum NumberText {
    /// The shortest decimal text that reads back as exactly `d`, as Python's `repr(float)`
    /// writes it (`0.5`, `1.0`, `1e-05`), so NumPy's and nn's histories compare as text.
    /// Non-finite values as `nan`, `inf`, `-inf`. (`shortest` differs only in writing
    /// integral values without `.0`.)
    package static func real(_ d: Double) -> String {
        d.isFinite ? "\(d)" : shortest(d)
    }

    /// `1 point`, `3 points`: a count and its noun, plural unless the count is 1.
    package static func count(_ n: Int, _ noun: String) -> String {
        "\(n) \(noun)\(n == 1 ? "" : "s")"
    }

    /// The shortest decimal text that reads back as exactly `x` (Swift's round-trip
    /// `description`), except that integral values below 2^53 print without ".0"
    /// (`40`, not `40.0`), and `-0.0` prints as `0`. Non-finite: `nan`, `inf`, `-inf`.
    package static func shortest(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        if x == x.rounded(), abs(x) < 9_007_199_254_740_992 { return String(Int64(x)) }
        return x.description
    }

    /// `x` rounded (half away from zero) to `decimals` places, written without exponent
    /// and without a locale: `fixed(1.005, 2)` uses the binary value, `fixed(-0.001, 2)`
    /// is `0.00`. For |x| * 10^decimals beyond 2^62 (never met by chart coordinates) it
    /// falls back to `shortest`.
    package static func fixed(_ x: Double, decimals: Int) -> String {
        let d = max(0, min(decimals, 15))
        var scale = 1.0
        for _ in 0..<d { scale *= 10 }
        let scaled = (x * scale).rounded()
        guard scaled.isFinite, abs(scaled) < 4.6e18 else { return shortest(x) }
        let n = Int64(scaled)
        if n == 0 { return d == 0 ? "0" : "0." + String(repeating: "0", count: d) }
        let digits = String(n.magnitude)
        let sign = n < 0 ? "-" : ""
        if d == 0 { return sign + digits }
        let padded = digits.count <= d ? String(repeating: "0", count: d - digits.count + 1) + digits : digits
        let cut = padded.index(padded.endIndex, offsetBy: -d)
        return sign + padded[..<cut] + "." + padded[cut...]
    }

    /// Parses a decimal number written as `[+-]digits[.digits][(e|E)[+-]digits]` (also
    /// `.5`, `5.`), or `nan` / `inf` / `infinity` with an optional sign, case-insensitive.
    /// Anything else (hex floats, blanks, surrounding spaces, `1,5`) is not a number: nil.
    package static func parse(_ text: String) -> Double? {
        var utf8 = text.utf8[...]
        guard !utf8.isEmpty else { return nil }
        if utf8.first == UInt8(ascii: "+") || utf8.first == UInt8(ascii: "-") { utf8 = utf8.dropFirst() }
        let word = String(decoding: utf8, as: UTF8.self).lowercased()
        if word == "nan" || word == "inf" || word == "infinity" { return Double(text.lowercased()) }
        var i = utf8.startIndex
        func digits() -> Int {
            var n = 0
            while i < utf8.endIndex, (48...57).contains(utf8[i]) { i = utf8.index(after: i); n += 1 }
            return n
        }
        var mantissa = digits()
        if i < utf8.endIndex, utf8[i] == UInt8(ascii: ".") {
            i = utf8.index(after: i)
            mantissa += digits()
        }
        guard mantissa > 0 else { return nil }
        if i < utf8.endIndex, utf8[i] == UInt8(ascii: "e") || utf8[i] == UInt8(ascii: "E") {
            i = utf8.index(after: i)
            if i < utf8.endIndex, utf8[i] == UInt8(ascii: "+") || utf8[i] == UInt8(ascii: "-") { i = utf8.index(after: i) }
            guard digits() > 0 else { return nil }
        }
        guard i == utf8.endIndex else { return nil }
        return Double(text)
    }
}

