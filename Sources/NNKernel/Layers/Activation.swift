/// Activation functions, each with its forward map and the derivative used by backprop.
///
/// Forward, element-wise on `Z` (features × samples):
/// - sigmoid:  `A = 1 / (1 + e^(−Z))`
/// - relu:     `A = max(0, Z)` (NaN propagates, as `np.maximum` does)
/// - tanh:     `A = tanh(Z)`
/// - identity: `A = Z`
/// - softmax, per column (sample) j: `A_ij = e^(Z_ij − max_k Z_kj) / Σ_k e^(Z_kj − max_k Z_kj)`
///
/// Backward, `dZ = dA ⊙ g'(Z)`:
/// - sigmoid:  `s = 1/(1+e^(−Z))` recomputed from `Z`, `dZ = dA·s·(1−s)` (the notebook's formula)
/// - relu:     `dZ = dA` where `Z > 0`, else 0 (the notebook's `dZ[Z <= 0] = 0`; since
///             `A = max(0, Z)`, `Z <= 0 ⇔ A <= 0`, so `A` serves and `Z` need not be kept)
/// - tanh:     `dZ = dA·(1 − A²)`
/// - identity: `dZ = dA`
/// - softmax:  `dZ_ij = A_ij·(dA_ij − Σ_k dA_kj·A_kj)` (the Jacobian-vector product)
package enum Activation: String, Codable, CaseIterable, Sendable {
    case sigmoid, relu, tanh, softmax, identity

    /// Whether backward needs the pre-activation `Z` (otherwise `A` suffices).
    var backwardNeedsZ: Bool { self == .sigmoid }

    @inline(__always) static func sigmoid<T: NNScalar>(_ z: T) -> T { 1 / (1 + T.exp(-z)) }

    /// `A ← f(Z + b)` for a `rows × cols` block; `z` receives `Z + b` when non-nil.
    /// `zb` holds the matrix product on entry; it may alias `a`.
    func forward<T: NNScalar>(product zb: Matrix<T>, bias: UnsafePointer<T>, z: Matrix<T>?, a: Matrix<T>, parallel: Parallel) {
        let rows = zb.rows, cols = zb.cols
        let src = zb.pointer, dst = a.pointer
        let zp = z?.pointer
        switch self {
        case .softmax:
            // Add the bias row by row, then normalise each column.
            parallel.forRanges(rows, cost: cols) { lo, hi in
                for r in lo..<hi {
                    let bias = bias[r]
                    for c in 0..<cols {
                        let v = src[r * cols + c] + bias
                        zp?[r * cols + c] = v
                        dst[r * cols + c] = v
                    }
                }
            }
            Activation.softmaxColumns(a, parallel: parallel)
        case .relu:
            parallel.forRanges(rows, cost: cols) { lo, hi in
                Kernels.active.reluForward(src, bias: bias, dst, cols: cols, rows: lo..<hi)
            }
        default:
            parallel.forRanges(rows, cost: cols) { lo, hi in
                for r in lo..<hi {
                    let bias = bias[r]
                    let base = r * cols
                    switch self {
                    case .sigmoid:
                        for c in base..<(base + cols) {
                            let v = src[c] + bias
                            zp?[c] = v
                            dst[c] = Activation.sigmoid(v)
                        }
                    case .tanh:
                        for c in base..<(base + cols) {
                            let v = src[c] + bias
                            zp?[c] = v
                            dst[c] = T.tanh(v)
                        }
                    case .identity:
                        for c in base..<(base + cols) {
                            let v = src[c] + bias
                            zp?[c] = v
                            dst[c] = v
                        }
                    case .relu, .softmax:
                        break
                    }
                }
            }
        }
    }

    /// In-place column-wise softmax of `a` (max-shifted, so it never overflows).
    static func softmaxColumns<T: NNScalar>(_ a: Matrix<T>, parallel: Parallel) {
        let rows = a.rows, cols = a.cols, p = a.pointer
        parallel.forRanges(cols, cost: rows * 4) { lo, hi in
            for c in lo..<hi {
                var mx = -T.infinity
                for r in 0..<rows { mx = Swift.max(mx, p[r * cols + c]) }
                var s: T = 0
                for r in 0..<rows {
                    let e = T.exp(p[r * cols + c] - mx)
                    p[r * cols + c] = e
                    s += e
                }
                for r in 0..<rows { p[r * cols + c] /= s }
            }
        }
    }

    /// `grad ← dA ⊙ g'(·)` in place: `grad` holds `dA` on entry and `dZ` on exit.
    func backward<T: NNScalar>(grad: Matrix<T>, z: Matrix<T>?, a: Matrix<T>, parallel: Parallel) {
        let rows = grad.rows, cols = grad.cols
        let g = grad.pointer, ap = a.pointer
        switch self {
        case .softmax:
            parallel.forRanges(cols, cost: rows * 2) { lo, hi in
                for c in lo..<hi {
                    var dot: T = 0
                    for r in 0..<rows { dot += g[r * cols + c] * ap[r * cols + c] }
                    for r in 0..<rows { g[r * cols + c] = ap[r * cols + c] * (g[r * cols + c] - dot) }
                }
            }
        default:
            let zp = z?.pointer
            parallel.forRanges(rows * cols, cost: 1) { lo, hi in
                switch self {
                case .relu:
                    // g[i] ← A[i] <= 0 ? 0 : g[i]: NaN in A keeps dA (as the notebook's
                    // `dZ[Z <= 0] = 0` keeps it where Z is NaN).
                    Kernels.active.reluBackward(g, ap, lo..<hi)
                case .sigmoid:
                    if let zp {
                        for i in lo..<hi {
                            let s = Activation.sigmoid(zp[i])
                            g[i] = g[i] * s * (1 - s)
                        }
                    } else {
                        for i in lo..<hi { g[i] = g[i] * ap[i] * (1 - ap[i]) }
                    }
                case .tanh:
                    for i in lo..<hi { g[i] = g[i] * (1 - ap[i] * ap[i]) }
                case .identity, .softmax:
                    break
                }
            }
        }
    }
}
