import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands
import Testing

/// Issue 7: no command destroys a result, and names are names. `nn train` into foreign,
/// complete, killed and diverged run directories; the default directory per
/// configuration; names that try to be paths. A 200/100 split and a 785-8-1 network keep
/// every run well under a second.
@Suite struct RunSafetyTests {
    static let data = preparedMNIST(train: 200, test: 100, tag: "run-safety")

    static let tiny = ["--layers", "785,8,1", "--activations", "relu,sigmoid", "--epochs", "3", "--quiet"]

    func scratch() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-run-safety-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func train(_ args: [String], cwd: String) throws -> NNRun {
        try runNN(["train", "--data", try Self.data.get()] + Self.tiny + args, cwd: cwd)
    }

    func oneLine(_ r: NNRun, _ mention: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status != 0, sourceLocation: sourceLocation)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(mention), "\(r.stderr)", sourceLocation: sourceLocation)
    }

    @Test func foreignDirectoryIsRefusedAndUntouched() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try AtomicFile.write("mine\n", to: root + "/foreign/notes.txt")
        try AtomicFile.write("{}\n", to: root + "/foreign/metrics.json")
        try AtomicFile.write("epoch,loss\n", to: root + "/foreign/history.csv")
        let before = snapshot(root + "/foreign")
        oneLine(try train(["--out", "foreign"], cwd: root), "foreign: not empty and not a run directory written by nn")
        oneLine(try train(["--out", "foreign", "--force"], cwd: root), "not a run directory written by nn")
        #expect(snapshot(root + "/foreign") == before)
        #expect(entries(root) == ["foreign"])
    }

    @Test func completeRunIsReplacedOnlyWithForceAndADivergenceKeepsIt() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try train(["--out", "run"], cwd: root).status == 0)
        #expect(try runNN(["eval", "--run", "run"], cwd: root).status == 0)
        let old = snapshot(root + "/run")
        #expect(old[".nn-run"].map { String(decoding: $0, as: UTF8.self).contains("\"complete\"") } == true)

        oneLine(try train(["--out", "run", "--lr", "0.1"], cwd: root), "run: already holds a complete run; pass --force")
        let diverged = try train(["--out", "run", "--lr", "1e6", "--force"], cwd: root)
        oneLine(diverged, "the previous run in run is kept unchanged")
        #expect(snapshot(root + "/run") == old)

        let forced = try train(["--out", "run", "--lr", "0.1", "--force"], cwd: root)
        #expect(forced.status == 0, "\(forced.stderr)")
        let new = snapshot(root + "/run")
        #expect(new["config.json"] != old["config.json"])
        #expect(new["metrics.json"] == nil)  // the old run's metrics went with it
        #expect(entries(root) == ["run"])   // no temporary or parked directory left
    }

    @Test func divergedRunIsMarkedAndReadersRefuseIt() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        oneLine(try train(["--out", "div", "--lr", "1e6"], cwd: root), "history so far in div/history.csv")
        #expect(entries(root + "/div") == [".nn-run", "config.json", "history.csv", "provenance.json", "timing.json"])
        #expect(try train(["--out", "ok"], cwd: root).status == 0)
        oneLine(try runNN(["eval", "--run", "div"], cwd: root), "div: not a complete run: training diverged")
        oneLine(try runNN(["report", "div"], cwd: root), "div: not a complete run: training diverged")
        let diff = try runNN(["diff", "ok", "div"], cwd: root)
        oneLine(diff, "div: not a complete run")
        #expect(diff.status == 2)
        oneLine(try train(["--out", "div"], cwd: root), "div: already holds a diverged run; pass --force")
        #expect(try train(["--out", "div", "--force"], cwd: root).status == 0)
        #expect(try runNN(["eval", "--run", "div"], cwd: root).status == 0)
    }

    @Test func interruptedRunIsRefusedByReaders() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try train(["--out", "run"], cwd: root).status == 0)
        try RunMarker.write(.training, dir: root + "/run")   // as a sweep point killed mid-training
        for r in [try runNN(["eval", "--run", "run"], cwd: root), try runNN(["report", "run"], cwd: root),
                  try runNN(["diff", "run", "run"], cwd: root)] {
            oneLine(r, "run: incomplete run (training was interrupted")
        }
    }

    @Test func defaultDirectoryIsUniquePerConfiguration() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var dirs: [String] = []
        for lr in ["0.1", "0.3"] {
            let r = try runNN(["train", "--data", try Self.data.get(), "--lr", lr] + Self.tiny.dropLast(), cwd: root)
            #expect(r.status == 0, "\(r.stderr)")
            let line = try #require(r.stdout.split(separator: "\n").last { $0.hasPrefix("wrote ") })
            dirs.append(String(line.dropFirst(6).prefix { $0 != ":" }))
        }
        #expect(dirs[0] != dirs[1])
        for d in dirs {
            #expect(d.hasPrefix("results/runs/notebook/"))
            #expect(RunID.isValid(String(d.dropFirst("results/runs/notebook/".count))), "\(d)")
            #expect(FileManager.default.fileExists(atPath: root + "/" + d + "/model.nnm"))
        }
        // The same configuration again: up to date, nothing trained, exit 0 (as a sweep
        // skips a complete point); --force retrains it.
        let before = snapshot(root + "/" + dirs[0])
        let again = try runNN(["train", "--data", try Self.data.get(), "--lr", "0.1"] + Self.tiny.dropLast(), cwd: root)
        #expect(again.status == 0 && again.stdout == "\(dirs[0]): up to date (the same configuration on the same data is complete there; --force retrains)\n",
                "\(again.stdout)\(again.stderr)")
        #expect(snapshot(root + "/" + dirs[0]) == before)
        let forced = try runNN(["train", "--data", try Self.data.get(), "--lr", "0.1", "--force"] + Self.tiny.dropLast(), cwd: root)
        #expect(forced.status == 0 && forced.stdout.contains("epoch 3/3") && forced.stdout.contains("wrote \(dirs[0]): 3 epochs"), "\(forced.stdout)")
    }

    @Test(arguments: ["../../../escaped-run", "a/b", "..", ".hidden", String(repeating: "n", count: 101), "tab\there"])
    func namesThatArePathsAreRefused(name: String) throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: ["name": name]), as: UTF8.self)
        try AtomicFile.write(json, to: root + "/work/evil.json")
        oneLine(try train(["--config", "evil.json"], cwd: root + "/work"), "evil.json: name: '")
        let sweep = try runNN(["sweep", "--config", "evil.json", "--data", try Self.data.get(), "--lr", "0.1,0.2"], cwd: root + "/work")
        oneLine(sweep, "evil.json: name: '")
        oneLine(try runNN(["sweep", "--name", name, "--lr", "0.1,0.2"], cwd: root + "/work"), "--name: '")
        #expect(entries(root) == ["work"])
        #expect(entries(root + "/work") == ["evil.json"])
    }

    /// A complete run, then `nn train --force` killed with SIGKILL mid-training: the old
    /// run is byte-identical, and the next command cleans up what the kill left.
    @Test func killedForceRetrainingLeavesTheOldRunAndIsCleanedUp() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try train(["--out", "run"], cwd: root).status == 0)
        #expect(try runNN(["eval", "--run", "run"], cwd: root).status == 0)
        let old = snapshot(root + "/run")

        let p = Process()
        p.executableURL = nnExecutable()
        p.arguments = ["train", "--data", try Self.data.get(), "--out", "run", "--force", "--quiet",
                       "--layers", "785,8,1", "--activations", "relu,sigmoid", "--epochs", "1000000"]
        p.currentDirectoryURL = URL(fileURLWithPath: root)
        try p.run()
        let building = root + "/.run.nn-new-\(p.processIdentifier)@\(AtomicFile.hostTag)"
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: building + "/config.json") && Date() < deadline { usleep(20_000) }
        usleep(200_000)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal)
        #expect(FileManager.default.fileExists(atPath: building + "/.nn-run"))
        #expect(snapshot(root + "/run") == old)

        // Leftovers of the dead process: the run being built, a parked old run whose final
        // name exists, and a temporary file inside the run.
        let dead = p.processIdentifier
        try AtomicFile.write("x", to: root + "/run/.metrics.json.tmp-\(dead)-1")
        try FileManager.default.createDirectory(atPath: root + "/.other.nn-old-\(dead)@\(AtomicFile.hostTag)", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/other", withIntermediateDirectories: true)
        #expect(try runNN(["eval", "--run", "run"], cwd: root).status == 0)
        #expect(!entries(root + "/run").contains { $0.contains(".tmp-") })
        #expect(snapshot(root + "/run") == old)   // eval rewrote the same metrics
        #expect(try train(["--out", "second"], cwd: root).status == 0)
        // The killed build holds a checkpoint, so it stays for `nn train --resume run` until
        // a fresh training of `run` starts over.
        let resumable = ".run.nn-new-\(dead)@\(AtomicFile.hostTag)"
        #expect(entries(root).filter { $0 != resumable } == ["other", "run", "second"])
        #expect(try train(["--out", "run", "--force"], cwd: root).status == 0)
        #expect(entries(root) == ["other", "run", "second"])
    }

    /// Killed between parking the old run and installing the new one: the next command
    /// puts the old run back (and leaves another host's leftovers alone).
    @Test func parkedOldRunIsRestoredWhenItsNameIsMissing() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try train(["--out", "run"], cwd: root).status == 0)
        let old = snapshot(root + "/run")
        let dead = Int32.max - 1   // above any pid_max: no such process
        try FileManager.default.moveItem(atPath: root + "/run", toPath: root + "/.run.nn-old-\(dead)@\(AtomicFile.hostTag)")
        try FileManager.default.createDirectory(atPath: root + "/.run.nn-new-\(dead)@\(AtomicFile.hostTag)", withIntermediateDirectories: true)
        // Another machine's run under construction (shared file system): not ours to judge.
        let elsewhere = ".third.nn-new-\(dead)@\(AtomicFile.hostTag)-elsewhere"
        try FileManager.default.createDirectory(atPath: root + "/" + elsewhere, withIntermediateDirectories: true)
        #expect(try train(["--out", "second"], cwd: root).status == 0)
        #expect(entries(root) == [elsewhere, "run", "second"])
        #expect(snapshot(root + "/run") == old)
    }
}

extension RunSafetyTests {
    /// Sweep points carry the marker too: a point whose training was interrupted (marker
    /// `training`) is not complete, so the next sweep trains it again; the summary is
    /// byte-identical.
    @Test func sweepPointsAreMarkedAndAnInterruptedPointIsRerun() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let args = ["sweep", "--data", try Self.data.get(), "--lr", "0.1,0.3", "--out", "s"] + Self.tiny.dropLast()
        let first = try runNN(args, cwd: root)
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try Data(contentsOf: URL(fileURLWithPath: root + "/s/summary.csv"))
        let ids = entries(root + "/s/runs")
        #expect(ids.count == 2)
        for id in ids { #expect(try RunMarker.read(dir: root + "/s/runs/" + id)?.state == .complete) }
        try RunMarker.write(.training, dir: root + "/s/runs/" + ids[0])
        oneLine(try runNN(["report", "s"], cwd: root), "s/runs/\(ids[0]): incomplete run")
        let again = try runNN(args, cwd: root)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.split(separator: "\n").filter { $0.contains(" skipped ") }.count == 1, "\(again.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/s/summary.csv")) == summary)
        for id in ids { #expect(try RunMarker.read(dir: root + "/s/runs/" + id)?.state == .complete) }
    }
}

extension RunSafetyTests {
    /// Starts a 1000-epoch training into `root/run` and returns once it is building its
    /// run (its `nn-new` directory holds config.json), with its standard error.
    func startSlowTraining(in root: String, extra: [String] = []) throws -> (Process, Pipe) {
        let slow = Process()
        slow.executableURL = nnExecutable()
        slow.arguments = ["train", "--data", try Self.data.get(), "--out", "run", "--quiet", "--lr", "0.1",
                          "--layers", "785,8,1", "--activations", "relu,sigmoid", "--epochs", "1000"] + extra
        slow.currentDirectoryURL = URL(fileURLWithPath: root)
        let err = Pipe()
        slow.standardError = err
        try slow.run()
        let building = root + "/.run.nn-new-\(slow.processIdentifier)@\(AtomicFile.hostTag)/config.json"
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: building) && Date() < deadline { usleep(20_000) }
        return (slow, err)
    }

    /// Two trainings into one new directory: the one that finishes second has no --force,
    /// so it fails and keeps the first one's run.
    @Test func aRunWrittenMeanwhileIsNotReplacedWithoutForce() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (slow, err) = try startSlowTraining(in: root)
        #expect(try train(["--out", "run"], cwd: root).status == 0)
        let fast = snapshot(root + "/run")
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        slow.waitUntilExit()
        #expect(slow.terminationStatus == 2)
        #expect(message.contains("run: another command wrote a run there while this one trained; kept it"), "\(message)")
        #expect(snapshot(root + "/run") == fast)
        #expect(entries(root) == ["run"])
    }
}

extension RunSafetyTests {
    /// A full disk, simulated by a file-size limit (SIGXFSZ ignored, so writes fail with
    /// EFBIG): model.nnm cannot be written, the old run stays byte-identical and no
    /// temporary directory is left.
    @Test func aFailedWriteDuringForceKeepsTheOldRun() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try train(["--out", "run"], cwd: root).status == 0)
        let old = snapshot(root + "/run")
        let command = ([nnExecutable().path, "train", "--data", try Self.data.get(), "--out", "run", "--force", "--lr", "0.2"] + Self.tiny)
            .map { "'\($0)'" }.joined(separator: " ")
        let r = try runNN(["-c", "trap '' XFSZ; ulimit -f 8; exec \(command)"], cwd: root, executable: "/bin/bash")
        #expect(r.status == 2)
        // The first large file a run writes: its checkpoint after epoch 1 (or the model).
        #expect(r.stderr.contains("checkpoint.nnc: cannot write") || r.stderr.contains("model.nnm: cannot write"), "\(r.stderr)")
        #expect(snapshot(root + "/run") == old)
        #expect(entries(root) == ["run"])
    }

    /// A model with huge but finite weights (one made before training checked its outputs,
    /// or edited by hand) overflows to NaN or infinity (depending on the BLAS kernels);
    /// `nn eval` refuses it instead of printing `nan` metrics with status 0 (its weights are
    /// above √max), and writes no metrics.
    @Test func evalRefusesAModelWithNonFiniteOutputs() throws {
        let root = scratch()
        #expect(try train(["--out", "run"], cwd: root).status == 0)
        let model = root + "/run/" + RunLayout.modelFile
        let net = try ModelFile.read(path: model, as: Double.self)
        // Huge weights of both signs: the hidden units overflow to inf, and the output's
        // inf - inf is NaN.
        let (hidden, output) = (net.layers[0].weights, net.layers[1].weights)
        for i in 0..<hidden.count { hidden.storage[i] = 1e300 }
        for i in 0..<output.count { output.storage[i] = i % 2 == 0 ? 1e300 : -1e300 }
        try ModelFile.write(net, to: model)
        let r = try runNN(["eval", "--run", "run"], cwd: root)
        #expect(r.status == 2)
        oneLine(r, "not finite")
        #expect(!FileManager.default.fileExists(atPath: root + "/run/" + RunLayout.metricsJSONFile))
    }

    /// `--lr 1e308` for one epoch leaves finite weights of ~1e307 whose every prediction is
    /// a saturated 0: diverged (status 1), no model saved, and eval refuses the run.
    @Test func hugeFiniteWeightsAreDivergence() throws {
        let root = scratch()
        let r = try train(["--out", "huge", "--epochs", "1", "--lr", "1e308"], cwd: root)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("too large (above √max)"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/huge/" + RunLayout.modelFile))
        #expect(try runNN(["eval", "--run", "huge"], cwd: root).status == 2)
    }

    /// `--out` a symbolic link: refused before training (the rename would replace the link,
    /// and the training would be lost), the link left as it was.
    @Test func aSymbolicLinkOutIsRefused() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/real", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: "real")
        let r = try train(["--out", "link"], cwd: root)
        #expect(r.status == 2)
        oneLine(r, "link: is a symbolic link; give the directory it points to as --out")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/link") == "real")
        #expect(entries(root) == ["link", "real"] && entries(root + "/real").isEmpty)
    }

    /// `--force` checks what is at --out again when it installs: a directory the user put
    /// there while the run trained (the old run moved away) is not a run and stays.
    @Test func forceNeverReplacesWhatWasPutThereMeanwhile() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try train(["--out", "run"], cwd: root).status == 0)
        let (slow, err) = try startSlowTraining(in: root, extra: ["--force"])
        try FileManager.default.moveItem(atPath: root + "/run", toPath: root + "/run.keep")
        try FileManager.default.createDirectory(atPath: root + "/run", withIntermediateDirectories: false)
        try "mine\n".write(toFile: root + "/run/notes.txt", atomically: false, encoding: .utf8)
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        slow.waitUntilExit()
        #expect(slow.terminationStatus == 2)
        #expect(message.contains("run: not empty and not a run directory written by nn"), "\(message)")
        #expect(entries(root + "/run") == ["notes.txt"])
        #expect(entries(root) == ["run", "run.keep"])
    }
}
