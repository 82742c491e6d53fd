import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// Shared by the harnesses: each input is written to a file in a per-process temporary
/// directory and handed to the real entry point the commands use. Errors (`NNError`) are
/// the expected outcome for bad input; a crash, trap, leak report or hang is a finding.
enum FuzzSupport {
    static let directory: String = {
        let dir = NSTemporaryDirectory() + "nn-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "nn-fuzz-\(getpid())") }
        return dir
    }()

    /// Writes the input to `directory/name` and returns the path.
    static func write(_ data: UnsafePointer<UInt8>, _ size: Int, name: String, in dir: String = directory) -> String {
        let path = dir + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(fd >= 0, "fuzz: cannot write \(path)")
        var offset = 0
        while offset < size {
            let n = Foundation.write(fd, data + offset, size - offset)
            precondition(n > 0, "fuzz: short write to \(path)")
            offset += n
        }
        close(fd)
        return path
    }
}
