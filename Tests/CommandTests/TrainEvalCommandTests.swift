import Foundation
import Testing

/// `nn train` and `nn eval` end to end on a small prepared slice of real MNIST.
@Suite(.serialized) struct TrainEvalCommandTests {
    static let root = packageRoot()
    static let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("nn-train-\(UUID().uuidString)").path
    static let small = ["--layers", "785,16,1", "--activations", "relu,sigmoid", "--epochs", "3"]

    /// A 1000/500 binary split and a 1000/500 all-classes split, prepared once.
    static let prepared: Bool = {
        let a = try? runNN(["prepare", "--train-size", "1000", "--test-size", "500", "--out", tmp + "/bin"], cwd: root)
        let b = try? runNN(["prepare", "--train-size", "1000", "--test-size", "500", "--classes", "all", "--out", tmp + "/all"], cwd: root)
        return a?.status == 0 && b?.status == 0
    }()

    func read(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    @Test func trainThenEvalWritesTheRunFilesDeterministically() throws {
        try #require(Self.prepared)
        var outputs: [[Data]] = []
        for name in ["a", "b"] {
            let dir = Self.tmp + "/run-" + name
            let t = try runNN(["train", "--data", Self.tmp + "/bin", "--out", dir, "--seed", "5"] + Self.small, cwd: Self.root)
            #expect(t.status == 0, "\(t.stderr)")
            #expect(t.stdout.contains("epoch 3/3 loss"))
            let e = try runNN(["eval", "--run", dir], cwd: Self.root)
            #expect(e.status == 0, "\(e.stderr)")
            #expect(e.stdout.contains("accuracy"))
            outputs.append(try ["history.csv", "model.nnm", "metrics.json", "metrics.csv", "predictions.csv", "config.json"]
                .map { try read(dir + "/" + $0) })
        }
        #expect(outputs[0] == outputs[1])
        let history = String(decoding: outputs[0][0], as: UTF8.self)
        #expect(history.hasPrefix("epoch,loss\n1,"))
        #expect(history.split(separator: "\n").count == 4)
        let metrics = try JSONSerialization.jsonObject(with: outputs[0][2]) as? [String: Any]
        #expect((metrics?["samples"] as? Int) == 500)
        let timing = try JSONSerialization.jsonObject(with: read(Self.tmp + "/run-a/timing.json")) as? [String: Any]
        #expect((timing?["epoch_seconds"] as? [Any])?.count == 3)
        let config = String(decoding: outputs[0][5], as: UTF8.self)
        #expect(config.contains("\"manifest_sha256\""))
        #expect(metrics?["roc_auc"] is Double && metrics?["average_precision"] is Double && metrics?["train_loss"] is Double)
        for name in ["thresholds.csv", "roc.svg", "pr.svg", "confusion.svg"] {
            #expect(FileManager.default.fileExists(atPath: Self.tmp + "/run-a/" + name), "\(name)")
        }
    }

    @Test func evalAtAnotherThresholdLeavesTheRunsOwnMetricsAlone() throws {
        try #require(Self.prepared)
        let dir = Self.tmp + "/threshold"
        let t = try runNN(["train", "--data", Self.tmp + "/bin", "--out", dir, "--quiet"] + Self.small, cwd: Self.root)
        #expect(t.status == 0, "\(t.stderr)")
        #expect(try runNN(["eval", "--run", dir], cwd: Self.root).status == 0)
        let own = try ["metrics.json", "metrics.csv", "predictions.csv", "confusion.svg"].map { try read(dir + "/" + $0) }
        let e = try runNN(["eval", "--run", dir, "--threshold", "0.2"], cwd: Self.root)
        #expect(e.status == 0, "\(e.stderr)")
        #expect(e.stdout.contains("metrics-t0.2.json"))
        #expect(try ["metrics.json", "metrics.csv", "predictions.csv", "confusion.svg"].map { try read(dir + "/" + $0) } == own)
        let m = try JSONSerialization.jsonObject(with: read(dir + "/metrics-t0.2.json")) as? [String: Any]
        #expect((m?["threshold"] as? Double) == 0.2)
        for name in ["metrics-t0.2.csv", "predictions-t0.2.csv", "confusion-t0.2.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + name), "\(name)")
        }
        // The run's own threshold again is the run's own evaluation.
        #expect(try runNN(["eval", "--run", dir, "--threshold", "0.5"], cwd: Self.root).stdout.contains("wrote predictions.csv, metrics.csv, metrics.json"))
    }

    @Test func tenClassSoftmaxRun() throws {
        try #require(Self.prepared)
        let dir = Self.tmp + "/ten"
        let t = try runNN(["train", "--config", "experiments/mnist-10class.json", "--data", Self.tmp + "/all", "--out", dir,
                           "--layers", "785,32,10", "--activations", "relu,softmax", "--epochs", "2", "--quiet"], cwd: Self.root)
        #expect(t.status == 0, "\(t.stderr)")
        #expect(t.stdout == dir + "\n")   // --quiet: only where the run went
        let e = try runNN(["eval", "--run", dir], cwd: Self.root)
        #expect(e.status == 0, "\(e.stderr)")
        let m = try JSONSerialization.jsonObject(with: read(dir + "/metrics.json")) as? [String: Any]
        let confusion = m?["confusion"] as? [[Int]]
        #expect(confusion?.count == 10)
        #expect(confusion?.reduce(0) { $0 + $1.reduce(0, +) } == 500)
        #expect(((m?["accuracy"] as? Double) ?? 0) > 0.5)
        #expect(((m?["macro_roc_auc"] as? Double) ?? 0) > 0.5 && m?["roc_auc_class_9"] is Double)
        #expect(FileManager.default.fileExists(atPath: dir + "/roc.svg") && !FileManager.default.fileExists(atPath: dir + "/pr.svg"))
    }

    @Test func divergenceKeepsHistoryAndFails() throws {
        try #require(Self.prepared)
        let dir = Self.tmp + "/diverge"
        let t = try runNN(["train", "--data", Self.tmp + "/bin", "--out", dir, "--lr", "1e6", "--quiet"] + Self.small, cwd: Self.root)
        #expect(t.status != 0)
        #expect(t.stderr.contains("diverged at epoch"))
        // The advice fits the run: an f64 run (the default) is not told to use f64.
        #expect(t.stderr.contains("; try a smaller --lr"), "\(t.stderr)")
        #expect(!t.stderr.contains("--precision f64"), "\(t.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir + "/history.csv"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/model.nnm"))
    }

    @Test(arguments: [
        (["--epochs", "-3"], "--epochs"), (["--lr", "0"], "--lr"), (["--lr", "-1"], "--lr"),
        (["--layers", "700,16,1"], "--layers"), (["--activations", "relu,softmax"], "--loss"),
        (["--activations", "relu,swish"], "--activations"), (["--optimizer", "lbfgs"], "--optimizer"),
        (["--precision", "f16"], "--precision"), (["--config", "/nonexistent.json"], "/nonexistent.json"),
    ])
    func badFlagsGetOneLineErrors(args: [String], mention: String) throws {
        try #require(Self.prepared)
        let dir = Self.tmp + "/bad-\(UUID().uuidString)"
        let base = ["train", "--data", Self.tmp + "/bin", "--out", dir, "--quiet", "--layers", "785,16,1", "--activations", "relu,sigmoid"]
        let r = try runNN(base + args, cwd: Self.root)
        #expect(r.status != 0)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.contains(mention), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/model.nnm"))
    }

    @Test func missingDataSaysWhichPrepareToRun() throws {
        let r = try runNN(["train", "--data", Self.tmp + "/nothing-here", "--quiet"], cwd: Self.root)
        #expect(r.status != 0)
        #expect(r.stderr.contains("nn prepare"), "\(r.stderr)")
    }

    @Test func evalOfANonRunIsAClearError() throws {
        let r = try runNN(["eval", "--run", Self.tmp + "/not-a-run"], cwd: Self.root)
        #expect(r.status != 0)
        #expect(r.stderr.contains("not a run directory"), "\(r.stderr)")
    }
}
