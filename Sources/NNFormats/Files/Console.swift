import Foundation

/// Standard output and error for messages, through C stdio like `print`. Unlike
/// `FileHandle.write`, which traps (a crash, status 132) when the write fails, a failed
/// write here — standard output on a full disk or `/dev/full` — only sets the stream's
/// error flag, which `nn` checks before it exits (`failedOutput`). Each call is flushed,
/// so a partial line (a terminal's `\r` progress line) shows at once.
package enum Console {
    package static func out(_ text: String) {
        CStreams.write(text, to: CStreams.output)
    }

    package static func err(_ text: String) {
        CStreams.write(text, to: CStreams.error)
    }

    /// Makes standard output and error line-buffered whether or not they are a terminal
    /// (C's default for a pipe or file is 4 KB blocks, so `| tee`, nohup and CI logs
    /// would show nothing until exit), and makes a write to a pipe nobody reads any more
    /// (`nn ... | head -1`) end the process quietly with status 2, an I/O error, instead
    /// of death by SIGPIPE. Call first thing in `main`.
    package static func setUp() {
        setvbuf(CStreams.output, nil, _IOLBF, 0)
        setvbuf(CStreams.error, nil, _IOLBF, 0)
        // Only a closed standard output or error ends nn: a SIGPIPE from a network socket
        // (a mirror resetting a TLS connection) is ignored, so its write fails with EPIPE
        // and is handled as that mirror's error. poll(2) is async-signal-safe; a pipe
        // whose reader has gone reports POLLERR on its write end.
        // (No arrays in the handler: they may allocate.)
        signal(SIGPIPE) { _ in
            var out = pollfd(fd: STDOUT_FILENO, events: 0, revents: 0)
            var err = pollfd(fd: STDERR_FILENO, events: 0, revents: 0)
            if poll(&out, 1, 0) > 0 && out.revents & Int16(POLLERR) != 0 { _exit(2) }
            if poll(&err, 1, 0) > 0 && err.revents & Int16(POLLERR) != 0 { _exit(2) }
        }
    }

    /// Why standard output could not be written, or nil when everything printed so far
    /// reached it: flushes it and reads its error flag. stdio keeps no errno with the
    /// flag, so the reason is the current `errno` when it is one a write fails with
    /// (left by the failed write: "no space left on device"), else just "write error".
    package static func failedOutput() -> String? {
        let code = errno
        if fflush(CStreams.output) == 0 && ferror(CStreams.output) == 0 { return nil }
        let writeErrors = [ENOSPC, EDQUOT, EIO, EFBIG, EPIPE, EROFS, EBADF]
        return writeErrors.contains(code) ? AtomicFile.describe(code) : "write error"
    }
}
