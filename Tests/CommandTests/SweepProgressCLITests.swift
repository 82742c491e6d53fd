import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import Testing

/// Issue 19 "Silent sweeps": `nn sweep` prints a header, a line per finished point (its
/// parameters, the ranking metric, status, seconds, ETA); halving lines say how many
/// epochs a point has trained; `--quiet` prints only where the results went. And the
/// modes as subcommands (`nn sweep plan|collect|status`), `nn sweep --lr` unchanged.
@Suite struct SweepProgressCLITests {
    static var tiny: [String] { RunMetaCLITests.tiny }

    /// One point is "1 point" (header, summary line, dry run), a value is written as a
    /// person writes it (`lr=1`, not the key table's `1.0`), and `nn train` says "1 epoch".
    @Test func oneIsSingularAndNumbersAreWrittenAsTyped() throws {
        let data = try sweepData.get()
        let root = scratchDirectory("sweep-wording")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let net = ["--layers", "785,4,1", "--activations", "relu,sigmoid", "--epochs", "1", "--threads", "1"]
        let args = ["sweep", "--data", data, "--lr", "1", "--out", "s", "--jobs", "1"] + net
        let dry = try runNN(args + ["--dry-run"], cwd: root)
        #expect(dry.status == 0 && dry.stdout.hasPrefix("sweep notebook: 1 point in ") && dry.stdout.contains(", 1 job x 1 thread\n"), "\(dry.stdout)")
        let r = try runNN(args, cwd: root)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("sweep notebook: 1 point, 1 job x 1 thread, ") == true, "\(r.stdout)")
        #expect(lines.count == 3 && lines[1].contains(" lr=1 ") && !r.stdout.contains("lr=1.0"), "\(r.stdout)")
        #expect(lines.last?.hasSuffix("summary.csv: 1 point, 1 ok, 0 failed") == true, "\(r.stdout)")
        let t = try runNN(["train", "--data", data, "--out", "t"] + net, cwd: root)
        #expect(t.status == 0 && t.stdout.contains("wrote t: 1 epoch, final loss "), "\(t.stdout)\(t.stderr)")
    }

    @Test func headerLinesAndQuiet() throws {
        let data = try sweepData.get()
        let root = scratchDirectory("sweep-progress")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try runNN(["sweep", "--data", data, "--lr", "0.1,0.3", "--out", "s", "--jobs", "1"] + Self.tiny, cwd: root)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(r.stdout)")
        #expect(lines[0] == "sweep notebook: 2 points, 1 job x 1 thread, \(URL(fileURLWithPath: root + "/s").standardized.path) (lines show average_precision)"
                || lines[0].hasPrefix("sweep notebook: 2 points, 1 job x 1 thread, ") && lines[0].hasSuffix("/s (lines show average_precision)"), "\(lines[0])")
        for (line, lr) in zip(lines[1...2], ["0.1", "0.3"]) {
            #expect(line.contains("ok ") && line.contains(" lr=\(lr) ") && line.contains(" average_precision 0.") && line.contains(" s  ETA 0:"), "\(line)")
        }
        #expect(lines[3].hasPrefix("wrote ") && lines[3].hasSuffix("summary.csv: 2 points, 2 ok, 0 failed"))

        // Re-run: both points complete, skipped; --quiet prints only the directory.
        let quiet = try runNN(["sweep", "--data", data, "--lr", "0.1,0.3", "--out", "s", "--quiet"] + Self.tiny, cwd: root)
        #expect(quiet.status == 0 && quiet.stdout.split(separator: "\n").count == 1 && quiet.stdout.hasSuffix("/s\n"), "\(quiet.stdout)")
        // -q is --quiet, as in most command-line tools.
        let q = try runNN(["sweep", "--data", data, "--lr", "0.1,0.3", "--out", "s", "-q"] + Self.tiny, cwd: root)
        #expect(q.status == 0 && q.stdout == quiet.stdout, "\(q.stdout)\(q.stderr)")

        // With a validation set on every point, the lines show val_loss.
        let val = try runNN(["sweep", "--data", data, "--lr", "0.1", "--val-size", "100", "--out", "v"] + Self.tiny, cwd: root)
        #expect(val.status == 0 && val.stdout.contains("(lines show val_loss)") && val.stdout.contains(" val_loss 0."), "\(val.stdout)")
    }

    @Test func halvingLinesStateTheEpochsTrained() throws {
        let root = scratchDirectory("sweep-progress-halving")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try runNN(["sweep", "--data", try sweepData.get(), "--lr", "0.05,0.1,0.2", "--epochs", "3", "--val-size", "100",
                           "--halving", "--min-epochs", "1", "--eta", "3", "--jobs", "1", "--layers", "785,4,1", "--activations", "relu,sigmoid"], cwd: root)
        #expect(r.status == 0, "\(r.stderr)")
        let rung0 = r.stdout.split(separator: "\n").filter { $0.hasPrefix("[rung 0]") }
        let rung1 = r.stdout.split(separator: "\n").filter { $0.hasPrefix("[rung 1]") }
        #expect(rung0.count == 3 && rung0.allSatisfy { $0.contains("epochs=1 of 3") && $0.contains(" val_loss ") }, "\(r.stdout)")
        #expect(rung1.count == 1 && rung1.allSatisfy { $0.contains("epochs=3 of 3") }, "\(r.stdout)")
        #expect(!r.stdout.contains("epochs=3 ") || rung1.count == 1)
    }

    @Test func modesAreSubcommands() throws {
        let data = try sweepData.get()
        let root = scratchDirectory("sweep-modes")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let plan = try runNN(["sweep", "plan", "points.txt", "--data", data, "--lr", "0.1,0.3", "--out", "p"] + Self.tiny, cwd: root)
        #expect(plan.status == 0 && plan.stdout.hasPrefix("wrote points.txt: 2 commands"), "\(plan.stdout)\(plan.stderr)")
        let status = try runNN(["sweep", "status", "p"], cwd: root)
        #expect(status.status == 0 && status.stdout.contains("2 pending"), "\(status.stdout)\(status.stderr)")
        let collect = try runNN(["sweep", "collect", "p"], cwd: root)
        #expect(collect.status == 1 && collect.stdout.contains("2 points, 0 ok, 0 failed, 2 not run"), "\(collect.stdout)\(collect.stderr)")
        let old = try runNN(["sweep", "--status", "p"], cwd: root)
        #expect(old.stdout == status.stdout)
        let help = try runNN(["sweep", "--help"])
        #expect(help.status == 0 && help.stdout.split(separator: "\n").count <= 55, "nn sweep --help fits a screen: \(help.stdout.split(separator: "\n").count) lines")
        for mode in ["plan", "submit", "collect", "status"] {
            let h = try runNN(["sweep", mode, "--help"])
            #expect(h.status == 0 && h.stdout.contains("Examples:") && h.stdout.split(separator: "\n").count <= 45, "\(mode)")
        }
    }
}
