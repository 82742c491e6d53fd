import Foundation
import Testing
import NNCore

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

    @Test func unwritableDirectoryIsAClearError() throws {
        #expect(throws: NNError.self) { try AtomicFile.write("x", to: "/proc/nn-cannot/out.txt") }
    }
}
