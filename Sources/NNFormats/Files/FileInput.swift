import Foundation
import NNBase

/// Opening input files: only regular files are read as data. A FIFO, a device (such as
/// `/dev/zero`), a socket or a directory is refused with one line naming the file, before
/// any read (so nothing hangs on a pipe or reads forever from a device). FIFOs are opened
/// non-blocking, so even the `open` cannot hang.
package enum FileInput {
    /// An open descriptor (close-on-exec) for the regular file at `path`, and its size.
    static func openRegular(_ path: String) throws -> (fd: Int32, size: Int) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ENOENT { throw NNError("\(path): no such file") }
            throw NNError("\(path): cannot open: \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw NNError("\(path): cannot stat: \(reason)")
        }
        let kind = st.st_mode & S_IFMT
        guard kind == S_IFREG else {
            close(fd)
            throw NNError("\(path): is \(describe(kind)), expected a regular file")
        }
        // Back to blocking reads (regular files ignore the flag, but be explicit).
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return (fd, Int(st.st_size))
    }

    /// The bytes of the regular file at `path`, at most `maxBytes` of them: the file's
    /// first `maxBytes` when it is longer, or its last ones with `tail`. Plain read(2):
    /// Foundation's `String(contentsOfFile:)` leaks its buffer (LeakSanitizer reports it).
    package static func bytes(_ path: String, maxBytes: Int, tail: Bool = false) throws -> [UInt8] {
        let (fd, size) = try openRegular(path)
        defer { close(fd) }
        if tail && size > maxBytes { lseek(fd, off_t(size - maxBytes), SEEK_SET) }
        return try read(fd, upTo: max(0, min(size, maxBytes)), path: path)
    }

    /// Up to `count` bytes from `fd` (fewer at end of file), read into a fresh array with
    /// one `read` loop; an error names `path`.
    static func read(_ fd: Int32, upTo count: Int, path: String) throws -> [UInt8] {
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buf, done in
            done = 0
            while done < count, let base = buf.baseAddress {
                let n = Foundation.read(fd, base + done, count - done)
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = String(cString: strerror(errno)); break }
                if n == 0 { break }
                done += n
            }
        }
        if let failure { throw NNError("\(path): read error: \(failure)") }
        return bytes
    }

    /// A `FileHandle` for the regular file at `path` (see `openRegular`).
    package static func handle(_ path: String) throws -> FileHandle {
        FileHandle(fileDescriptor: try openRegular(path).fd, closeOnDealloc: true)
    }

    static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a regular file"
        }
    }
}

/// The whole of a regular file (see `FileInput`), read with one `read` loop into a fresh
/// array after checking its size against physical memory (`MemoryBudget`) and, when
/// given, against `maxBytes` (the most a file of its kind may hold).
package func readFileBytes(_ path: String, maxBytes: Int? = nil) throws -> [UInt8] {
    let (fd, size) = try FileInput.openRegular(path)
    defer { close(fd) }
    if let maxBytes, size > maxBytes {
        throw NNError("\(path): \(size) bytes, more than the \(maxBytes) such a file may hold")
    }
    try MemoryBudget.require(size, for: "reading \(path)")
    let bytes = try FileInput.read(fd, upTo: size, path: path)
    guard bytes.count == size else { throw NNError("\(path): file shrank while being read") }
    return bytes
}
