import Foundation
import Testing

/// Issue 9 item 10: from a fresh clone (the vendored data/mnist, no results/), `nn train`
/// and `nn sweep` prepare the data they need, saying so in one line, and use it as it is
/// the next time; a directory given with --data is never written.
@Suite struct FirstCommandTests {
    func freshClone() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-first-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/data", withDestinationPath: packageRoot() + "/data")
        try #"{"train_size": 300, "test_size": 100}"#.write(toFile: dir + "/small.json", atomically: true, encoding: .utf8)
        return dir
    }

    static let net = ["--layers", "785,8,1", "--activations", "relu,sigmoid", "--epochs", "2"]

    @Test func trainAndSweepPrepareMissingData() throws {
        let root = try freshClone()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let prepared = "results/prepared/mnist-binary8-300-100-s42"
        let first = try runNN(["train", "--config", "small.json", "--quiet", "--out", "run"] + Self.net, cwd: root)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.hasPrefix("nn: no prepared data in \(prepared); preparing it (`nn prepare"), "\(first.stderr)")
        #expect(first.stderr.split(separator: "\n").count == 1)
        #expect(FileManager.default.fileExists(atPath: root + "/" + prepared + "/manifest.json"))
        let again = try runNN(["train", "--config", "small.json", "-q", "--out", "again"] + Self.net, cwd: root)
        #expect(again.status == 0 && again.stderr.isEmpty, "\(again.stderr)")
        #expect(again.stdout == "again\n", "\(again.stdout)")   // -q: only where the run went

        try FileManager.default.removeItem(atPath: root + "/results")
        let sweep = try runNN(["sweep", "--config", "small.json", "--lr", "0.1,0.3", "--layers", "785,8,1",
                               "--activations", "relu,sigmoid", "--epochs", "1"], cwd: root)
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stderr.components(separatedBy: "preparing it").count == 2, "\(sweep.stderr)")
        // A dry run prepares missing data too (the run ids depend on it), and its help says so.
        try FileManager.default.removeItem(atPath: root + "/results")
        let dry = try runNN(["sweep", "--config", "small.json", "--lr", "0.1,0.3", "--epochs", "1", "--dry-run"], cwd: root)
        #expect(dry.status == 0 && dry.stderr.contains("preparing it"), "\(dry.stderr)")
        #expect(FileManager.default.fileExists(atPath: root + "/" + prepared + "/manifest.json"))
        let help = try runNN(["sweep", "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("train nothing. Prepares the data first when it is missing (the run ids depend on it)."), "\(help)")

        // Present data is verified on load: a damaged file is a one-line error naming it.
        let labels = root + "/" + prepared + "/train-labels.idx"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: labels))
        bytes[bytes.count - 1] ^= 1
        try bytes.write(to: URL(fileURLWithPath: labels))
        let damaged = try runNN(["train", "--config", "small.json", "--quiet", "--out", "third"] + Self.net, cwd: root)
        #expect(damaged.status == 2 && damaged.stderr.contains("train-labels.idx"), "\(damaged.stderr)")

        // --data names a directory the user chose: it is not prepared behind their back.
        let given = try runNN(["train", "--data", "elsewhere", "--quiet"] + Self.net, cwd: root)
        #expect(given.status == 2 && given.stderr.contains("no prepared data here"), "\(given.stderr)")
    }

    /// Outside a clone (no data/mnist), `nn train` and `nn sweep` say what works for them
    /// (they take no --data-dir): `nn fetch` here, or the `nn prepare ... --data-dir DIR`
    /// they print, after which they find the prepared data. The failure leaves nothing.
    @Test func withoutTheDatasetTheHintNamesWhatWorks() throws {
        let root = scratchDirectory("first-no-data")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try #"{"train_size": 300, "test_size": 100}"#.write(toFile: root + "/small.json", atomically: true, encoding: .utf8)
        for command in ["train", "sweep"] {
            let r = try runNN([command, "--config", "small.json"] + Self.net, cwd: root)
            #expect(r.status == 2, "\(r.stderr)")
            let error = try #require(r.stderr.split(separator: "\n").last.map(String.init))
            #expect(error.hasPrefix("Error: ") && error.contains("data/mnist/train-labels-idx1-ubyte.gz: no such file; run `nn fetch --dataset mnist` (in this directory, or `nn prepare "),
                    "\(command): \(error)")
            #expect(!error.contains("pass --data-dir"), "\(error)")
            #expect(entries(root) == ["small.json"], "\(entries(root))")
        }
        let r = try runNN(["train", "--config", "small.json"] + Self.net, cwd: root)
        let hint = try #require(r.stderr.split(separator: "`").first { $0.hasPrefix("nn prepare ") && $0.hasSuffix(" --data-dir DIR") })
        let prepare = hint.split(separator: " ").dropFirst().map(String.init).dropLast() + [packageRoot() + "/data/mnist"]
        let p = try runNN(Array(prepare), cwd: root)
        #expect(p.status == 0, "\(p.stderr)")
        let t = try runNN(["train", "--config", "small.json", "--quiet"] + Self.net, cwd: root)
        #expect(t.status == 0 && t.stderr.isEmpty, "\(t.stderr)")
    }
}
