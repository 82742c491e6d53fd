import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands
import Testing

/// `nn sweep`'s child processes and its directory lock, through the built binary.
@Suite struct SweepProcessTests {
    func scratch() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-sweep-proc-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// (pid, state, parent pid) of every process, from /proc/<pid>/stat.
    static func processes() -> [(pid: Int32, state: String, parent: Int32)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name in
            guard let pid = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, let parent = Int32(fields[1]) else { return nil }
            return (pid, String(fields[0]), parent)
        }
    }

    /// True while `pid` exists and is not a zombie.
    static func alive(_ pid: Int32) -> Bool {
        processes().contains { $0.pid == pid && $0.state != "Z" }
    }

    func startSweep(_ args: [String], cwd: String) throws -> Process {
        let p = Process()
        p.executableURL = nnExecutable()
        p.arguments = ["sweep", "--data", try sweepData.get()] + args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// `kill -9` of a sweep with two points in flight: both `nn sweep-point` children die
    /// with it (they would otherwise train for hours), and their logs are in the sweep
    /// directory, nothing in the temporary directory.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/stat"), "needs Linux /proc"))
    func killNineOfASweepKillsItsPoints() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let p = try startSweep(["--layers", "785,64,1", "--activations", "relu,sigmoid", "--lr", "0.1,0.2,0.3",
                                "--epochs", "100000", "--jobs", "2", "--out", "k"], cwd: root)
        let pid = p.processIdentifier
        var children: [Int32] = []
        let deadline = Date().addingTimeInterval(60)
        while children.count < 2 && p.isRunning && Date() < deadline {
            usleep(20_000)
            children = Self.processes().filter { $0.parent == pid && $0.state != "Z" }.map(\.pid)
        }
        try #require(children.count == 2, "the sweep did not start two points")
        usleep(200_000)                      // let them get going (past their start-up checks)
        kill(pid, SIGKILL)
        p.waitUntilExit()
        let gone = Date().addingTimeInterval(10)
        while children.contains(where: Self.alive) && Date() < gone { usleep(20_000) }
        #expect(!children.contains(where: Self.alive), "sweep-point children outlived the sweep")
        let tmp = (try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []
        #expect(!tmp.contains { $0.hasPrefix("nn-sweep-\(pid)-") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/k/logs").count == 2)
    }

    /// A sweep whose directory is locked by another (here the test, holding the same
    /// `flock` a sweep holds) says so and waits, writing nothing, until the lock is free.
    @Test func aSweepWaitsForTheLockOfItsDirectory() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = root + "/locked"
        try AtomicFile.createDirectory(dir)
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        try #require(fd >= 0 && flock(fd, LOCK_EX) == 0)
        var locked = true
        defer { if locked { close(fd) } }
        let p = Process()
        p.executableURL = nnExecutable()
        p.arguments = ["sweep", "--data", try sweepData.get(), "--layers", "785,16,1", "--activations", "relu,sigmoid",
                       "--lr", "0.1,0.3", "--epochs", "2", "--out", "locked"]
        p.currentDirectoryURL = URL(fileURLWithPath: root)
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        var first: [UInt8] = []                 // the first line of standard error (EOF: none)
        var byte: UInt8 = 0
        while read(err.fileHandleForReading.fileDescriptor, &byte, 1) == 1 && byte != UInt8(ascii: "\n") { first.append(byte) }
        #expect(String(decoding: first, as: UTF8.self).hasSuffix("/locked is in use by another nn sweep; waiting for it to finish"))
        usleep(300_000)
        #expect(p.isRunning)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        close(fd)
        locked = false
        let rest = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(rest)")
        #expect(FileManager.default.fileExists(atPath: dir + "/summary.csv"))
    }

    /// Two sweeps creating the same new directory at once: one waits for the other's
    /// lock, so both succeed and every point runs exactly once.
    @Test func twoSweepsOfOneNewDirectoryTakeTurns() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let args = ["sweep", "--data", try sweepData.get(), "--layers", "785,16,1", "--activations", "relu,sigmoid",
                    "--lr", "0.1,0.3", "--epochs", "2", "--out", "same"]
        let group = DispatchGroup()
        final class Box: @unchecked Sendable { var run: NNRun? }   // written by one thread, read after wait()
        let boxes = [Box(), Box()]
        for box in boxes {
            DispatchQueue.global().async(group: group) { box.run = try? runNN(args, cwd: root) }
        }
        group.wait()
        let runs = boxes.compactMap(\.run)
        try #require(runs.count == 2)
        for r in runs { #expect(r.status == 0, "\(r.stderr)") }
        let lines = runs.flatMap { $0.stdout.split(separator: "\n") }
        #expect(lines.filter { $0.contains("] ok ") }.count == 2)
        #expect(lines.filter { $0.contains("] skipped ") }.count == 2)
    }
}
