/// A network's input `x` (`features × samples`) together with its sample-major sparse form
/// (`SampleSparse`), built once when at most `sparseDensity` of `x` is nonzero, so that every
/// pass over the same samples — the epochs of a training, the validation after each epoch,
/// the training loss after it — shares one build (a sweep worker keeps it from one point to
/// the next). The sparse form is what `SparseBatch.ifWorthwhile` would build from `x`, so
/// every result is the one a fresh build gives.
///
/// Without `keepDense`, the dense `x` is let go once its sparse form holds it (a sweep
/// worker keeps the inputs between points, and keeps them in the smaller form); only its
/// first 256 samples stay dense, for the trainer's last check of the outputs.
package final class NetworkInput<T: NNScalar>: @unchecked Sendable {
    /// `x` itself; nil when it was not kept (`keepDense` false and the sparse form holds it).
    let dense: Matrix<T>?
    let sparse: SampleSparse<T>?
    package let samples: Int
    /// The first (up to) 256 samples of `x`, dense.
    let head: Matrix<T>

    /// The most nonzeros (a fraction of `x`) for which the sparse form is built.
    static var worthwhileDensity: Double { SampleSparse<T>.worthwhileDensity }

    /// `sparseDensity` 0 builds no sparse form (the dense products are used).
    package init(_ x: Matrix<T>, sparseDensity: Double = worthwhileDensity, keepDense: Bool = true, parallel: Parallel) {
        if sparseDensity > 0, let s = SampleSparse(x, parallel: parallel), s.density <= sparseDensity {
            sparse = s
        } else {
            sparse = nil
        }
        dense = sparse == nil || keepDense ? x : nil
        samples = x.cols
        head = x.columns(0, min(x.cols, 256))
    }

    /// `x`, dense: there whenever the sparse form is not (a dense pass needs it).
    var x: Matrix<T> {
        guard let dense else { preconditionFailure("NetworkInput: a dense pass over an input kept sparse only") }
        return dense
    }

    /// A batch over the sparse form (each pass its own: a batch holds selection state and
    /// scratch), or nil when the dense products are used.
    func batch() -> SparseBatch<T>? { sparse.map { SparseBatch($0) } }
}
