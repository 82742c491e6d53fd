import Foundation
import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands

/// `nn diff` exit statuses (0 equal, 1 different, 2 error) and `nn report` through the
/// built binary.
@Suite struct DiffReportCLITests {
    /// A fresh directory with two runs `a` and `b` (history.csv + metrics.json) whose f1
    /// are `f1A` and `f1B`, and two CSVs with different columns.
    func fixture(f1A: String = "0.75", f1B: String = "0.75") throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("nn-cli-diff-\(UUID().uuidString)").path
        for (run, f1) in [("a", f1A), ("b", f1B)] {
            try AtomicFile.write("epoch,loss\n1,0.69\n2,0.5\n", to: "\(root)/\(run)/history.csv")
            try AtomicFile.write("{\"accuracy\": 0.9, \"f1\": \(f1)}", to: "\(root)/\(run)/metrics.json")
        }
        try AtomicFile.write("x,y\n1,2\n", to: root + "/xy.csv")
        try AtomicFile.write("x,z\n1,2\n", to: root + "/xz.csv")
        return root
    }

    @Test func exitZeroWhenEqual() throws {
        let root = try fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try runNN(["diff", "a", "b"], cwd: root)
        #expect(r.status == 0)
        #expect(r.stdout == "equal: 4 fields compared between A=a and B=b (rtol 0, atol 0)\n")
    }

    @Test func exitOneWhenDifferentAndZeroWithinTolerance() throws {
        let root = try fixture(f1B: "0.7500001")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try runNN(["diff", "a", "b"], cwd: root)
        #expect(r.status == 1)
        #expect(r.stdout.split(separator: "\n").contains { $0.hasPrefix("-    f1     0.75  0.7500001") })
        #expect(try runNN(["diff", "a", "b", "--rtol", "1e-6"], cwd: root).status == 0)

        let json = try runNN(["diff", "a", "b", "--format", "json"], cwd: root)
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["equal"] as? Bool == false)
        #expect((object["lines"] as? [[String: Any]])?.first?["field"] as? String == "f1")
    }

    @Test func exitTwoOnErrors() throws {
        let root = try fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let missing = try runNN(["diff", "a", "nope"], cwd: root)
        #expect(missing.status == 2)
        #expect(missing.stderr == "Error: nope: no such file or directory\n")
        let columns = try runNN(["diff", "xy.csv", "xz.csv"], cwd: root)
        #expect(columns.status == 2)
        #expect(columns.stderr == "Error: xz.csv: columns differ from xy.csv: lacks y; has extra z\n")
        #expect(try runNN(["diff", "a"], cwd: root).status == 2)                      // usage: B missing
        #expect(try runNN(["diff", "a", "b", "--format", "xml"], cwd: root).status == 2)
        #expect(try runNN(["diff", "a", "b", "--atol=-1"], cwd: root).status == 2)    // validation
        #expect(try runNN(["diff", "--help"], cwd: root).status == 0)
    }

    @Test func reportWritesChartAndMarkdown() throws {
        let root = try fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try runNN(["report", "a"], cwd: root)
        #expect(r.status == 0)
        #expect(r.stdout == "a/loss.svg\na/report.md\n")
        let md = try String(contentsOfFile: root + "/a/report.md", encoding: .utf8)
        #expect(md.contains("![loss](loss.svg)"))
        let several = try runNN(["report", "a", "b"], cwd: root)
        #expect(several.status != 0 && several.stderr.contains("--out"))
        #expect(try runNN(["report", "a", "b", "--out", "both"], cwd: root).status == 0)
        #expect(FileManager.default.fileExists(atPath: root + "/both/loss.svg"))
    }

    /// `nn diff --by seed` says which side is better by the one ranking rule (`Ranking`):
    /// val_loss when every run has one (here from history.csv), compared first and counted
    /// in the ranking line; `--rank-by`/`--goal` override it; bad flags are errors (exit 2).
    @Test func seedDiffRanksByTheOneRule() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("nn-cli-seeddiff-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A: val_loss 0.30..0.32, average_precision 0.80..0.82; B: val_loss 0.20..0.22 (better),
        // average_precision 0.70..0.72 (worse).
        for (side, val, ap) in [("A", [0.30, 0.31, 0.32], [0.80, 0.81, 0.82]), ("B", [0.20, 0.21, 0.22], [0.70, 0.71, 0.72])] {
            for seed in 0..<3 {
                let run = "\(root)/\(side)/seed-\(seed)"
                try AtomicFile.write("{\"lr\": 0.3, \"seed\": \(seed)}", to: run + "/config.json")
                try AtomicFile.write("epoch,loss,val_loss,val_f1\n1,0.5,0.6,0.1\n2,0.3,\(val[seed]),0.5\n", to: run + "/history.csv")
                try AtomicFile.write("{\"accuracy\": 0.9, \"average_precision\": \(ap[seed])}", to: run + "/metrics.json")
            }
        }
        let r = try runNN(["diff", "A", "B", "--by", "seed"], cwd: root)
        #expect(r.status == 1, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true).prefix(2).joined(separator: " ") }.prefix(5)
                == ["lr=0.3 val_loss", "lr=0.3 last_epoch_loss", "lr=0.3 val_f1", "lr=0.3 accuracy", "lr=0.3 average_precision"], "\(r.stdout)")
        #expect(lines[1].hasSuffix("  better") && lines[5].hasSuffix("  worse"), "\(r.stdout)")
        #expect(lines.suffix(2) == ["by val_loss (lower is better), B is better in 1, worse in 0, within seed noise in 0 of 1 configuration",
                                    "differs beyond seed noise: 2 of 5 comparisons between A=A and B=B (Welch's t, 95%)"])
        let ap = try runNN(["diff", "A", "B", "--by", "seed", "--rank-by", "average_precision"], cwd: root)
        #expect(ap.status == 1)
        #expect(ap.stdout.split(separator: "\n")[1].hasPrefix("lr=0.3  average_precision  0.81000 ± 0.01000 (n=3)  0.71000 ± 0.01000 (n=3)  -0.10000"), "\(ap.stdout)")
        #expect(ap.stdout.contains("\nby average_precision (higher is better), B is better in 0, worse in 1, within seed noise in 0 of 1 configuration\n"))
        // --format csv: each side's mean, sd and n in columns of their own, all digits; same exit status.
        let csv = try runNN(["diff", "A", "B", "--by", "seed", "--rank-by", "average_precision", "--format", "csv"], cwd: root)
        #expect(csv.status == 1)
        let csvLines = csv.stdout.split(separator: "\n")
        #expect(csvLines.first == "config,metric,a_mean,a_sd,a_n,b_mean,b_sd,b_n,delta,low,high,verdict", "\(csv.stdout)")
        let apRow = csvLines[1].split(separator: ",").map(String.init)
        #expect(apRow.prefix(2) == ["lr=0.3", "average_precision"] && apRow[4] == "3" && apRow[7] == "3" && apRow.last == "worse", "\(apRow)")
        #expect(Double(apRow[2]).map { abs($0 - 0.81) < 1e-12 } == true && Double(apRow[5]).map { abs($0 - 0.71) < 1e-12 } == true, "\(apRow)")
        #expect(!csv.stdout.contains("±"))
        let flipped = try runNN(["diff", "A", "B", "--by", "seed", "--rank-by", "average_precision", "--goal", "min"], cwd: root)
        #expect(flipped.stdout.contains("\nby average_precision (lower is better), B is better in 1, worse in 0, within seed noise in 0 of 1 configuration\n"))
        let errors: [([String], String)] = [
            (["--by", "seed", "--rank-by", "nope"], "Error: --rank-by: no ok run of A or B has a numeric 'nope'\n"),
            (["--rank-by", "val_loss"], "Error: --rank-by: applies only to --by seed\n"),
            (["--by", "seed", "--goal", "min"], "Error: --goal: applies only to --rank-by\n"),
        ]
        for (args, message) in errors {
            let e = try runNN(["diff", "A", "B"] + args, cwd: root)
            #expect(e.status == 2 && e.stdout.isEmpty && e.stderr == message, "\(args): \(e.stderr)")
        }
    }
}
