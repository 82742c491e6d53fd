import Foundation
import NNBase

/// Writes files so that the final name never holds partial content: the bytes go to a
/// temporary sibling (`.name.tmp-<pid>-<n>@<host>`) which is renamed over the target only once
/// complete. A failure removes the temporary file and throws an `NNError` naming `path`
/// and what went wrong, from the failing call's `errno` (`AtomicFile.describe`): "no space
/// left on device", "permission denied", "read-only file system", ...
package enum AtomicFile {
    private static let counter = Counter()

    /// A temporary path in the same directory as `path` (so `rename(2)` is atomic):
    /// `.NAME.tmp-PID-N@HOST`, which says whose it is (see `hostTag`).
    package static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        return FilePath.join(dir, ".\(name).tmp-\(getpid())-\(counter.next())@\(hostTag)")
    }

    /// Atomically replaces `path` with `data`. Creates parent directories as needed.
    package static func write(_ data: Data, to path: String) throws {
        try data.withUnsafeBytes { try write($0, to: path) }
    }

    package static func write(_ bytes: [UInt8], to path: String) throws {
        try write(Data(bytes), to: path)
    }

    package static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Atomically replaces `path` with the bytes in `buffer`, written straight from memory
    /// (no intermediate copy; for large outputs). Creates parent directories as needed.
    static func write(_ buffer: UnsafeRawBufferPointer, to path: String) throws {
        let writer = try AtomicFileWriter(path: path)
        try writer.write(buffer)
        try writer.commit()
    }

    /// Writes several files as one: every file goes to its temporary name first, and only
    /// when all are complete are they renamed into place, so a failure (a full disk) leaves
    /// every old file as it was rather than some new beside some old.
    package static func write(files: [(path: String, text: String)]) throws {
        let writers = try files.map { file in
            let writer = try AtomicFileWriter(path: file.path)
            try Data(file.text.utf8).withUnsafeBytes { try writer.write($0) }
            return writer
        }
        for w in writers { try w.commit() }
    }

    /// Renames a finished temporary file over `path`; removes `tmp` if that fails.
    package static func commit(_ tmp: String, to path: String) throws {
        if rename(tmp, path) != 0 {
            let err = describe(errno)
            unlink(tmp)
            throw NNError("\(path): cannot write: \(err)")
        }
    }

    /// Creates `path`'s parent directory (and its parents); a clear error if impossible.
    package static func createParentDirectory(of path: String) throws {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try createDirectory(dir)
    }

    /// Creates `dir` and its missing parents (`mkdir -p`); an error names the directory
    /// that could not be made and why.
    package static func createDirectory(_ dir: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) {
            if !isDir.boolValue { throw NNError("\(dir): exists and is not a directory") }
            if access(dir, W_OK) != 0 { throw NNError("\(dir): cannot write: \(describe(errno))") }
            return
        }
        if let code = makeDirectories(dir) { throw NNError("\(dir): cannot create directory: \(describe(code))") }
    }

    /// The directories `createDirectory(dir)` would create: `dir` and its missing parents,
    /// deepest first (empty when `dir` exists). A command that fails removes them again
    /// (`rmdir`, which leaves a directory that is not empty), leaving the state it found.
    package static func missingDirectories(_ dir: String) -> [String] {
        var missing: [String] = [], current = dir
        while !current.isEmpty, !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            let parent = (current as NSString).deletingLastPathComponent
            if parent == current { break }
            current = parent
        }
        return missing
    }

    /// `mkdir -p dir`: nil, or the `errno` of the `mkdir(2)` that failed.
    private static func makeDirectories(_ dir: String) -> Int32? {
        if mkdir(dir, 0o777) == 0 { return nil }
        let code = errno
        var isDir: ObjCBool = false
        if code == EEXIST { return FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) && isDir.boolValue ? nil : ENOTDIR }
        let parent = (dir as NSString).deletingLastPathComponent
        guard code == ENOENT, !parent.isEmpty, parent != dir else { return code }
        if let failed = makeDirectories(parent) { return failed }
        return mkdir(dir, 0o777) == 0 || errno == EEXIST ? nil : errno
    }

    /// `strerror(code)` starting in lower case, as the rest of a one-line error:
    /// "no space left on device" (ENOSPC), "permission denied" (EACCES), "read-only file
    /// system" (EROFS), "disk quota exceeded" (EDQUOT).
    package static func describe(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
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
package final class AtomicFileWriter {
    let path: String
    private let tmp: String
    private var fd: Int32

    /// Creates `path`'s parent directories as needed and opens the temporary file. Only a
    /// regular file (or a symbolic link, which the rename replaces, not its target) is ever
    /// replaced: a device, a FIFO, a socket or a directory at `path` is refused by name
    /// (renaming over `/dev/null` as root would destroy the device node).
    package init(path: String) throws {
        var st = stat()
        if lstat(path, &st) == 0 {
            let kind = st.st_mode & S_IFMT
            if kind != S_IFREG && kind != S_IFLNK {
                throw NNError("\(path): is \(FileInput.describe(kind)), not a regular file; not replacing it")
            }
        }
        try AtomicFile.createParentDirectory(of: path)
        self.path = path
        self.tmp = AtomicFile.temporaryPath(for: path)
        self.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard fd >= 0 else { throw NNError("\(path): cannot write: \(AtomicFile.describe(errno))") }
    }

    /// Appends `buffer`.
    package func write(_ buffer: UnsafeRawBufferPointer) throws {
        guard fd >= 0 else { throw NNError("\(path): write after commit or discard") }
        if let code = AtomicFileWriter.writeAll(fd, buffer) { throw fail(code) }
    }

    /// Writes all of `buffer` to `fd`, retrying short writes and EINTR; nil, or the
    /// `errno` of the failing `write(2)` (ENOSPC on a full disk; 0 if it wrote nothing).
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32? {
        var done = 0
        while let base = buffer.baseAddress, done < buffer.count {
            let n = Foundation.write(fd, base + done, buffer.count - done)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? 0 : errno }
            done += n
        }
        return nil
    }

    /// Closes the temporary file and renames it over `path`.
    package func commit() throws {
        guard fd >= 0 else { throw NNError("\(path): commit after commit or discard") }
        let rc = close(fd)
        let code = errno
        fd = -1
        guard rc == 0 else { throw fail(code) }
        try AtomicFile.commit(tmp, to: path)
    }

    /// Closes and removes the temporary file (nothing happens to `path`).
    func discard() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        unlink(tmp)
    }

    deinit { discard() }

    /// Discards the temporary file and returns an error naming `path` and `code`.
    private func fail(_ code: Int32) -> NNError {
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(tmp)
        return NNError("\(path): cannot write: \(code == 0 ? "nothing written" : AtomicFile.describe(code))")
    }
}
