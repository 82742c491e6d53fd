import Dispatch
import NNBase

/// One epoch's record: its loss (the loss of that epoch's forward pass, before its update —
/// as the notebook prints it; the size-weighted mean over mini-batches) and wall time.
package struct EpochRecord: Equatable, Sendable {
    package var epoch: Int
    package var loss: Double
    package var seconds: Double
    package init(epoch: Int, loss: Double, seconds: Double) {
        self.epoch = epoch
        self.loss = loss
        self.seconds = seconds
    }
}

/// Why training stopped early.
package struct Divergence: Equatable, Sendable {
    var epoch: Int
    var loss: Double
    /// True when the loss was still finite but the update left a weight NaN or infinite, or
    /// (after the last epoch) weights so large that the outputs are not finite.
    var nonFiniteWeights = false
    /// What happened, naming no flag: what to try depends on the run's settings, which the
    /// layer above knows (`RunDivergence` in NNRuns phrases it with the flags).
    package var problem: String {
        let what = nonFiniteWeights ? "the weights are no longer usable: not finite, too large (above √max), or giving non-finite outputs (the loss before the update was \(NumberText.real(loss)))"
            : "loss is \(loss.isNaN ? "NaN" : "infinite")"
        return "training diverged at epoch \(epoch): \(what)"
    }
}

/// Where a resumed training starts: the epochs already done (numbered 1...k) and the
/// optimiser's state after them. The network's weights and the generator are the caller's.
package struct TrainingStart<T: NNScalar> {
    package var history: [EpochRecord]
    var optimizer: OptimizerState<T>
    package init(history: [EpochRecord], optimizer: OptimizerState<T>) {
        self.history = history
        self.optimizer = optimizer
    }
}

/// The state after an epoch whose update left usable weights, as `Trainer.train` hands it
/// to its `afterEpoch` hook (checkpoints, validation, early stopping).
package struct EpochEnd<T: NNScalar> {
    package let history: [EpochRecord]
    /// The generator as the next epoch will find it.
    package let rng: MT19937
    let optimizer: Optimizer<T>
    package var epoch: Int { history[history.count - 1].epoch }
    package var optimizerState: OptimizerState<T> { optimizer.state }
}

package struct TrainingResult: Sendable {
    package var history: [EpochRecord]
    package var divergence: Divergence?
}

/// Runs the epochs (stopping as diverged when an epoch's loss, or afterwards any weight, is
/// not finite, or when the final weights give non-finite outputs on the first 256 samples):
/// full-batch gradient descent (`batchSize` 0 or ≥ n), or mini-batches of
/// `batchSize` over a fresh permutation of the samples each epoch, drawn from `rng` (the
/// generator that drew the initial weights, continued — as a NumPy script seeded once would).
///
/// When at most `sparseDensity` of the input is nonzero (MNIST: 19%) it is stored once by
/// sample (`SampleSparse`), and the first layer's two products of every batch — the whole
/// input, or a mini-batch of the epoch's order — skip its zeros (exact: a zero term leaves a
/// sum unchanged; only the summation order differs from BLAS's, at rounding level).
/// `sparseDensity` 0 turns this off. Mini-batch buffers are allocated once and reused.
///
/// `start` resumes after its epochs (the caller restores the weights and the generator);
/// `afterEpoch` runs after each epoch that left usable weights and returns true to stop
/// there (early stopping). Neither touches the arithmetic, so a run resumed from a
/// checkpoint continues exactly as the uninterrupted one.
package enum Trainer {
    // Callers in other modules (Run) cannot specialise this generic function, and
    // unspecialised it runs every element through witness tables (measured: a mini-batch
    // epoch 3-4x slower); so it is specialised here for both scalars, and the generic entry
    // point dispatches to them.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    package static func train<T: NNScalar>(
        _ net: Network<T>, x: Matrix<T>, y: Matrix<T>, epochs: Int, batchSize: Int,
        optimizer: OptimizerSettings, rng: inout MT19937, sparseDensity: Double = 0.5,
        start: TrainingStart<T>? = nil,
        progress: (EpochRecord) -> Void = { _ in },
        afterEpoch: (EpochEnd<T>) -> Bool = { _ in false }
    ) -> TrainingResult {
        let first = (start?.history.last?.epoch ?? 0) + 1
        let input = NetworkInput(x, sparseDensity: first <= epochs ? sparseDensity : 0, parallel: net.parallel)
        return train(net, input: input, y: y, epochs: epochs, batchSize: batchSize, optimizer: optimizer, rng: &rng,
                     start: start, progress: progress, afterEpoch: afterEpoch)
    }

    /// `train` on an input whose sparse form (if any) is built already (`NetworkInput`);
    /// the same arithmetic, bit for bit.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    package static func train<T: NNScalar>(
        _ net: Network<T>, input: NetworkInput<T>, y: Matrix<T>, epochs: Int, batchSize: Int,
        optimizer: OptimizerSettings, rng: inout MT19937,
        start: TrainingStart<T>? = nil,
        progress: (EpochRecord) -> Void = { _ in },
        afterEpoch: (EpochEnd<T>) -> Bool = { _ in false }
    ) -> TrainingResult {
        let n = input.samples, source = input     // (`input` is also each batch's name below)
        var history = start?.history ?? []
        let optimizer = Optimizer(optimizer, for: net.parameters)
        if let start, !optimizer.restore(start.optimizer) {
            preconditionFailure("Trainer.train: the optimiser state does not fit the network (checked by the caller)")
        }
        let first = (history.last?.epoch ?? 0) + 1
        let fullBatch = batchSize <= 0 || batchSize >= n
        let sparse = first <= epochs ? input.batch() : nil
        // A mini-batch's targets (and dense inputs), gathered into buffers kept per batch width.
        var yBatch: [Int: Matrix<T>] = [:], xBatch: [Int: Matrix<T>] = [:]
        // Plain gradient descent updates the first layer's weights in the packed layout the
        // sparse products use, written back at the end of each epoch (SparseBatch.trainingPacked).
        let packed = optimizer.updatesPacked ? sparse : nil
        for epoch in stride(from: first, through: epochs, by: 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            func epochLoss() -> Double {
                if fullBatch {
                    return net.trainStep(x: sparse.map { .sparse($0) } ?? .dense(input.x), y: y, optimizer: optimizer)
                }
                let order = rng.permutation(n)
                sparse?.setOrder(order)
                var weighted = 0.0
                var lo = 0
                while lo < n {
                    let hi = min(n, lo + batchSize)
                    let idx = order[lo..<hi]
                    let yb = yBatch[hi - lo] ?? Matrix(rows: y.rows, cols: hi - lo)
                    yBatch[hi - lo] = yb
                    y.gatherColumns(idx, into: yb, parallel: net.parallel)
                    let input: LayerInput<T>
                    if let sparse {
                        sparse.selectPositions(lo, hi)
                        input = .sparse(sparse)
                    } else {
                        let xb = xBatch[hi - lo] ?? Matrix(rows: source.x.rows, cols: hi - lo)
                        xBatch[hi - lo] = xb
                        source.x.gatherColumns(idx, into: xb, parallel: net.parallel)
                        input = .dense(xb)
                    }
                    let l = net.trainStep(x: input, y: yb, optimizer: optimizer)
                    weighted += l * Double(hi - lo)
                    if !l.isFinite { break }
                    lo = hi
                }
                return weighted / Double(n)
            }
            let loss: Double
            if let packed {
                loss = packed.trainingPacked(net.layers[0].weights, parallel: net.parallel, epochLoss)
            } else {
                loss = epochLoss()
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let record = EpochRecord(epoch: epoch, loss: loss, seconds: seconds)
            history.append(record)
            progress(record)
            if !loss.isFinite {
                return TrainingResult(history: history, divergence: Divergence(epoch: epoch, loss: loss))
            }
            // The loss is of the forward pass before this epoch's update: the update itself
            // can still overflow. A network with non-finite weights, or weights so large that
            // their products overflow, is never a result.
            if !net.parametersAreUsable {
                return TrainingResult(history: history, divergence: Divergence(epoch: epoch, loss: loss, nonFiniteWeights: true))
            }
            if afterEpoch(EpochEnd(history: history, rng: rng, optimizer: optimizer)) { break }
        }
        // The last update is never followed by a forward pass: check the final weights'
        // outputs on the first samples (cheap; huge finite weights can still give NaN).
        if let last = history.last {
            let out = net.predict(input.head)
            if !UnsafeBufferPointer(start: out.pointer, count: out.count).allSatisfy({ $0.isFinite }) {
                return TrainingResult(history: history, divergence: Divergence(epoch: last.epoch, loss: last.loss, nonFiniteWeights: true))
            }
        }
        return TrainingResult(history: history, divergence: nil)
    }
}
