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

    /// `nn runs --help` states the ranking rule in the words of every table's header
    /// (`Ranking.rule`), not a rule of its own.
    @Test func helpStatesTheOneRankingRule() throws {
        let r = try runNN(["runs", "--help"])
        #expect(r.status == 0)
        let words = r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains(Ranking.rule), "\(r.stdout)")
        #expect(!words.contains("by the main metric: f1"))
    }

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
        #expect(lines.count == 7)
        // The header says which metric ranked: average precision (no validation sets), not F1,
        // which ties at 0 for every tiny run.
        #expect(lines[0].hasPrefix("ranked by average_precision (higher is better) per data set"), "\(lines[0])")
        // A terminal's table: 120 characters at most, started and duration last, no 64-hex data column.
        #expect(lines[1].hasPrefix("best  name  ") && lines[1].hasSuffix("started      duration"), "\(lines[1])")
        #expect(lines.allSatisfy { $0.count <= 120 }, "\(table.stdout)")
        #expect(!table.stdout.contains("data.manifest_sha256") && !lines[1].contains("path"))
        // Runs a and b are one configuration (one id) in two places: `where` tells them apart.
        #expect(lines[1].hasPrefix("best  name      id            where      status"), "\(lines[1])")
        #expect(Set(lines.dropFirst(2).map { $0.dropFirst(6) }).count == 5, "\(table.stdout)")
        #expect(lines[1].contains(" lr ") && lines[1].contains(" seed ") && !lines[1].contains(" epochs "))
        #expect(lines[2].hasPrefix("*"))   // best first, exactly one per data set
        #expect(lines.filter { $0.hasPrefix("*") }.count == 1)

        let csv = try runNN(["runs", "results", "--format", "csv", "--filter", "seed=1", "--sort", "path"], cwd: root)
        let rows = try CSVTable.parse(csv.stdout, name: "csv")
        #expect(rows.rows.map { $0[rows.column("path")!] } == ["results/a", "results/b"])

        // --columns picks columns; --sort started / duration work; csv keeps everything.
        let picked = try runNN(["runs", "--columns", "id,duration,path", "--sort", "duration"], cwd: root)
        let pickedLines = picked.stdout.split(separator: "\n")
        #expect(picked.status == 0 && pickedLines[1].split(separator: " ").map(String.init) == ["best", "id", "duration", "path"], "\(picked.stdout)")
        let durations = pickedLines.dropFirst(2).compactMap { $0.split(separator: " ").dropLast().last.flatMap { Double($0) } }
        #expect(durations.count == 5 && durations == durations.sorted(), "\(durations)")
        #expect(try runNN(["runs", "--sort", "-started"], cwd: root).status == 0)
        let full = try CSVTable.parse(try runNN(["runs", "--format", "csv"], cwd: root).stdout, name: "csv")
        #expect(["path", "started", "duration", "lr", "seed", "f1"].allSatisfy(full.header.contains), "\(full.header)")
        #expect(try runNN(["runs", "--columns", "nope"], cwd: root).stderr.hasPrefix("Error: --columns: no column 'nope'"))

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
