import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
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

/// Notes given again to a run or sweep that is already there are merged into its
/// meta.json (a given name or note replaces that field, each tag adds or replaces its key,
/// the rest is kept) and one line says so; nothing given leaves meta.json untouched.
@Suite struct RunMetaMergeTests {
    @Test func rerunMergesTheNotes() throws {
        let data = try preparedMNIST(train: 200, test: 100, tag: "meta").get()
        let root = scratchDirectory("meta-merge")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = try runNN(["train", "--data", data, "--quiet", "--name", "slow", "--note", "first look",
                               "--tag", "team=vision", "--tag", "x=a,b"] + RunMetaCLITests.tiny, cwd: root)
        #expect(first.status == 0, "\(first.stderr)")
        let dir = first.stdout.trimmingCharacters(in: .newlines)
        let metaFile = root + "/" + dir + "/meta.json"
        let before = try Data(contentsOf: URL(fileURLWithPath: metaFile))
        let upToDate = "\(dir): up to date (the same configuration on the same data is complete there; --force retrains)\n"

        let plain = try runNN(["train", "--data", data] + RunMetaCLITests.tiny, cwd: root)
        #expect(plain.status == 0 && plain.stdout == upToDate, "\(plain.stdout)\(plain.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: metaFile)) == before, "nothing given: meta.json untouched")

        let tagged = try runNN(["train", "--data", data, "--tag", "extra=1"] + RunMetaCLITests.tiny, cwd: root)
        #expect(tagged.status == 0 && tagged.stdout == upToDate + "nn: notes of \(dir) updated: tag extra=1\n", "\(tagged.stdout)\(tagged.stderr)")
        #expect(try RunMeta.read(dir: root + "/" + dir)
                == RunMeta(name: "slow", tags: [("extra", "1"), ("team", "vision"), ("x", "a,b")], note: "first look"))
        let again = try runNN(["train", "--data", data, "--tag", "extra=1"] + RunMetaCLITests.tiny, cwd: root)
        #expect(again.status == 0 && again.stdout == upToDate, "the same notes again change nothing: \(again.stdout)")

        let renamed = try runNN(["train", "--data", data, "--name", "fast", "--note", "second look", "--tag", "team=audio"]
                                + RunMetaCLITests.tiny, cwd: root)
        #expect(renamed.stdout == upToDate + "nn: notes of \(dir) updated: name fast, tag team=audio, note\n", "\(renamed.stdout)")
        #expect(try RunMeta.read(dir: root + "/" + dir)
                == RunMeta(name: "fast", tags: [("extra", "1"), ("team", "audio"), ("x", "a,b")], note: "second look"))

        // A sweep re-run with a tag keeps its note and other tags.
        let sweep = ["sweep", "--data", data, "--lr", "0.1,0.3", "--name", "demo"] + RunMetaCLITests.tiny
        let s1 = try runNN(sweep + ["--tag", "team=vision", "--note", "grid"], cwd: root)
        #expect(s1.status == 0 && !s1.stdout.contains("notes of"), "\(s1.stdout)\(s1.stderr)")
        let s2 = try runNN(sweep + ["--tag", "extra=1"], cwd: root)
        #expect(s2.status == 0 && s2.stdout.contains("nn: notes of \(root)/results/sweeps/demo updated: tag extra=1\n"), "\(s2.stdout)\(s2.stderr)")
        #expect(try RunMeta.read(dir: root + "/results/sweeps/demo") == RunMeta(tags: [("extra", "1"), ("team", "vision")], note: "grid"))
    }
}

/// Issue 19 "Two argument styles": `nn eval DIR`, `nn predict DIR INPUT...`, `nn export
/// DIR` take the run as a positional, `--run` stays an alias.
@Suite struct PositionalRunTests {
    @Test func runDirectoryIsPositional() throws {
        let data = try preparedMNIST(train: 200, test: 100, tag: "meta").get()
        let root = scratchDirectory("positional")
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try runNN(["train", "--data", data, "--out", "r", "--quiet"] + RunMetaCLITests.tiny, cwd: root).status == 0)
        let eval = try runNN(["eval", "r"], cwd: root)
        #expect(eval.status == 0 && eval.stdout.contains("wrote ") && eval.stdout.contains("metrics.json"), "\(eval.stderr)")
        let alias = try runNN(["eval", "--run", "r"], cwd: root)
        #expect(alias.status == 0 && alias.stdout == eval.stdout)
        let both = try runNN(["eval", "--run", "r", "r"], cwd: root)
        #expect(both.status == 2 && both.stderr.hasPrefix("Error: give the run directory once"), "\(both.stderr)")
        let none = try runNN(["eval"], cwd: root)
        #expect(none.status == 2 && none.stderr.contains("Missing expected argument '<dir>'"), "\(none.stderr)")
        // A hint that fits the path: a directory holding runs is not told to train into itself.
        let holder = try runNN(["eval", "."], cwd: root)
        #expect(holder.status == 2 && holder.stderr == "Error: .: not a run directory (no config.json); it holds runs: give one of them (`nn runs .` lists them)\n", "\(holder.stderr)")
        let images = packageRoot() + "/data/mnist/t10k-images-idx3-ubyte.gz"
        let p1 = try runNN(["predict", "r", images, "--out", "a.csv"], cwd: root)
        let p2 = try runNN(["predict", "--run", "r", images, "--out", "b.csv"], cwd: root)
        #expect(p1.status == 0 && p2.status == 0, "\(p1.stderr)\(p2.stderr)")
        #expect(FileManager.default.contents(atPath: root + "/a.csv") == FileManager.default.contents(atPath: root + "/b.csv"))
        let noInput = try runNN(["predict", "r"], cwd: root)
        #expect(noInput.status == 2 && noInput.stderr.contains("give at least one input"), "\(noInput.stderr)")
        let export = try runNN(["export", "r", "--format", "npz"], cwd: root)
        #expect(export.status == 0 && FileManager.default.fileExists(atPath: root + "/r/model.npz"), "\(export.stderr)")
    }
}

/// Issue 19 "Help that teaches": every command's help has 2-4 examples, `nn --help` ("") too.
@Suite struct HelpExamplesTests {
    @Test(arguments: ["", "fetch", "prepare", "train", "eval", "predict", "export", "diff", "report", "sweep", "runs"])
    func helpHasExamples(command: String) throws {
        let help = try runNN((command.isEmpty ? [] : [command]) + ["--help"])
        #expect(help.status == 0)
        let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex(of: "Examples:"), "\(command)")
        let examples = lines[(start + 1)...].prefix { $0.hasPrefix("  nn ") }
        #expect((2...4).contains(examples.count), "\(command): \(examples)")
    }
}
