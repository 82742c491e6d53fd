import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import Testing

/// Issue 9 items 1 and 2 through `nn train`: a training killed with SIGKILL and resumed
/// with `--resume`, and a complete run extended with `--resume --epochs`, give files
/// byte-identical to the uninterrupted run's (history.csv, model.nnm, config.json, and
/// after `nn eval` metrics and predictions), for gd, sgd, momentum and adam, with and
/// without a validation set.
@Suite struct ResumeCLITests {
    static let data = preparedMNIST(train: 200, test: 100, tag: "resume")
    static let net = ["--layers", "785,8,1", "--activations", "relu,sigmoid", "--threads", "1", "--quiet"]
    static let compared = ["config.json", "history.csv", "model.nnm", "checkpoint.nnc", "metrics.json", "predictions.csv", "best.json"]

    func scratch() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-resume-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func files(_ dir: String) -> [String: Data] {
        var out: [String: Data] = [:]
        for f in Self.compared { out[f] = FileManager.default.contents(atPath: dir + "/" + f) }
        // The checkpoint holds the epochs' seconds: compare everything but its header.
        if let c = out["checkpoint.nnc"], c.count >= 12 {
            let b = [UInt8](c)
            let header = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16
            out["checkpoint.nnc"] = Data(b.dropFirst(12 + header))
        }
        return out
    }

    func nn(_ args: [String], cwd: String) throws -> NNRun {
        let r = try runNN(args, cwd: cwd)
        #expect(r.status == 0, "nn \(args.joined(separator: " ")): \(r.stderr)")
        return r
    }

    @Test(arguments: [["--optimizer", "gd", "--lr", "0.3"], ["--optimizer", "sgd", "--batch-size", "32", "--lr", "0.1"],
                      ["--optimizer", "momentum", "--batch-size", "32", "--lr", "0.05"],
                      ["--optimizer", "adam", "--batch-size", "32", "--lr", "0.01"],
                      ["--optimizer", "sgd", "--batch-size", "32", "--lr", "0.1", "--val-size", "50", "--keep-best", "true",
                       "--early-stopping", "true", "--patience", "20"]])
    func extendingACompleteRunEqualsTheLongerRun(flags: [String]) throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try Self.data.get()
        _ = try nn(["train", "--data", data, "--out", "straight", "--epochs", "7"] + Self.net + flags, cwd: root)
        _ = try nn(["train", "--data", data, "--out", "short", "--epochs", "3"] + Self.net + flags, cwd: root)
        let short = files(root + "/short")
        _ = try nn(["train", "--resume", "short", "--epochs", "7", "--out", "extended", "--threads", "1", "--quiet"], cwd: root)
        #expect(files(root + "/short") == short)   // the old run is untouched
        for dir in ["straight", "extended"] { _ = try nn(["eval", "--run", dir], cwd: root) }
        let straight = files(root + "/straight")
        #expect(straight["model.nnm"] != nil && straight["checkpoint.nnc"] != nil)
        #expect(files(root + "/extended") == straight)
        if flags.contains("--val-size") {
            let history = try String(contentsOfFile: root + "/straight/history.csv", encoding: .utf8)
            #expect(history.hasPrefix("epoch,loss,val_loss,val_f1\n"))
            #expect(straight["best.json"] != nil)
        }
    }

    /// `nn train` killed with SIGKILL after a checkpoint exists, then `nn train --resume
    /// DIR`: the run is installed at DIR with the uninterrupted run's bytes.
    @Test(arguments: ["gd", "adam"])
    func killedRunResumesByteIdentical(optimizer: String) throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try Self.data.get()
        let flags = ["--optimizer", optimizer, "--lr", optimizer == "gd" ? "0.3" : "0.01", "--epochs", "400"] + Self.net
        _ = try nn(["train", "--data", data, "--out", "straight"] + flags, cwd: root)

        let p = Process()
        p.executableURL = nnExecutable()
        p.arguments = ["train", "--data", data, "--out", "run"] + flags
        p.currentDirectoryURL = URL(fileURLWithPath: root)
        try p.run()
        let building = root + "/.run.nn-new-\(p.processIdentifier)@\(AtomicFile.hostTag)"
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: building + "/checkpoint.nnc") && Date() < deadline { usleep(5_000) }
        usleep(30_000)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal, "the training finished before it was killed; make it longer")
        #expect(!FileManager.default.fileExists(atPath: root + "/run"))
        // Another training in the same parent keeps the interrupted one resumable.
        _ = try nn(["train", "--data", data, "--out", "other", "--epochs", "1"] + Self.net, cwd: root)
        #expect(FileManager.default.fileExists(atPath: building + "/checkpoint.nnc"))

        // The resumed epochs count towards the run's total, as a fresh training's do.
        let resumed = try nn(["train", "--resume", "run", "--threads", "1"], cwd: root)
        let epochLines = resumed.stdout.split(separator: "\n").filter { $0.hasPrefix("epoch ") }
        #expect(!epochLines.isEmpty && epochLines.allSatisfy { $0.contains("/400 loss ") }, "\(resumed.stdout.prefix(200))")
        #expect(!FileManager.default.fileExists(atPath: building))
        for dir in ["straight", "run"] { _ = try nn(["eval", "--run", dir], cwd: root) }
        #expect(files(root + "/run") == files(root + "/straight"))
        #expect(try String(contentsOfFile: root + "/run/.nn-run", encoding: .utf8).contains("complete"))
    }

    /// Early stopping stops after `patience` evaluations without an improvement larger than
    /// min_delta; keep_best saves the best epoch's weights (here epoch 1's, which a 1-epoch
    /// run saves too) and best.json says so; a run that stopped early is not extended.
    @Test func earlyStoppingAndKeepBest() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try Self.data.get()
        try #"{"min_delta": 100, "val_size": 50}"#.write(toFile: root + "/e.json", atomically: true, encoding: .utf8)
        let flags = ["--data", data, "--config", "e.json", "--optimizer", "sgd", "--batch-size", "32", "--lr", "0.1"] + Self.net
        _ = try nn(["train", "--out", "stopped", "--epochs", "10", "--early-stopping", "true", "--patience", "2",
                    "--keep-best", "true"] + flags, cwd: root)
        _ = try nn(["train", "--out", "one", "--epochs", "1"] + flags, cwd: root)
        let history = try String(contentsOfFile: root + "/stopped/history.csv", encoding: .utf8)
        #expect(history.split(separator: "\n").count == 4, "\(history)")   // header + epochs 1-3
        let best = try JSONValue.read(path: root + "/stopped/best.json")
        #expect(best["epoch"] == .number("1") && best["stopped_early"] == .bool(true) && best["model"] == .string("best"))
        #expect(FileManager.default.contents(atPath: root + "/stopped/model.nnm") == FileManager.default.contents(atPath: root + "/one/model.nnm"))
        let r = try runNN(["train", "--resume", "stopped", "--epochs", "20"], cwd: root)
        #expect(r.status == 2 && r.stderr.contains("stopped early"), "\(r.stderr)")
        let bad = try runNN(["train", "--data", data, "--keep-best", "true"] + Self.net, cwd: root)
        #expect(bad.status == 2 && bad.stderr.contains("--val-size"), "\(bad.stderr)")
    }

    /// With a validation set the sweep's summary ranks by it: best_epoch, val_loss, val_f1.
    @Test func sweepSummaryHasValidationColumnsOnlyWithAValidationSet() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try Self.data.get()
        let base = ["sweep", "--data", data, "--lr", "0.1,0.3", "--epochs", "3", "--layers", "785,8,1", "--activations", "relu,sigmoid"]
        _ = try nn(base + ["--out", "plain"], cwd: root)
        _ = try nn(base + ["--out", "val", "--val-size", "50", "--keep-best", "true"], cwd: root)
        let plain = try String(contentsOfFile: root + "/plain/summary.csv", encoding: .utf8)
        let val = try String(contentsOfFile: root + "/val/summary.csv", encoding: .utf8)
        #expect(!plain.contains("val_"))
        #expect(val.contains(",f1,roc_auc,average_precision,tp,fp,fn,tn,best_epoch,val_loss,val_f1,error\n"), "\(val)")
        let rows = val.split(separator: "\n").dropFirst()
        #expect(rows.count == 2 && rows.allSatisfy { $0.contains(",ok,") && !$0.hasSuffix(",,,,") })
    }

    /// Progress lines (not a terminal: one per epoch) show each epoch's validation figures,
    /// the same numbers as history.csv's row; without a validation set, only the loss.
    @Test func progressShowsValidationFigures() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try Self.data.get()
        let net = Self.net.filter { $0 != "--quiet" }
        let r = try nn(["train", "--data", data, "--out", "val", "--epochs", "2", "--val-size", "50"] + net, cwd: root)
        let history = try String(contentsOfFile: root + "/val/history.csv", encoding: .utf8).split(separator: "\n")
        #expect(history.first == "epoch,loss,val_loss,val_f1")
        let expected = history.dropFirst().map { row -> String in
            let c = row.split(separator: ",", omittingEmptySubsequences: false)
            return "epoch \(c[0])/2 loss \(c[1]) val_loss \(c[2]) val_f1 \(c[3])"
        }
        #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("epoch ") }.map(String.init) == expected, "\(r.stdout)")
        let plain = try nn(["train", "--data", data, "--out", "plain", "--epochs", "1"] + net, cwd: root)
        #expect(plain.stdout.hasPrefix("epoch 1/1 loss ") && !plain.stdout.contains("val_"), "\(plain.stdout)")
    }

    @Test func resumeErrorsAreOneLine() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try Self.data.get()
        _ = try nn(["train", "--data", data, "--out", "run", "--epochs", "2"] + Self.net, cwd: root)
        for (args, mention) in [(["--resume", "missing"], "nothing to resume"), (["--resume", "run"], "--epochs N"),
                                (["--resume", "run", "--lr", "0.1"], "only --epochs"), (["--resume", "run", "--epochs", "9", "--out", "run"], "new run")] {
            let r = try runNN(["train"] + args, cwd: root)
            #expect(r.status == 2 && r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(mention), "\(args): \(r.stderr)")
        }
        try AtomicFile.write(Array("NNCKPT01broken".utf8), to: root + "/run/checkpoint.nnc")
        let r = try runNN(["train", "--resume", "run", "--epochs", "4"], cwd: root)
        #expect(r.status == 2 && r.stderr.contains("run/checkpoint.nnc: damaged"), "\(r.stderr)")
    }
}
