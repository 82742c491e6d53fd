import Foundation
import Testing
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// `nn mlflow push` against an in-memory MLflow (`FakeMLflow`); scripts/test-mlflow.sh
/// pushes to a real server.
@Suite struct MLflowPushTests {
    /// A 3-point sweep (history `epoch,loss,val_loss`, a chart and a model per point).
    static func sweep() throws -> String {
        let dir = try ResultFixture.directory("mlflow")
        try ResultFixture.sweep(at: dir, points: ResultFixture.grid(lrs: [0.1, 0.3, 1], seeds: [0]))
        for id in try FileManager.default.contentsOfDirectory(atPath: dir + "/runs") {
            let run = "\(dir)/runs/\(id)"
            try AtomicFile.write("epoch,loss,val_loss\n1,0.69,0.7\n2,0.5,\n3,0.41,0.45\n", to: run + "/history.csv")
            try AtomicFile.write("<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n", to: run + "/roc.svg")
            try AtomicFile.write(Data((0..<300).map { UInt8($0 % 256) }), to: run + "/model.nnm")
            try AtomicFile.write(#"{"git_commit": "abc123", "git_dirty": false, "nn_version": "0.1.0", "started": "2026-12-07T10:00:00Z"}"#,
                                 to: run + "/provenance.json")
        }
        return dir
    }

    @discardableResult
    static func push(_ dir: String, _ server: FakeMLflow, experiment: String = "nn") throws -> MLflowPush.Outcome {
        try MLflowPush.push(paths: [dir], client: MLflowClient(transport: server, server: "fake"), experiment: experiment,
                            now: { 1_000 }, say: { _ in })
    }

    /// What a clean push leaves, per nn run id: params, metric points, tags, artifact names.
    static func state(_ server: FakeMLflow) -> [String: String] {
        var out: [String: String] = [:]
        for run in server.runs {
            let metrics = run.metrics.map { "\($0.key)@\($0.step)=\($0.value)" }.sorted()
            let tags = run.tags.filter { $0.key != "nn.path" }.map { "\($0.key)=\($0.value)" }.sorted()
            let files = server.artifacts.keys.filter { $0.hasPrefix("\(run.experiment)/\(run.id)/") }.map { $0.split(separator: "/").last! }.sorted()
            out[run.tags["nn.run_id"]!, default: ""] += "\(run.status) \(run.params.sorted { $0.key < $1.key }) \(metrics) \(tags) \(files)"
        }
        return out
    }

    @Test func pushLogsParamsHistoriesFinalMetricsTagsAndArtifacts() throws {
        let dir = try Self.sweep()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = FakeMLflow()
        let outcome = try Self.push(dir, server)
        #expect(outcome.created == 3 && outcome.updated == 0 && outcome.unchanged == 0 && outcome.skipped.isEmpty)
        #expect(server.experiments == ["nn": "1"])
        #expect(server.runs.count == 3)
        let run = try #require(server.runs.first { $0.tags["nn.run_id"] == "000000000001" })
        #expect(run.status == "FINISHED" && run.tags["nn.push"] == "complete")
        #expect(run.params["lr"] == "0.3" && run.params["layers"] == "785,20,1" && run.params["data.manifest_sha256"] == "0f3a")
        #expect(run.params.count == 9)      // config.json flattened (data has two members)
        #expect(server.history(run.id, "loss").map(\.step) == [1, 2, 3])
        #expect(server.history(run.id, "loss").map(\.value) == [0.69, 0.5, 0.41])
        #expect(server.history(run.id, "val_loss").map(\.step) == [1, 3])     // the empty cell is no point
        #expect(server.history(run.id, "f1").map(\.value) == [0.5 + 0.3 / 4])
        #expect(server.history(run.id, "tp").map(\.value) == [10])
        #expect(run.tags["nn.name"] == "lr-grid" && run.tags["nn.git_commit"] == "abc123"
                && run.tags["mlflow.source.git.commit"] == "abc123" && run.tags["nn.version"] == "0.1.0")
        let files = server.artifacts.keys.filter { $0.hasPrefix("1/\(run.id)/artifacts/") }.sorted()
        #expect(files == ["config.json", "history.csv", "metrics.json", "model.nnm", "roc.svg"].map { "1/\(run.id)/artifacts/\($0)" })
        #expect(server.artifacts["1/\(run.id)/artifacts/model.nnm"] == Data((0..<300).map { UInt8($0 % 256) }))
        // Every POST is JSON; artifacts are PUT as bytes.
        #expect(server.requests.allSatisfy { $0.method != "POST" || $0.contentType == "application/json" })
        #expect(server.requests.filter { $0.method == "PUT" }.allSatisfy { $0.contentType == "application/octet-stream" })
    }

    @Test func pushingAgainDuplicatesNothingAndUpdatesWhatChanged() throws {
        let dir = try Self.sweep()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = FakeMLflow()
        try Self.push(dir, server)
        let before = Self.state(server), sent = server.requests.count
        let again = try Self.push(dir, server)
        #expect(again.unchanged == 3 && again.created == 0 && again.updated == 0)
        #expect(Self.state(server) == before)
        // One lookup of the experiment, one search per run.
        #expect(server.requests.count - sent == 4)

        // A changed final metric is logged again; the history is not repeated.
        let point = dir + "/runs/000000000002"
        let metrics = try readText(point + "/metrics.json").replacingOccurrences(of: "\"f1\": 0.75", with: "\"f1\": 0.8")
        try AtomicFile.write(metrics, to: point + "/metrics.json")
        let third = try Self.push(dir, server)
        #expect(third.updated == 1 && third.unchanged == 2)
        let run = try #require(server.runs.first { $0.tags["nn.run_id"] == "000000000002" })
        #expect(server.history(run.id, "f1").map(\.value) == [0.75, 0.8])
        #expect(server.history(run.id, "loss").count == 3)
        #expect(server.runs.count == 3)
    }

    /// Where the results lie is not part of the push: after a move (or from another
    /// checkout) the same runs are up to date, and `nn.path` stays as set at creation.
    @Test func pushingAMovedDirectoryChangesNothing() throws {
        let dir = try Self.sweep()
        let moved = dir + "-moved"
        defer { for d in [dir, moved] { try? FileManager.default.removeItem(atPath: d) } }
        let server = FakeMLflow()
        try Self.push(dir, server)
        let before = server.runs.map(\.tags), sent = server.requests.count
        #expect(before.allSatisfy { $0["nn.path"]?.hasPrefix(dir + "/runs/") == true })
        try FileManager.default.moveItem(atPath: dir, toPath: moved)
        let again = try Self.push(moved, server)
        #expect(again.unchanged == 3 && again.created == 0 && again.updated == 0)
        #expect(server.runs.map(\.tags) == before)
        #expect(server.requests.count - sent == 4)
    }

    @Test func aPushInterruptedAnywhereIsCompletedByTheNext() throws {
        let dir = try Self.sweep()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clean = FakeMLflow()
        try Self.push(dir, clean)
        let expected = Self.state(clean)
        let total = clean.requests.count
        #expect(total > 20)
        for cut in 0..<total {
            let server = FakeMLflow()
            server.failAfter = cut
            #expect(throws: NNError.self) { try Self.push(dir, server) }
            server.failAfter = nil
            try Self.push(dir, server)
            #expect(Self.state(server) == expected, "interrupted after \(cut) of \(total) requests")
        }
    }

    @Test func batchesStayWithinMLflowsLimits() throws {
        let server = FakeMLflow()
        let client = MLflowClient(transport: server, server: "fake")
        let experiment = try client.experimentID(name: "limits")
        let run = try client.createRun(experiment: experiment, name: "r", startTime: 0, tags: [])
        let metrics = (0..<2500).map { MLflowClient.Metric(key: "m", value: "\($0)", step: $0, timestamp: 0) }
        let params = (0..<150).map { ("p\($0)", "v") }
        try client.logBatch(run: run.id, metrics: metrics, params: params, tags: [("t", "x")])
        #expect(server.requests.filter { $0.path.hasSuffix("log-batch") }.count == 3)
        #expect(server.history(run.id, "m").map(\.step) == Array(0..<2500))
        #expect(server.runs[0].params.count == 150)
    }

    /// 100 params of 6,000 bytes and 100 tags of 5,000 (1.1 MB) are more than MLflow's
    /// 1 MB request limit (which the fake enforces): they go in requests below 900 KB.
    @Test func batchesStayBelowMLflowsRequestSize() throws {
        let server = FakeMLflow()
        let client = MLflowClient(transport: server, server: "fake")
        let run = try client.createRun(experiment: try client.experimentID(name: "size"), name: "r", startTime: 0, tags: [])
        let params = (0..<100).map { ("p\($0)", String(repeating: "v", count: 6000)) }
        let tags = (0..<100).map { ("t\($0)", String(repeating: "t", count: 5000)) }
        let metrics = (0..<10).map { MLflowClient.Metric(key: "m", value: "\($0)", step: $0, timestamp: 0) }
        // One request with all of it is what the fake refuses.
        let whole = JSONValue.object([JSONMember("run_id", .string(run.id)), JSONMember("params", .array(params.map { MLflowClient.keyValue($0.0, $0.1) })),
                                      JSONMember("tags", .array(tags.map { MLflowClient.keyValue($0.0, $0.1) }))])
        #expect(throws: NNError.self) { _ = try client.call("POST", "runs/log-batch", body: whole) }
        let sent = server.requests.count
        try client.logBatch(run: run.id, metrics: metrics, params: params, tags: tags)
        let batches = server.requests.dropFirst(sent).filter { $0.path.hasSuffix("log-batch") }
        #expect(batches.count == 2)
        #expect(batches.allSatisfy { $0.body.count < 900_100 }, "\(batches.map(\.body.count))")
        #expect(server.runs[0].params.count == 100 && server.runs[0].tags.count == 100)
        #expect(server.history(run.id, "m").map(\.step) == Array(0..<10))
    }

    /// A server whose artifacts are not proxied (S3 root, `--no-serve-artifacts`) is refused
    /// right after the run is created, in one line, before any param, metric or tag is logged.
    @Test func aServerWithoutTheArtifactProxyIsRefusedBeforeLogging() throws {
        let dir = try Self.sweep()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = FakeMLflow()
        server.artifactRoot = "s3://bucket/"
        let error = #expect(throws: NNError.self) { try Self.push(dir, server) }
        #expect(error?.message == "MLflow tracking server fake: the run's artifact location s3://bucket/1/run0000/artifacts is not "
                + "served by the server's artifact proxy (mlflow-artifacts:); start the server with --serve-artifacts")
        #expect(server.runs.count == 1)
        #expect(!server.requests.contains { $0.path.hasSuffix("log-batch") || $0.method == "PUT" })
        #expect(server.runs[0].params.isEmpty && server.runs[0].metrics.isEmpty)
    }

    @Test func serverErrorsAreOneLine() throws {
        let server = FakeMLflow()
        let client = MLflowClient(transport: server, server: "http://x:5000")
        let error = #expect(throws: NNError.self) { try client.run("nope") }
        #expect(error?.message == "MLflow tracking server http://x:5000: runs/get: HTTP 404: RESOURCE_DOES_NOT_EXIST: no run")
        #expect(MLflowClient.proxyPath("mlflow-artifacts:/1/abc/artifacts") == "1/abc/artifacts")
        #expect(MLflowClient.proxyPath("mlflow-artifacts://host:5000/1/abc/artifacts") == "1/abc/artifacts")
        #expect(MLflowClient.proxyPath("s3://bucket/1/abc") == nil)
        #expect(MLflowClient.percent("a b/ü'", keepSlash: true) == "a%20b/%C3%BC%27")
        #expect(MLflowClient.cut(String(repeating: "x", count: 10), 6) == "xxx…")
    }
}
