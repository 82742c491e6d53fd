import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NNBase
import NNKernel
import NNFormats
import NNRunIndex
import NNSweeps
import NNRuns

/// One HTTP request to a tracking server: method, path with its query (`/api/2.0/...?a=b`),
/// body and its content type.
struct HTTPRequest: Sendable, Equatable {
    var method: String
    var path: String
    var body: Data = Data()
    var contentType: String = "application/json"
}

/// A server's answer: status code and body.
struct HTTPResponse: Sendable, Equatable {
    var status: Int
    var body: Data
}

/// Sends requests somewhere: a real server (`URLSessionTransport`) or, in tests, a fake.
/// Throws `NNError` when no answer arrives (connection refused, timed out).
protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) throws -> HTTPResponse
}

/// HTTP through Foundation's URLSession (FoundationNetworking on Linux), one request at a
/// time over one session (its connections kept alive between requests), each waited for
/// with a semaphore.
final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
    let base: URL
    private let session: URLSession

    init(base: URL, timeout: TimeInterval = 60) {
        self.base = base
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        session = URLSession(configuration: config)
    }

    deinit { session.finishTasksAndInvalidate() }

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        guard let url = URL(string: base.absoluteString.trimmingSuffix("/") + request.path) else {
            throw NNError("\(base.absoluteString)\(request.path): not a valid URL")
        }
        var r = URLRequest(url: url, timeoutInterval: session.configuration.timeoutIntervalForRequest)
        r.httpMethod = request.method
        if request.method != "GET" {
            r.httpBody = request.body
            r.setValue(request.contentType, forHTTPHeaderField: "Content-Type")
        }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let server = base.absoluteString
        session.dataTask(with: r) { data, response, error in
            if let error {
                box.result = .failure(NNError("MLflow tracking server \(server): \(error.localizedDescription)"))
            } else {
                box.result = .success(HTTPResponse(status: (response as? HTTPURLResponse)?.statusCode ?? 0, body: data ?? Data()))
            }
            done.signal()
        }.resume()
        done.wait()
        return try box.result!.get()
    }

    /// Set by the completion handler before it signals, read after the wait.
    private final class ResultBox: @unchecked Sendable {
        var result: Result<HTTPResponse, NNError>?
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var s = self
        while s.hasSuffix(suffix) { s.removeLast(suffix.count) }
        return s
    }
}

/// The calls of MLflow's tracking REST API (`/api/2.0/mlflow/...`) and artifact proxy
/// (`/api/2.0/mlflow-artifacts/artifacts/...`) that `nn mlflow push` makes. Every error is
/// one line naming the server, the endpoint and what the server said.
struct MLflowClient: Sendable {
    var transport: any HTTPTransport
    /// For messages: the tracking URI.
    var server: String

    /// MLflow's limits on one `runs/log-batch` request.
    static let batchMetrics = 1000, batchParams = 100, batchTags = 100, batchEntities = 1000
    /// Longest tag and param values sent (MLflow 3 stores tags of 8000 and params of 6000
    /// bytes; 5000 for tags is what older servers take); longer texts are cut, ending in `…`.
    static let maxTagValue = 5000, maxParamValue = 6000

    /// A run on the server as `runs/get` and `runs/search` return it.
    struct RemoteRun: Sendable, Equatable {
        var id: String
        var artifactURI: String
        var status: String
        var params: [String: String]
        var tags: [String: String]
        /// Latest value of each metric.
        var metrics: [String: Double]
    }

    // MARK: - Calls

    /// `POST`/`GET` an API endpoint (`experiments/get-by-name`) with a JSON body or query,
    /// returning the JSON answer; `allow404` makes a 404 (`RESOURCE_DOES_NOT_EXIST`) nil.
    func call(_ method: String, _ endpoint: String, query: [(String, String)] = [], body: JSONValue? = nil,
              allow404: Bool = false) throws -> JSONValue? {
        var path = "/api/2.0/mlflow/" + endpoint
        if !query.isEmpty { path += "?" + query.map { "\(Self.percent($0.0))=\(Self.percent($0.1))" }.joined(separator: "&") }
        let request = HTTPRequest(method: method, path: path, body: Data((body?.encoded(pretty: false) ?? "").utf8))
        let response = try transport.send(request)
        if allow404 && response.status == 404 { return nil }
        try check(response, endpoint)
        if response.body.isEmpty { return .object([]) }
        return try JSONValue.parse(bytes: Array(response.body), name: "\(server) \(endpoint)")
    }

    private func check(_ response: HTTPResponse, _ endpoint: String) throws {
        guard !(200..<300).contains(response.status) else { return }
        var detail = String(decoding: response.body.prefix(300), as: UTF8.self)
        if let json = try? JSONValue.parse(bytes: Array(response.body), name: endpoint), let message = json["message"]?.text {
            detail = (json["error_code"]?.text.map { $0 + ": " } ?? "") + message
        }
        detail = detail.split(whereSeparator: \.isNewline).joined(separator: " ")
        throw NNError("MLflow tracking server \(server): \(endpoint): HTTP \(response.status)\(detail.isEmpty ? "" : ": " + detail)")
    }

    /// RFC 3986 unreserved characters stay, everything else is %XX (query values, artifact paths).
    static func percent(_ text: String, keepSlash: Bool = false) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80 && (c.isLetter || c.isNumber || "-._~".contains(c) || (keepSlash && c == "/")) {
                out.append(c)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// The id of experiment `name`, created when there is none.
    func experimentID(name: String) throws -> String {
        if let found = try call("GET", "experiments/get-by-name", query: [("experiment_name", name)], allow404: true),
           let id = found["experiment"]?["experiment_id"]?.text {
            return id
        }
        guard let made = try call("POST", "experiments/create", body: .object([JSONMember("name", .string(name))])),
              let id = made["experiment_id"]?.text else {
            throw NNError("MLflow tracking server \(server): experiments/create: no experiment_id in the answer")
        }
        return id
    }

    /// The runs of `experiment` whose tag `key` is `value`, oldest first.
    func searchRuns(experiment: String, tag key: String, value: String) throws -> [RemoteRun] {
        let quoted = "'" + value.replacingOccurrences(of: "'", with: "\\'") + "'"
        var runs: [RemoteRun] = []
        var token: String?
        repeat {
            var members = [
                JSONMember("experiment_ids", .array([.string(experiment)])),
                JSONMember("filter", .string("tags.`\(key)` = \(quoted)")),
                JSONMember("max_results", .int(1000)),
                JSONMember("order_by", .array([.string("attributes.start_time ASC")])),
            ]
            if let token { members.append(JSONMember("page_token", .string(token))) }
            let answer = try call("POST", "runs/search", body: .object(members))
            runs += (answer?["runs"]?.elements ?? []).compactMap(Self.remoteRun)
            token = answer?["next_page_token"]?.text
        } while token?.isEmpty == false
        return runs
    }

    /// `runs/get`.
    func run(_ id: String) throws -> RemoteRun {
        guard let answer = try call("GET", "runs/get", query: [("run_id", id)]), let run = answer["run"].flatMap(Self.remoteRun) else {
            throw NNError("MLflow tracking server \(server): runs/get \(id): no run in the answer")
        }
        return run
    }

    /// Creates a run in `experiment` with these tags; returns it.
    func createRun(experiment: String, name: String, startTime: Int64, tags: [(String, String)]) throws -> RemoteRun {
        let body = JSONValue.object([
            JSONMember("experiment_id", .string(experiment)),
            JSONMember("run_name", .string(name)),
            JSONMember("start_time", .number(String(startTime))),
            JSONMember("tags", .array(tags.map { Self.keyValue($0.0, Self.cut($0.1, Self.maxTagValue)) })),
        ])
        guard let answer = try call("POST", "runs/create", body: body), let run = answer["run"].flatMap(Self.remoteRun) else {
            throw NNError("MLflow tracking server \(server): runs/create: no run in the answer")
        }
        return run
    }

    /// One metric value: key, value (its exact decimal text), step, time in ms.
    struct Metric: Sendable, Equatable {
        var key: String
        var value: String
        var step: Int
        var timestamp: Int64
    }

    /// `runs/log-batch`, split into requests within MLflow's limits: entity counts, and
    /// the encoded body below `maxBatchBytes` (MLflow refuses a request over 1 MB,
    /// `MAX_BATCH_LOG_REQUEST_SIZE`; 100 params of 6,000 bytes and 100 tags of 5,000 would pass it).
    func logBatch(run: String, metrics: [Metric] = [], params: [(String, String)] = [], tags: [(String, String)] = []) throws {
        let metrics = metrics.map { metric in
            JSONValue.object([JSONMember("key", .string(metric.key)), JSONMember("value", .number(metric.value)),
                              JSONMember("timestamp", .number(String(metric.timestamp))), JSONMember("step", .int(metric.step))])
        }
        let params = params.map { Self.keyValue($0.0, Self.cut($0.1, Self.maxParamValue)) }
        let tags = tags.map { Self.keyValue($0.0, Self.cut($0.1, Self.maxTagValue)) }
        for batch in Self.batches(metrics: metrics, params: params, tags: tags) {
            _ = try call("POST", "runs/log-batch", body: .object([
                JSONMember("run_id", .string(run)), JSONMember("metrics", .array(batch.metrics)),
                JSONMember("params", .array(batch.params)), JSONMember("tags", .array(batch.tags)),
            ]))
        }
    }

    /// The most bytes of entities one log-batch request carries (its envelope adds < 100).
    static let maxBatchBytes = 900_000

    /// Params, tags and metrics cut into batches: each takes as many of the params left,
    /// then of the tags, then of the metrics as the count limits and `maxBatchBytes` allow
    /// (each entity's encoded size plus its comma); a batch holds at least one entity.
    static func batches(metrics: [JSONValue], params: [JSONValue], tags: [JSONValue])
        -> [(metrics: [JSONValue], params: [JSONValue], tags: [JSONValue])] {
        var left = [params[...], tags[...], metrics[...]]
        let limits = [batchParams, batchTags, batchMetrics]
        var out: [(metrics: [JSONValue], params: [JSONValue], tags: [JSONValue])] = []
        while left.contains(where: { !$0.isEmpty }) {
            var taken: [[JSONValue]] = [[], [], []]
            var bytes = 0, count = 0
            for kind in 0..<3 {
                while let next = left[kind].first, taken[kind].count < limits[kind], count < batchEntities {
                    let size = next.encoded(pretty: false).utf8.count + 1
                    if count > 0 && bytes + size > maxBatchBytes { break }
                    taken[kind].append(next)
                    left[kind].removeFirst()
                    bytes += size
                    count += 1
                }
            }
            out.append((metrics: taken[2], params: taken[0], tags: taken[1]))
        }
        return out
    }

    /// Every logged (step, value) of metric `key` of run `run`, in the server's order.
    func metricHistory(run: String, key: String) throws -> [(step: Int, value: Double)] {
        var out: [(step: Int, value: Double)] = []
        var token: String?
        repeat {
            var query = [("run_id", run), ("metric_key", key), ("max_results", "25000")]
            if let token { query.append(("page_token", token)) }
            let answer = try call("GET", "metrics/get-history", query: query)
            for m in answer?["metrics"]?.elements ?? [] {
                guard let value = m["value"].flatMap(Self.double) else { continue }
                out.append((Int(m["step"]?.text ?? "0") ?? 0, value))
            }
            token = answer?["next_page_token"]?.text
        } while token?.isEmpty == false
        return out
    }

    /// `runs/update`: the run's status (`FINISHED`) and end time.
    func finish(run: String, endTime: Int64) throws {
        _ = try call("POST", "runs/update", body: .object([
            JSONMember("run_id", .string(run)), JSONMember("status", .string("FINISHED")),
            JSONMember("end_time", .number(String(endTime))),
        ]))
    }

    /// Uploads `data` as artifact `path` of the run whose artifact URI is `artifactURI`,
    /// through the server's artifact proxy (`mlflow-artifacts:` URIs only).
    func uploadArtifact(artifactURI: String, path: String, data: Data) throws {
        guard let root = Self.proxyPath(artifactURI) else { throw notProxied(artifactURI) }
        let url = "/api/2.0/mlflow-artifacts/artifacts/" + Self.percent(root + "/" + path, keepSlash: true)
        let response = try transport.send(HTTPRequest(method: "PUT", path: url, body: data, contentType: "application/octet-stream"))
        try check(response, "mlflow-artifacts/artifacts/\(root)/\(path)")
    }

    /// The error for a run whose artifacts the server does not proxy (an S3 root, or
    /// `--no-serve-artifacts`): nn uploads through the proxy only.
    func notProxied(_ artifactURI: String) -> NNError {
        NNError("MLflow tracking server \(server): the run's artifact location \(artifactURI) is not served by the "
                + "server's artifact proxy (mlflow-artifacts:); start the server with --serve-artifacts")
    }

    /// The artifact proxy's path of an `mlflow-artifacts:/a/b` or `mlflow-artifacts://host/a/b`
    /// URI (`a/b`), or nil for any other scheme.
    static func proxyPath(_ uri: String) -> String? {
        let scheme = "mlflow-artifacts:"
        guard uri.hasPrefix(scheme) else { return nil }
        var rest = String(uri.dropFirst(scheme.count))
        if rest.hasPrefix("//") {
            rest = String(rest.dropFirst(2))
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            rest = String(rest[slash...])
        }
        let trimmed = rest.split(separator: "/").joined(separator: "/")
        return trimmed.isEmpty ? nil : trimmed
    }

    // MARK: - JSON

    static func keyValue(_ key: String, _ value: String) -> JSONValue {
        .object([JSONMember("key", .string(key)), JSONMember("value", .string(value))])
    }

    static func cut(_ text: String, _ limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var out = ""
        for ch in text {
            if out.utf8.count + ch.utf8.count > limit - 3 { break }
            out.append(ch)
        }
        return out + "…"
    }

    /// A number (`1.5`) or MLflow's texts for non-finite values (`"NaN"`, `"Infinity"`).
    static func double(_ v: JSONValue) -> Double? {
        switch v {
        case .number(let t): return Double(t)
        case .string(let t): return Double(t) ?? (t == "Infinity" ? .infinity : t == "-Infinity" ? -.infinity : t == "NaN" ? .nan : nil)
        default: return nil
        }
    }

    static func remoteRun(_ v: JSONValue) -> RemoteRun? {
        guard let info = v["info"], let id = (info["run_id"] ?? info["run_uuid"])?.text else { return nil }
        func pairs(_ key: String) -> [String: String] {
            Dictionary((v["data"]?[key]?.elements ?? []).compactMap { e in e["key"]?.text.map { ($0, e["value"]?.text ?? "") } },
                       uniquingKeysWith: { _, last in last })
        }
        var metrics: [String: Double] = [:]
        for m in v["data"]?["metrics"]?.elements ?? [] {
            if let key = m["key"]?.text, let value = m["value"].flatMap(double) { metrics[key] = value }
        }
        return RemoteRun(id: id, artifactURI: info["artifact_uri"]?.text ?? "", status: info["status"]?.text ?? "",
                         params: pairs("params"), tags: pairs("tags"), metrics: metrics)
    }
}
