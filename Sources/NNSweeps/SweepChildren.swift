import Foundation
import NNKernel
import NNFormats
import NNRuns

/// Child processes of `SweepRunner.run`: launched with their standard error in
/// `<sweep>/logs/<run id>.log` (standard output discarded), collected one at a time as
/// they end. The log of a point that ends ok is removed; the others are kept.
///
/// Every child gets `NN_SWEEP_PARENT=<this pid>` and, at its start, arranges to be killed
/// when this process dies however it dies (`SweepChild.dieWithParent`), so a `kill -9`
/// of the sweep leaves no point running.
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

    /// `<sweep>/logs`, where the children's standard error goes.
    let logs: String

    private let lock = NSLock()
    /// Held while the parent writes bookkeeping files, so a signal never exits mid-write.
    private let writing = NSLock()
    private let ended = DispatchSemaphore(value: 0)
    private var finished: [Int] = []
    private var children: [Int: Child] = [:]
    private var signalSources: [DispatchSourceSignal] = []
    private var caught: [Int32] = []
    private(set) var running = 0

    init(sweepDirectory: String) {
        logs = sweepDirectory + "/logs"
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
        // Dropping the handler releases its (weak) reference to self at once, rather than
        // whenever libdispatch gets to it (LeakSanitizer reported the weak reference).
        for source in signalSources { source.setEventHandler(handler: nil); source.cancel() }
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
        Console.err("nn sweep: interrupted; \(inFlight) point(s) in flight stopped, finished points are kept; re-run to continue\n")
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

    /// Starts `arguments` as point `index`, its standard error in `logs/<name>.log`.
    func launch(index: Int, name: String, arguments: [String]) throws {
        let log = FilePath.join(logs, name + ".log")
        try AtomicFile.createDirectory(logs)
        let fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw NNError("\(log): cannot write: \(AtomicFile.describe(errno))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        defer { try? handle.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: arguments[0])
        p.arguments = Array(arguments.dropFirst())
        p.environment = ProcessInfo.processInfo.environment.merging([SweepChild.parentVariable: String(getpid())]) { $1 }
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
        let stderr = String(decoding: (try? FileInput.bytes(child.log, maxBytes: 1 << 20, tail: true)) ?? [], as: UTF8.self)
        let killed = child.process.terminationReason == .uncaughtSignal
        if !killed && child.process.terminationStatus == 0 { try? FileManager.default.removeItem(atPath: child.log) }
        return Done(index: index, status: killed ? -1 : child.process.terminationStatus,
                    signal: killed ? child.process.terminationStatus : nil,
                    seconds: Double(DispatchTime.now().uptimeNanoseconds - child.start) / 1e9, stderr: stderr)
    }
}

/// The child side of `Children`: `nn sweep-point` started by an in-process sweep.
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
