/// A network's input `x` (`features × samples`) together with its sample-major sparse form
/// (`SampleSparse`), built once when at most `sparseDensity` of `x` is nonzero, so that every
/// pass over the same samples — the epochs of a training, the validation after each epoch,
/// the training loss after it — shares one build (a sweep worker keeps it from one point to
/// the next). The sparse form is what `SparseBatch.ifWorthwhile` would build from `x`, so
/// every result is the one a fresh build gives.
package final class NetworkInput<T: NNScalar>: @unchecked Sendable {
    package let x: Matrix<T>
    let sparse: SampleSparse<T>?

    /// The most nonzeros (a fraction of `x`) for which the sparse form is built.
    package static var worthwhileDensity: Double { SampleSparse<T>.worthwhileDensity }

    /// `sparseDensity` 0 builds no sparse form (the dense products are used).
    package init(_ x: Matrix<T>, sparseDensity: Double = worthwhileDensity, parallel: Parallel) {
        self.x = x
        if sparseDensity > 0, let s = SampleSparse(x, parallel: parallel), s.density <= sparseDensity {
            sparse = s
        } else {
            sparse = nil
        }
    }

    package var samples: Int { x.cols }

    /// A batch over the sparse form (each pass its own: a batch holds selection state and
    /// scratch), or nil when the dense products are used.
    func batch() -> SparseBatch<T>? { sparse.map { SparseBatch($0) } }
}
