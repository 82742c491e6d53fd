import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps

/// One run (or sweep point) as `nn runs` lists it: what it is, where, how far it got, its
/// parameters (every `config.json` field, flattened) and its results, all as text cells.
package struct RunsRow: Sendable, Equatable {
    /// The experiment's name (`config.json`), or for a sweep point the sweep's.
    package var name: String
    package var id: String
    /// `complete` (evaluated), `incomplete` (no metrics.json yet: trained but not
    /// evaluated, or files missing), `training` (marker says training: running, or
    /// killed), `diverged`; sweep points also `failed` (status.json) and `pending`.
    package var status: String
    package var path: String
    /// `binary` or `all` (the task, which picks the main metric); nil when unknown.
    package var classes: String?
    /// `config.json` flattened (`lr`, `layers`, `data.train_samples`, ...; the config's
    /// `precision` is `dtype`, as in summary.csv).
    package var params: [String: String] = [:]
    /// Results: `metrics.json`'s scalar measures, `last_epoch_loss`, and for each further
    /// `history.csv` column C (validation metrics, when runs record them) C's last value
    /// and `best_C` (lowest for a loss, else highest).
    package var results: [String: String] = [:]
    /// `meta.json` (over its sweep's, for a point): the name, tags and note given.
    package var meta: RunMeta?
    /// When training started (`provenance.json`, ISO 8601 UTC) and how long training and
    /// evaluation took (`timing.json` `total_seconds` + `eval_seconds`), when recorded.
    package var started: String?
    package var seconds: Double?
    /// Where the run is among the rows listed with it, short (`RunsTable.places`): set by
    /// the table, the `where` column.
    package var place: String?

    /// The prepared data's identity, short: the first 8 hex digits of its manifest's SHA-256.
    package var data: String? { params["data.manifest_sha256"].map { String($0.prefix(8)) } }

    /// The cell of column `key`: a fixed column, a tag (`tag.team`), a result, or a
    /// parameter. `name` is the name given (`--name`), else the experiment's or sweep's.
    package func value(_ key: String) -> String? {
        switch key {
        case "name": return meta?.name ?? name
        case "id": return id
        case "status": return status
        case "path": return path
        case "tags": return meta.map(\.tagsText)
        case "started": return started
        case "duration": return seconds.map { NumberText.shortest(($0 * 10).rounded() / 10) }
        case "data": return data
        case "note": return meta?.note
        case "where": return place
        default:
            if key.hasPrefix("tag.") { return meta?.tags.first { "tag." + $0.key == key }?.value }
            return results[key] ?? params[key]
        }
    }
}

/// Finds runs and sweeps under directories and reads each into a `RunsRow`, reading only
/// the small files (`.nn-run`, `config.json`, `metrics.json`, `history.csv`; for a sweep
/// `sweep.json`, and `point.json` / `status.json` of points not trained), never a model.
/// A file that cannot be read is one warning line, and its run is still listed. The
/// directories are found first, then read on every core.
package struct RunsScan {
    package var rows: [RunsRow] = []
    package var warnings: [String] = []
    /// The run directories found, in order, each with its sweep's name for a sweep point.
    private var found: [(dir: String, sweep: String?)] = []

    /// Metrics of `metrics.json` that are counts or settings, not measures (left out of
    /// the table: `tp`, `samples`, `threshold`, ...).
    static let nonMeasures: Set<String> = ["tp", "fp", "fn", "tn", "samples", "positives", "classes", "threshold"]
    /// Config fields never shown as parameters: the name is a column of its own, the
    /// description is prose, and the data directory is where, not what (its
    /// `data.manifest_sha256` says what).
    static let hiddenParams: Set<String> = ["name", "description", "data.directory"]
    /// How deep below a given path runs are looked for.
    static let maxDepth = 16

    /// Scans every path (a run, a sweep, or a directory holding them at any depth). A path
    /// that is not a directory is an error naming it.
    package static func scan(_ paths: [String]) throws -> RunsScan {
        var scan = RunsScan()
        for path in paths {
            guard FilePath.exists(path, directory: true) else {
                throw NNError(FilePath.exists(path) ? "\(path): not a directory" : "\(path): no such directory")
            }
            scan.visit(path, depth: 0)
        }
        let found = scan.found
        // An array owns the slots (no manual allocate/deinitialize); each reader writes its own.
        var results = [(row: RunsRow, warnings: [String])?](repeating: nil, count: found.count)
        let chunks = max(1, min(found.count, ProcessInfo.processInfo.activeProcessorCount * 4))
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = SendableBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                for n in stride(from: chunk, to: found.count, by: chunks) {
                    var w: [String] = []
                    let row = read(run: found[n].dir, sweepName: found[n].sweep, warnings: &w)
                    slots.buffer[n] = (row, w)
                }
            }
        }
        for case let (row, w)? in results {
            scan.rows.append(row)
            scan.warnings += w
        }
        return scan
    }

    /// A buffer each concurrent reader writes its own slots of.
    private struct SendableBuffer<T>: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<T>
        init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
    }

    private mutating func visit(_ dir: String, depth: Int) {
        if SweepDirectory.isSweep(dir) { return sweep(dir) }
        if Self.isRun(dir) { return found.append((dir, nil)) }
        guard depth < Self.maxDepth else { return }
        for sub in Self.subdirectories(dir) { visit(FilePath.join(dir, sub), depth: depth + 1) }
    }

    /// A run directory: it has the `.nn-run` marker or a `config.json`.
    static func isRun(_ dir: String) -> Bool {
        access(FilePath.join(dir, RunLayout.configFile), F_OK) == 0 || access(FilePath.join(dir, RunLayout.markerFile), F_OK) == 0
    }

    /// The names of `dir`'s subdirectories, sorted; hidden ones (`.x`, which includes
    /// runs being built) and symbolic links are skipped.
    static func subdirectories(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name.hasPrefix(".") { continue }
            let type = entry.pointee.d_type
            if type == UInt8(DT_DIR) {
                names.append(name)
            } else if type == UInt8(DT_UNKNOWN) {
                var st = stat()
                if lstat(FilePath.join(dir, name), &st) == 0, st.st_mode & S_IFMT == S_IFDIR { names.append(name) }
            }
        }
        return names.sorted()
    }

    /// A sweep directory: its points in `sweep.json`'s order (or, when that cannot be
    /// read, whatever is under `runs/`).
    private mutating func sweep(_ dir: String) {
        let sweep = SweepDirectory(dir)
        var name = sweep.name
        var ids: [String]
        do {
            let listed = try sweep.readPointIDs()
            name = listed.name ?? name
            guard let listedIDs = listed.ids else { throw NNError("\(sweep.plan): no points") }
            ids = listedIDs
        } catch {
            warnings.append("\(Self.message(error)); listing what is under \(SweepDirectory.runsDirectory)/")
            ids = Self.subdirectories(FilePath.join(dir, SweepDirectory.runsDirectory))
        }
        for id in ids { found.append((sweep.run(id).directory, name)) }
    }

    /// The bytes of the regular file `path` (opened as `name` in the directory open as
    /// `dir`, which spares the kernel the walk of the whole path), or nil when there is none.
    static func contents(_ path: String, dir: Int32, name: String) throws -> [UInt8]? {
        let fd = openat(dir, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw NNError("\(path): cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { throw NNError("\(path): not a regular file") }
        guard st.st_size <= 1 << 24 else { throw NNError("\(path): \(st.st_size) bytes, too large for a run file") }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw NNError("\(path): read error: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            done += n
        }
        return Array(bytes.prefix(done))
    }

    /// The JSON object in the file at `path` (see `contents`), or nil when there is no such file.
    package static func object(_ path: String, dir: Int32, name: String) throws -> JSONValue? {
        guard let bytes = try contents(path, dir: dir, name: name) else { return nil }
        let doc = try JSONValue.parse(bytes: bytes, name: path)
        guard case .object = doc else { throw NNError("\(path): expected a JSON object") }
        return doc
    }

    /// Reads one run directory (a sweep point when `sweepName` is given).
    package static func read(run dir: String, sweepName: String?, warnings: inout [String]) -> RunsRow {
        let layout = RunLayout(dir)
        let folder = URL(fileURLWithPath: dir).lastPathComponent
        var row = RunsRow(name: sweepName ?? folder, id: RunID.isValid(folder) ? folder : "", status: "incomplete", path: dir)
        func attempt<T>(_ suffix: String = "", _ body: () throws -> T?) -> T? {
            do { return try body() } catch {
                warnings.append(message(error) + suffix)
                return nil
            }
        }

        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if fd >= 0 { close(fd) } }
        func object(_ path: String, _ name: String) throws -> JSONValue? { try Self.object(path, dir: fd, name: name) }
        let marker = attempt { try object(layout.marker, RunLayout.markerFile).map { try RunMarker.parse($0, path: layout.marker).state } }
        // The configuration: config.json, or for a sweep point not trained yet its point.json.
        var config = attempt("; listed without its parameters") { try object(layout.config, RunLayout.configFile) }
        let trained = config != nil || access(layout.config, F_OK) == 0
        if !trained, sweepName != nil { config = attempt("; listed without its parameters") { try object(layout.point, RunLayout.pointFile) } }
        if let config {
            if sweepName == nil, case .string(let n)? = config["name"], !n.isEmpty { row.name = n }
            row.classes = config["classes"]?.text
            for (key, value) in config.flattened() where !hiddenParams.contains(key) {
                row.params[key == "precision" ? "dtype" : key] = value.text
            }
            if row.id.isEmpty { row.id = computedID(config) ?? "" }
        }

        let sweepMeta = sweepName == nil ? nil
            : attempt { try RunMeta.read(dir: URL(fileURLWithPath: dir).deletingLastPathComponent().deletingLastPathComponent().path) }
        row.meta = attempt { try RunMeta.read(dir: dir) }?.over(sweepMeta) ?? sweepMeta

        let provenance: JSONValue? = attempt { try object(layout.provenance, RunLayout.provenanceFile) }
        row.started = provenance?["started"]?.text
        let timing: JSONValue? = attempt { try object(layout.timing, RunLayout.timingFile) }
        if let timing, let total = timing["total_seconds"]?.text.flatMap(Double.init) {
            row.seconds = total + (timing["eval_seconds"]?.text.flatMap(Double.init) ?? 0)
        }

        let metrics = attempt("; listed without its metrics") { try object(layout.metricsJSON, RunLayout.metricsJSONFile) }
        if case .object(let members)? = metrics {
            for m in members where !nonMeasures.contains(m.key) {
                if case .number(let text) = m.value { row.results[m.key] = text }
            }
            if row.classes == nil { row.classes = metrics?["confusion"] == nil ? "binary" : "all" }
        }
        _ = attempt { try contents(layout.history, dir: fd, name: RunLayout.historyFile).map { try readHistory(Data($0), path: layout.history, into: &row.results) } }

        switch marker {
        case .diverged?: row.status = "diverged"
        case .training?: row.status = "training"
        case .complete?, nil:
            if metrics != nil {
                row.status = "complete"
            } else if sweepName != nil, access(layout.status, F_OK) == 0 {
                row.status = "failed"
            } else if sweepName != nil, !trained {
                row.status = "pending"
            }
        }
        return row
    }

    /// `last_epoch_loss` (the last row's `loss`) and, for every other column C but
    /// `epoch`, C's last value and `best_C`.
    static func readHistory(_ data: Data, path: String, into results: inout [String: String]) throws {
        let table = try CSVTable.parse(data, name: path)
        guard let last = table.rows.last else { return }
        for (i, column) in table.header.enumerated() where column != "epoch" {
            if column == "loss" {
                results["last_epoch_loss"] = last[i]
                continue
            }
            results[column] = last[i]
            let values = table.rows.compactMap { row in NumberText.parse(row[i]).map { (text: row[i], value: $0) } }
                .filter { !$0.value.isNaN }
            let lower = column.contains("loss")
            if let best = values.min(by: { lower ? $0.value < $1.value : $0.value > $1.value }) {
                results["best_" + column] = best.text
            }
        }
    }

    /// The run id of a run directory not named by it (`results/notebook/seed-0`): the
    /// sweep's id of its configuration on its data, when `config.json` records the data.
    static func computedID(_ config: JSONValue) -> String? {
        guard var object = config.dictionary, let sha = object.removeValue(forKey: "data")?["manifest_sha256"]?.text else { return nil }
        var c = ExperimentConfig()
        guard (try? c.apply(json: object, source: "config.json")) != nil else { return nil }
        return RunID.of(config: c, manifestSHA256: sha)
    }

    package static func message(_ error: Error) -> String {
        (error as? NNError)?.message ?? "\(error)"
    }
}
