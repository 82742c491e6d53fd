import Foundation
import Testing
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

@Suite struct AtomicFileTests {
    @Test func writesAndLeavesNoTemporaryFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-atomic-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/sub/out.txt"
        try AtomicFile.write("hello", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "hello")
        try AtomicFile.write("bye", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "bye")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir + "/sub")
        #expect(left == ["out.txt"])
    }

    /// Only regular files are replaced: a FIFO (or a device, as `nn sweep --plan /dev/full`
    /// once replaced as root) stays what it is, and no temporary file is left.
    @Test func aFIFOIsNeverReplaced() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-atomic-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fifo = dir + "/plan.txt"
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect {
            try AtomicFile.write("x", to: fifo)
        } throws: { ($0 as? NNError)?.message == "\(fifo): is a FIFO (named pipe), not a regular file; not replacing it" }
        var st = stat()
        #expect(lstat(fifo, &st) == 0 && st.st_mode & S_IFMT == S_IFIFO)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["plan.txt"])
    }

    @Test func unwritableDirectoryIsAClearError() throws {
        #expect(throws: NNError.self) { try AtomicFile.write("x", to: "/proc/nn-cannot/out.txt") }
    }
}

/// I/O errors are named from the failing call's errno.
@Suite struct AtomicFileErrorTests {
    @Test func errnoIsNamed() {
        #expect(AtomicFile.describe(ENOSPC) == "no space left on device")
        #expect(AtomicFile.describe(EACCES) == "permission denied")
        #expect(AtomicFile.describe(EROFS) == "read-only file system")
    }

    /// /dev/full fails every write with ENOSPC, as a full disk does.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func fullDiskIsENOSPC() throws {
        let fd = open("/dev/full", O_WRONLY | O_CLOEXEC)
        try #require(fd >= 0)
        defer { close(fd) }
        let code = [UInt8](repeating: 7, count: 100).withUnsafeBytes { AtomicFileWriter.writeAll(fd, $0) }
        #expect(code == ENOSPC)
    }

    /// As root permissions are not checked, but sysfs still refuses to create files.
    @Test func permissionDeniedIsNamed() throws {
        if getuid() == 0 {
            try #require(FileManager.default.fileExists(atPath: "/sys/kernel"), "needs Linux sysfs")
            #expect(throws: NNError("/sys/nn-atomic-test.txt: cannot write: permission denied")) {
                try AtomicFile.write("x", to: "/sys/nn-atomic-test.txt")
            }
        } else {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-atomic-\(UUID().uuidString)").path
            try AtomicFile.createDirectory(dir)
            defer { chmod(dir, 0o755); try? FileManager.default.removeItem(atPath: dir) }
            chmod(dir, 0o555)
            #expect(throws: NNError("\(dir): cannot write: permission denied")) { try AtomicFile.write("x", to: dir + "/out.txt") }
        }
    }
}
