/// Update rules. `g` is the gradient of the loss: for a weight matrix
/// `g = (1/m)·(dZ·Xᵀ)`, formed inside the update loop exactly as the notebook forms `dW`
/// (`(1/m) * np.dot(...)`) so that `gd` rounds like `W - alpha * dW`.
/// - `gd` / `sgd`: `p ← p − α·g` (full batch or mini-batch)
/// - `momentum`:   `v ← μ·v + g;  p ← p − α·v`
/// - `adam`:       `m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;
///                  p ← p − α·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε)`
package enum OptimizerKind: String, Codable, CaseIterable, Sendable {
    case gd, sgd, momentum, adam
}

package struct OptimizerSettings: Codable, Equatable, Sendable {
    var kind: OptimizerKind
    var learningRate: Double
    var momentum: Double
    var beta1: Double
    var beta2: Double
    var epsilon: Double

    package init(kind: OptimizerKind, learningRate: Double, momentum: Double = 0.9,
                beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.kind = kind
        self.learningRate = learningRate
        self.momentum = momentum
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }
}

/// One tensor of a network's parameters, with the raw gradient sum that backward writes for
/// it (`dZ·Xᵀ` for a weight matrix, `Σ dZ` for a bias, not yet scaled by `1/m`).
/// `Network.parameters` lists them in one order, W₁, b₁, W₂, b₂, …: the optimiser, the
/// initialiser, the model file and the finiteness checks all walk that list.
package struct Parameter<T: NNScalar> {
    package enum Role: Sendable { case weights, bias }
    package let role: Role
    package let value: Matrix<T>
    let gradient: Matrix<T>
}

/// An optimiser: its settings and the state each parameter needs (momentum's velocity,
/// Adam's moments), kept apart from the network, one state per entry of
/// `Network.parameters`, in that order.
final class Optimizer<T: NNScalar> {
    let settings: OptimizerSettings
    private let states: [ParameterState<T>]
    /// Updates applied so far (Adam's `t` is the current one, 1-based).
    private(set) var step = 0

    /// A copy of the state (step count, velocity and moments), for a checkpoint.
    var state: OptimizerState<T> {
        OptimizerState(step: step, m: states.map { Array($0.m) }, v: states.map { Array($0.v) })
    }

    /// Continues from `state`; false (and nothing changed) when its buffers do not have
    /// the sizes this optimiser's kind and parameters need, or its step is negative.
    func restore(_ state: OptimizerState<T>) -> Bool {
        guard state.step >= 0, state.m.count == states.count, state.v.count == states.count,
              zip(states, state.m).allSatisfy({ $0.m.count == $1.count }),
              zip(states, state.v).allSatisfy({ $0.v.count == $1.count }) else { return false }
        step = state.step
        for (s, (m, v)) in zip(states, zip(state.m, state.v)) {
            _ = s.m.update(fromContentsOf: m)
            _ = s.v.update(fromContentsOf: v)
        }
        return true
    }

    init(_ settings: OptimizerSettings, for parameters: [Parameter<T>]) {
        self.settings = settings
        states = parameters.map { ParameterState(count: $0.value.count, kind: settings.kind) }
    }

    /// Starts an update of every parameter (one mini-batch or full-batch step).
    func beginStep() { step += 1 }

    /// `p ← update(p, (1/m)·raw)` for each of `parameters[indices]`, whose raw gradient sums
    /// over `m` samples backward has written: one job on `parallel`'s threads over all their
    /// elements, in order, cut into ranges (each element's arithmetic is the same wherever
    /// the cuts fall, so results do not depend on them). One job instead of one per tensor:
    /// a mini-batch step of 32 has little work per tensor, and a job's hand-over costs.
    func update(_ indices: [Int], of parameters: [Parameter<T>], samples m: Int, parallel: Parallel) {
        let invM = T(1.0 / Double(m))
        var ends: [Int] = []
        var total = 0
        for i in indices {
            total += parameters[i].value.count
            ends.append(total)
        }
        guard total > 0 else { return }
        let cost = settings.kind == .adam ? 4 : settings.kind == .momentum ? 2 : 1
        parallel.forRanges(total, cost: cost) { lo, hi in
            var s = 0
            while ends[s] <= lo { s += 1 }
            var at = lo
            while at < hi {
                let start = s == 0 ? 0 : ends[s - 1], end = min(hi, ends[s])
                let p = parameters[indices[s]]
                states[indices[s]].update(p.value.pointer, raw: p.gradient.pointer, invM: invM, settings: settings,
                                          step: step, range: (at - start)..<(end - start))
                at = end
                s += 1
            }
        }
    }
}

extension Optimizer {
    /// Whether this optimiser's update of a weight matrix can run on the packed copy a
    /// `SparseBatch` keeps (plain gradient descent: no per-element state).
    var updatesPacked: Bool { settings.kind == .gd || settings.kind == .sgd }

    /// The update of the first layer's weights, `parameters[0]`, while `batch` trains them
    /// packed: `p ← p − lr·(invM·raw)` with `lr` and `invM` formed as `update` forms them.
    func updatePacked(_ batch: SparseBatch<T>, samples m: Int, parallel: Parallel) {
        precondition(updatesPacked, "only gd and sgd update packed weights")
        batch.descendPacked(lr: T(settings.learningRate), scale: T(1.0 / Double(m)), parallel: parallel)
    }
}

/// An optimiser's state as values: the updates applied so far and, per entry of
/// `Network.parameters`, momentum's velocity or Adam's first moment (`m`) and Adam's second
/// moment (`v`); a buffer the kind does not use is empty.
package struct OptimizerState<T: NNScalar>: Equatable {
    package var step: Int
    package var m: [[T]]
    package var v: [[T]]
    package init(step: Int, m: [[T]], v: [[T]]) {
        self.step = step
        self.m = m
        self.v = v
    }
}

/// Per-parameter optimiser state (velocity, moments) for one tensor.
final class ParameterState<T: NNScalar> {
    let count: Int
    let m: UnsafeMutableBufferPointer<T>
    let v: UnsafeMutableBufferPointer<T>

    init(count: Int, kind: OptimizerKind) {
        self.count = count
        let needM = kind == .momentum || kind == .adam
        let needV = kind == .adam
        m = .allocate(capacity: needM ? count : 0)
        m.initialize(repeating: 0)
        v = .allocate(capacity: needV ? count : 0)
        v.initialize(repeating: 0)
    }

    deinit { m.deallocate(); v.deallocate() }

    /// Applies one update to `p[range]` from the raw gradient sum `raw` scaled by `invM`.
    /// `step` is the 1-based update count (for Adam's bias correction).
    func update(_ p: UnsafeMutablePointer<T>, raw: UnsafePointer<T>, invM: T,
                settings s: OptimizerSettings, step: Int, range: Range<Int>) {
        let lr = T(s.learningRate)
        switch s.kind {
        case .gd, .sgd:
            Kernels.active.descend(p, raw: raw, lr: lr, scale: invM, range)  // p ← p − lr·(invM·raw)
        case .momentum:
            let mu = T(s.momentum), vel = m.baseAddress!
            for i in range {
                vel[i] = mu * vel[i] + invM * raw[i]
                p[i] = p[i] - lr * vel[i]
            }
        case .adam:
            let b1 = T(s.beta1), b2 = T(s.beta2), eps = T(s.epsilon)
            let c1 = T(1 - LibC.pow(s.beta1, Double(step))), c2 = T(1 - LibC.pow(s.beta2, Double(step)))
            let mp = m.baseAddress!, vp = v.baseAddress!
            for i in range {
                let g = invM * raw[i]
                mp[i] = b1 * mp[i] + (1 - b1) * g
                vp[i] = b2 * vp[i] + (1 - b2) * g * g
                p[i] = p[i] - lr * (mp[i] / c1) / (T.sqrt(vp[i] / c2) + eps)
            }
        }
    }
}
