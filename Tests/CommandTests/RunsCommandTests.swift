import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import Testing

/// `nn runs` and `provenance.json` end to end: real runs and a sweep on a small slice of MNIST.
@Suite struct RunsCommandTests {
    static let tiny = ["--layers", "785,16,1", "--activations", "relu,sigmoid", "--epochs", "2"]

    @Test func listsRunsAndSweepPointsAndEveryRunRecordsItsProvenance() throws {
        let data = try sweepData.get()
        let root = scratchDirectory("runs-cli")
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (name, seed) in [("a", "1"), ("b", "1"), ("c", "2")] {
            let t = try runNN(["train", "--data", data, "--out", "results/" + name, "--seed", seed, "--quiet"] + Self.tiny, cwd: root)
            #expect(t.status == 0, "\(t.stderr)")
            #expect(try runNN(["eval", "--run", "results/" + name], cwd: root).status == 0)
        }
        let s = try runNN(["sweep", "--data", data, "--lr", "0.1,0.3", "--out", "results/sweeps/lr"] + Self.tiny, cwd: root)
        #expect(s.status == 0, "\(s.stderr)")

        // provenance.json: version, start, command line; git fields null outside a repository.
        let p = try JSONValue.read(path: root + "/results/a/provenance.json")
        #expect(p["nn_version"] == .string(NNVersion.current))
        #expect(p["git_commit"] == .null && p["git_dirty"] == .null)
        #expect(p["command_line"]?.elements?.dropFirst().first == .string("train"))
        #expect(p["started"]?.text?.hasSuffix("Z") == true)
        #expect(p["hostname"]?.text?.isEmpty == false)
        let sp = try JSONValue.read(path: root + "/results/sweeps/lr/provenance.json")
        #expect(sp["command_line"]?.elements?.dropFirst().first == .string("sweep"))
        #expect(FileManager.default.fileExists(atPath: root + "/results/sweeps/lr/runs/" + (try onlyPoint(root)) + "/provenance.json"))
        // Runs a and b differ only in provenance.json (and timing.json): nn diff finds them equal.
        #expect(try runNN(["diff", "results/a", "results/b"], cwd: root).status == 0)

        let table = try runNN(["runs"], cwd: root)
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines[0].hasPrefix("best  name") && lines[0].hasSuffix("path"))
        #expect(lines[0].contains(" lr ") && lines[0].contains(" seed ") && !lines[0].contains(" epochs "))
        #expect(lines[1].hasPrefix("*"))   // best first (tiny runs may all tie: F1 0 after 2 epochs)

        let csv = try runNN(["runs", "results", "--format", "csv", "--filter", "seed=1", "--sort", "path"], cwd: root)
        let rows = try CSVTable.parse(csv.stdout, name: "csv")
        #expect(rows.rows.map { $0[rows.column("path")!] } == ["results/a", "results/b"])

        let bad = try runNN(["runs", "--filter", "nope=1"], cwd: root)
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("Error: --filter: no column 'nope'") && bad.stderr.split(separator: "\n").count == 1)
        let missing = try runNN(["runs", "absent"], cwd: root)
        #expect(missing.status == 2 && missing.stderr == "Error: absent: no such directory\n")
    }

    func onlyPoint(_ root: String) throws -> String {
        try FileManager.default.contentsOfDirectory(atPath: root + "/results/sweeps/lr/runs").sorted()[0]
    }
}
