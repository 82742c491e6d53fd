import NNBase
import NNKernel
import NNFormats

/// The validation set: `val_size` samples carved from the training split. The draw is its
/// own: `MT19937(seed: split_seed).permutation(train count)`, whose first `val_size`
/// indices are the validation samples; both parts keep the split's order. The training
/// generator (`seed`: initial weights, mini-batch order) draws nothing for it, and with
/// `val_size` 0 nothing is drawn at all, so the notebook's run is unchanged. The set is the
/// same for every `seed`, so seeds are compared on the same samples.
enum ValidationSplit {
    static func indices(count n: Int, valSize: Int, seed: Int) -> (train: [Int], validation: [Int]) {
        var rng = MT19937(seed: UInt32(clamping: seed))
        let order = rng.permutation(n)
        return (order[valSize...].sorted(), order[..<valSize].sorted())
    }

    /// The samples `indices` of `split`, in that order.
    static func subset(_ split: PreparedSplit, _ indices: [Int]) -> PreparedSplit {
        let f = split.features
        var images = [UInt8]()
        images.reserveCapacity(indices.count * f)
        for i in indices { images += split.images[(i * f)..<((i + 1) * f)] }
        return PreparedSplit(images: images, labels: indices.map { split.labels[$0] }, count: indices.count, features: f)
    }
}
