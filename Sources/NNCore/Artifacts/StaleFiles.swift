import Foundation

/// Leftovers of killed commands. `AtomicFile` writes `.NAME.tmp-PID-N` and `RunInstall`
/// builds runs in `.NAME.nn-new-PID` (and parks a replaced run in `.NAME.nn-old-PID`);
/// a `kill -9` leaves them behind. The next command that writes into the same directory
/// removes those whose process is gone. A live PID (or one we may not signal) is left
/// alone, so a concurrent writer is never disturbed; a recycled PID only delays cleanup.
extension AtomicFile {
    /// The PID in a leftover name `.<name>.<kind>-<pid>` or `.<name>.<kind>-<pid>-<n>`
    /// (kinds `tmp`, `nn-new`, `nn-old`), with `<name>` and `kind`; nil for other names.
    public static func leftover(_ entry: String) -> (name: String, kind: String, pid: Int32)? {
        guard entry.hasPrefix(".") else { return nil }
        for kind in ["tmp", "nn-new", "nn-old"] {
            guard let r = entry.range(of: ".\(kind)-", options: .backwards), r.lowerBound > entry.index(after: entry.startIndex) else { continue }
            let name = String(entry[entry.index(after: entry.startIndex)..<r.lowerBound])
            let tail = entry[r.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
            let counted = kind == "tmp" ? 2 : 1
            guard tail.count == counted, tail.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
                  let pid = Int32(tail[0]), pid > 0 else { continue }
            return (name, kind, pid)
        }
        return nil
    }

    /// True unless `kill(pid, 0)` says there is no such process.
    public static func processAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }

    /// Removes, in `dir`, the temporary files of dead processes (`.NAME.tmp-PID-N`, regular
    /// files only). Run directories under construction are `RunInstall.recover`'s.
    /// Best effort: returns the names removed, never throws.
    @discardableResult
    public static func removeStaleTemporaries(in dir: String) -> [String] {
        var removed: [String] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            guard let l = leftover(entry), l.kind == "tmp", !processAlive(l.pid) else { continue }
            let path = (dir as NSString).appendingPathComponent(entry)
            var st = stat()
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, unlink(path) == 0 else { continue }
            removed.append(entry)
        }
        return removed
    }
}
