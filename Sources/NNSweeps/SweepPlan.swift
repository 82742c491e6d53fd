import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

/// One swept parameter of a point: a grid key and its normalized text value.
package struct SweepParam: Equatable, Sendable {
    package var key: String
    package var value: String
}

/// One point of a sweep as `sweep.json` records it: its run id and its parameters (in
/// grid axis order).
package struct SweepPoint: Equatable, Sendable {
    package var id: String
    package var params: [SweepParam]
    package init(id: String, params: [SweepParam]) {
        self.id = id
        self.params = params
    }

    /// `key=value key=value`, for messages, each number as a person writes it (`lr=1000`,
    /// where sweep.json keeps the key table's `1000.0`).
    package var label: String {
        params.isEmpty ? "base experiment" : params.map { "\($0.key)=\(Self.shown($0.value))" }.joined(separator: " ")
    }

    /// A value's text without a trailing `.0` (`1000.0` is `1000`); any other text as it is.
    static func shown(_ value: String) -> String {
        guard value.hasSuffix(".0"), let x = Double(value) else { return value }
        return NumberText.shortest(x)
    }
}

/// A sweep's definition, exactly what `sweep.json` holds: name, base experiment, grid,
/// the per-point thread count, and the points in order with their run ids.
///
/// `sweep.json` (pretty JSON, members in this order, no paths, no times — so the same
/// sweep on any machine writes the same bytes):
///
///     format          "nn-sweep" (marks the directory as a sweep's)
///     format_version  1
///     name            the sweep's name
///     classes         "binary" or "all": the target every point shares (picks the
///                     summary's metric columns)
///     threads         BLAS and element-wise threads of every point
///     grid            { key: [value text, ...] } in axis order
///     random          only for a random search: { "count", "sample_seed", "distributions":
///                     { key: distribution text } } (`RandomSearch`)
///     halving         only for successive halving: { "eta", "goal", "metric",
///                     "min_epochs" } (`Halving`)
///     points          [ { "id": run id, "params": { key: value text } } ] in point order
///     base            the resolved base experiment (every key, sorted)
package struct SweepPlan: Equatable, Sendable {
    package static let format = "nn-sweep"
    static let formatVersion = 1

    package var name: String
    package var base: ExperimentConfig
    var grid: SweepGrid
    package var classes: Classes
    package var threads: Int
    package var points: [SweepPoint]
    /// Successive halving's settings (nil: every point trains all its epochs).
    package var halving: Halving? = nil

    // MARK: - sweep.json

    /// The `sweep.json` document (see the type's description).
    package var json: JSONValue {
        .object([
            JSONMember("format", .string(Self.format)),
            JSONMember("format_version", .int(Self.formatVersion)),
            JSONMember("name", .string(name)),
            JSONMember("classes", .string(classes.rawValue)),
            JSONMember("threads", .int(threads)),
            JSONMember("grid", .object(grid.axes.map { JSONMember($0.key, .array($0.values.map { .string($0) })) })),
        ] + (grid.random.map { [JSONMember("random", $0.json)] } ?? [])
          + (halving.map { [JSONMember("halving", $0.json)] } ?? []) + [
            JSONMember("points", .array(points.map { point in
                .object([JSONMember("id", .string(point.id)),
                         JSONMember("params", .object(point.params.map { JSONMember($0.key, .string($0.value)) }))])
            })),
            JSONMember("base", JSONValue.sortedObject(base.jsonObject())),
        ])
    }

    /// Reads a `sweep.json`; anything that is not one written by `nn sweep` is a one-line
    /// error naming the file.
    package static func read(path: String) throws -> SweepPlan {
        let doc = try JSONValue.read(path: path)
        func bad(_ what: String) -> NNError { NNError("\(path): not a sweep file written by nn sweep (\(what))") }
        guard case .string(let f)? = doc["format"], f == format else { throw bad("no \"format\": \"\(format)\"") }
        guard case .number(let v)? = doc["format_version"], Int(v) == formatVersion else {
            throw bad("format_version is not \(formatVersion)")
        }
        guard case .string(let name)? = doc["name"] else { throw bad("no name") }
        try ExperimentConfig.validateName(name, source: "\(path): name")
        guard case .string(let c)? = doc["classes"], let classes = Classes(rawValue: c) else { throw bad("no classes") }
        guard case .number(let t)? = doc["threads"], let threads = Int(t), threads >= 1 else { throw bad("no threads") }
        guard case .object(let gridMembers)? = doc["grid"] else { throw bad("no grid") }
        let fileGrid = try gridMembers.map { member -> (key: String, values: [String]) in
            guard let values = member.value.elements?.compactMap({ $0.text }), values.count == member.value.elements?.count else {
                throw bad("grid \(member.key) is not a list of values")
            }
            return (member.key, values)
        }
        var random: (count: Int, seed: UInt32)?
        var specs: [(key: String, values: [String])] = []
        if let r = doc["random"] {
            let read = try RandomSearch.read(r, bad: bad)
            (random, specs) = ((read.count, read.seed), read.specs)
        }
        let grid = try SweepGrid(file: fileGrid + specs, fileSource: path, flags: [], random: random)
        guard case .array(let pointValues)? = doc["points"] else { throw bad("no points") }
        let points = try pointValues.enumerated().map { n, value -> SweepPoint in
            guard case .string(let id)? = value["id"], RunID.isValid(id),
                  case .object(let members)? = value["params"] else { throw bad("point \(n + 1) has no id or params") }
            let params = try members.map { m -> SweepParam in
                guard case .string(let v) = m.value else { throw bad("point \(n + 1): \(m.key) is not a string") }
                return SweepParam(key: m.key, value: v)
            }
            guard params.map(\.key) == grid.keys else { throw bad("point \(n + 1): params do not match the grid keys") }
            return SweepPoint(id: id, params: params)
        }
        guard let baseObject = doc["base"]?.dictionary else { throw bad("no base") }
        var base = ExperimentConfig()
        try base.apply(json: baseObject, source: "\(path): base")
        let halving = try doc["halving"].map { try Halving.read($0, bad: bad) }
        return SweepPlan(name: name, base: base, grid: grid, classes: classes, threads: threads, points: points, halving: halving)
    }
}

/// A point ready to run: its resolved experiment and the prepared data it trains on.
package struct ResolvedPoint: Equatable, Sendable {
    package var point: SweepPoint
    package var config: ExperimentConfig
    /// Absolute path of the prepared data directory.
    package var dataDirectory: String
    package var manifestSHA256: String
}

/// A sweep built from a base experiment and a grid, every point checked.
package struct SweepSetup: Sendable {
    package var plan: SweepPlan
    package var points: [ResolvedPoint]

    /// Resolves every point of `grid` over `base` and checks it before anything runs:
    /// the experiment (`ExperimentConfig.validate`), its prepared data (present, for the
    /// right target, with the input width the layers expect). The first bad point is a
    /// one-line error naming it. `dataDirectory` is one prepared directory for every point
    /// (then no data key may be swept); without it each point uses the directory `nn
    /// prepare` writes for its data keys (relative to the current directory).
    static func build(name: String, base: ExperimentConfig, grid: SweepGrid, dataDirectory: String?,
                     threads: Int) throws -> SweepSetup {
        try ExperimentConfig.validateName(name, source: "sweep name")
        if let dataDirectory, let key = grid.keys.first(where: SweepGrid.dataKeys.contains) {
            throw NNError("--data \(dataDirectory): cannot be combined with sweeping '\(key)' (each point needs its own prepared data)")
        }
        var manifests: [String: (sha256: String, manifest: PreparedManifest)] = [:]
        var resolved: [ResolvedPoint] = []
        var ids: [String: Int] = [:]
        let all = grid.points
        for (n, values) in all.enumerated() {
            let point = SweepPoint(id: "", params: values.map { SweepParam(key: $0.key, value: $0.value) })
            do {
                var config = base
                for p in point.params { try config.set(p.key, p.value, source: "grid \(p.key)") }
                try config.validate(sources: ExperimentConfig.sources(given: point.params.map(\.key)))
                let dir = absolutePath(dataDirectory ?? config.prepareOptions.defaultDirectory(dataset: config.dataset))
                if manifests[dir] == nil { manifests[dir] = try readManifest(dir, config: config, given: dataDirectory != nil) }
                let (sha, manifest) = manifests[dir]!
                if manifest.target != config.target {
                    throw NNError("\(dir): prepared for target \(manifest.target.slug), but the experiment needs \(config.target.slug)")
                }
                try config.validate(features: manifest.features)
                var p = point
                p.id = RunID.of(config: config, manifestSHA256: sha)
                if let other = ids[p.id] { throw NNError("same run id \(p.id) as point \(other + 1) (the two resolve to the same experiment)") }
                ids[p.id] = n
                resolved.append(ResolvedPoint(point: p, config: config, dataDirectory: dir, manifestSHA256: sha))
            } catch let e as NNError {
                throw NNError("point \(n + 1) of \(all.count) (\(point.label)): \(e.message)")
            }
        }
        let classes = Set(resolved.map(\.config.classes))
        guard classes.count == 1, let only = classes.first else {
            throw NNError("grid: mixes binary and 10-class points; sweep them separately")
        }
        let plan = SweepPlan(name: name, base: base, grid: grid, classes: only, threads: threads,
                             points: resolved.map(\.point))
        return SweepSetup(plan: plan, points: resolved)
    }

    /// The SHA-256 and content of a prepared directory's `manifest.json`.
    static func readManifest(_ dir: String, config: ExperimentConfig, given: Bool) throws -> (sha256: String, manifest: PreparedManifest) {
        let layout = PreparedLayout(dir), path = layout.manifest
        try layout.prepareIfMissing(config.prepareOptions, dataset: config.dataset, given: given)
        let bytes = try readFileBytes(path)
        return (Checksum.sha256(bytes), try PreparedManifest.decode(bytes, name: path))
    }

    /// `path` made absolute against the current directory, `.` and `..` resolved.
    package static func absolutePath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
