/// Deterministic text for results files written by the trainer.
public enum Format {
    /// Shortest decimal that round-trips to the same Double, as Python's `repr(float)`
    /// writes it (`0.5`, `1.0`, `1e-05`), so NumPy's and nn's histories compare as text.
    /// Non-finite values as `nan`, `inf`, `-inf`. (`NumberText.shortest` differs only in
    /// writing integral values without `.0`.)
    public static func real(_ d: Double) -> String {
        d.isFinite ? "\(d)" : NumberText.shortest(d)
    }

    /// A CSV document: header then rows, `\n` line ends, fields quoted only when needed.
    public static func csv(header: [String], rows: [[String]]) -> String {
        CSVTable(header: header, rows: rows).encoded()
    }
}
