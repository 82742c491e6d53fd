import Foundation
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// An in-memory MLflow tracking server behind `HTTPTransport`: the endpoints `nn mlflow
/// push` calls, with MLflow's rules that matter to it (log-batch limits, params that
/// cannot change, metrics that append, tags that overwrite, 404 for an unknown
/// experiment). `failAfter` makes every request after the first n fail as a dropped
/// connection would.
final class FakeMLflow: HTTPTransport, @unchecked Sendable {
    struct Run {
        var id: String
        var experiment: String
        var name: String
        var status = "RUNNING"
        var params: [String: String] = [:]
        var tags: [String: String] = [:]
        var metrics: [(key: String, value: Double, step: Int, timestamp: Int64)] = []
        /// Where the server stores artifacts (`FakeMLflow.artifactRoot` when the run was created).
        var artifactRoot = "mlflow-artifacts:/"
        var artifactURI: String { "\(artifactRoot)\(experiment)/\(id)/artifacts" }
    }

    private let lock = NSLock()
    private(set) var experiments: [String: String] = [:]
    private(set) var runs: [Run] = []
    private(set) var artifacts: [String: Data] = [:]
    private(set) var requests: [HTTPRequest] = []
    var failAfter: Int?
    /// The artifact root of runs created from now on (`s3://bucket/`: a server without the proxy).
    var artifactRoot = "mlflow-artifacts:/"

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        try lock.withLock {
            requests.append(request)
            if let n = failAfter, requests.count > n { throw NNError("fake: connection dropped") }
            return route(request)
        }
    }

    /// Metric points of run `id` for `key`, in logging order.
    func history(_ id: String, _ key: String) -> [(step: Int, value: Double)] {
        lock.withLock { runs.first { $0.id == id }!.metrics.filter { $0.key == key }.map { ($0.step, $0.value) } }
    }

    // MARK: - Routing

    private func route(_ request: HTTPRequest) -> HTTPResponse {
        let parts = request.path.split(separator: "?", maxSplits: 1).map(String.init)
        let path = parts[0]
        var query: [String: String] = [:]
        for pair in (parts.count > 1 ? parts[1] : "").split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            query[kv[0]] = kv.count > 1 ? kv[1] : ""
        }
        if request.method == "PUT", path.hasPrefix("/api/2.0/mlflow-artifacts/artifacts/") {
            let name = String(path.dropFirst("/api/2.0/mlflow-artifacts/artifacts/".count)).removingPercentEncoding!
            artifacts[name] = request.body
            return ok(.object([]))
        }
        let body = request.body.isEmpty ? JSONValue.object([]) : (try? JSONValue.parse(bytes: Array(request.body), name: "body"))
        guard let body else { return error(400, "MALFORMED_REQUEST", "not JSON") }
        if request.method == "POST" && request.contentType != "application/json" { return error(400, "BAD_REQUEST", "content type") }
        switch (request.method, path) {
        case ("GET", "/api/2.0/mlflow/experiments/get-by-name"):
            guard let id = experiments[query["experiment_name"] ?? ""] else {
                return error(404, "RESOURCE_DOES_NOT_EXIST", "Could not find experiment")
            }
            return ok(.object([JSONMember("experiment", .object([JSONMember("experiment_id", .string(id))]))]))
        case ("POST", "/api/2.0/mlflow/experiments/create"):
            let name = body["name"]!.text!
            guard experiments[name] == nil else { return error(400, "RESOURCE_ALREADY_EXISTS", "exists") }
            let id = String(experiments.count + 1)
            experiments[name] = id
            return ok(.object([JSONMember("experiment_id", .string(id))]))
        case ("POST", "/api/2.0/mlflow/runs/search"):
            // Only the form nn sends: tags.`KEY` = 'VALUE'.
            let filter = body["filter"]!.text!
            guard filter.hasPrefix("tags.`"), let close = filter.range(of: "` = '"), filter.hasSuffix("'") else {
                return error(400, "INVALID_PARAMETER_VALUE", "filter \(filter)")
            }
            let key = String(filter[filter.index(filter.startIndex, offsetBy: 6)..<close.lowerBound])
            let value = String(filter[close.upperBound..<filter.index(before: filter.endIndex)])
            let ids = body["experiment_ids"]!.elements!.compactMap(\.text)
            let found = runs.filter { ids.contains($0.experiment) && $0.tags[key] == value }
            return ok(.object([JSONMember("runs", .array(found.map(json)))]))
        case ("GET", "/api/2.0/mlflow/runs/get"):
            guard let run = runs.first(where: { $0.id == query["run_id"] }) else { return error(404, "RESOURCE_DOES_NOT_EXIST", "no run") }
            return ok(.object([JSONMember("run", json(run))]))
        case ("POST", "/api/2.0/mlflow/runs/create"):
            var run = Run(id: String(format: "run%04d", runs.count), experiment: body["experiment_id"]!.text!, name: body["run_name"]?.text ?? "")
            run.artifactRoot = artifactRoot
            for tag in body["tags"]?.elements ?? [] { run.tags[tag["key"]!.text!] = tag["value"]!.text! }
            runs.append(run)
            return ok(.object([JSONMember("run", json(run))]))
        case ("POST", "/api/2.0/mlflow/runs/log-batch"):
            guard let i = runs.firstIndex(where: { $0.id == body["run_id"]?.text }) else { return error(404, "RESOURCE_DOES_NOT_EXIST", "no run") }
            // MLflow's MAX_BATCH_LOG_REQUEST_SIZE (mlflow/utils/validation.py): 1e6 bytes.
            guard request.body.count <= 1_000_000 else {
                return error(400, "INVALID_PARAMETER_VALUE", "Batched logging API requests must be at most 1000000 bytes, got \(request.body.count)")
            }
            let metrics = body["metrics"]?.elements ?? [], params = body["params"]?.elements ?? [], tags = body["tags"]?.elements ?? []
            guard metrics.count <= 1000, params.count <= 100, tags.count <= 100, metrics.count + params.count + tags.count <= 1000 else {
                return error(400, "INVALID_PARAMETER_VALUE", "too many entities: \(metrics.count) \(params.count) \(tags.count)")
            }
            for p in params {
                let (k, v) = (p["key"]!.text!, p["value"]!.text!)
                if let old = runs[i].params[k], old != v { return error(400, "INVALID_PARAMETER_VALUE", "param \(k) changed") }
                runs[i].params[k] = v
            }
            for m in metrics {
                guard case .number(let text)? = m["value"], let value = Double(text), let ts = Int64(m["timestamp"]!.text!) else {
                    return error(400, "INVALID_PARAMETER_VALUE", "metric value")
                }
                runs[i].metrics.append((m["key"]!.text!, value, Int(m["step"]?.text ?? "0")!, ts))
            }
            for t in tags { runs[i].tags[t["key"]!.text!] = t["value"]!.text! }
            return ok(.object([]))
        case ("GET", "/api/2.0/mlflow/metrics/get-history"):
            guard let run = runs.first(where: { $0.id == query["run_id"] }) else { return error(404, "RESOURCE_DOES_NOT_EXIST", "no run") }
            let points = run.metrics.filter { $0.key == query["metric_key"] }.map { m in
                JSONValue.object([JSONMember("key", .string(m.key)), JSONMember("value", .double(m.value)),
                                  JSONMember("timestamp", .number(String(m.timestamp))), JSONMember("step", .int(m.step))])
            }
            return ok(.object([JSONMember("metrics", .array(points))]))
        case ("POST", "/api/2.0/mlflow/runs/update"):
            guard let i = runs.firstIndex(where: { $0.id == body["run_id"]?.text }) else { return error(404, "RESOURCE_DOES_NOT_EXIST", "no run") }
            runs[i].status = body["status"]?.text ?? runs[i].status
            return ok(.object([]))
        default:
            return error(404, "ENDPOINT_NOT_FOUND", "\(request.method) \(path)")
        }
    }

    private func json(_ run: Run) -> JSONValue {
        func pairs(_ d: [String: String]) -> JSONValue {
            .array(d.keys.sorted().map { JSONValue.object([JSONMember("key", .string($0)), JSONMember("value", .string(d[$0]!))]) })
        }
        var latest: [String: (value: Double, step: Int, timestamp: Int64)] = [:]
        for m in run.metrics where latest[m.key].map({ ($0.step, $0.timestamp) <= (m.step, m.timestamp) }) ?? true {
            latest[m.key] = (m.value, m.step, m.timestamp)
        }
        let metrics = JSONValue.array(latest.keys.sorted().map { k in
            .object([JSONMember("key", .string(k)), JSONMember("value", .double(latest[k]!.value)), JSONMember("step", .int(latest[k]!.step))])
        })
        return .object([
            JSONMember("info", .object([JSONMember("run_id", .string(run.id)), JSONMember("experiment_id", .string(run.experiment)),
                                        JSONMember("status", .string(run.status)), JSONMember("artifact_uri", .string(run.artifactURI))])),
            JSONMember("data", .object([JSONMember("metrics", metrics), JSONMember("params", pairs(run.params)), JSONMember("tags", pairs(run.tags))])),
        ])
    }

    private func ok(_ v: JSONValue) -> HTTPResponse { HTTPResponse(status: 200, body: Data(v.encoded(pretty: false).utf8)) }

    private func error(_ status: Int, _ code: String, _ message: String) -> HTTPResponse {
        HTTPResponse(status: status, body: Data(JSONValue.object([JSONMember("error_code", .string(code)),
                                                                  JSONMember("message", .string(message))]).encoded(pretty: false).utf8))
    }
}
