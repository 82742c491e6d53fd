import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNExperiments
import Testing

/// Issue 19 "No names": `--name`, `--tag`, `--note` on `nn train` and `nn sweep` land in
/// meta.json (not in config.json, not in the run id), show in `nn runs` (filterable) and
/// in report legends; `--quiet` still prints where the run went.
@Suite struct RunMetaCLITests {
    static let tiny = ["--layers", "785,4,1", "--activations", "relu,sigmoid", "--epochs", "2", "--threads", "1"]

    @Test func namesTagsAndNotesAreMetadata() throws {
        let data = try preparedMNIST(train: 200, test: 100, tag: "meta").get()
        let root = scratchDirectory("meta-cli")
        defer { try? FileManager.default.removeItem(atPath: root) }
        // The same configuration with and without metadata: the same run directory and config.json bytes.
        let plain = try runNN(["train", "--data", data, "--quiet"] + Self.tiny, cwd: root)
        #expect(plain.status == 0, "\(plain.stderr)")
        let dir = plain.stdout.trimmingCharacters(in: .newlines)
        #expect(dir.hasPrefix("results/runs/notebook/") && !dir.contains("\n"), "--quiet prints where the run went: \(plain.stdout)")
        let config = try Data(contentsOf: URL(fileURLWithPath: root + "/" + dir + "/config.json"))
        let named = try runNN(["train", "--data", data, "--quiet", "--force", "--name", "mine", "--tag", "team=vision", "--tag", "try=2",
                               "--note", "first look"] + Self.tiny, cwd: root)
        #expect(named.status == 0 && named.stdout == plain.stdout, "\(named.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/" + dir + "/config.json")) == config)
        let meta = try #require(try RunMeta.read(dir: root + "/" + dir))
        #expect(meta == RunMeta(name: "mine", tags: [("team", "vision"), ("try", "2")], note: "first look"))

        let other = try runNN(["train", "--data", data, "--quiet", "--lr", "0.1", "--tag", "team=audio"] + Self.tiny, cwd: root)
        #expect(other.status == 0, "\(other.stderr)")
        let sweep = try runNN(["sweep", "--data", data, "--lr", "0.1,0.3", "--tag", "team=vision", "--note", "grid"] + Self.tiny, cwd: root)
        #expect(sweep.status == 0, "\(sweep.stderr)")

        let table = try runNN(["runs"], cwd: root)
        #expect(table.status == 0 && table.stdout.contains(" mine ") && table.stdout.contains("team=vision,try=2"), "\(table.stdout)")
        let vision = try runNN(["runs", "--filter", "tag.team=vision", "--format", "csv"], cwd: root)
        let rows = try CSVTable.parse(vision.stdout, name: "csv")
        #expect(rows.rows.count == 3, "the named run and the two sweep points: \(vision.stdout)")
        let none = try runNN(["runs", "--filter", "tag.team=nobody"], cwd: root)
        #expect(none.status == 0 && none.stdout.isEmpty && none.stderr.contains("no runs found that match"))

        // A report of two runs: the legend names one by its name, the other by what differs.
        let otherDir = other.stdout.trimmingCharacters(in: .newlines)
        let report = try runNN(["report", dir, otherDir, "--out", "cmp"], cwd: root)
        #expect(report.status == 0, "\(report.stderr)")
        let svg = try String(contentsOfFile: root + "/cmp/loss.svg", encoding: .utf8)
        #expect(svg.contains(">mine<") && svg.contains(">lr=0.1<"), "\(svg)")
        #expect(!svg.contains(URL(fileURLWithPath: otherDir).lastPathComponent), "no bare run id in the legend")

        let bad = try runNN(["train", "--tag", "novalue"], cwd: root)
        #expect(bad.status == 2 && bad.stderr == "Error: --tag novalue: expected KEY=VALUE\n", "\(bad.stderr)")
    }
}
