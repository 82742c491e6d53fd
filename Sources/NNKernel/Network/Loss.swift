/// Loss functions and the gradient that starts backprop.
///
/// With `N` samples (columns), `C` outputs, prediction `A` and target `Y`:
/// - `bce` (binary cross-entropy, sigmoid outputs):
///   `L = −(1/(N·C)) Σ [Y·log(A + ε) + (1 − Y)·log(1 − A + ε)]` — the notebook's `loss()`, ε = 1e-8.
/// - `cce` (categorical cross-entropy, softmax outputs): `L = −(1/N) Σ_j Σ_i Y_ij·log(A_ij + ε)`.
///
/// Two gradient paths:
/// - `notebook`: the notebook's exact formulas — `dA = −(Y/A − (1−Y)/(1−A))` for bce and
///   `dA = −Y/A` for cce, then the output activation's own derivative. The reported loss
///   is the ε form above, summed in NumPy's pairwise order.
/// - `stable`: the fused forms that never turn a saturated output into NaN — `dZ = A − Y`
///   (per sample; scaled by 1/C for multi-output bce) for sigmoid+bce and softmax+cce, and
///   the loss computed from the logits `Z`:
///   bce `max(Z,0) − Z·Y + log(1 + e^(−|Z|))`, cce `logsumexp(Z_·j) − Σ_i Y_ij·Z_ij`.
package enum LossKind: String, Codable, CaseIterable, Sendable {
    case bce, cce

    /// The output activation this loss is defined for.
    var outputActivation: Activation { self == .bce ? .sigmoid : .softmax }
}

package enum GradientPath: String, Codable, CaseIterable, Sendable {
    case notebook, stable
}

enum Loss {
    static let epsilon = 1e-8

    /// The loss of predictions `a` (and logits `z`) against targets `y`, all `C × N`.
    /// `terms`, when given, is scratch of at least `C × N` elements (else one is allocated).
    static func value<T: NNScalar>(_ kind: LossKind, path: GradientPath, a: Matrix<T>, z: Matrix<T>,
                                   y: Matrix<T>, epsilon: Double = Loss.epsilon, terms: Matrix<T>? = nil, parallel: Parallel) -> Double {
        let n = a.count
        let terms = terms.flatMap { $0.count >= n ? $0 : nil } ?? Matrix<T>(rows: 1, cols: n)
        let t = terms.pointer, ap = a.pointer, zp = z.pointer, yp = y.pointer
        let eps = T(epsilon)
        switch (kind, path) {
        case (.bce, .notebook):
            parallel.forRanges(n, cost: 8) { lo, hi in
                for i in lo..<hi {
                    let yi = yp[i], ai = ap[i]
                    t[i] = yi * T.log(ai + eps) + (1 - yi) * T.log(1 - ai + eps)
                }
            }
            return -(PairwiseSum.sum(t, n) / T(Double(n))).double
        case (.cce, .notebook):
            parallel.forRanges(n, cost: 8) { lo, hi in
                for i in lo..<hi { t[i] = yp[i] * T.log(ap[i] + eps) }
            }
            return -(PairwiseSum.sum(t, n) / T(Double(a.cols))).double
        case (.bce, .stable):
            parallel.forRanges(n, cost: 8) { lo, hi in
                for i in lo..<hi {
                    let zi = zp[i]
                    t[i] = Swift.max(zi, 0) - zi * yp[i] + T.log1p(T.exp(-Swift.abs(zi)))
                }
            }
            return (PairwiseSum.sum(t, n) / T(Double(n))).double
        case (.cce, .stable):
            let rows = z.rows, cols = z.cols
            let ps = t  // one term per sample (cols ≤ n)
            parallel.forRanges(cols, cost: rows * 4) { lo, hi in
                for c in lo..<hi {
                    var mx = -T.infinity
                    for r in 0..<rows { mx = Swift.max(mx, zp[r * cols + c]) }
                    var s: T = 0, yz: T = 0
                    for r in 0..<rows {
                        s += T.exp(zp[r * cols + c] - mx)
                        yz += yp[r * cols + c] * zp[r * cols + c]
                    }
                    ps[c] = mx + T.log(s) - yz
                }
            }
            return (PairwiseSum.sum(ps, cols) / T(Double(cols))).double
        }
    }

    /// Writes the gradient that starts backprop into `grad` (`C × N`). Returns true when it
    /// is already `dZ` of the output layer (the fused stable path), false when it is `dA`.
    static func startGradient<T: NNScalar>(_ kind: LossKind, path: GradientPath, a: Matrix<T>, y: Matrix<T>,
                                           into grad: Matrix<T>, parallel: Parallel) -> Bool {
        let n = a.count
        let g = grad.pointer, ap = a.pointer, yp = y.pointer
        switch (kind, path) {
        case (.bce, .notebook):
            parallel.forRanges(n, cost: 4) { lo, hi in
                for i in lo..<hi {
                    let yi = yp[i], ai = ap[i]
                    g[i] = -(yi / ai - (1 - yi) / (1 - ai))
                }
            }
            return false
        case (.cce, .notebook):
            parallel.forRanges(n, cost: 2) { lo, hi in
                for i in lo..<hi { g[i] = -(yp[i] / ap[i]) }
            }
            return false
        case (.bce, .stable), (.cce, .stable):
            // d/dZ of the mean-over-samples loss is (A − Y) per sample; bce also averages over
            // its C outputs, hence the 1/C.
            let scale: T = kind == .bce ? 1 / T(Double(a.rows)) : 1
            parallel.forRanges(n, cost: 1) { lo, hi in
                for i in lo..<hi { g[i] = (ap[i] - yp[i]) * scale }
            }
            return true
        }
    }
}
