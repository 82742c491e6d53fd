import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

/// The worker processes of `SweepRunner.run`: up to `jobs` long-lived `nn sweep-point
/// --worker` children, each running point after point (`SweepWorker`), so that a worker
/// loads the prepared data and builds its inputs once for all its points (`RunInputs`).
/// A point is sent to an idle worker (or a new one) as its `nn sweep-point` arguments, one
/// JSON line on the worker's standard input; the worker answers with the status that
/// command would have exited with, one line on its standard output. A point's standard
/// error goes to `<sweep>/logs/<run id>.log` (the worker points its standard error there
/// for the point); the log of a point that ends ok is removed, the others are kept.
///
/// Isolation: a worker that dies while running a point (killed, crashed) fails that point
/// only, as a point process of its own did: the point is reported with the signal or exit
/// status, the worker is gone, and the next point starts a new worker. Each point still
/// takes its run directory's lock and writes only its own directory.
///
/// Every worker gets `NN_SWEEP_PARENT=<this pid>` and, at its start, arranges to be killed
/// when this process dies however it dies (`SweepChild.dieWithParent`), so a `kill -9`
/// of the sweep leaves no worker running; a worker also ends when its standard input
/// closes (the sweep ended).
///
/// Foundation starts every child in its own process group, so a terminal's Ctrl-C reaches
/// only this process: while children run, SIGINT, SIGTERM and SIGHUP (unless ignored already) are caught, sent on
/// to the children as SIGTERM, and this process then exits with status 128 + signal. The
/// points in flight are lost (their run directories hold no metrics.json and are run
/// again next time); everything finished is already in summary.csv.
final class SweepChildren: @unchecked Sendable {
    struct Done {
        var index: Int
        var status: Int32
        var signal: Int32?
        var seconds: Double
        var stderr: String
    }

    /// One worker process; its mutable fields are guarded by `SweepChildren.lock`.
    private final class Worker: @unchecked Sendable {
        let process: Process
        /// The write end of the worker's standard input.
        let requests: Int32
        /// The point it runs now: index, start (uptime ns) and log path.
        var point: (index: Int, start: UInt64, log: String)?
        var alive = true
        let exited = DispatchSemaphore(value: 0)

        init(process: Process, requests: Int32) {
            self.process = process
            self.requests = requests
        }
    }

    private struct Ended {
        var index: Int
        var status: Int32
        var signal: Int32?
        var start: UInt64
        var log: String
    }

    /// `<sweep>/logs`, where the points' standard error goes.
    let logs: String

    private let lock = NSLock()
    /// Held while the parent writes bookkeeping files, so a signal never exits mid-write.
    private let writing = NSLock()
    private let ended = DispatchSemaphore(value: 0)
    private var finished: [Ended] = []
    private var workers: [Worker] = []
    private var signalSources: [DispatchSourceSignal] = []
    private var caught: [Int32] = []
    private(set) var running = 0

    init(sweepDirectory: String) {
        logs = SweepDirectory(sweepDirectory).logs
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

    /// Stops catching signals, terminates any worker still running a point (after an
    /// error), ends the idle ones (their standard input closes) and waits briefly for them.
    func close() {
        // Dropping the handler releases its (weak) reference to self at once, rather than
        // whenever libdispatch gets to it (LeakSanitizer reported the weak reference).
        for source in signalSources { source.setEventHandler(handler: nil); source.cancel() }
        signalSources = []
        for signo in caught { signal(signo, SIG_DFL) }
        caught = []
        lock.lock()
        let all = workers
        workers = []
        for w in all {
            if w.point != nil && w.process.isRunning { w.process.terminate() }
            closeDescriptor(w.requests)
        }
        lock.unlock()
        let deadline = Date().addingTimeInterval(5)
        while all.contains(where: { $0.process.isRunning }) && Date() < deadline { usleep(5_000) }
    }

    /// Runs `body` so that a signal cannot end the process in the middle of it.
    func exclusive<T>(_ body: () throws -> T) rethrows -> T {
        writing.lock()
        defer { writing.unlock() }
        return try body()
    }

    /// Terminates every worker, removes the logs of the points in flight and exits.
    private func stopAll(exitWith status: Int32) {
        writing.lock()
        lock.lock()
        let inFlight = workers.filter { $0.point != nil }.count
        Console.err("nn sweep: interrupted; \(inFlight) point(s) in flight stopped, finished points are kept; re-run to continue\n")
        for w in workers {
            if w.process.isRunning { w.process.terminate() }
            if let log = w.point?.log { try? FileManager.default.removeItem(atPath: log) }
        }
        // Wait (briefly) for the workers to be gone, so that a sweep started right after
        // this one exits does not find their points still locked.
        let deadline = Date().addingTimeInterval(10)
        while workers.contains(where: { $0.process.isRunning }) && Date() < deadline { usleep(10_000) }
        lock.unlock()
        exit(status)
    }

    /// Runs `arguments` (`<nn> sweep-point ARGS...`) as point `index` in an idle worker, or
    /// in a new one, its standard error in `logs/<name>.log`.
    func launch(index: Int, name: String, arguments: [String]) throws {
        let log = FilePath.join(logs, name + ".log")
        try AtomicFile.createDirectory(logs)
        let fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw NNError("\(log): cannot write: \(AtomicFile.describe(errno))") }
        closeDescriptor(fd)
        let request = JSONValue.sortedObject(["arguments": .array(arguments.dropFirst(2).map { .string($0) }),
                                              "log": .string(log)]).encoded(pretty: false) + "\n"
        // An idle worker may have ended since its last point (killed while idle): then a new one.
        for attempt in 0..<2 {
            let worker: Worker
            do {
                worker = try idleWorker(executable: arguments[0], fresh: attempt > 0)
            } catch {
                try? FileManager.default.removeItem(atPath: log)
                throw error
            }
            lock.lock()
            worker.point = (index, DispatchTime.now().uptimeNanoseconds, log)
            running += 1
            lock.unlock()
            if Self.writeAll(worker.requests, Array(request.utf8)) { return }
            lock.lock()
            worker.point = nil
            running -= 1
            worker.alive = false
            workers.removeAll { $0 === worker }
            lock.unlock()
            worker.process.terminate()
            closeDescriptor(worker.requests)
        }
        try? FileManager.default.removeItem(atPath: log)
        throw NNError("\(arguments[0]): a new sweep worker would not take a point")
    }

    /// An alive worker with no point, or a new worker (always a new one when `fresh`).
    private func idleWorker(executable: String, fresh: Bool) throws -> Worker {
        lock.lock()
        let idle = fresh ? nil : workers.first { $0.alive && $0.point == nil }
        lock.unlock()
        if let idle { return idle }
        return try startWorker(executable: executable)
    }

    /// Starts `<executable> sweep-point --worker` with its standard input and output on
    /// pipes of its own (close-on-exec here, so no other worker holds their ends) and a
    /// thread that reads its answers.
    private func startWorker(executable: String) throws -> Worker {
        var input: [Int32] = [0, 0], output: [Int32] = [0, 0]
        guard Self.closeOnExecPipe(&input) else { throw NNError("cannot start a sweep worker: \(AtomicFile.describe(errno))") }
        guard Self.closeOnExecPipe(&output) else {
            let code = errno
            closeDescriptor(input[0]); closeDescriptor(input[1])
            throw NNError("cannot start a sweep worker: \(AtomicFile.describe(code))")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["sweep-point", "--worker"]
        p.environment = ProcessInfo.processInfo.environment.merging([SweepChild.parentVariable: String(getpid())]) { $1 }
        p.standardInput = FileHandle(fileDescriptor: input[0], closeOnDealloc: false)
        p.standardOutput = FileHandle(fileDescriptor: output[1], closeOnDealloc: false)
        p.standardError = FileHandle.nullDevice
        let worker = Worker(process: p, requests: input[1])
        let exited = worker.exited          // (not the worker: it holds the process, which holds this)
        p.terminationHandler = { _ in exited.signal() }
        do {
            try p.run()
        } catch {
            for fd in input + output { closeDescriptor(fd) }
            throw NNError("\(executable): cannot start: \(error.localizedDescription)")
        }
        closeDescriptor(input[0])
        closeDescriptor(output[1])
        lock.lock()
        workers.append(worker)
        lock.unlock()
        let answers = output[0]
        let reader = Thread { [self] in
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 64)
            while true {
                let n = read(answers, &chunk, chunk.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                pending += chunk[0..<n]
                while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: pending[..<newline], as: UTF8.self)
                    pending.removeSubrange(...newline)
                    answered(worker, status: Int32(line) ?? 2)
                }
            }
            closeDescriptor(answers)
            worker.exited.wait()
            died(worker)
        }
        reader.start()
        return worker
    }

    /// A worker's answer: its point ended with `status`.
    private func answered(_ worker: Worker, status: Int32) {
        lock.lock()
        if let point = worker.point {
            worker.point = nil
            finished.append(Ended(index: point.index, status: status, signal: nil, start: point.start, log: point.log))
            lock.unlock()
            ended.signal()
        } else {
            lock.unlock()
        }
    }

    /// A worker ended: a point it was running ended with the worker's signal or status.
    private func died(_ worker: Worker) {
        let killed = worker.process.terminationReason == .uncaughtSignal
        let code = worker.process.terminationStatus
        lock.lock()
        worker.alive = false
        workers.removeAll { $0 === worker }
        if let point = worker.point {
            worker.point = nil
            finished.append(Ended(index: point.index, status: killed ? -1 : (code == 0 ? 2 : code), signal: killed ? code : nil,
                                  start: point.start, log: point.log))
            lock.unlock()
            ended.signal()
        } else {
            lock.unlock()
        }
    }

    /// Waits for the next point to end.
    func next() -> Done {
        ended.wait()
        lock.lock()
        let e = finished.removeFirst()
        running -= 1
        lock.unlock()
        let stderr = String(decoding: (try? FileInput.bytes(e.log, maxBytes: 1 << 20, tail: true)) ?? [], as: UTF8.self)
        if e.signal == nil && e.status == 0 { try? FileManager.default.removeItem(atPath: e.log) }
        return Done(index: e.index, status: e.status, signal: e.signal,
                    seconds: Double(DispatchTime.now().uptimeNanoseconds - e.start) / 1e9, stderr: stderr)
    }

    /// A pipe whose two ends are close-on-exec. (Workers are started from this one thread,
    /// so no other child can be spawned between `pipe` and `fcntl`.)
    private static func closeOnExecPipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    /// Writes all of `bytes` to `fd`; false when the pipe is broken (the worker has gone).
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}

/// The child side of `SweepChildren`: `nn sweep-point` started by an in-process sweep.
package enum SweepChild {
    /// Environment variable holding the pid of the sweep that started the point.
    static let parentVariable = "NN_SWEEP_PARENT"

    /// When started by a sweep (`NN_SWEEP_PARENT` is set), asks Linux to SIGKILL this
    /// process when its parent dies (`prctl(PR_SET_PDEATHSIG)`), then exits at once if the
    /// parent is already gone (it died between launching this process and the `prctl`).
    /// Does nothing otherwise (a plan file's point, run by GNU parallel or a shell).
    /// (Linux sends the signal when the *thread* that started this process ends: the
    /// sweep starts its points from its main thread, which ends only with the process.)
    package static func dieWithParent() {
        guard let text = ProcessInfo.processInfo.environment[parentVariable], let parent = Int32(text) else { return }
        #if os(Linux)
        // prctl is variadic, so Swift does not import it; call it through its address.
        typealias Prctl = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
        if let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "prctl") {
            let prctl = unsafeBitCast(symbol, to: Prctl.self)
            _ = prctl(1 /* PR_SET_PDEATHSIG */, UInt(SIGKILL), 0, 0, 0)
        }
        #endif
        if getppid() != parent {
            Console.err("nn sweep-point: the sweep that started it (pid \(parent)) has exited\n")
            exit(2)
        }
    }
}

/// The worker side of `SweepChildren`: `nn sweep-point --worker` serving the points an
/// in-process sweep sends it, one after another, with one `RunInputs` for all of them.
package enum SweepWorker {
    /// Reads requests (JSON lines `{"arguments": [...], "log": PATH}`) from standard input
    /// until it closes; runs each by `runPoint` (the point's `nn sweep-point` arguments, the
    /// inputs kept) with standard error appended to the request's log, and answers each with
    /// the status `runPoint` returns (what `nn sweep-point ARGS` would exit with), one line
    /// on standard output. Standard output itself is otherwise /dev/null, so nothing a point
    /// prints can be taken for an answer. Returns when standard input closes; exits 2 when
    /// the sweep stopped reading answers.
    package static func serve(_ runPoint: ([String], RunInputs) -> Int32) {
        fflush(nil)
        let answers = dup(STDOUT_FILENO)
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        if null >= 0 { dup2(null, STDOUT_FILENO); close(null) }
        let between = dup(STDERR_FILENO)     // standard error between points
        let inputs = RunInputs()
        while let line = readLine(strippingNewline: true) {
            var status: Int32 = 2
            let request = try? JSONValue.parse(bytes: Array(line.utf8), name: "request")
            let arguments = request?["arguments"]?.elements?.compactMap(\.text)
            if let arguments, let log = request?["log"]?.text {
                let fd = open(log, O_WRONLY | O_APPEND | O_CLOEXEC)
                fflush(nil)
                if fd >= 0 { dup2(fd, STDERR_FILENO); close(fd) }
                Provenance.commandLine = Array(CommandLine.arguments.prefix(2)) + arguments   // <nn> sweep-point ARGS
                status = runPoint(arguments, inputs)
                Provenance.commandLine = nil
                fflush(nil)             // every C stream, before standard error moves on
                dup2(between, STDERR_FILENO)
            }
            let answer = Array("\(status)\n".utf8)
            guard answer.withUnsafeBytes({ write(answers, $0.baseAddress, $0.count) }) == answer.count else { exit(2) }
        }
    }
}

/// `close(2)`, by a name no method shadows.
private func closeDescriptor(_ fd: Int32) {
    _ = close(fd)
}
