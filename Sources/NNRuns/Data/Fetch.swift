import Foundation
import NNBase
import NNKernel
import NNFormats

/// What `Fetcher.fetch` is doing, in order, for a caller that prints progress.
package enum FetchEvent: Equatable, Sendable {
    /// A file was verified in the data directory before any download.
    case checked(FileCheck)
    /// Starting to fetch `file` from `mirror`.
    case trying(file: String, mirror: String)
    /// `bytes` of `file` received so far (`total` when the mirror said).
    case progress(file: String, bytes: Int64, total: Int64?)
    /// `mirror` did not deliver a good copy of `file`; the next mirror is tried.
    case mirrorFailed(file: String, mirror: String, reason: String)
    /// A verified copy of `file` from `mirror` is now in place.
    case fetched(file: String, mirror: String, sha256: String)
}

/// Where and how to fetch.
package struct FetchOptions: Sendable {
    /// Directory that holds (or will hold) the dataset's files.
    package var directory: String
    /// Mirrors tried in order for each file that is missing or corrupt.
    package var mirrors: [Mirror]
    var timeouts: TransferTimeouts

    init(directory: String, mirrors: [Mirror], timeouts: TransferTimeouts = TransferTimeouts()) {
        self.directory = directory
        self.mirrors = mirrors
        self.timeouts = timeouts
    }

    /// The registry's defaults for `spec`: its default directory and its mirror list.
    package init(defaultsFor spec: DatasetSpec, timeouts: TransferTimeouts = TransferTimeouts()) throws {
        self.init(directory: spec.defaultDirectory, mirrors: try spec.mirrors.map(Mirror.init), timeouts: timeouts)
    }
}

/// The outcome of a successful `Fetcher.fetch`: every file verifies.
package struct FetchReport: Equatable, Sendable {
    var dataset: String
    var directory: String
    /// The state of each file before anything was downloaded.
    var before: [FileCheck]
    /// Files downloaded, with the mirror each came from, in `spec.files` order.
    var downloaded: [(file: String, mirror: String)]

    /// One line, e.g. `mnist: all 4 files ok in data/mnist (none downloaded)` or
    /// `... (downloaded 3 from https://a/, 1 from file:///b/)`, mirrors in first-use order.
    package var summary: String {
        var mirrors: [String] = []
        for d in downloaded where !mirrors.contains(d.mirror) { mirrors.append(d.mirror) }
        let counts = mirrors.map { m in "\(downloaded.filter { $0.mirror == m }.count) from \(m)" }
        let fetched = downloaded.isEmpty ? "none downloaded" : "downloaded " + counts.joined(separator: ", ")
        return "\(dataset): all \(before.count) files ok in \(directory) (\(fetched))"
    }

    package static func == (a: FetchReport, b: FetchReport) -> Bool {
        a.dataset == b.dataset && a.directory == b.directory && a.before == b.before
            && a.downloaded.map(\.file) == b.downloaded.map(\.file)
            && a.downloaded.map(\.mirror) == b.downloaded.map(\.mirror)
    }
}

/// `nn fetch`: verify a dataset's files and download only what is missing or corrupt.
package enum Fetcher {
    /// Verifies each of `spec`'s files in `options.directory`; for each one that is missing
    /// or corrupt, downloads it (see `download`). Files that verify are never touched and
    /// need no network. Stops at the first file no mirror could deliver, with an `NNError`
    /// naming each mirror and why it failed; files fetched before that stay (they verified).
    ///
    /// `events` is called in order and never concurrently, but progress events may come from
    /// a URLSession queue while the calling thread waits.
    package static func fetch(_ spec: DatasetSpec, options: FetchOptions,
                             events: @escaping (FetchEvent) -> Void = { _ in }) throws -> FetchReport {
        for file in spec.files { try DatasetVerifier.requirePin(file) }
        AtomicFile.removeStaleTemporaries(in: options.directory)   // a killed download's
        let checks = try DatasetVerifier.check(spec, in: options.directory)
        checks.forEach { events(.checked($0)) }
        var downloaded: [(file: String, mirror: String)] = []
        let created = AtomicFile.missingDirectories(options.directory)
        do {
            for check in checks where !check.state.isOK {
                let mirror = try download(check.file, to: check.path, mirrors: options.mirrors,
                                          timeouts: options.timeouts, events: events)
                downloaded.append((check.file.name, mirror.description))
            }
        } catch {
            // Leave no trace: remove the directories this call created (`data/mnist`, then
            // `data`), each only if it is empty.
            for dir in created { rmdir(dir) }
            throw error
        }
        return FetchReport(dataset: spec.name, directory: options.directory, before: checks, downloaded: downloaded)
    }

    /// Fetches `file` to `path`, trying `mirrors` in order, and returns the mirror that
    /// delivered a good copy.
    ///
    /// Each attempt writes to a temporary sibling of `path`, verifies the payload size and
    /// SHA-256 against the pin, and only then renames it over `path`, so `path` never holds
    /// an unverified download; the temporary file is removed after every failed attempt.
    /// A transfer stops as soon as it passes `file.maxDownloadBytes` (the pinned payload
    /// size plus deflate's worst case and headers), so an endless body cannot fill the disk.
    /// If all mirrors fail, throws one line:
    /// `NAME: all mirrors failed: M1 (why); M2 (why)`.
    @discardableResult
    static func download(_ file: DatasetFile, to path: String, mirrors: [Mirror],
                                timeouts: TransferTimeouts = TransferTimeouts(),
                                events: @escaping (FetchEvent) -> Void = { _ in }) throws -> Mirror {
        try DatasetVerifier.requirePin(file)
        guard !mirrors.isEmpty else { throw NNError("\(file.name): missing or corrupt and no mirrors to fetch it from") }
        try AtomicFile.createParentDirectory(of: path)
        var failures: [String] = []
        for mirror in mirrors {
            let source = mirror.description
            events(.trying(file: file.name, mirror: source))
            let tmp = AtomicFile.temporaryPath(for: path)
            do {
                defer { unlink(tmp) }  // no-op once renamed
                try Transfer.copy(mirror.url(for: file.name), scheme: mirror.scheme, to: tmp,
                                  maxBytes: file.maxDownloadBytes, timeouts: timeouts) {
                    events(.progress(file: file.name, bytes: $0, total: $1))
                }
                switch try DatasetVerifier.verify(file, at: tmp) {
                case .ok(let sha):
                    try AtomicFile.commit(tmp, to: path)
                    events(.fetched(file: file.name, mirror: source, sha256: sha))
                    return mirror
                case .missing:
                    throw TransferFailure("nothing was written")
                case .corrupt(let reason):
                    throw TransferFailure(reason)
                }
            } catch let failure as TransferFailure {
                events(.mirrorFailed(file: file.name, mirror: source, reason: failure.reason))
                failures.append("\(source) (\(failure.reason))")
            }
        }
        throw NNError("\(file.name): all mirrors failed: " + failures.joined(separator: "; "))
    }
}
