/// Deterministic data parallelism for element-wise work, with the thread count passed in
/// (`--threads`; a network carries its own, see `Network.parallel`).
///
/// Work is cut into fixed chunks that depend only on the problem size, never on timing,
/// and each output element is written by exactly one chunk with the same arithmetic as a
/// serial loop — so results are bit-identical whatever the thread count.
package struct Parallel: Sendable, Equatable {
    /// How many threads loops may use.
    package let threads: Int
    /// Below this many units of work (`n × cost`), loops run serially. Tests lower it to
    /// make small problems split.
    let minimumWork: Int

    package init(threads: Int, minimumWork: Int = 1 << 13) {
        self.threads = max(1, threads)
        self.minimumWork = max(1, minimumWork)
    }

    /// One thread: every loop runs in the calling thread.
    static let serial = Parallel(threads: 1)

    /// Calls `body(lo, hi)` for consecutive ranges covering `0..<n`, in parallel when the
    /// work (`n × cost`) is large enough. Ranges are disjoint, so `body` may write the
    /// elements of its range without synchronisation.
    @inline(__always)
    package func forRanges(_ n: Int, cost: Int = 1, _ body: (Int, Int) -> Void) {
        let work = n.multipliedReportingOverflow(by: cost)
        let chunks = min(threads, max(1, work.overflow ? Int.max : work.partialValue / minimumWork), n)
        if chunks <= 1 { body(0, n); return }
        let per = (n + chunks - 1) / chunks
        pool.run(chunks) { c in
            let lo = c * per, hi = Swift.min(n, lo + per)
            if lo < hi { body(lo, hi) }
        }
    }

    /// Calls `body(p)` for `p` in `0..<parts`, concurrently when `parts > 1` (for work split
    /// by the caller into disjoint parts that each use their own scratch).
    func forParts(_ parts: Int, _ body: (Int) -> Void) {
        if parts <= 1 { if parts == 1 { body(0) }; return }
        pool.run(parts, body)
    }

    /// The pool that runs the parts: `threads` threads, but no more than the processors
    /// (the parts, and so the results, are the same either way).
    private var pool: WorkerPool { WorkerPool.shared(threads: Swift.min(threads, WorkerPool.processors)) }
}

/// A value handed to other threads whose safety the caller guarantees (`WorkerPool`: each
/// thread gets its own parts of a job).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
