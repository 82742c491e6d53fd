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

    /// Atomically replaces `path` with the bytes in `buffer`, written straight from memory
    /// (no intermediate copy; for large outputs). Creates parent directories as needed.
    public static func write(_ buffer: UnsafeRawBufferPointer, to path: String) throws {
        let writer = try AtomicFileWriter(path: path)
        try writer.write(buffer)
        try writer.commit()
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

/// A file written piece by piece under a temporary name (`AtomicFile.temporaryPath`) and
/// renamed over `path` by `commit()`. Until then `path` is untouched; a failed write, a
/// `discard()` or dropping the writer uncommitted removes the temporary file.
public final class AtomicFileWriter {
    public let path: String
    private let tmp: String
    private var fd: Int32

    /// Creates `path`'s parent directories as needed and opens the temporary file.
    public init(path: String) throws {
        try AtomicFile.createParentDirectory(of: path)
        self.path = path
        self.tmp = AtomicFile.temporaryPath(for: path)
        self.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw NNError("\(path): cannot write: \(String(cString: strerror(errno)))") }
    }

    /// Appends `buffer`.
    public func write(_ buffer: UnsafeRawBufferPointer) throws {
        guard fd >= 0 else { throw NNError("\(path): write after commit or discard") }
        var done = 0
        while let base = buffer.baseAddress, done < buffer.count {
            let n = Foundation.write(fd, base + done, buffer.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw fail() }
            done += n
        }
    }

    /// Closes the temporary file and renames it over `path`.
    public func commit() throws {
        guard fd >= 0 else { throw NNError("\(path): commit after commit or discard") }
        let rc = close(fd)
        fd = -1
        guard rc == 0 else { throw fail() }
        try AtomicFile.commit(tmp, to: path)
    }

    /// Closes and removes the temporary file (nothing happens to `path`).
    public func discard() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        unlink(tmp)
    }

    deinit { discard() }

    /// Discards the temporary file and returns an error naming `path` and `errno`.
    private func fail() -> NNError {
        let err = String(cString: strerror(errno))
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(tmp)
        return NNError("\(path): cannot write: \(err)")
    }
}
