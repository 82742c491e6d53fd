import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands
import Testing

/// `nn sweep`'s long-lived workers (`nn sweep-point --worker`, `SweepChildren`, `SweepWorker`)
/// through the built binary, on the small prepared data and tiny networks.
@Suite struct SweepWorkerTests {
    func scratch() -> String { SweepProcessTests().scratch() }

    static let tiny = SweepCommandTests.tiny

    /// Every file under `dir` but timings, provenance, checkpoints (they hold each epoch's
    /// seconds, to resume history.csv's timing) and logs (relative path -> bytes).
    static func results(_ dir: String) -> [String: Data] {
        var files: [String: Data] = [:]
        let skipped: Set<String> = ["timing.json", "provenance.json", "checkpoint.nnc"]
        guard let walk = FileManager.default.enumerator(atPath: dir) else { return files }
        for case let path as String in walk {
            let name = (path as NSString).lastPathComponent
            guard !skipped.contains(name), !path.hasPrefix("logs"),
                  let data = FileManager.default.contents(atPath: dir + "/" + path),
                  !((try? FileManager.default.attributesOfItem(atPath: dir + "/" + path)[.type] as? FileAttributeType) == .typeDirectory)
            else { continue }
            files[path] = data
        }
        return files
    }

    /// Points run one after another in one worker — a change of precision in between
    /// (the kept inputs replaced), a validation set (its inputs kept too) — give the same
    /// bytes in every results file as each point run as its own `nn sweep-point` command
    /// from a plan file (a process that loads and builds everything for that point alone).
    @Test func pointsOfOneWorkerMatchPointsRunAlone() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try sweepData.get()
        let grid = ["sweep", "--data", data] + Self.tiny
            + ["--lr", "0.1,0.3", "--precision", "f64,f32", "--val-size", "100", "--epochs", "3"]
        let worker = try runNN(grid + ["--jobs", "1", "--out", "w"], cwd: root)
        #expect(worker.status == 0, "\(worker.stderr)")

        let planned = try runNN(grid + ["--out", "p", "--plan", "plan.txt"], cwd: root)
        #expect(planned.status == 0, "\(planned.stderr)")
        let commands = try String(contentsOfFile: root + "/plan.txt", encoding: .utf8).split(separator: "\n")
        #expect(commands.count == 4)
        for line in commands {
            let r = try runNN(["-c", String(line)], cwd: root, executable: "/bin/sh")
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(try runNN(["sweep", "--collect", "p"], cwd: root).status == 0)

        let a = Self.results(root + "/w"), b = Self.results(root + "/p")
        #expect(a.keys.filter { $0.hasSuffix("metrics.json") }.count == 4)
        #expect(Set(a.keys) == Set(b.keys))
        // The sweep's own files name it (w or p); its points' files and summary.csv do not.
        for (path, bytes) in a where path.hasPrefix("runs/") {
            #expect(b[path] == bytes, "\(path) differs")
        }
        #expect(a["summary.csv"] != nil && a["summary.csv"] == b["summary.csv"])
        // A point's provenance names its own sweep-point command, not the worker's.
        for run in try FileManager.default.contentsOfDirectory(atPath: root + "/w/runs") {
            let line = try JSONValue.read(path: "\(root)/w/runs/\(run)/provenance.json")["command_line"]?.elements
            let dir = SweepSetup.absolutePath(root + "/w/runs/" + run)
            #expect(line?.dropFirst().map(\.text) == ["sweep-point", "--threads", "1", "--data", data, dir])
        }
    }

    /// A worker killed (`kill -9`) in the middle of a point fails that point only, as
    /// killed by signal 9; the next point runs in a new worker and the sweep goes on (exit
    /// 1: a point failed), with no worker left behind.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/stat"), "needs Linux /proc"))
    func aKilledWorkerFailsItsPointAndTheSweepGoesOn() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let p = Process()
        p.executableURL = nnExecutable()
        // Points in the order given: 100,000 epochs (killed), then 2 epochs.
        p.arguments = ["sweep", "--data", try sweepData.get()] + Self.tiny
            + ["--epochs", "100000,2", "--jobs", "1", "--out", "k"]
        p.currentDirectoryURL = URL(fileURLWithPath: root)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let pid = p.processIdentifier
        var workers: [Int32] = []
        let deadline = Date().addingTimeInterval(60)
        while workers.isEmpty && p.isRunning && Date() < deadline {
            usleep(20_000)
            // Only the worker: the sweep also starts short-lived children (git, for its provenance).
            workers = SweepProcessTests.processes().filter { $0.parent == pid && $0.state != "Z" }.map(\.pid)
                .filter { (FileManager.default.contents(atPath: "/proc/\($0)/cmdline").map { String(decoding: $0, as: UTF8.self) } ?? "").contains("sweep-point") }
        }
        try #require(workers.count == 1, "the sweep did not start its worker")
        usleep(500_000)                      // into the first point's training
        kill(workers[0], SIGKILL)
        // The sweep must end by itself (its other point is 2 epochs); a hang fails the test.
        let end = Date().addingTimeInterval(120)
        while p.isRunning && Date() < end { usleep(50_000) }
        if p.isRunning { kill(pid, SIGKILL) }
        p.waitUntilExit()
        #expect(p.terminationStatus == 1)
        let summary = try String(contentsOfFile: root + "/k/summary.csv", encoding: .utf8).split(separator: "\n")
        #expect(summary.count == 3)
        #expect(summary[1].contains(",failed,") && summary[1].contains(",100000,") && summary[1].hasSuffix("killed by signal 9"),
                "\(summary[1])")
        #expect(summary[2].contains(",ok,") && summary[2].contains(",2,"), "\(summary[2])")
        #expect(!workers.contains(where: SweepProcessTests.alive))
        let gone = Date().addingTimeInterval(10)
        while !Self.startedBy(pid).isEmpty && Date() < gone { usleep(20_000) }
        #expect(Self.startedBy(pid).isEmpty, "a worker outlived the sweep")
    }

    /// The live processes a sweep `pid` started (their environment names it).
    static func startedBy(_ pid: Int32) -> [Int32] {
        let mark = Data("\(SweepChild.parentVariable)=\(pid)\u{0}".utf8)
        return SweepProcessTests.processes().filter { p in
            p.state != "Z" && (FileManager.default.contents(atPath: "/proc/\(p.pid)/environ")?.range(of: mark) != nil)
        }.map(\.pid)
    }
}
