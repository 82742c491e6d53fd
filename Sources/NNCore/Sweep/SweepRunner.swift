import Foundation

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
public struct SweepRunner {
    public var setup: SweepSetup
    /// The sweep directory (absolute).
    public var dir: String
    /// The `nn` executable the per-point commands run.
    public var executable: String

    public init(setup: SweepSetup, dir: String, executable: String) {
        self.setup = setup
        self.dir = SweepSetup.absolutePath(dir)
        self.executable = executable
    }

    public var plan: SweepPlan { setup.plan }

    /// The path of the executable running now (`/proc/self/exe` on Linux).
    public static func currentExecutable() -> String {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        return Bundle.main.executablePath ?? SweepSetup.absolutePath(CommandLine.arguments[0])
    }

    // MARK: - Per-point commands

    /// The arguments of point `p`'s command, executable first.
    public func command(_ p: ResolvedPoint) -> [String] {
        [executable, "sweep-point", "--threads", String(plan.threads), "--data", p.dataDirectory,
         SweepFiles.runDirectory(dir, id: p.point.id)]
    }

    /// `s` as one shell word: unchanged when it holds only safe characters, else in
    /// single quotes (a `'` inside written `'\''`).
    public static func shellQuote(_ s: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%")
        if !s.isEmpty && s.allSatisfy(safe.contains) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The plan file: one shell command line per point, in point order.
    public var planText: String {
        setup.points.map { command($0).map(Self.shellQuote).joined(separator: " ") + "\n" }.joined()
    }

    /// True when `text` is empty or every line is a per-point command of a plan file.
    public static func looksLikePlan(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { $0.contains(" sweep-point ") }
    }

    /// Writes the sweep directory's `sweep.json` and `point.json` files and the plan
    /// file. An existing `planPath` that is not a plan file is not overwritten.
    public func writePlan(to planPath: String) throws {
        if let old = FileManager.default.contents(atPath: planPath),
           !Self.looksLikePlan(String(decoding: old, as: UTF8.self)) {
            throw NNError("\(planPath): exists and is not an nn sweep plan; not overwriting it")
        }
        try SweepFiles.checkOurs(dir, creating: true)
        try SweepFiles.writeSetup(setup, dir: dir)
        try AtomicFile.write(planText, to: planPath)
    }

    // MARK: - Dry run

    /// What `run` would do, one block per point: number, run id, state, parameters, then
    /// the command. Reads the run directories; writes nothing.
    public func dryRunText(jobs: Int) -> String {
        var lines = ["sweep \(plan.name): \(plan.points.count) points in \(dir), \(jobs) job(s) x \(plan.threads) thread(s)"]
        for (n, p) in setup.points.enumerated() {
            let state: String
            switch SweepFiles.state(runDir: SweepFiles.runDirectory(dir, id: p.point.id), id: p.point.id) {
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
    public struct Event: Sendable {
        public var index: Int
        public var point: SweepPoint
        /// The point's state afterwards.
        public var state: SweepFiles.State
        /// False when the point was complete already and skipped.
        public var ran: Bool
        /// Wall-clock seconds of its child process (0 when skipped).
        public var seconds: Double
        /// The child's last standard-error line when it could not run the point.
        public var message: String?
    }

    /// Runs every point that is not complete (failed points are retried) as child
    /// processes, at most `jobs` at a time, in point order. After each point `summary.csv`
    /// is rewritten (atomically), so killing the sweep loses only points in flight. Ends
    /// with `timing.json` and the counts.
    public func run(jobs: Int, progress: (Event) -> Void) throws -> SweepTable.Counts {
        let start = DispatchTime.now().uptimeNanoseconds
        try SweepFiles.checkOurs(dir, creating: true)
        try SweepFiles.writeSetup(setup, dir: dir)
        let cache = SweepTable.Cache()
        try SweepTable.write(plan, dir: dir, cache: cache)

        var todo: [Int] = []
        for (n, p) in setup.points.enumerated() {
            if cache.results[p.point.id] != nil {          // complete: found so by the write above
                progress(Event(index: n, point: p.point, state: .complete, ran: false, seconds: 0, message: nil))
            } else {
                todo.append(n)
            }
        }
        let children = Children()
        defer { children.close() }
        var seconds = [Double](repeating: 0, count: setup.points.count)
        var pending = todo[...]
        while !pending.isEmpty || children.running > 0 {
            while children.running < max(1, jobs), let n = pending.popFirst() {
                try children.launch(index: n, arguments: command(setup.points[n]))
            }
            let done = children.next()
            let p = setup.points[done.index]
            let runDir = SweepFiles.runDirectory(dir, id: p.point.id)
            var message: String?
            if done.signal != nil || ![0, 1].contains(done.status) {
                message = done.stderr.split(separator: "\n").last.map(String.init)
                    ?? "exited with status \(done.status)"
            }
            try children.exclusive {
                if let signal = done.signal, SweepFiles.state(runDir: runDir, id: p.point.id) == .pending {
                    try SweepFiles.recordFailure(runDir: runDir, error: "nn sweep-point was killed by signal \(signal)")
                }
                try SweepTable.write(plan, dir: dir, cache: cache)
            }
            seconds[done.index] = done.seconds
            progress(Event(index: done.index, point: p.point, state: SweepFiles.state(runDir: runDir, id: p.point.id),
                           ran: true, seconds: done.seconds, message: message))
        }
        return try children.exclusive {
            let counts = try SweepTable.write(plan, dir: dir, cache: cache)
            let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            try Self.writeTiming(plan: plan, dir: dir, run: (jobs: jobs, wall: wall, ran: Set(todo), seconds: seconds))
            return counts
        }
    }

    // MARK: - Collecting

    /// Writes `summary.csv` and `timing.json` of an existing sweep directory from its
    /// `sweep.json` and run directories (after a plan file ran). `dir` must be a sweep
    /// directory written by `nn sweep`.
    public static func collect(dir: String) throws -> (plan: SweepPlan, counts: SweepTable.Counts) {
        try SweepFiles.checkOurs(dir, creating: false)
        let plan = try SweepPlan.read(path: dir + "/" + SweepFiles.planFile)
        let counts = try SweepTable.write(plan, dir: dir)
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
            let timing = (try? JSONValue.read(path: SweepFiles.runDirectory(dir, id: p.id) + "/" + Run.timingFile)) ?? .null
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
        try AtomicFile.write(JSONValue.sortedObject(doc).fileText, to: dir + "/" + SweepFiles.timingFile)
    }
}

/// Child processes of `SweepRunner.run`: launched with their standard error in a
/// temporary file (standard output discarded), collected one at a time as they end.
///
/// Foundation starts every child in its own process group, so a terminal's Ctrl-C reaches
/// only this process: while children run, SIGINT, SIGTERM and SIGHUP (unless ignored already) are caught, sent on
/// to the children as SIGTERM, and this process then exits with status 128 + signal. The
/// points in flight are lost (their run directories hold no metrics.json and are run
/// again next time); everything finished is already in summary.csv.
final class Children: @unchecked Sendable {
    struct Done {
        var index: Int
        var status: Int32
        var signal: Int32?
        var seconds: Double
        var stderr: String
    }

    private struct Child {
        var process: Process
        var start: UInt64
        var log: String
    }

    private let lock = NSLock()
    /// Held while the parent writes bookkeeping files, so a signal never exits mid-write.
    private let writing = NSLock()
    private let ended = DispatchSemaphore(value: 0)
    private var finished: [Int] = []
    private var children: [Int: Child] = [:]
    private var signalSources: [DispatchSourceSignal] = []
    private var caught: [Int32] = []
    private(set) var running = 0

    init() {
        for signo in [SIGINT, SIGTERM, SIGHUP] {
            // A signal ignored from the start (a background job's SIGINT) stays ignored.
            let previous = signal(signo, SIG_IGN)
            if let previous, unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
            caught.append(signo)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { [weak self] in self?.stopAll(exitWith: 128 + signo) }
            source.resume()
            signalSources.append(source)
        }
    }

    /// Stops catching signals and terminates any child still running (after an error).
    func close() {
        for source in signalSources { source.cancel() }
        signalSources = []
        for signo in caught { signal(signo, SIG_DFL) }
        caught = []
        lock.lock()
        for child in children.values where child.process.isRunning { child.process.terminate() }
        lock.unlock()
    }

    /// Runs `body` so that a signal cannot end the process in the middle of it.
    func exclusive<T>(_ body: () throws -> T) rethrows -> T {
        writing.lock()
        defer { writing.unlock() }
        return try body()
    }

    /// Terminates every running child, removes the logs and exits.
    private func stopAll(exitWith status: Int32) {
        writing.lock()
        lock.lock()
        let inFlight = children.count
        FileHandle.standardError.write(Data("nn sweep: interrupted; \(inFlight) point(s) in flight stopped, finished points are kept; re-run to continue\n".utf8))
        for child in children.values {
            if child.process.isRunning { child.process.terminate() }
            try? FileManager.default.removeItem(atPath: child.log)
        }
        // Wait (briefly) for the children to be gone, so that a sweep started right after
        // this one exits does not find their points still locked.
        let deadline = Date().addingTimeInterval(10)
        while children.values.contains(where: { $0.process.isRunning }) && Date() < deadline { usleep(10_000) }
        lock.unlock()
        exit(status)
    }

    func launch(index: Int, arguments: [String]) throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("nn-sweep-\(getpid())-\(index).log").path
        guard FileManager.default.createFile(atPath: log, contents: nil), let handle = FileHandle(forWritingAtPath: log) else {
            throw NNError("\(log): cannot create a log file for a sweep point")
        }
        defer { try? handle.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: arguments[0])
        p.arguments = Array(arguments.dropFirst())
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        p.standardError = handle
        p.terminationHandler = { [self] _ in
            lock.lock()
            finished.append(index)
            lock.unlock()
            ended.signal()
        }
        lock.lock()
        defer { lock.unlock() }
        do {
            try p.run()
        } catch {
            try? FileManager.default.removeItem(atPath: log)
            throw NNError("\(arguments[0]): cannot start: \(error.localizedDescription)")
        }
        children[index] = Child(process: p, start: DispatchTime.now().uptimeNanoseconds, log: log)
        running += 1
    }

    /// Waits for the next child to end.
    func next() -> Done {
        ended.wait()
        lock.lock()
        let index = finished.removeFirst()
        let child = children.removeValue(forKey: index)
        running -= 1
        lock.unlock()
        guard let child else { return Done(index: index, status: -1, signal: nil, seconds: 0, stderr: "") }
        let stderr = (try? String(contentsOfFile: child.log, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: child.log)
        let killed = child.process.terminationReason == .uncaughtSignal
        return Done(index: index, status: killed ? -1 : child.process.terminationStatus,
                    signal: killed ? child.process.terminationStatus : nil,
                    seconds: Double(DispatchTime.now().uptimeNanoseconds - child.start) / 1e9, stderr: stderr)
    }
}
