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
}
