/// The architecture of a network: layer sizes (`sizes[0]` is the input width) and one
/// activation per layer, plus the loss and gradient path.
package struct Architecture: Codable, Equatable, Sendable {
    package var sizes: [Int]
    package var activations: [Activation]
    package var loss: LossKind
    package var gradient: GradientPath

    package init(sizes: [Int], activations: [Activation], loss: LossKind, gradient: GradientPath) {
        self.sizes = sizes
        self.activations = activations
        self.loss = loss
        self.gradient = gradient
    }

    /// Checks the shapes and the output activation/loss pairing. The error is a value that
    /// names the field at fault (`ArchitectureError.key`); the layer that knows where the
    /// value came from (a flag, an experiment file's key, a model file's header) says so.
    package func validate() throws(ArchitectureError) {
        guard sizes.count >= 2 else { throw .tooFewSizes(sizes.count) }
        if let bad = sizes.first(where: { $0 <= 0 }) { throw .nonPositiveSize(bad) }
        guard activations.count == sizes.count - 1 else { throw .activationCount(layers: sizes.count - 1, activations: activations.count) }
        if let i = activations.dropLast().firstIndex(of: .softmax) { throw .softmaxBeforeOutput(layer: i + 1) }
        let out = activations[activations.count - 1]
        guard out == loss.outputActivation else { throw .outputActivation(loss: loss, last: out) }
        if loss == .cce && sizes[sizes.count - 1] < 2 { throw .tooFewOutputs(loss: loss, outputs: sizes[sizes.count - 1]) }
    }
}

/// What is wrong with an `Architecture`: `key` is the field at fault (`layers`,
/// `activations` or `loss`, the experiment keys' names) and `problem` says what is wrong
/// with it, naming no flag or file.
package enum ArchitectureError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooFewSizes(Int)
    case nonPositiveSize(Int)
    case activationCount(layers: Int, activations: Int)
    case softmaxBeforeOutput(layer: Int)
    case outputActivation(loss: LossKind, last: Activation)
    case tooFewOutputs(loss: LossKind, outputs: Int)

    package var key: String {
        switch self {
        case .tooFewSizes, .nonPositiveSize: "layers"
        case .activationCount, .softmaxBeforeOutput: "activations"
        case .outputActivation, .tooFewOutputs: "loss"
        }
    }

    package var problem: String {
        switch self {
        case .tooFewSizes(let n): "need at least an input and an output size, got \(n) number(s)"
        case .nonPositiveSize(let bad): "sizes must be positive, got \(bad)"
        case .activationCount(let layers, let got): "\(layers) layers need \(layers) activations, got \(got)"
        case .softmaxBeforeOutput(let i): "softmax is only supported on the output layer, found at layer \(i)"
        case .outputActivation(let loss, let last):
            "\(loss.rawValue) needs a \(loss.outputActivation.rawValue) output layer, but the last activation is \(last.rawValue)"
        case .tooFewOutputs(let loss, let outputs): "\(loss.rawValue) needs at least 2 outputs, the last layer has \(outputs)"
        }
    }

    /// `key: problem`.
    package var description: String { "\(key): \(problem)" }
}

/// A feed-forward network of dense layers, trained in place.
package final class Network<T: NNScalar> {
    package let architecture: Architecture
    let layers: [DenseLayer<T>]

    /// Every parameter in one order, W₁, b₁, W₂, b₂, … (see `Parameter`).
    package let parameters: [Parameter<T>]
    /// The threads its loops use (results do not depend on it).
    package var parallel: Parallel

    package init(architecture: Architecture, parallel: Parallel = .serial) {
        self.architecture = architecture
        self.parallel = parallel
        let s = architecture.sizes
        layers = (0..<(s.count - 1)).map {
            DenseLayer(inputs: s[$0], outputs: s[$0 + 1], activation: architecture.activations[$0])
        }
        parameters = layers.flatMap(\.parameters)
    }

    /// Draws all weights with `kind` from `rng`, layer by layer in order; biases zero.
    package func initialize(_ kind: InitKind, rng: inout MT19937) {
        for p in parameters {
            switch p.role {
            case .weights:
                let w = kind.weights(out: p.value.rows, in: p.value.cols, rng: &rng)
                for i in 0..<w.count { p.value.storage[i] = T(w[i]) }
            case .bias:
                p.value.fill(0)
            }
        }
    }

    var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    /// Buffers for one batch width: each layer's `A`, its kept `Z`, and its gradient
    /// (which holds `dA`, then `dZ`, in place).
    final class Workspace {
        let samples: Int
        let a: [Matrix<T>]
        let z: [Matrix<T>?]
        let grad: [Matrix<T>]
        /// Scratch for the loss's per-element terms (`Loss.value`).
        let terms: Matrix<T>

        init(layers: [DenseLayer<T>], samples m: Int, training: Bool) {
            samples = m
            a = layers.map { Matrix(rows: $0.outputs, cols: m) }
            let last = layers.count - 1
            // Z is kept where backward needs it and at the output (the stable loss uses logits).
            z = layers.enumerated().map { i, l in
                (i == last || (training && l.activation.backwardNeedsZ)) ? Matrix(rows: l.outputs, cols: m) : nil
            }
            grad = training ? layers.map { Matrix(rows: $0.outputs, cols: m) } : []
            terms = Matrix(rows: 1, cols: layers[last].outputs * m)
        }
    }

    private var workspaces: [Int: Workspace] = [:]

    func workspace(samples m: Int, training: Bool) -> Workspace {
        if let w = workspaces[m], !training || !w.grad.isEmpty { return w }
        let w = Workspace(layers: layers, samples: m, training: training)
        workspaces[m] = w
        return w
    }

    /// Forward pass of `x` (`in × m`); returns the output activations and logits.
    func forward(_ x: LayerInput<T>, _ ws: Workspace) -> (a: Matrix<T>, z: Matrix<T>) {
        var input = x
        for (i, layer) in layers.enumerated() {
            // The product goes straight into A (or Z when Z is kept) and is finished in place.
            let product = ws.z[i] ?? ws.a[i]
            layer.forward(input, product: product, z: ws.z[i], a: ws.a[i], parallel: parallel)
            input = .dense(ws.a[i])
        }
        return (ws.a[layers.count - 1], ws.z[layers.count - 1]!)
    }

    /// One training step on a batch: forward, loss (of this forward pass, before the
    /// update), backward, update. Returns the loss. A `.sparse` input is the batch stored by
    /// its nonzeros, for the first layer's two products.
    func trainStep(x: LayerInput<T>, y: Matrix<T>, optimizer: Optimizer<T>) -> Double {
        let ws = workspace(samples: x.samples, training: true)
        let (a, z) = forward(x, ws)
        let loss = Loss.value(architecture.loss, path: architecture.gradient, a: a, z: z, y: y, terms: ws.terms, parallel: parallel)
        optimizer.beginStep()
        backpropagate(x: x, y: y, output: a, ws)
        // Every parameter is updated once the backward pass is over: the first layer's
        // weights, while they train packed, by their gradient's own pass (which only now
        // runs), and all the others in one job.
        var rest = Array(parameters.indices)
        if case .sparse(let batch) = x, batch.trainsPacked {
            optimizer.updatePacked(batch, samples: x.samples, parallel: parallel)
            rest.removeFirst()
        }
        optimizer.update(rest, of: parameters, samples: x.samples, parallel: parallel)
        return loss
    }

    /// Backward pass from the output `output` of `forward(x, ws)`, last layer first. Each
    /// layer gets its raw `dW`, `db` and writes `dA_prev` (a packed first layer only takes
    /// note of its `dZ`: see `SparseBatch.trainingPacked`).
    private func backpropagate(x: LayerInput<T>, y: Matrix<T>, output a: Matrix<T>, _ ws: Workspace) {
        let last = layers.count - 1
        let isDZ = Loss.startGradient(architecture.loss, path: architecture.gradient, a: a, y: y, into: ws.grad[last],
                                      parallel: parallel)
        for i in stride(from: last, through: 0, by: -1) {
            let layer = layers[i]
            if !(i == last && isDZ) {
                layer.activation.backward(grad: ws.grad[i], z: ws.z[i], a: ws.a[i], parallel: parallel)
            }
            layer.backward(input: i == 0 ? x : .dense(ws.a[i - 1]), grad: ws.grad[i], gradInput: i == 0 ? nil : ws.grad[i - 1],
                           parallel: parallel)
        }
    }

    /// Output activations for `x` (`in × n`), computed in column blocks of `blockSize`. A
    /// sparse `x` (at most `SampleSparse.worthwhileDensity` nonzero, as MNIST is) is stored
    /// once by its nonzeros and each block is a run of it, with no copy of its columns.
    @_specialize(where T == Double)  // for callers in other modules, as `Trainer.train`
    @_specialize(where T == Float)
    package func predict(_ x: Matrix<T>, blockSize: Int = 10_000) -> Matrix<T> {
        predict(NetworkInput(x, parallel: parallel), blockSize: blockSize)
    }

    /// `predict` of an input whose sparse form is built already.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    package func predict(_ input: NetworkInput<T>, blockSize: Int = 10_000) -> Matrix<T> {
        let n = input.samples, outputs = layers[layers.count - 1].outputs
        let result = Matrix<T>(rows: outputs, cols: n)
        forwardInBlocks(input, blockSize: blockSize) { start, _, a, _ in result.copyColumns(at: start, from: a) }
        return result
    }

    /// The forward pass of `x` (`in × n`) in column blocks of `blockSize`: `body(start,
    /// width, A, Z)` gets each block's output activations and logits (buffers reused by the
    /// next block). A sparse `x` is stored once by its nonzeros (`SparseBatch`), each block
    /// a run of it.
    func forwardInBlocks(_ input: NetworkInput<T>, blockSize: Int, _ body: (Int, Int, Matrix<T>, Matrix<T>) -> Void) {
        let n = input.samples
        let sparse = input.batch()
        var start = 0
        while start < n {
            let w = min(blockSize, n - start)
            sparse?.selectRange(first: start, count: w)
            let ws = workspace(samples: w, training: false)
            let (a, z) = forward(sparse.map { .sparse($0) } ?? .dense(input.x.columns(start, w)), ws)
            body(start, w, a, z)
            start += w
        }
    }

    /// The loss of the current weights on `(x, y)` (no update), for gradient checks and
    /// evaluation. `epsilon` 0 gives the exact loss whose gradient backprop computes.
    package func loss(x: Matrix<T>, y: Matrix<T>, epsilon: Double = Loss.epsilon) -> Double {
        let ws = workspace(samples: x.cols, training: false)
        let (a, z) = forward(.dense(x), ws)
        return Loss.value(architecture.loss, path: architecture.gradient, a: a, z: z, y: y, epsilon: epsilon, parallel: parallel)
    }

    /// Raw gradients `(1/m)·dW`, `(1/m)·db` for every layer at the current weights, without
    /// updating them (for gradient checks).
    func gradients(x: Matrix<T>, y: Matrix<T>) -> [(w: [T], b: [T])] {
        let ws = workspace(samples: x.cols, training: true)
        let (a, _) = forward(.dense(x), ws)
        let inv = T(1.0 / Double(x.cols))
        backpropagate(x: .dense(x), y: y, output: a, ws)
        return layers.map { layer in (layer.gradW.values.map { $0 * inv }, layer.gradB.values.map { $0 * inv }) }
    }
}
