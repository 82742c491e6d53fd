extension Network {
    /// The training loss (the loss the run minimises, `Loss.value` with the run's loss and
    /// gradient path, ε = 1e-8) of the current weights on `(x, y)`, without an update.
    ///
    /// Computed in column blocks of `blockSize` samples and combined as the size-weighted
    /// mean of the block losses (as `history.csv` combines mini-batches), so evaluating a
    /// large split needs the memory of one block only; it equals the one-pass loss up to
    /// rounding.
    package func meanLoss(x: Matrix<T>, y: Matrix<T>, blockSize: Int = 10_000) -> Double {
        let n = x.cols
        var weighted = 0.0, start = 0
        while start < n {
            let w = Swift.min(blockSize, n - start)
            weighted += loss(x: x.columns(start, w), y: y.columns(start, w)) * Double(w)
            start += w
        }
        return n == 0 ? .nan : weighted / Double(n)
    }
}
