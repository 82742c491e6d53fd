// NNBase's one door to the C library (glibc on Linux, Darwin on macOS): the machine's
// physical memory, for `MemoryBudget`. NNBase imports no Foundation.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum PhysicalMemory {
    /// Physical memory in bytes (`sysconf(_SC_PHYS_PAGES) × sysconf(_SC_PAGESIZE)`), nil
    /// when the system does not say or the product overflows.
    static var bytes: Int? {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), pageSize = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, pageSize > 0 else { return nil }
        let (bytes, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        return overflow ? nil : bytes
    }
}
