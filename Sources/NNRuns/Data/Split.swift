import NNBase
import NNKernel
import NNFormats
/// The notebook's train/test split: scikit-learn's
/// `train_test_split(X, y, train_size=T, test_size=S, random_state=seed)` with integer
/// sizes and no stratification, which runs one `ShuffleSplit` iteration:
///
///     perm  = np.random.RandomState(seed).permutation(n)
///     test  = perm[:S]
///     train = perm[S : S + T]
///
/// and returns `X[train], X[test]`. Indices are positions in the pool (0..<n), in the
/// order the split lists them (which is the order of the prepared files).
struct TrainTestSplit: Equatable, Sendable {
    let poolSize: Int
    let trainSize: Int
    let testSize: Int
    let seed: UInt32
    let train: [Int]
    let test: [Int]

    /// How the split is made, as recorded in manifests.
    static let method = "sklearn.train_test_split / RandomState.permutation"

    /// Splits a pool of `poolSize` items. Throws an `NNError` naming the flag when a size
    /// is not positive, the two sizes together (added with an overflow check) exceed the
    /// pool, or the permutation of the pool (8 bytes per item, twice) would not fit in
    /// physical memory — all before anything is allocated.
    init(poolSize: Int, trainSize: Int, testSize: Int, seed: UInt32) throws {
        guard trainSize > 0 else { throw NNError("--train-size \(trainSize): must be at least 1") }
        guard testSize > 0 else { throw NNError("--test-size \(testSize): must be at least 1") }
        guard let both = MemoryBudget.sum([trainSize, testSize]), both <= poolSize else {
            let total = MemoryBudget.sum([trainSize, testSize]).map(String.init) ?? "more than \(Int.max)"
            throw NNError("--train-size \(trainSize) + --test-size \(testSize) = \(total) is more than the \(poolSize) items in the pool")
        }
        try MemoryBudget.require(MemoryBudget.product([poolSize, 2 * MemoryBudget.indexBytes]),
                                 for: "a split of a pool of \(poolSize) items")
        var rng = MT19937(seed: seed)
        let perm = rng.permutation(poolSize)
        self.poolSize = poolSize
        self.trainSize = trainSize
        self.testSize = testSize
        self.seed = seed
        self.test = Array(perm[0..<testSize])
        self.train = Array(perm[testSize..<(testSize + trainSize)])
    }

    /// SHA-256 (lowercase hex) of an index list encoded as consecutive little-endian
    /// int64 values — the same bytes as `np.asarray(idx, dtype='<i8').tobytes()`.
    static func indexDigest(_ indices: [Int]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(indices.count * 8)
        for i in indices { withUnsafeBytes(of: Int64(i).littleEndian) { bytes.append(contentsOf: $0) } }
        return Checksum.sha256(bytes)
    }
}
