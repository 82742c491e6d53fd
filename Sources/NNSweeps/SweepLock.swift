import NNFormats
import NNRuns

/// An exclusive `flock` on a sweep directory itself, held by `nn sweep` (and `--plan`,
/// `--collect`) while it writes there, so that two sweeps of one directory — even two
/// creating it at the same moment — run one after the other: the second waits, saying
/// so, then finds the first one's points complete. Released when dropped or when the
/// process ends, however it ends. The same `flock` as a run's (`RunLock`).
final class SweepLock {
    private let lock: RunLock

    /// Locks `dir`, creating it (and its parents) first when `creating`.
    init(_ dir: String, creating: Bool) throws {
        if creating { try AtomicFile.createDirectory(dir) }
        lock = try RunLock(dir, .exclusive, waiting: "nn sweep: \(dir) is in use by another nn sweep; waiting for it to finish")
    }
}
