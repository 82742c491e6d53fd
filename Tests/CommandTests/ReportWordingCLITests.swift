import Foundation
import Testing
@testable import NNRuns

/// `nn report` and `nn sweep`'s report, end to end: the name a run was given, the best
/// point of a sweep whose other point diverged, the --metric default in the help, and the
/// same report.md from `nn sweep` and from `nn report`.
@Suite(.serialized) struct ReportWordingCLITests {
    static let tiny = ["--layers", "785,16,1", "--activations", "relu,sigmoid", "--threads", "1", "--quiet"]

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func theHelpStatesTheRankingMetricAsTheDefault() throws {
        let r = try runNN(["report", "--help"])
        #expect(r.status == 0)
        let help = r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("default: the sweep's ranking metric, \(Ranking.defaultMetric)"), "\(help)")
        #expect(!help.contains("default: f1"))
    }

    /// `nn train --name other`: the one-run report and the notebook comparison say `other`.
    @Test func theNameGivenTitlesAndLabelsTheRun() throws {
        let root = scratchDirectory("report-name")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try sweepData.get()
        for (dir, extra) in [("r1", ["--name", "other"]), ("r2", ["--seed", "1"])] {
            let t = try runNN(["train", "--data", data, "--epochs", "1", "--out", dir] + Self.tiny + extra, cwd: root)
            #expect(t.status == 0, "\(t.stderr)")
            #expect(try runNN(["eval", dir], cwd: root).status == 0)
        }
        let one = try runNN(["report", "r1"], cwd: root)
        #expect(one.status == 0, "\(one.stderr)")
        #expect(try read(root + "/r1/report.md").hasPrefix("# Run report: other\n\nRun directory: `.` (this report's directory)\n"))
        #expect(try read(root + "/r1/loss.svg").contains(">other</text>"))
        // The small test set is not the notebook's: an error, the report written all the same.
        let nb = try runNN(["report", "r1", "r2", "--notebook", "--out", "nb"], cwd: root)
        #expect(nb.stderr.contains("the test set differs from the notebook's"), "\(nb.stderr)")
        for chart in ["loss.svg", "loss-vs-notebook.svg"] {
            let svg = try read(root + "/nb/" + chart)
            #expect(svg.contains(">other</text>") && svg.contains(">seed=1</text>"), "\(chart)")
        }
    }

    /// lr 1e300 diverges: the one ok point (lr=0.1) is the best, named by its lr, and the
    /// report `nn sweep` writes is the one `nn report` writes (no absolute path in it).
    @Test func theBestOfASweepWithADivergedPointAndOneReport() throws {
        let root = scratchDirectory("report-best")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let s = try runNN(["sweep", "--data", try sweepData.get(), "--lr", "0.1,1e300", "--epochs", "2", "--out", "s"] + Self.tiny,
                          cwd: root)
        #expect(s.status == 1, "\(s.stderr)")
        let fromSweep = try read(root + "/s/report.md")
        #expect(fromSweep.contains("Sweep directory: `.` (this report's directory)\n"), "\(fromSweep)")
        #expect(!fromSweep.contains(root))
        let best = try #require(fromSweep.split(separator: "\n").first { $0.hasPrefix("Best point: ") })
        #expect(best.contains("(lr=0.1, ") && !best.contains("base experiment"), "\(best)")
        let r = try runNN(["report", "s"], cwd: root)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try read(root + "/s/report.md") == fromSweep)
    }
}
