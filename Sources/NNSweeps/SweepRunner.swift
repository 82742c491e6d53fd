import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

/// Runs, plans and collects sweeps.
///
/// Every point runs as one command, `<nn> sweep-point --threads T --data DATA RUNDIR`
/// (`SweepPointRunner`), with absolute paths so it runs from any directory. In process
/// (`run`), up to `jobs` such commands run as child processes of the same executable at
/// once; with a plan file (`planText`), GNU parallel, `xargs -P` or a Slurm array runs
/// the same commands, and `collect` then writes the same `summary.csv`.
///
/// Threads: every point uses exactly `T` = `SweepPlan.threads` threads, whatever `jobs`
/// is. OpenBLAS's dgemm results depend on its thread count in the last bits (measured
/// with OpenBLAS 0.3.21: 1 vs 2 threads differ in most elements of a 395×785 · 785×50000
/// product, by up to 7e-15), so dividing the cores among the jobs would make the results
/// — and `summary.csv` — depend on `--jobs`. With a fixed `T` they do not. A point that
/// is complete stays complete when `T` changes (it is not run again), so keep `T` fixed
/// within one sweep directory for byte-identical results.
package struct SweepRunner {
    package var setup: SweepSetup
    /// The sweep directory (absolute).
    package var dir: String
    /// The `nn` executable the per-point commands run.
    var executable: String

    package init(setup: SweepSetup, dir: String, executable: String) {
        self.setup = setup
        self.dir = SweepSetup.absolutePath(dir)
        self.executable = executable
    }

    var plan: SweepPlan { setup.plan }

    /// The path of the executable running now (`/proc/self/exe` on Linux).
    package static func currentExecutable() -> String {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        return Bundle.main.executablePath ?? SweepSetup.absolutePath(CommandLine.arguments[0])
    }

    // MARK: - Per-point commands

    /// The arguments of point `p`'s command, executable first.
    func command(_ p: ResolvedPoint) -> [String] {
        [executable, "sweep-point", "--threads", String(plan.threads), "--data", p.dataDirectory,
         SweepDirectory(dir).run(p.point.id).directory]
    }

    /// `s` as one shell word: unchanged when it holds only safe characters, else in
    /// single quotes (a `'` inside written `'\''`).
    static func shellQuote(_ s: String) -> String {
        if !s.isEmpty && s.allSatisfy(shellSafe.contains) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Characters a shell word may hold unquoted (made once: building it per word was a
    /// fifth of a large `--dry-run`).
    private static let shellSafe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%")

    /// The plan file: one shell command line per point, in point order.
    var planText: String {
        setup.points.map { command($0).map(Self.shellQuote).joined(separator: " ") + "\n" }.joined()
    }

    /// True when `text` is empty or every line is a per-point command of a plan file.
    static func looksLikePlan(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { $0.contains(" sweep-point ") }
    }

    /// Writes the sweep directory's `sweep.json` and `point.json` files and the plan
    /// file. An existing `planPath` that is not a plan file is not overwritten.
    package func writePlan(to planPath: String) throws {
        if let old = FileManager.default.contents(atPath: planPath),
           !Self.looksLikePlan(String(decoding: old, as: UTF8.self)) {
            throw NNError("\(planPath): exists and is not an nn sweep plan; not overwriting it")
        }
        if plan.halving != nil { throw NNError("--plan: successive halving decides which points go on as results come in; run it with nn sweep --halving") }
        let lock = try SweepLock(dir, creating: true)
        defer { withExtendedLifetime(lock) {} }
        try SweepDirectory(dir).checkOurs(creating: true)
        try checkSameHalving()
        try SweepDirectory(dir).writeSetup(setup)
        try Provenance.write(to: SweepDirectory(dir).provenance)
        try AtomicFile.write(planText, to: planPath)
    }

    // MARK: - Dry run

    /// What `run` would do, one block per point: number, run id, state, parameters, then
    /// the command. Reads the run directories; writes nothing.
    package func dryRunText(jobs: Int) -> String {
        var lines = ["sweep \(plan.name): \(NumberText.count(plan.points.count, "point")) in \(dir), "
                     + "\(NumberText.count(jobs, "job")) x \(NumberText.count(plan.threads, "thread"))"]
        if let r = plan.grid.random { lines.append(r.summary(gridPoints: plan.points.count / r.count)) }
        if let h = plan.halving { return lines.joined(separator: "\n") + "\n" + halvingDryRunText(h) }
        for (n, p) in setup.points.enumerated() {
            let state: String
            switch SweepDirectory.state(runDir: SweepDirectory(dir).run(p.point.id).directory, id: p.point.id) {
            case .complete: state = "complete (skip)"
            case .failed: state = "failed (retry)"
            case .pending: state = "to run"
            }
            lines.append("\(n + 1)/\(plan.points.count)  \(p.point.id)  \(state)  \(p.point.label)")
            lines.append("    " + command(p).map(Self.shellQuote).joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Running in process

    /// What happened to one point during `run`.
    package struct Event: Sendable {
        package var index: Int
        package var point: SweepPoint
        /// The point's state afterwards.
        package var state: SweepDirectory.PointState
        /// False when the point was complete already and skipped.
        package var ran: Bool
        /// Wall-clock seconds of its child process (0 when skipped).
        package var seconds: Double
        /// The child's last standard-error line when it could not run the point.
        package var message: String?
        /// Successive halving: the rung the point was trained to (or found at).
        package var rung: Int? = nil
    }

    /// Runs every point that is not complete (failed points are retried) as child
    /// processes, at most `jobs` at a time, in point order. After each point `summary.csv`
    /// is rewritten (atomically), so killing the sweep loses only points in flight. Ends
    /// with `timing.json` and the counts.
    /// A successive-halving sweep runs by `runHalving` instead.
    package func run(jobs: Int, progress: (Event) -> Void) throws -> SweepSummary.Counts {
        if let halving = plan.halving { return try runHalving(halving, jobs: jobs, progress: progress) }
        let start = DispatchTime.now().uptimeNanoseconds
        let (lock, cache) = try beginRun()
        defer { withExtendedLifetime(lock) {} }

        var todo: [Int] = []
        for (n, p) in setup.points.enumerated() {
            if cache.results[p.point.id] != nil {          // complete: found so by the write above
                progress(Event(index: n, point: p.point, state: .complete, ran: false, seconds: 0, message: nil))
            } else {
                todo.append(n)
            }
        }
        let children = SweepChildren(sweepDirectory: dir)
        defer { children.close() }
        var seconds = [Double](repeating: 0, count: setup.points.count)
        var pending = todo[...]
        while !pending.isEmpty || children.running > 0 {
            while children.running < max(1, jobs), let n = pending.popFirst() {
                try children.launch(index: n, name: setup.points[n].point.id, arguments: command(setup.points[n]))
            }
            let done = children.next()
            let p = setup.points[done.index]
            let runDir = SweepDirectory(dir).run(p.point.id).directory
            var message: String?
            if done.signal != nil || ![0, 1].contains(done.status) {
                message = done.stderr.split(separator: "\n").last.map(String.init)
                    ?? "exited with status \(done.status)"
            }
            try children.exclusive {
                if let signal = done.signal, SweepDirectory.state(runDir: runDir, id: p.point.id) == .pending {
                    try SweepDirectory.recordFailure(runDir: runDir, error: "nn sweep-point was killed by signal \(signal)")
                }
                try SweepDirectory(dir).writeSummary(plan, cache: cache)
            }
            seconds[done.index] = done.seconds
            progress(Event(index: done.index, point: p.point, state: SweepDirectory.state(runDir: runDir, id: p.point.id),
                           ran: true, seconds: done.seconds, message: message))
        }
        return try endRun(children: children, cache: cache, jobs: jobs, start: start, ran: Set(todo), seconds: seconds)
    }

    /// The start of an in-process run: locks the sweep directory (until the lock returned
    /// is dropped), checks that it may hold this sweep, writes its setup and provenance,
    /// and a first `summary.csv`, which finds (and caches) the points complete already.
    func beginRun() throws -> (lock: SweepLock, cache: SweepSummary.Cache) {
        let lock = try SweepLock(dir, creating: true)
        try SweepDirectory(dir).checkOurs(creating: true)
        try checkSameHalving()
        try SweepDirectory(dir).writeSetup(setup)
        try Provenance.write(to: SweepDirectory(dir).provenance)
        let cache = SweepSummary.Cache()
        try SweepDirectory(dir).writeSummary(plan, cache: cache)
        return (lock, cache)
    }

    /// The end of an in-process run that started at `start` (uptime nanoseconds): the last
    /// `summary.csv` and `timing.json` (`ran`: the points run, `seconds`: their child
    /// processes' seconds), safe from signals; returns the counts.
    func endRun(children: SweepChildren, cache: SweepSummary.Cache, jobs: Int, start: UInt64, ran: Set<Int>,
                seconds: [Double]) throws -> SweepSummary.Counts {
        try children.exclusive {
            let counts = try SweepDirectory(dir).writeSummary(plan, cache: cache)
            let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            try Self.writeTiming(plan: plan, dir: dir, run: (jobs: jobs, wall: wall, ran: ran, seconds: seconds))
            return counts
        }
    }

    // MARK: - Collecting

    /// Writes `summary.csv` and `timing.json` of an existing sweep directory from its
    /// `sweep.json` and run directories (after a plan file ran). `dir` must be a sweep
    /// directory written by `nn sweep`.
    package static func collect(dir: String) throws -> (plan: SweepPlan, counts: SweepSummary.Counts) {
        try SweepDirectory(dir).checkOurs(creating: false)
        let lock = try SweepLock(dir, creating: false)
        defer { withExtendedLifetime(lock) {} }
        let plan = try SweepPlan.read(path: SweepDirectory(dir).plan)
        let counts = try SweepDirectory(dir).writeSummary(plan)
        try writeTiming(plan: plan, dir: dir, run: nil)
        return (plan, counts)
    }

    // MARK: - timing.json

    /// `timing.json` of a sweep (sorted keys): `threads`, `cores`, per point (in point
    /// order) its id, `train_seconds` (its `timing.json` `total_seconds`: data load,
    /// training, writing) and `eval_seconds` as recorded in its run, and their sum
    /// `train_eval_seconds` over the points that have them. After an in-process run also
    /// `jobs`, `wall_seconds` (the whole sweep), and per point `ran` and
    /// `process_seconds` (its child process, wall clock); the sums then cover only the
    /// points run this time.
    static func writeTiming(plan: SweepPlan, dir: String,
                            run: (jobs: Int, wall: Double, ran: Set<Int>, seconds: [Double])?) throws {
        var points: [JSONValue] = []
        var total = 0.0
        for (n, p) in plan.points.enumerated() {
            let timing = (try? JSONValue.read(path: SweepDirectory(dir).run(p.id).timing)) ?? .null
            var entry: [String: JSONValue] = ["id": .string(p.id)]
            let train = timing["total_seconds"]?.text.flatMap(Double.init)
            let eval = timing["eval_seconds"]?.text.flatMap(Double.init)
            if let train { entry["train_seconds"] = .real(train) }
            if let eval { entry["eval_seconds"] = .real(eval) }
            if let run {
                entry["ran"] = .bool(run.ran.contains(n))
                if run.ran.contains(n) { entry["process_seconds"] = .real(run.seconds[n]) }
            }
            if run?.ran.contains(n) ?? true { total += (train ?? 0) + (eval ?? 0) }
            points.append(.sortedObject(entry))
        }
        var doc: [String: JSONValue] = [
            "threads": .int(plan.threads), "cores": .int(ProcessInfo.processInfo.activeProcessorCount),
            "points": .array(points), "train_eval_seconds": .real(total),
        ]
        if let run {
            doc["jobs"] = .int(run.jobs)
            doc["wall_seconds"] = .real(run.wall)
        }
        try AtomicFile.write(JSONValue.sortedObject(doc).fileText, to: SweepDirectory(dir).timing)
    }
}
