// The one file of the kernel that talks to the C library (glibc on Linux, Darwin on macOS):
// the elementary functions `NNScalar` forwards to (as NumPy's scalar fallbacks do), `pow`
// for Adam's bias correction, and the machine's size. The kernel imports no Foundation.
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

    /// Physical memory in bytes (`sysconf(_SC_PHYS_PAGES) × sysconf(_SC_PAGESIZE)`), nil
    /// when the system does not say or the product overflows.
    static var physicalMemory: Int? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return nil }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? nil : bytes
    }
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
