/// Weight initialisation, drawn layer by layer in order, each `W` row-major `(out, in)`,
/// from one NumPy-compatible generator (`np.random.seed(S)` ≙ `MT19937(seed: S)`); biases 0.
/// - `notebook`:       `W = randn(out, in) · √(2/(in+out))` (the notebook's DenseLayer)
/// - `he`:             `W = randn(out, in) · √(2/in)`
/// - `xavier-uniform`: `W = U(−a, a)` with `a = √(6/(in+out))`, drawn as NumPy's
///                     `uniform(-a, a, (out, in))` = `−a + 2a·random_sample()`
package enum InitKind: String, Codable, CaseIterable, Sendable {
    case notebook
    case he
    case xavierUniform = "xavier-uniform"

    /// The weights of one `(out, in)` layer, in f64, consuming draws from `rng`.
    func weights(out: Int, in inputs: Int, rng: inout MT19937) -> [Double] {
        let n = out * inputs
        switch self {
        case .notebook:
            let s = (2.0 / Double(inputs + out)).squareRoot()
            return rng.randn(n).map { $0 * s }
        case .he:
            let s = (2.0 / Double(inputs)).squareRoot()
            return rng.randn(n).map { $0 * s }
        case .xavierUniform:
            let a = (6.0 / Double(inputs + out)).squareRoot()
            return (0..<n).map { _ in -a + (a - -a) * rng.randomDouble() }
        }
    }
}
