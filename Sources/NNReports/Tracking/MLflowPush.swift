import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRunIndex
import NNSweeps
import NNRuns

/// `nn mlflow push`: every complete run under the given paths (runs, sweep points, `make
/// reproduce`'s seeds; found as `nn runs` finds them) logged to an MLflow tracking server.
///
/// What one nn run becomes (an MLflow run in the experiment):
/// - params: `config.json` flattened (`lr`, `layers`, `data.manifest_sha256`, ...);
/// - metrics: each `history.csv` column but `epoch` as a history, step = epoch (`loss`,
///   `val_loss`, `val_f1`, ...), and each number of `metrics.json` at step 0 (`f1`, `tp`, ...);
/// - tags: `nn.run_id` (how the run is found again), `nn.name`, `nn.path` (set when the run
///   is created only, and out of the digest: a push after a move or from another checkout
///   changes nothing), `nn.tags`,
///   `nn.notes`, `nn.description`, provenance (`nn.version`, `nn.git_commit`,
///   `nn.git_dirty`, `nn.started`, `nn.hostname`; and MLflow's `mlflow.source.git.commit`);
/// - artifacts, through the server's artifact proxy: the model (`model.nnm`, and
///   `model.npz` / `model.safetensors` when `nn export` wrote them), the charts (`*.svg`),
///   `config.json`, `metrics.json`, `history.csv`, `report.html` when there is one.
///
/// Idempotent and resumable: a run is found by its `nn.run_id` tag and never created
/// twice; what it lacks is added (metric points by step, params, artifacts) and a changed
/// final metric is logged again. The tag `nn.push` = `complete` (with `nn.digest`, a
/// SHA-256 of everything sent) is set last, after the run is marked FINISHED, so a push
/// interrupted anywhere leaves a run without it, which the next push completes; a run
/// whose digest matches is left alone.
package enum MLflowPush {
    package static let defaultExperiment = "nn"
    static let runIDTag = "nn.run_id", pushTag = "nn.push", digestTag = "nn.digest", pathTag = "nn.path"
    static let artifactFiles = ["model.nnm", "model.npz", "model.safetensors", RunLayout.configFile,
                                RunLayout.metricsJSONFile, RunLayout.historyFile, HTMLReport.file]

    /// What a push did, for the summary line.
    package struct Outcome: Sendable, Equatable {
        package var experimentID = ""
        package var created = 0, updated = 0, unchanged = 0
        package var skipped: [String] = []
    }

    /// Pushes to the server at `trackingURI` (http or https).
    package static func push(paths: [String], trackingURI: String, experiment: String,
                             say: (String) -> Void) throws -> Outcome {
        guard let url = URL(string: trackingURI), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
            throw NNError("--tracking-uri \(trackingURI): expected an http:// or https:// URL of an MLflow tracking server")
        }
        let client = MLflowClient(transport: URLSessionTransport(base: url), server: trackingURI)
        return try push(paths: paths, client: client, experiment: experiment, say: say)
    }

    /// One complete run read from disk, in the shape it is sent.
    struct LocalRun {
        var id: String
        var name: String
        var path: String
        var params: [(String, String)]
        var history: [MLflowClient.Metric]
        var final: [MLflowClient.Metric]
        var tags: [(String, String)]
        /// File name, path, SHA-256 (read again when uploaded, so a sweep's models are not all in memory).
        var artifacts: [(name: String, path: String, sha256: String)]
        /// SHA-256 of all of the above.
        var digest: String
    }

    static func push(paths: [String], client: MLflowClient, experiment: String, now: () -> Int64 = milliseconds,
                     say: (String) -> Void) throws -> Outcome {
        let scan = try RunsScan.scan(paths)
        for warning in scan.warnings { say("warning: \(warning)") }
        var outcome = Outcome()
        var runs: [LocalRun] = []
        for row in scan.rows {
            guard row.status == "complete" else {
                outcome.skipped.append("\(row.path) (\(row.status))")
                continue
            }
            guard !row.id.isEmpty else {
                outcome.skipped.append("\(row.path) (no run id: config.json records no data)")
                continue
            }
            runs.append(try read(row, time: now()))
        }
        if runs.isEmpty && outcome.skipped.isEmpty { throw NNError("\(paths.joined(separator: " ")): no runs found") }
        outcome.experimentID = try client.experimentID(name: experiment)
        for run in runs {
            let state = try push(run, client: client, experiment: outcome.experimentID, now: now)
            switch state {
            case .created: outcome.created += 1
            case .updated: outcome.updated += 1
            case .unchanged: outcome.unchanged += 1
            }
            say("\(state.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(run.name) \(run.id)  \(run.path)")
        }
        return outcome
    }

    enum State: String { case created, updated, unchanged = "up to date" }

    static func push(_ run: LocalRun, client: MLflowClient, experiment: String, now: () -> Int64) throws -> State {
        let found = try client.searchRuns(experiment: experiment, tag: runIDTag, value: run.id)
        var remote: MLflowClient.RemoteRun
        let state: State
        if let first = found.first {
            if first.tags[pushTag] == "complete" && first.tags[digestTag] == run.digest { return .unchanged }
            remote = try client.run(first.id)
            state = .updated
        } else {
            remote = try client.createRun(experiment: experiment, name: runName(run), startTime: now(),
                                          tags: [(runIDTag, run.id), (pathTag, absolute(run.path))])
            state = .created
        }
        // Artifacts go through the server's proxy only: refuse before logging anything.
        guard MLflowClient.proxyPath(remote.artifactURI) != nil else { throw client.notProxied(remote.artifactURI) }
        // Params cannot change once logged: send only those the run lacks.
        let params = run.params.filter { remote.params[$0.0] == nil }
        // Metric points: only those not there yet (by step and value); final metrics when
        // their latest value differs.
        var metrics: [MLflowClient.Metric] = []
        if state == .created {
            metrics = run.history + run.final
        } else {
            for key in Set(run.history.map(\.key)).sorted() {
                let have = try client.metricHistory(run: remote.id, key: key)
                let present = Set(have.map { "\($0.step) \($0.value)" })
                metrics += run.history.filter { $0.key == key && !present.contains("\($0.step) \(Double($0.value) ?? .nan)") }
            }
            metrics += run.final.filter { remote.metrics[$0.key] != Double($0.value) }
        }
        try client.logBatch(run: remote.id, metrics: metrics, params: params, tags: run.tags)
        for artifact in run.artifacts {
            let data = Data(try readFileBytes(artifact.path))
            guard Checksum.sha256(data) == artifact.sha256 else { throw NNError("\(artifact.path): changed during the push; push again") }
            try client.uploadArtifact(artifactURI: remote.artifactURI, path: artifact.name, data: data)
        }
        try client.finish(run: remote.id, endTime: now())
        try client.logBatch(run: remote.id, tags: [(digestTag, run.digest), (pushTag, "complete")])
        return state
    }

    /// `<name> <first 8 of the id>`, what MLflow's UI lists.
    static func runName(_ run: LocalRun) -> String { "\(run.name)-\(run.id.prefix(8))" }

    static func milliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }

    /// Reads a complete run's files (see the type's comment for what becomes what).
    static func read(_ row: RunsRow, time: Int64) throws -> LocalRun {
        let layout = RunLayout(row.path)
        let config = try JSONValue.read(path: layout.config)
        let params = config.flattened().map { ($0.key, $0.value.text) }
        var history: [MLflowClient.Metric] = []
        if FilePath.exists(layout.history) {
            let table = try CSVTable.read(path: layout.history)
            guard let e = table.column("epoch") else { throw NNError("\(layout.history): no 'epoch' column") }
            for row in table.rows {
                guard let step = Int(row[e]) else { throw NNError("\(layout.history): epoch '\(row[e])' is not a whole number") }
                for (i, column) in table.header.enumerated() where i != e {
                    guard let x = NumberText.parse(row[i]), x.isFinite else { continue }
                    history.append(.init(key: column, value: row[i], step: step, timestamp: time))
                }
            }
        }
        let metrics = try JSONValue.read(path: layout.metricsJSON)
        let final = metrics.flattened().compactMap { field -> MLflowClient.Metric? in
            guard let x = field.value.number, x.isFinite else { return nil }
            return .init(key: field.key, value: field.value.text, step: 0, timestamp: time)
        }
        // Only what the run is, never where it lies (nn.path is set at creation, see `push`).
        var tags: [(String, String)] = [(runIDTag, row.id), ("nn.name", row.name)]
        for key in ["tags", "notes", "description"] {
            guard let value = config[key] else { continue }
            let text = value.elements.map { $0.compactMap(\.text).joined(separator: ",") } ?? value.text ?? ""
            if !text.isEmpty { tags.append(("nn." + key, text)) }
        }
        if let note = config["notes"]?.text ?? config["description"]?.text, !note.isEmpty {
            tags.append(("mlflow.note.content", note))
        }
        if FilePath.exists(layout.provenance), let provenance = try? JSONValue.read(path: layout.provenance) {
            for (key, tag) in [("nn_version", "nn.version"), ("git_commit", "nn.git_commit"), ("git_dirty", "nn.git_dirty"),
                               ("started", "nn.started"), ("hostname", "nn.hostname")] {
                if let v = provenance[key]?.scalarField, v.text != "null" { tags.append((tag, v.text)) }
            }
            if let commit = provenance["git_commit"]?.text { tags.append(("mlflow.source.git.commit", commit)) }
        }
        /// File name, path, SHA-256 (read again when uploaded, so a sweep's models are not all in memory).
        var artifacts: [(name: String, path: String, sha256: String)] = []
        let names = artifactFiles + ((try? FileManager.default.contentsOfDirectory(atPath: row.path)) ?? [])
            .filter { $0.hasSuffix(".svg") }.sorted()
        for name in names where FilePath.exists(layout.path(name)) {
            artifacts.append((name, layout.path(name), Checksum.sha256(try readFileBytes(layout.path(name)))))
        }
        var digest = "params\n" + params.map { "\($0)=\($1)\n" }.joined()
        digest += "metrics\n" + (history + final).map { "\($0.key) \($0.step) \($0.value)\n" }.joined()
        digest += "tags\n" + tags.map { "\($0)=\($1)\n" }.joined()
        digest += "artifacts\n" + artifacts.map { "\($0.name) \($0.sha256)\n" }.joined()
        return LocalRun(id: row.id, name: row.name, path: row.path, params: params, history: history, final: final,
                        tags: tags, artifacts: artifacts, digest: Checksum.sha256(Data(digest.utf8)))
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardized.path
    }
}
