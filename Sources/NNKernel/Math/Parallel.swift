import Dispatch

/// Deterministic data parallelism for element-wise work.
///
/// Work is cut into fixed chunks that depend only on the problem size, never on timing,
/// and each output element is written by exactly one chunk with the same arithmetic as a
/// serial loop — so results are bit-identical whatever the thread count.
package enum Parallel {
    /// How many threads element-wise loops may use (set from `--threads` / sweep `--jobs`).
    package nonisolated(unsafe) static var threads: Int = 1

    /// Below this many elements of work, loops run serially.
    static let minimumWork = 1 << 15

    /// Calls `body(lo, hi)` for consecutive ranges covering `0..<n`, in parallel when the
    /// work (`n × cost`) is large enough.
    @inline(__always)
    package static func forRanges(_ n: Int, cost: Int = 1, _ body: (Int, Int) -> Void) {
        let chunks = min(threads, max(1, (n * cost) / minimumWork), n)
        if chunks <= 1 { body(0, n); return }
        let per = (n + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * per, hi = min(n, lo + per)
            if lo < hi { body(lo, hi) }
        }
    }
}

