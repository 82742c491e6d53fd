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
}
