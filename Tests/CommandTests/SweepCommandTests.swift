import Foundation
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands
import Testing

/// A small real-MNIST prepared dataset (1,000 train / 500 test images), prepared once per
/// test process (`nn prepare` is a no-op when it is up to date).
let sweepData = preparedMNIST(train: 1000, test: 500, tag: "sweep-tests")

@Suite struct SweepCommandTests {
    /// A fresh scratch directory (the tests run `nn` inside it).
    func scratch() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-sweep-cli-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static let tiny = ["--layers", "785,16,1", "--activations", "relu,sigmoid"]

    /// `nn sweep` over the small data with `network` (default a tiny 785-16-1), plus `args`.
    func sweep(_ args: [String], cwd: String, network: [String] = tiny) throws -> NNRun {
        let data = try sweepData.get()
        return try runNN(["sweep", "--data", data] + network + args, cwd: cwd)
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    /// The notebook's network for 4 epochs: enough for OpenBLAS's 1- and 2-thread
    /// results to differ in last_epoch_loss (measured), so dividing threads by --jobs would
    /// show here.
    @Test func rerunSkipsAndSummaryIsByteIdenticalAcrossRunsAndJobs() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let grid = ["--lr", "0.1,0.3", "--epochs", "4"], network = ["--layers", "785,395,200,100,20,1"]
        let first = try sweep(grid + ["--out", "a", "--jobs", "1"], cwd: root, network: network)
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try read(root + "/a/summary.csv")
        let rows = lines(summary)
        #expect(rows.count == 3)
        #expect(rows[0] == "run_id,status,epochs,layers,lr,last_epoch_loss,train_loss,accuracy,precision,recall,f1,roc_auc,average_precision,tp,fp,fn,tn,error")
        #expect(rows[1].contains(",ok,4,\"785,395,200,100,20,1\",0.1,") && rows[2].contains(",ok,4,\"785,395,200,100,20,1\",0.3,"))
        #expect(FileManager.default.fileExists(atPath: root + "/a/report.md"))
        #expect(FileManager.default.fileExists(atPath: root + "/a/timing.json"))

        let again = try sweep(grid + ["--out", "a"], cwd: root, network: network)   // default --jobs: the cores
        #expect(again.status == 0)
        #expect(lines(again.stdout).filter { $0.contains(" skipped ") }.count == 2)
        #expect(try read(root + "/a/summary.csv") == summary)

        let parallel = try sweep(grid + ["--out", "b", "--jobs", "2"], cwd: root, network: network)
        #expect(parallel.status == 0)
        #expect(try read(root + "/b/summary.csv") == summary)
    }

    /// lr 1000: epoch 2's loss is finite but its update leaves non-finite weights, so
    /// training stops as diverged there (before, epoch 3's loss was NaN).
    @Test func failingPointIsRecordedTheSweepGoesOnAndARerunRetriesIt() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try sweep(["--lr", "1000,0.3", "--epochs", "3", "--out", "s"], cwd: root)
        #expect(r.status == 1)
        #expect(r.stderr.contains("1 of 2 points is not ok: 1 failed"))
        // A divergence is deterministic: the sweep does not tell the user to re-run to retry.
        #expect(!r.stderr.contains("retry"), "\(r.stderr)")
        #expect(r.stderr.contains("training is deterministic, so a re-run fails them the same way"), "\(r.stderr)")
        let table = try CSVTable.read(path: root + "/s/summary.csv")
        let rows = table.rows
        let status = try #require(table.column("status")), lr = try #require(table.column("lr"))
        let loss = try #require(table.column("last_epoch_loss")), error = try #require(table.column("error"))
        #expect(rows.count == 2)
        #expect(rows[0][status] == "failed" && rows[0][lr] == "1000.0")
        #expect(rows[0][error].hasPrefix("training diverged at epoch 2: the weights are no longer usable"))
        #expect(rows[0][loss] == "")                              // no last_epoch_loss for a failed point
        #expect(rows[1][status] == "ok" && rows[1][lr] == "0.3" && rows[1][error] == "")
        let failedRun = root + "/s/runs/" + rows[0][0]
        #expect(FileManager.default.fileExists(atPath: failedRun + "/status.json"))
        #expect(FileManager.default.fileExists(atPath: root + "/s/report.md"))

        let again = try sweep(["--lr", "1000,0.3", "--epochs", "3", "--out", "s"], cwd: root)
        #expect(again.status == 1)
        let out = lines(again.stdout)
        #expect(out.contains { $0.contains(" failed ") && $0.contains(rows[0][0]) })     // retried
        #expect(out.contains { $0.contains(" skipped ") && $0.contains(rows[1][0]) })    // kept
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/parallel"),
                   "GNU parallel is not installed (/usr/bin/parallel); scripts/install-deps.sh installs it"))
    func planRunByGNUParallelCollectsTheSameSummary() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let grid = ["--lr", "0.1,1000", "--epochs", "2,3"]
        #expect(try sweep(grid + ["--out", "inproc"], cwd: root).status == 1)

        let plan = try sweep(grid + ["--out", "planned", "--plan", "plan.txt"], cwd: root)
        #expect(plan.status == 0, "\(plan.stderr)")
        let commands = lines(try read(root + "/plan.txt"))
        #expect(commands.count == 4 && commands.allSatisfy { $0.contains(" sweep-point --threads 1 --data /") })
        #expect(!FileManager.default.fileExists(atPath: root + "/planned/summary.csv"))     // nothing ran

        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/parallel")
        p.arguments = ["-j", "2"]
        p.currentDirectoryURL = URL(fileURLWithPath: "/")                  // the commands need no cwd
        p.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: root + "/plan.txt"))
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 2)              // both lr 1000 jobs failed (non-finite weights after epoch 2)

        let collected = try runNN(["sweep", "--collect", "planned"], cwd: root)
        #expect(collected.status == 1)
        #expect(try read(root + "/planned/summary.csv") == read(root + "/inproc/summary.csv"))
    }

    @Test func sweepPointRefusesDirectoriesThatDoNotMatchTheirPoint() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try sweepData.get()
        let notPoint = try runNN(["sweep-point", "--data", data, root], cwd: root)
        #expect(notPoint.status == 2)
        #expect(notPoint.stderr == "Error: \(root): not a sweep point directory (no point.json; made by `nn sweep`)\n")

        #expect(try sweep(["--lr", "0.1", "--out", "s", "--plan", "plan.txt"], cwd: root).status == 0)
        let words = try read(root + "/plan.txt").split(separator: "\n")[0].split(separator: " ").map(String.init)
        let runDir = try #require(words.last)
        let point = runDir + "/point.json"
        try AtomicFile.write(try read(point).replacingOccurrences(of: "\"lr\": 0.1", with: "\"lr\": 0.2"), to: point)
        let edited = try runNN(Array(words.dropFirst()), cwd: root)
        #expect(edited.status == 2)
        #expect(edited.stderr.hasPrefix("Error: \(runDir): point.json on the data in \(data) has run id "))
        #expect(try FileManager.default.contentsOfDirectory(atPath: runDir) == ["point.json"])
    }

    @Test func collectRefusesADirectoryThatIsNotOurs() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try AtomicFile.write("keep me\n", to: root + "/other/notes.txt")
        let r = try runNN(["sweep", "--collect", "other"], cwd: root)
        #expect(r.status == 2)
        #expect(r.stderr == "Error: other: not a sweep directory (no sweep.json written by nn sweep)\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/other") == ["notes.txt"])
        try AtomicFile.write("{\"format\": \"something else\"}\n", to: root + "/other/sweep.json")
        let foreign = try runNN(["sweep", "--collect", "other"], cwd: root)
        #expect(foreign.status == 2)
        #expect(foreign.stderr == "Error: other/sweep.json: not a sweep file written by nn sweep (no \"format\": \"nn-sweep\")\n")
    }

    @Test func dryRunPrintsThePlanAndRunsNothing() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try sweep(["--lr", "0.1,0.3", "--seed", "0,1", "--out", "d", "--dry-run"], cwd: root)
        #expect(r.status == 0)
        let out = lines(r.stdout)
        // --jobs defaults to the cores at --threads 1 each.
        let cores = ProcessInfo.processInfo.activeProcessorCount
        #expect(out.first?.hasPrefix("sweep notebook: 4 points in \(root)/d, \(NumberText.count(cores, "job")) x 1 thread") == true)
        #expect(out.filter { $0.contains("  to run  ") }.count == 4)
        #expect(out.filter { $0.contains(" sweep-point --threads 1 --data ") }.count == 4)
        #expect(!FileManager.default.fileExists(atPath: root + "/d"))
    }

    @Test func experimentFileGridWithFlagsOverridingIt() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try AtomicFile.write("""
            {"name": "filegrid", "layers": [785, 16, 1], "activations": ["relu", "sigmoid"],
             "grid": {"lr": [0.1, 0.3], "layers": [[785, 16, 1], [785, 8, 1]]}}
            """, to: root + "/exp.json")
        let r = try runNN(["sweep", "--config", "exp.json", "--data", try sweepData.get(), "--lr", "0.5", "--dry-run"], cwd: root)
        #expect(r.status == 0, "\(r.stderr)")
        let out = lines(r.stdout)
        #expect(out.first == "sweep filegrid: 2 points in \(root)/results/sweeps/filegrid, \(NumberText.count(ProcessInfo.processInfo.activeProcessorCount, "job")) x 1 thread")
        #expect(out.filter { $0.hasPrefix("1/2 ") || $0.hasPrefix("2/2 ") }.map { $0.components(separatedBy: "  ").last ?? "" }
                == ["layers=785,16,1 lr=0.5", "layers=785,8,1 lr=0.5"])
    }

    @Test func badInputIsAOneLineErrorAndLosesNothing() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try sweep(["--lr", "0.1", "--epochs", "1", "--out", "s"], cwd: root).status == 0)
        let summary = try read(root + "/s/summary.csv")
        let cases: [([String], String)] = [
            (["--lr", "0.1,,x"], "Error: --lr: '0.1,,x' has an empty item"),
            (["--lr", ""], "Error: --lr: empty list (give at least one value)"),
            (["--grid", "bogus=1,2"], "Error: --grid bogus: unknown grid key 'bogus'"),
            (["--epochs", "1,0"], "Error: point 2 of 2 (activations=relu,sigmoid epochs=0 layers=785,16,1): --epochs: must be a positive integer, got 0"),
            (["--jobs", "0"], "Error: --jobs: must be >= 1, got 0"),
        ]
        for (args, expected) in cases {
            let r = try sweep(args + ["--out", "s"], cwd: root)
            #expect(r.status == 2, "\(args)")
            #expect(lines(r.stderr).count == 1 && r.stderr.hasPrefix(expected), "\(args): \(r.stderr)")
        }
        #expect(try read(root + "/s/summary.csv") == summary)

        try AtomicFile.write("echo not a plan\n", to: root + "/plan.txt")
        let plan = try sweep(["--lr", "0.1", "--out", "p", "--plan", "plan.txt"], cwd: root)
        #expect(plan.status == 2)
        #expect(plan.stderr == "Error: plan.txt: exists and is not an nn sweep plan; not overwriting it\n")
        #expect(try read(root + "/plan.txt") == "echo not a plan\n")
        #expect(!FileManager.default.fileExists(atPath: root + "/p"))
    }

    /// SIGINT while a point runs: the sweep stops its child and exits 130; finished
    /// points stay in summary.csv and are skipped by the next run.
    @Test func interruptKeepsFinishedPoints() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try sweepData.get()
        let args = ["sweep", "--data", data, "--layers", "785,64,1", "--activations", "relu,sigmoid",
                    "--lr", "0.1,0.2,0.3", "--epochs", "400", "--out", "k"]
        let p = Process()
        p.executableURL = nnExecutable()
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: root)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        // Generous: the first point takes ~15 s in a debug build, several times that under
        // AddressSanitizer; the deadline only guards against a sweep that never finishes one.
        let deadline = Date().addingTimeInterval(300)
        func okRows() -> Int {
            ((try? read(root + "/k/summary.csv")) ?? "").split(separator: "\n").filter { $0.contains(",ok,") }.count
        }
        while okRows() == 0 && p.isRunning && Date() < deadline { usleep(20_000) }
        p.interrupt()
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 130)
        let kept = okRows()
        #expect(kept >= 1 && kept < 3)
        let again = try runNN(args, cwd: root)
        #expect(again.status == 0, "\(again.stderr)")
        // A point may finish between the last summary write and the signal, so the re-run
        // skips at least the points the summary kept (never redoes them).
        #expect(lines(again.stdout).filter { $0.contains(" skipped ") }.count >= kept)
        #expect(okRows() == 3)
    }
}
