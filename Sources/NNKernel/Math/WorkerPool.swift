import Dispatch
import Synchronization

/// A fixed set of threads that run the parts of one job at a time: the threads behind
/// `Parallel` (element-wise loops, the sparse kernels and the split matrix products).
///
/// A mini-batch step is a few dozen short parallel loops of 10–100 µs each, so what a loop
/// costs to start and to join matters: `DispatchQueue.concurrentPerform` wakes its threads
/// through the kernel every time, and OpenBLAS's own threads spin between its calls,
/// competing with them for the cores. Here the workers spin on a generation counter
/// (`pause`) for a while after each job and only then sleep on a semaphore, so a loop that
/// follows another within about 100 µs starts without a system call; the caller runs part 0
/// itself and spins until the workers are done. OpenBLAS is single-threaded
/// (`BLAS.useOneThread`): this pool is the only one.
///
/// One job at a time: a `run` while another is running (a nested loop, or another thread's)
/// runs its parts serially in its caller, which gives the same results.
final class WorkerPool: @unchecked Sendable {
    /// Threads including the caller's.
    let threads: Int
    private let workers: [Worker]
    /// The current job's generation (incremented to publish a job, whose `job` and `parts`
    /// are written before) times 2^16, plus how many workers take part in it: threads 1 ...
    /// that many, `min(parts, threads) − 1`. One atomic value, so a worker that looks late
    /// sees a job's number and its participants together; only participants are woken and
    /// waited for, so a job of 2 parts costs the same with 2 threads as with 64 (and no
    /// more when the threads outnumber the cores).
    private let published = Atomic<Int>(0)
    /// Workers that have not finished the current job.
    private let pending = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private var job: UncheckedSendable<(Int) -> Void>?
    private var parts = 0

    /// Spins (each a `pause`, some 10–40 ns) a worker waits for the next job before it sleeps.
    static let spins = 4096

    private final class Worker: Sendable {
        let sleeping = Atomic<Bool>(false)
        let wake = DispatchSemaphore(value: 0)
    }

    private static let pools = Mutex<[Int: WorkerPool]>([:])

    /// Processors online: `Parallel` never asks for a bigger pool. Threads that spin while
    /// they wait must not outnumber the cores (measured, 2 cores: `--threads 16` made a
    /// mini-batch epoch 12× slower); a job's parts stay as many as asked, so results do not
    /// change, only fewer threads share them.
    static let processors = LibC.processors

    /// The pool of `threads` threads (the caller and `threads − 1` workers), started on first
    /// use and kept for the life of the process.
    static func shared(threads: Int) -> WorkerPool {
        pools.withLock { pools in
            if let pool = pools[threads] { return pool }
            let pool = WorkerPool(threads: threads)
            pools[threads] = pool
            return pool
        }
    }

    private init(threads: Int) {
        precondition(threads < 1 << 16, "WorkerPool: at most 65,535 threads")
        self.threads = max(1, threads)
        workers = (1..<self.threads).map { _ in Worker() }
        for (i, worker) in workers.enumerated() {
            LibC.startThread { [self] in work(worker, thread: i + 1) }
        }
    }

    /// Calls `body(p)` for every `p` in `0..<parts`, thread `t` taking `t`, `t + threads`, …
    /// (the caller is thread 0); returns when all are done.
    func run(_ parts: Int, _ body: (Int) -> Void) {
        guard parts > 1, !workers.isEmpty,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for p in 0..<parts { body(p) }
            return
        }
        withoutActuallyEscaping(body) { body in
            job = UncheckedSendable(body)
            self.parts = parts
            let participants = min(parts, threads) - 1
            pending.store(participants, ordering: .relaxed)
            let generation = (published.load(ordering: .relaxed) >> 16) + 1
            published.store((generation << 16) | participants, ordering: .sequentiallyConsistent)
            for worker in workers.prefix(participants) where worker.sleeping.exchange(false, ordering: .sequentiallyConsistent) {
                worker.wake.signal()
            }
            runParts(thread: 0)
            // Spin, and now and then let another thread run (a worker this one would wait for,
            // when the machine has other work).
            var spun = 0
            while pending.load(ordering: .acquiring) != 0 {
                spun += 1
                if spun % Self.spins == 0 { LibC.yield() } else { Kernels.relax() }
            }
            job = nil
        }
        busy.store(false, ordering: .releasing)
    }

    // Not inlined: the worker's reference to the job's closure ends when this returns, before
    // it reports done (`withoutActuallyEscaping` checks that none is left).
    @inline(never)
    private func runParts(thread: Int) {
        guard let job else { return }
        var p = thread
        while p < parts {
            job.value(p)
            p += threads
        }
    }

    private func work(_ worker: Worker, thread: Int) {
        var seen = 0
        while true {
            var spun = 0
            while published.load(ordering: .acquiring) >> 16 == seen {
                spun += 1
                if spun < Self.spins {
                    Kernels.relax()
                    continue
                }
                // Sleep. The caller publishes, then clears `sleeping` and signals if it was
                // set; here `sleeping` is set, then the generation looked at again (both
                // sequentially consistent, so one of the two sees the other's write).
                worker.sleeping.store(true, ordering: .sequentiallyConsistent)
                if published.load(ordering: .sequentiallyConsistent) >> 16 != seen {
                    // A job came meanwhile: take the flag back, unless the caller did (then
                    // its signal is on the way, and is consumed here).
                    if !worker.sleeping.exchange(false, ordering: .sequentiallyConsistent) { worker.wake.wait() }
                } else {
                    worker.wake.wait()
                }
                spun = 0
            }
            let job = published.load(ordering: .acquiring)
            seen = job >> 16
            // Not a participant: the caller neither woke nor waits for this worker.
            if thread <= (job & 0xFFFF) {
                runParts(thread: thread)
                pending.subtract(1, ordering: .releasing)
            }
        }
    }
}
