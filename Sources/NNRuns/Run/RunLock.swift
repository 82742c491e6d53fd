import Foundation
import NNBase
import NNKernel
import NNFormats

/// A `flock(2)` on a run directory (and, through `SweepLock`, on a sweep directory),
/// so that readers and writers of one run exclude each other: `nn eval`, `predict`,
/// `export`, `report` and an extension (`--resume DIR --epochs N`) hold it shared while
/// they read (and eval writes its metrics), `nn train --force` holds it exclusive while it
/// moves the old run aside (`RunInstall.install`), and resuming an interrupted build holds
/// that build exclusive. A reader never sees the new model beside the old metrics.
///
/// Once locked, the path is checked to still name the directory locked (a replacement may
/// have renamed another run there meanwhile) and the lock is taken on that one instead.
/// Released when dropped or when the process ends, however it ends.
package final class RunLock {
    package enum Mode: Sendable { case shared, exclusive }

    private let fd: Int32

    /// Locks `dir` in `mode`. When another command holds a conflicting lock: with a
    /// `waiting` message, prints it (one line on standard error) and waits; without one,
    /// throws "busy" naming `dir`.
    package init(_ dir: String, _ mode: Mode, waiting: String? = nil) throws {
        let operation = mode == .shared ? LOCK_SH : LOCK_EX
        var said = false
        var missing = 0
        while true {
            let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else {
                let code = errno
                // Between parking the old run and installing the new one the name is
                // missing for a moment: wait for it (a few seconds at most).
                if code == ENOENT, missing < 500, RunInstall.isReplacing(dir) {
                    missing += 1
                    usleep(10_000)
                    continue
                }
                throw NNError(code == ENOTDIR ? "\(dir): exists and is not a directory" : "\(dir): \(AtomicFile.describe(code))")
            }
            var rc = flock(fd, operation | LOCK_NB)
            if rc != 0 && errno == EWOULDBLOCK {
                guard let waiting else {
                    close(fd)
                    throw NNError("\(dir): busy (another nn command is \(mode == .shared ? "replacing" : "using") it); try again when it is done")
                }
                if !said { Console.err(waiting + "\n"); said = true }
                repeat { rc = flock(fd, operation) } while rc != 0 && errno == EINTR
            }
            guard rc == 0 else {
                let code = errno
                close(fd)
                throw NNError("\(dir): cannot lock: \(AtomicFile.describe(code))")
            }
            var locked = stat(), named = stat()
            if fstat(fd, &locked) == 0, stat(dir, &named) == 0, locked.st_dev == named.st_dev, locked.st_ino == named.st_ino {
                self.fd = fd
                return
            }
            close(fd)     // replaced while this command waited: lock the directory there now
        }
    }

    /// A shared lock on each of `dirs` that holds a run (others are left to the command's
    /// own error), waiting for a replacement in progress to end.
    package static func reading(_ dirs: [String]) throws -> [RunLock] {
        try dirs.filter { RunLayout.isRun($0) || RunInstall.isReplacing($0) }.map {
            try RunLock($0, .shared, waiting: "nn: \($0) is being written by another nn command; waiting for it to finish")
        }
    }

    deinit { close(fd) }
}
