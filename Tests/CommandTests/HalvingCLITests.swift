import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands
import Testing

/// `nn sweep --halving` end to end on the small prepared data (`sweepData`): 9 points
/// (3 learning rates x 3 seeds) of a tiny network, rungs at 1, 3 and 9 epochs.
@Suite struct HalvingCLITests {
    func scratch() -> String { scratchDirectory("halving-cli") }

    static let sweepArgs = ["--layers", "785,16,1", "--activations", "relu,sigmoid", "--lr", "0.05,0.1,0.2", "--seed", "0,1,2",
                            "--epochs", "9", "--val-size", "200", "--halving", "--min-epochs", "1", "--eta", "3", "--metric", "val_loss"]

    func sweep(_ args: [String], cwd: String) throws -> NNRun {
        try runNN(["sweep", "--data", try sweepData.get()] + args, cwd: cwd)
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func summaryRungsJobsAndBitExactResume() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let one = try sweep(Self.sweepArgs + ["--out", "a", "--jobs", "1"], cwd: root)
        #expect(one.status == 0, "\(one.stderr)")
        let summary = try read(root + "/a/summary.csv")
        let table = try CSVTable.read(path: root + "/a/summary.csv")
        #expect(table.header.suffix(3) == ["rung", "stopped_at", "error"])
        let rung = try #require(table.column("rung")), stopped = try #require(table.column("stopped_at"))
        #expect(table.rows.allSatisfy { $0[1] == "ok" })
        // 9 points: 6 stop at rung 0 (1 epoch), 2 at rung 1 (3 epochs), 1 trains all 9.
        #expect(table.rows.filter { $0[rung] == "0" && $0[stopped] == "1" }.count == 6)
        #expect(table.rows.filter { $0[rung] == "1" && $0[stopped] == "3" }.count == 2)
        let winner = try #require(table.rows.first { $0[rung] == "2" })
        #expect(winner[stopped] == "")

        // Stopped points keep their partial run; the winner's files are an uninterrupted run's.
        let stoppedRow = try #require(table.rows.first { $0[rung] == "0" })
        let stoppedRun = root + "/a/runs/" + stoppedRow[0]
        #expect(try History.read(path: stoppedRun + "/history.csv").epochs.count == 1)
        for f in ["checkpoint.nnc", "model.nnm", "metrics.json"] { #expect(FileManager.default.fileExists(atPath: stoppedRun + "/" + f)) }
        let winnerRun = root + "/a/runs/" + winner[0]
        let direct = try runNN(["train", "--config", winnerRun + "/point.json", "--data", try sweepData.get(), "--threads", "1",
                                "--out", root + "/direct"], cwd: root)
        #expect(direct.status == 0, "\(direct.stderr)")
        for f in ["history.csv", "model.nnm", "best.json", "config.json"] {
            #expect(FileManager.default.contents(atPath: winnerRun + "/" + f) == FileManager.default.contents(atPath: root + "/direct/" + f), "\(f)")
        }

        let status = try runNN(["sweep", "--status", "a"], cwd: root)
        #expect(status.status == 0 && status.stdout.hasSuffix("0 pending, 0 running, 9 done, 0 failed\n"), "\(status.stdout)")

        // --jobs 2 (another order of completions): the same bytes.
        let two = try sweep(Self.sweepArgs + ["--out", "b", "--jobs", "2"], cwd: root)
        #expect(two.status == 0, "\(two.stderr)")
        #expect(try read(root + "/b/summary.csv") == summary)
        #expect(try read(root + "/b/sweep.json") == read(root + "/a/sweep.json"))
        #expect(try read(root + "/b/halving-val_loss.svg") == read(root + "/a/halving-val_loss.svg"))
        for row in table.rows {
            for f in ["config.json", "history.csv", "model.nnm", "best.json", "metrics.json", "predictions.csv"] {
                let a = FileManager.default.contents(atPath: "\(root)/a/runs/\(row[0])/\(f)")
                #expect(a != nil && a == FileManager.default.contents(atPath: "\(root)/b/runs/\(row[0])/\(f)"), "\(row[0])/\(f)")
            }
        }

        // Re-running trains nothing; after the winner's last rung is lost it is redone.
        let again = try sweep(Self.sweepArgs + ["--out", "a"], cwd: root)
        #expect(again.status == 0 && !again.stdout.contains(" ok "), "\(again.stdout)")
        try FileManager.default.removeItem(atPath: winnerRun + "/metrics.json")
        let resumed = try sweep(Self.sweepArgs + ["--out", "a", "--jobs", "2"], cwd: root)
        #expect(resumed.status == 0)
        #expect(resumed.stdout.split(separator: "\n").filter { $0.contains(" ok ") }.count == 1)
        #expect(try read(root + "/a/summary.csv") == summary)

        // The report charts the rungs.
        let report = try read(root + "/a/report.md")
        #expect(report.contains("## Successive halving"))
        // Its tie-break stated by the code that applies it (HalvingScheduler.ahead), and the
        // best point's by Ranking's one sentence.
        #expect(report.contains(HalvingScheduler.tieRule) && report.contains(Ranking.rule), "\(report)")
        let svg = try read(root + "/a/halving-val_loss.svg")
        #expect(svg.contains("<g class=\"vertical-lines\"") && svg.contains(">rung 2</text>"))
        #expect(svg.components(separatedBy: "<g class=\"series\"").count == 10)          // one curve per point
    }

    @Test func dryRunPrintsTheRungs() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try sweep(Self.sweepArgs + ["--out", "d", "--dry-run"], cwd: root)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("successive halving by val_loss (min), eta 3, 9 points: rung 0: 1 epoch x 9 points, rung 1: 3 epochs x 3 points, rung 2: 9 epochs x 1 point; 21 epochs at most, against 81 for the full grid (25.9%)"))
        #expect(r.stdout.contains("sweep-point --epochs 1 --threads 1"))
        #expect(r.stdout.contains("  to train to rung 0 (1 epoch)  ") && !r.stdout.contains("(1 epochs)") && !r.stdout.contains(" 1 epochs "), "\(r.stdout)")
        #expect(!FileManager.default.fileExists(atPath: root + "/d"))

        // With random search: 4 samples x 2 seeds.
        let random = try sweep(["--layers", "785,16,1", "--activations", "relu,sigmoid", "--random", "4", "--sample-seed", "1",
                                "--lr", "loguniform:0.01:1", "--seed", "0,1", "--epochs", "4", "--val-size", "100", "--halving",
                                "--metric", "val_f1", "--min-epochs", "2", "--eta", "2", "--out", "r", "--dry-run"], cwd: root)
        #expect(random.status == 0, "\(random.stderr)")
        #expect(random.stdout.contains("successive halving by val_f1 (max), eta 2, 8 points: rung 0: 2 epochs x 8 points, rung 1: 4 epochs x 4 points; 24 epochs at most, against 32 for the full grid (75.0%)"))
    }

    @Test(arguments: [
        (["--metric", "val_f1"], "Error: --metric val_f1: needs a validation set; give --val-size N (or --metric loss)"),
        (["--val-size", "100", "--min-epochs", "4"], "Error: --min-epochs: must be less than epochs (4), got 4"),
        (["--val-size", "100", "--eta", "1"], "Error: --eta: must be >= 2, got 1"),
        (["--val-size", "100", "--min-epochs", "0"], "Error: --min-epochs: must be >= 1, got 0"),
        (["--val-size", "100", "--plan", "p.txt"], "Error: --halving: cannot be combined with --plan (the promotions are decided as results come in; run nn sweep --halving)"),
        (["--val-size", "100", "--submit", "slurm"], "Error: --halving: cannot be combined with --submit (the promotions are decided as results come in; run nn sweep --halving)"),
        (["--val-size", "100", "--epochs", "4,8"], "Error: --halving: epochs is swept (4,8); halving needs one epochs value, the last rung"),
        (["--val-size", "100", "--metric", "val_accuracy"], "Error: --metric val_accuracy: not measured for classes 'binary'; use val_loss or val_f1"),
        (["--val-size", "100", "--early-stopping", "true"], "Error: --halving: cannot be combined with early_stopping (halving decides when points stop)"),
        (["--val-size", "100", "--grid", "eval_every=2"], "Error: --min-epochs: rung 1 is not an epoch validation runs on (eval_every 2); choose --min-epochs and --eta so every rung is a multiple of it"),
    ])
    func badHalvingSettingsAreOneLineErrors(extra: [String], expected: String) throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try sweep(["--layers", "785,16,1", "--activations", "relu,sigmoid", "--epochs", "4", "--halving", "--out", "x"] + extra, cwd: root)
        #expect(r.status == 2)
        #expect(r.stderr == expected + "\n")
        #expect(!FileManager.default.fileExists(atPath: root + "/x"))
        #expect(!FileManager.default.fileExists(atPath: root + "/p.txt"))
    }

    @Test func halvingFlagsNeedHalvingAndSettingsCannotChange() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try sweep(["--epochs", "2", "--eta", "3"], cwd: root)
        #expect(r.status == 2 && r.stderr == "Error: --eta: applies only to --halving\n")
        let net = ["--layers", "785,16,1", "--activations", "relu,sigmoid", "--lr", "0.1,0.2", "--epochs", "2", "--out", "s"]
        #expect(try sweep(net + ["--halving", "--metric", "loss"], cwd: root).status == 0)
        let plain = try sweep(net, cwd: root)
        #expect(plain.status == 2)
        #expect(plain.stderr.contains("is a sweep with --halving --min-epochs 1 --eta 3 --metric loss --goal min, not no --halving; give the same settings or another --out"))
    }
}
