extension Network {
    /// The training loss (the loss the run minimises, `Loss.value` with the run's loss and
    /// gradient path, ε = 1e-8) of the current weights on `(x, y)`, without an update.
    ///
    /// Computed in column blocks of `blockSize` samples (`forwardInBlocks`: a sparse `x`,
    /// such as MNIST, goes through the first layer by its nonzeros, as in `predict`) and
    /// combined as the size-weighted mean of the block losses (as `history.csv` combines
    /// mini-batches), so evaluating a large split needs the memory of one block only; it
    /// equals the one-pass dense loss up to rounding. With `outputs` (`outputs × n`), the
    /// output activations go there too (what `predict` gives), from the same forward pass.
    @_specialize(where T == Double)  // for callers in other modules (unspecialised, every
    @_specialize(where T == Float)   // element would go through witness tables)
    package func meanLoss(x: Matrix<T>, y: Matrix<T>, blockSize: Int = 10_000, outputs: Matrix<T>? = nil) -> Double {
        meanLoss(input: NetworkInput(x, parallel: parallel), y: y, blockSize: blockSize, outputs: outputs)
    }

    /// `meanLoss` of an input whose sparse form is built already.
    @_specialize(where T == Double)
    @_specialize(where T == Float)
    package func meanLoss(input: NetworkInput<T>, y: Matrix<T>, blockSize: Int = 10_000, outputs: Matrix<T>? = nil) -> Double {
        let n = input.samples
        precondition(outputs.map { $0.rows == layers[layers.count - 1].outputs && $0.cols == n } ?? true, "meanLoss: outputs shape")
        var weighted = 0.0
        let terms = Matrix<T>(rows: 1, cols: y.rows * Swift.max(1, Swift.min(blockSize, n)))  // every block's scratch
        forwardInBlocks(input, blockSize: blockSize) { start, w, a, z in
            outputs?.copyColumns(at: start, from: a)
            let yb = y.columns(start, w)
            weighted += Loss.value(architecture.loss, path: architecture.gradient, a: a, z: z, y: yb,
                                   terms: terms, parallel: parallel) * Double(w)
        }
        return n == 0 ? .nan : weighted / Double(n)
    }
}
