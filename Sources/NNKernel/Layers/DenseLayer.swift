/// A fully connected layer: `Z = W·X + b`, `A = g(Z)`, with `W` of shape `(out, in)`, `b` of
/// shape `(out, 1)`, and `X`, `Z`, `A` of shape `(features, samples)` — the notebook's layout.
///
/// Backward, given `dZ` (computed in place from `dA` by the activation):
/// `dW = (1/m)·dZ·Xᵀ`, `db = (1/m)·Σ_samples dZ` (summed in NumPy's pairwise order),
/// `dA_prev = Wᵀ·dZ` (skipped for the first layer, whose input needs no gradient).
final class DenseLayer<T: NNScalar> {
    let inputs: Int
    let outputs: Int
    let activation: Activation
    package let weights: Matrix<T>   // out × in
    let bias: Matrix<T>      // out × 1
    let gradW: Matrix<T>            // raw dZ·Xᵀ (unscaled)
    let gradB: Matrix<T>            // raw Σ dZ (unscaled)

    init(inputs: Int, outputs: Int, activation: Activation) {
        self.inputs = inputs
        self.outputs = outputs
        self.activation = activation
        weights = Matrix(rows: outputs, cols: inputs)
        bias = Matrix(rows: outputs, cols: 1)
        gradW = Matrix(rows: outputs, cols: inputs)
        gradB = Matrix(rows: outputs, cols: 1)
    }

    /// Forward for a batch: `product` receives `W·X`, then `a ← g(product + b)` and `z`
    /// (when given) keeps `Z`.
    /// A `.sparse` input is stored by its nonzeros (the first layer's MNIST input is ~81%
    /// zeros): the product then skips the zero terms, which leaves the sum unchanged.
    func forward(_ x: LayerInput<T>, product: Matrix<T>, z: Matrix<T>?, a: Matrix<T>, parallel: Parallel) {
        switch x {
        case .dense(let x): Matrix.gemm(weights, x, into: product, parallel: parallel)
        case .sparse(let x): x.forward(w: weights, into: product, parallel: parallel)
        }
        activation.forward(product: product, bias: bias.pointer, z: z, a: a, parallel: parallel)
    }

    /// Backward for a batch whose `dZ` is in `grad`: accumulates raw `dW`, `db` and writes
    /// `dA_prev = Wᵀ·dZ` into `gradInput` when given. Call before the optimiser updates `W` and `b`.
    func backward(input x: LayerInput<T>, grad: Matrix<T>, gradInput: Matrix<T>?, parallel: Parallel) {
        // dW and dA_prev are independent products: one job (with 2 threads, one each).
        var products: [Matrix<T>.Product] = []
        switch x {
        case .dense(let x): products.append(.init(a: grad, b: x, transB: true, c: gradW))
        case .sparse(let x): x.weightGradient(dz: grad, into: gradW, parallel: parallel)
        }
        if let gradInput { products.append(.init(a: weights, transA: true, b: grad, c: gradInput)) }
        Matrix.gemm(products, parallel: parallel)
        let cols = grad.cols, g = grad.pointer, db = gradB.pointer
        parallel.forRanges(outputs, cost: cols) { lo, hi in
            for r in lo..<hi { db[r] = PairwiseSum.sum(g + r * cols, cols) }
        }
    }

    /// The layer's parameters, `W` then `b`, with their raw gradient sums.
    var parameters: [Parameter<T>] {
        [Parameter(role: .weights, value: weights, gradient: gradW), Parameter(role: .bias, value: bias, gradient: gradB)]
    }

    var parameterCount: Int { outputs * inputs + outputs }
}

/// A layer's input for one batch: a dense `in × m` matrix, or (first layer) a batch of an
/// input stored by its nonzeros.
enum LayerInput<T: NNScalar> {
    case dense(Matrix<T>)
    case sparse(SparseBatch<T>)

    var samples: Int {
        switch self {
        case .dense(let x): return x.cols
        case .sparse(let x): return x.samples
        }
    }
}
