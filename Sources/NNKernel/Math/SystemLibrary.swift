// The one file of the kernel that talks to the C library (glibc on Linux, Darwin on macOS):
// the elementary functions `NNScalar` forwards to (as NumPy's scalar fallbacks do), `pow`
// for Adam's bias correction, the number of processors, zeroed allocations, threads (WorkerPool),
// and the environment and exec for `BLAS.useKernelsForThisCPU`. The kernel imports no
// Foundation.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The C library's functions under names that do not clash with `NNScalar`'s.
enum LibC {
    @inline(__always) static func exp(_ x: Double) -> Double { cExp(x) }
    @inline(__always) static func log(_ x: Double) -> Double { cLog(x) }
    @inline(__always) static func log1p(_ x: Double) -> Double { cLog1p(x) }
    @inline(__always) static func tanh(_ x: Double) -> Double { cTanh(x) }
    @inline(__always) static func exp(_ x: Float) -> Float { cExp(x) }
    @inline(__always) static func log(_ x: Float) -> Float { cLog(x) }
    @inline(__always) static func log1p(_ x: Float) -> Float { cLog1p(x) }
    @inline(__always) static func tanh(_ x: Float) -> Float { cTanh(x) }
    static func pow(_ x: Double, _ y: Double) -> Double { cPow(x, y) }

    /// Processors online (`sysconf(_SC_NPROCESSORS_ONLN)`, at least 1).
    static var processors: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// Gives up the processor to another runnable thread (`sched_yield`).
    static func yield() { _ = sched_yield() }
}

extension LibC {
    /// `count` zeroed elements of `T` (`calloc`; so the pages of a large allocation, fresh from
    /// the system and zero already, are not touched until written). Release with `free`.
    static func zeroedAllocation<T>(_ count: Int, of _: T.Type) -> UnsafeMutablePointer<T> {
        guard let raw = calloc(count, MemoryLayout<T>.stride) else {
            preconditionFailure("out of memory allocating \(count) × \(MemoryLayout<T>.stride) bytes")
        }
        return raw.bindMemory(to: T.self, capacity: count)
    }

    static func free<T>(_ p: UnsafeMutablePointer<T>) { cFree(UnsafeMutableRawPointer(p)) }

    /// Starts a detached thread that runs `body` (`pthread_create`); for `WorkerPool`.
    static func startThread(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { arg in
            Unmanaged<ThreadBody>.fromOpaque(arg!).takeRetainedValue().body()
            return nil
        }, box)
        precondition(status == 0, "pthread_create failed (\(status))")
        pthread_detach(thread)
    }

    /// The environment variable `name`, nil when unset.
    static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    static func setEnvironment(_ name: String, _ value: String) { setenv(name, value, 1) }

    /// Executes this program again with the same arguments and the current environment
    /// (Linux: `/proc/self/exe`); returns only if that fails.
    static func executeSelfAgain() {
        #if os(Linux)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        #endif
    }
}

private final class ThreadBody: @unchecked Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

// File-scope aliases, so that `LibC`'s members can share the C functions' names.
private func cExp(_ x: Double) -> Double { exp(x) }
private func cLog(_ x: Double) -> Double { log(x) }
private func cLog1p(_ x: Double) -> Double { log1p(x) }
private func cTanh(_ x: Double) -> Double { tanh(x) }
private func cExp(_ x: Float) -> Float { expf(x) }
private func cLog(_ x: Float) -> Float { logf(x) }
private func cLog1p(_ x: Float) -> Float { log1pf(x) }
private func cTanh(_ x: Float) -> Float { tanhf(x) }
private func cPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
private func cFree(_ p: UnsafeMutableRawPointer) { free(p) }
