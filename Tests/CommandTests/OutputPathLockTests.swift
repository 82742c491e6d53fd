import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands
import Testing

/// Issue 17 parts 3 and 4: outputs never land on a file a run, sweep or prepared
/// directory owns, whatever path names it; readers and writers of one run exclude each
/// other (`RunLock`).
@Suite struct OutputPathLockTests {
    static let data = preparedMNIST(train: 200, test: 100, tag: "outputs")
    static let tiny = ["--layers", "785,8,1", "--activations", "relu,sigmoid", "--epochs", "2", "--threads", "1", "--quiet"]

    func ok(_ args: [String], cwd: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try runNN(args, cwd: cwd)
        #expect(r.status == 0, "nn \(args.joined(separator: " ")): \(r.stderr)", sourceLocation: sourceLocation)
    }

    /// The property: for every file each layout declares (`RunLayout.ownedFiles`,
    /// `SweepDirectory.ownedFiles`, `PreparedLayout.ownedFiles`, and a sweep point's files),
    /// every writing command pointed at it (`export --out`, `predict --out`, `report --out`,
    /// `train --out`, `sweep --out`, `sweep --plan`, `prepare --out`, `fetch --data-dir`), by a relative path, an
    /// absolute one, one through a symbolic link and one with `..`, exits 2 with one line
    /// naming the flag, before any work: the three directories stay byte-identical and
    /// nothing new appears.
    @Test func noWritingCommandWritesOntoAFileALayoutOwns() throws {
        let root = scratchDirectory("outputs")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.copyItem(atPath: try Self.data.get(), toPath: root + "/P")
        try ok(["train", "--data", "P", "--out", "R"] + Self.tiny, cwd: root)
        try ok(["eval", "--run", "R"], cwd: root)
        try ok(["report", "R"], cwd: root)
        try ok(["sweep", "--data", "P", "--lr", "0.1", "--out", "S"] + Self.tiny.dropLast(), cwd: root)
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: root)
        let point = "S/runs/" + (entries(root + "/S/runs").first ?? "missing")
        let owned = RunLayout.ownedFiles.map { ("R", $0) } + SweepDirectory.ownedFiles.map { ("S", $0) }
            + PreparedLayout.ownedFiles.map { ("P", $0) } + [RunLayout.metricsJSONFile, RunLayout.pointFile].map { (point, $0) }
            + [("R", "metrics-t0.2.json"), ("S", "f1-vs-lr.svg")]
        let mnist = packageRoot() + "/data/mnist"
        let commands: [(String) -> [String]] = [
            { ["export", "--run", "R", "--format", "npz", "--out", $0] },
            { ["predict", "--run", "R", "P/test-images.idx", "--out", $0] },
            { ["report", "R", "--out", $0] },
            { ["train", "--data", "P", "--out", $0] + Self.tiny },
            { ["sweep", "--data", "P", "--lr", "0.1", "--out", $0] + Self.tiny.dropLast() },
            { ["sweep", "--data", "P", "--lr", "0.1", "--out", "S2", "--plan", $0] + Self.tiny.dropLast() },
            { ["prepare", "--train-size", "200", "--test-size", "100", "--data-dir", mnist, "--out", $0] },
            { ["fetch", "--data-dir", $0] },
        ]
        let before = ["R", "S", "P"].map { snapshot(root + "/" + $0) }
        // Every owned file with every command, the four spellings taking turns; two at a time.
        let cases = owned.flatMap { dir, file in commands.map { (dir, file, $0) } }.enumerated().map { n, c in
            let variants = ["\(c.0)/\(c.1)", "\(root)/\(c.0)/\(c.1)", "link/\(c.0)/\(c.1)", "\(c.0)/missing/../\(c.1)"]
            return (path: variants[n % variants.count], args: c.2(variants[n % variants.count]))
        }
        #expect(cases.count > 250)
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for (path, args) in cases.enumerated().filter({ $0.offset % 2 == worker }).map(\.element) {
                let r = try? runNN(args, cwd: root)
                #expect(r?.status == 2 && r?.stderr.hasPrefix("Error: --") == true && r?.stderr.split(separator: "\n").count == 1
                        && r?.stderr.contains(path) == true, "nn \(args.joined(separator: " ")): \(r.map { "\($0.status) \($0.stderr)" } ?? "did not run")")
            }
        }
        #expect(["R", "S", "P"].map { snapshot(root + "/" + $0) } == before)
        #expect(entries(root) == ["P", "R", "S", "link"])
        // An output that is one of the inputs.
        let r = try runNN(["predict", "--run", "R", "P/../P/test-images.idx", "--out", "link/P/test-images.idx"], cwd: root)
        #expect(r.status == 2 && r.stderr.contains("--out: "), "\(r.stderr)")
        #expect(snapshot(root + "/P") == before[2])
        // The run's own report stays where it goes by default.
        try ok(["report", "R", "--out", "link/R"], cwd: root)
        try ok(["export", "--run", "R", "--format", "npz"], cwd: root)
    }

    // MARK: - Locks

    /// Starts `nn args` in `cwd` with standard error going to the file `err`.
    func start(_ args: [String], cwd: String, err: String) throws -> Process {
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        let p = Process()
        p.executableURL = nnExecutable()
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: cwd)
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Waits (up to 60 s) until the file `path` contains `text`.
    func waitFor(_ text: String, in path: String) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            // (POSIX reads: Foundation's reading of a file still empty leaks under LeakSanitizer.)
            if let d = try? readFileBytes(path), String(decoding: d, as: UTF8.self).contains(text) { return true }
            usleep(20_000)
        }
        return false
    }

    /// Trains and evaluates `root/run` (lr 0.1); returns the prepared data directory.
    func evaluatedRun(in root: String) throws -> String {
        let data = try Self.data.get()
        try ok(["train", "--data", data, "--out", "run", "--lr", "0.1"] + Self.tiny, cwd: root)
        try ok(["eval", "--run", "run"], cwd: root)
        return data
    }

    /// Waits for `p` to end; true when it exited 0.
    func succeeds(_ p: Process) -> Bool {
        p.waitUntilExit()
        return p.terminationReason == .exit && p.terminationStatus == 0
    }

    /// A `flock` held by this test process on `dir`, as another nn command would hold it.
    func lock(_ dir: String, _ operation: Int32) -> Int32 {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        #expect(fd >= 0 && flock(fd, operation) == 0)
        return fd
    }

    /// `nn train --force` waits while a reader holds the old run (it used to replace it
    /// under the reader); once the reader is done the new run is installed.
    @Test func forceWaitsForTheReadersOfTheOldRun() throws {
        let root = scratchDirectory("locks")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try evaluatedRun(in: root)
        let old = snapshot(root + "/run")
        let reader = lock(root + "/run", LOCK_SH)
        let p = try start(["train", "--data", data, "--out", "run", "--force", "--lr", "0.2"] + Self.tiny, cwd: root, err: root + "/err")
        #expect(waitFor("run is being read by another nn command; waiting", in: root + "/err"))
        usleep(300_000)
        #expect(p.isRunning)
        #expect(snapshot(root + "/run") == old)
        close(reader)
        #expect(succeeds(p))
        let new = snapshot(root + "/run")
        #expect(new["config.json"] != old["config.json"] && new["metrics.json"] == nil)
        #expect(entries(root).filter { !$0.hasPrefix("err") } == ["run"])
    }

    /// `nn eval` waits while a writer replaces the run (it used to evaluate the old model and
    /// write its metrics into whatever directory had the name by then), then evaluates the
    /// run that is there: the old run gets no metrics, the new one its own model's.
    @Test func evalWaitsForAReplacementAndReadsTheNewRun() throws {
        let root = scratchDirectory("locks")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try Self.data.get()
        try ok(["train", "--data", data, "--out", "run", "--lr", "0.1"] + Self.tiny, cwd: root)
        try ok(["train", "--data", data, "--out", "next", "--lr", "0.2"] + Self.tiny, cwd: root)
        let writer = lock(root + "/run", LOCK_EX)
        let p = try start(["eval", "--run", "run"], cwd: root, err: root + "/err")
        #expect(waitFor("run is being written by another nn command; waiting", in: root + "/err"))
        #expect(p.isRunning)
        try FileManager.default.moveItem(atPath: root + "/run", toPath: root + "/old")
        try FileManager.default.moveItem(atPath: root + "/next", toPath: root + "/run")
        close(writer)
        #expect(succeeds(p))
        #expect(!FileManager.default.fileExists(atPath: root + "/old/metrics.json"))
        let metrics = snapshot(root + "/run")
        try ok(["eval", "--run", "run"], cwd: root)
        #expect(snapshot(root + "/run") == metrics)
    }

    /// The race itself: evaluations in a loop while `nn train --force` replaces the run.
    /// Whatever the interleaving, the run ends with its own model's metrics or none (never
    /// the new model beside the old metrics), and the loop's evaluations all succeed.
    @Test func evalRacingForceNeverMixesTwoRuns() throws {
        let root = scratchDirectory("locks")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try evaluatedRun(in: root)
        let p = try start(["train", "--data", data, "--out", "run", "--force", "--lr", "0.2"] + Self.tiny.map { $0 == "2" ? "60" : $0 },
                          cwd: root, err: root + "/err")
        var evals = 0
        while p.isRunning && evals < 200 {
            let r = try runNN(["eval", "--run", "run"], cwd: root)
            #expect(r.status == 0, "\(r.stderr)")
            evals += 1
        }
        #expect(succeeds(p))
        let after = snapshot(root + "/run")
        #expect(String(decoding: after["config.json"] ?? Data(), as: UTF8.self).contains("\"lr\": 0.2"))
        if after["metrics.json"] != nil {
            try ok(["eval", "--run", "run"], cwd: root)
            #expect(snapshot(root + "/run") == after, "metrics of another model beside the model")
        }
    }
}
