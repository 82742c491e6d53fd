/// Sizes that come from outside (a flag, a manifest, a file header) are multiplied and
/// added here with overflow checks, and what they would allocate is compared with the
/// machine's physical memory (`sysconf(_SC_PHYS_PAGES) × sysconf(_SC_PAGE_SIZE)`) before
/// anything is allocated. A request that overflows `Int` or exceeds physical memory is an
/// `NNError` that states the figure, e.g.
/// `--layers 785,1000000000000,1 needs 5.6 PiB for layer 1's weights; this machine has 24 GiB`.
package enum MemoryBudget {
    /// Physical memory in bytes (`Int.max` when the system does not say).
    static let physicalBytes: Int = PhysicalMemory.bytes ?? Int.max

    /// Bytes of one `Int` index (permutations, index lists).
    package static let indexBytes = MemoryLayout<Int>.size

    /// The product of `factors`, or nil when it overflows `Int` or a factor is negative.
    package static func product(_ factors: [Int]) -> Int? {
        var p = 1
        for f in factors {
            guard f >= 0 else { return nil }
            let (m, overflow) = p.multipliedReportingOverflow(by: f)
            if overflow { return nil }
            p = m
        }
        return p
    }

    /// The sum of `terms`, or nil when it overflows `Int` or a term is nil or negative.
    package static func sum(_ terms: [Int?]) -> Int? {
        var s = 0
        for t in terms {
            guard let t, t >= 0 else { return nil }
            let (a, overflow) = s.addingReportingOverflow(t)
            if overflow { return nil }
            s = a
        }
        return s
    }

    /// Throws `"<what> needs <bytes>[ for <purpose>]; this machine has <physical>"` when
    /// `bytes` is nil (the size overflowed) or more than physical memory. `what` names the
    /// flag or file the size came from.
    package static func require(_ bytes: Int?, for what: String, purpose: String? = nil) throws {
        // The message is made only when it is thrown (this runs for every point of a sweep).
        func tail() -> String { (purpose.map { " for \($0)" } ?? "") + "; this machine has \(format(physicalBytes))" }
        guard let bytes else {
            throw NNError("\(what) needs more than \(format(Int.max)) (the size overflows)" + tail())
        }
        if bytes > physicalBytes {
            throw NNError("\(what) needs \(format(bytes))" + tail())
        }
    }

    /// A byte count for people: `512 bytes`, `1.5 KiB`, `24 GiB`, `5.6 PiB` (binary units,
    /// one decimal below 10, none above).
    static func format(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) bytes" }
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var v = Double(bytes) / 1024, i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        let text = v < 10 ? "\((v * 10).rounded() / 10)" : "\(Int(v.rounded()))"
        return (text.hasSuffix(".0") ? String(text.dropLast(2)) : text) + " " + units[i]
    }
}
