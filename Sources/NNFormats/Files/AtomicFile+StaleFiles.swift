import Foundation

/// Leftovers of killed commands. `AtomicFile` writes `.NAME.tmp-PID-N@HOST` and
/// `RunInstall` builds runs in `.NAME.nn-new-PID@HOST` (and parks a replaced run in
/// `.NAME.nn-old-PID@HOST`); a `kill -9` leaves them behind. The next command that writes
/// into the same directory removes those whose process is gone. A live PID (or one we may
/// not signal) is left alone, so a concurrent writer is never disturbed; a recycled PID
/// only delays cleanup. Every name carries `HOST` (`hostTag`: the machine and its PID
/// namespace), so a command never judges the PIDs of another machine on a shared file
/// system, or of another container sharing a volume and a host name. A `.NAME.tmp-PID-N`
/// without a host (written by an older nn) is judged as this host's.
extension AtomicFile {
    /// This machine's and PID namespace's name as used in leftover names: the host name,
    /// then `.p` and the PID namespace's inode where Linux shows it (containers on one host
    /// differ there), with anything but letters, digits, `.`, `-`, `_` replaced by `_`.
    package static let hostTag: String = {
        var buf = [CChar](repeating: 0, count: 256)
        var raw = gethostname(&buf, buf.count - 1) == 0
            ? String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        if raw.isEmpty { raw = "localhost" }
        raw = String(raw.prefix(64))
        // "/proc/self/ns/pid" links to "pid:[4026531836]".
        if let ns = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid") {
            let digits = ns.filter { $0.isASCII && $0.isNumber }
            if !digits.isEmpty { raw += ".p" + digits }
        }
        return String(raw.unicodeScalars.map {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) ? Character($0) : "_"
        })
    }()

    /// The PID in a leftover name `.<name>.tmp-<pid>-<n>[@<host>]` or
    /// `.<name>.<kind>-<pid>@<host>` (kinds `nn-new`, `nn-old`), with `<name>`, the kind
    /// and the host (nil for an older `tmp` name without one); nil for other names.
    package static func leftover(_ entry: String) -> (name: String, kind: String, pid: Int32, host: String?)? {
        guard entry.hasPrefix(".") else { return nil }
        for kind in ["tmp", "nn-new", "nn-old"] {
            guard let r = entry.range(of: ".\(kind)-", options: .backwards), r.lowerBound > entry.index(after: entry.startIndex) else { continue }
            let name = String(entry[entry.index(after: entry.startIndex)..<r.lowerBound])
            var rest = entry[r.upperBound...], host: String?
            if let at = rest.firstIndex(of: "@") {
                guard rest.index(after: at) < rest.endIndex else { continue }
                host = String(rest[rest.index(after: at)...])
                rest = rest[..<at]
            } else if kind != "tmp" {
                continue
            }
            let tail = rest.split(separator: "-", omittingEmptySubsequences: false)
            guard tail.count == (kind == "tmp" ? 2 : 1),
                  tail.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
                  let pid = Int32(tail[0]), pid > 0 else { continue }
            return (name, kind, pid, host)
        }
        return nil
    }

    /// True unless `kill(pid, 0)` says there is no such process.
    static func processAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno != ESRCH
    }

    /// True when `entry` is a leftover of a process of this host that is gone.
    package static func isStale(_ l: (name: String, kind: String, pid: Int32, host: String?)) -> Bool {
        (l.host == nil || l.host == hostTag) && !processAlive(l.pid)
    }

    /// Removes, in `dir`, the temporary files of dead processes (`.NAME.tmp-PID-N`, regular
    /// files only). Run directories under construction are `RunInstall.recover`'s.
    /// Best effort: returns the names removed, never throws.
    @discardableResult
    package static func removeStaleTemporaries(in dir: String) -> [String] {
        var removed: [String] = []
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            guard let l = leftover(entry), l.kind == "tmp", isStale(l) else { continue }
            let path = FilePath.join(dir, entry)
            var st = stat()
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, unlink(path) == 0 else { continue }
            removed.append(entry)
        }
        return removed
    }
}
