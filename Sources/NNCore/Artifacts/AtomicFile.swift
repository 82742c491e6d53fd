import Foundation

/// Writes files so that the final name never holds partial content: the bytes go to a
/// temporary sibling (`.name.tmp-<pid>-<n>`) which is renamed over the target only once
/// complete. A failure removes the temporary file and throws an `NNError` naming `path`.
public enum AtomicFile {
    private static let counter = Counter()

    /// A temporary path in the same directory as `path` (so `rename(2)` is atomic).
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        return (dir as NSString).appendingPathComponent(".\(name).tmp-\(getpid())-\(counter.next())")
    }

    /// Atomically replaces `path` with `data`. Creates parent directories as needed.
    public static func write(_ data: Data, to path: String) throws {
        try createParentDirectory(of: path)
        let tmp = temporaryPath(for: path)
        guard FileManager.default.createFile(atPath: tmp, contents: data) else {
            throw NNError("\(path): cannot write (directory not writable?)")
        }
        try commit(tmp, to: path)
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write(Data(bytes), to: path)
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Renames a finished temporary file over `path`; removes `tmp` if that fails.
    public static func commit(_ tmp: String, to path: String) throws {
        if rename(tmp, path) != 0 {
            let err = String(cString: strerror(errno))
            unlink(tmp)
            throw NNError("\(path): cannot write: \(err)")
        }
    }

    /// Creates `path`'s parent directory (and its parents); a clear error if impossible.
    public static func createParentDirectory(of path: String) throws {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try createDirectory(dir)
    }

    public static func createDirectory(_ dir: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            if !isDir.boolValue { throw NNError("\(dir): exists and is not a directory") }
            if access(dir, W_OK) != 0 { throw NNError("\(dir): directory is not writable") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw NNError("\(dir): cannot create directory")
        }
    }

    private final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }
}
