import Foundation
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import TestSupport
import Testing

/// Collects `FetchEvent`s (they may arrive on a URLSession queue while the caller waits).
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [FetchEvent] = []
    var events: [FetchEvent] { lock.withLock { items } }
    func record(_ e: FetchEvent) { lock.withLock { items.append(e) } }
    var failures: [String] {
        events.compactMap { if case .mirrorFailed(_, let m, let r) = $0 { return "\(m) \(r)" } else { return nil } }
    }
}

@Suite struct FetchVerifyTests {
    @Test func reportsOkMissingAndEachKindOfCorruption() throws {
        let data = try SyntheticDataset()
        let dir = try makeTemporaryDirectory("verify")
        defer { removeTree(dir) }
        let n = data.names
        try AtomicFile.write(data.archives[n[0]]!, to: "\(dir)/\(n[0])")                   // good
        try AtomicFile.write(try GzipWriter.compress([0, 0, 8, 1, 0, 0, 0, 1, 8]), to: "\(dir)/\(n[1])")  // wrong size
        try AtomicFile.write(try data.wrongBytes(n[2]), to: "\(dir)/\(n[2])")             // right size, wrong bytes
        // n[3] missing
        var checks = try DatasetVerifier.check(data.spec(), in: dir)
        #expect(checks.map(\.file.name) == n)
        #expect(checks[0].state == .ok(sha256: data.files[0].payloadSHA256))
        #expect(checks[1].state == .corrupt(reason: "size mismatch: payload 9 bytes, expected \(data.files[1].payloadBytes)"))
        guard case .corrupt(let shaReason) = checks[2].state else { Issue.record("expected corrupt, got \(checks[2].state)"); return }
        #expect(shaReason.hasPrefix("sha256 mismatch: payload "))
        #expect(shaReason.hasSuffix("expected \(data.files[2].payloadSHA256)"))
        #expect(checks[3].state == .missing)

        try AtomicFile.write(data.truncated(n[3]), to: "\(dir)/\(n[3])")
        checks = try DatasetVerifier.check(data.spec(), in: dir)
        guard case .corrupt(let gzReason) = checks[3].state else { Issue.record("expected corrupt, got \(checks[3].state)"); return }
        #expect(gzReason.hasPrefix("truncated gzip stream"))
        #expect(!gzReason.contains(dir))  // the reason does not repeat the path
    }

    @Test func recompressedOrUncompressedArchiveWithSamePayloadVerifies() throws {
        let data = try SyntheticDataset()
        let dir = try makeTemporaryDirectory("recompressed")
        defer { removeTree(dir) }
        let file = data.files[0]
        let payload = data.payloads[file.name]!
        let fast = try GzipWriter.compress(payload, level: 1), best = try GzipWriter.compress(payload, level: 9)
        let stored = try GzipWriter.compress(payload, level: 0)
        #expect(Set([fast, best, stored]).count == 3)  // three different archives...
        for (label, bytes) in [("fast", fast), ("best", best), ("stored", stored), ("plain", payload)] {
            let path = "\(dir)/\(label)-\(file.name)"
            try AtomicFile.write(bytes, to: path)
            #expect(try DatasetVerifier.verify(file, at: path) == .ok(sha256: file.payloadSHA256), "\(label)")  // ...one payload
        }
    }

    @Test func emptyPinNeverVerifies() throws {
        let data = try SyntheticDataset()
        let dir = try makeTemporaryDirectory("nopin")
        defer { removeTree(dir) }
        try data.install(in: dir)
        var spec = data.spec(mirrors: ["file://\(dir)/"])
        spec.trainLabels.payloadSHA256 = ""
        let error = #expect(throws: NNError.self) { try DatasetVerifier.verify(spec.trainLabels, at: "\(dir)/\(spec.trainLabels.name)") }
        #expect(error?.message == "train-labels-idx1-ubyte.gz: no pinned checksum in the dataset registry; cannot verify it")
        let fetchError = #expect(throws: NNError.self) {
            try Fetcher.fetch(spec, options: FetchOptions(directory: dir, mirrors: try spec.mirrors.map(Mirror.init)))
        }
        #expect(fetchError?.message.contains("no pinned checksum") == true)
        spec.trainLabels.payloadSHA256 = "ABC"
        #expect(throws: NNError.self) { try DatasetVerifier.verify(spec.trainLabels, at: "\(dir)/\(spec.trainLabels.name)") }
    }

    @Test func registryPinsEveryFile() throws {
        for spec in Datasets.all {
            for file in spec.files { try DatasetVerifier.requirePin(file) }
            #expect(Set(spec.files.map(\.name)).count == 4, "\(spec.name)")
            for mirror in spec.mirrors { _ = try Mirror(mirror) }
        }
    }
}

@Suite struct MirrorTests {
    @Test func acceptsTheThreeSchemesAndJoinsFileNames() throws {
        #expect(try Mirror("https://example.org/mnist").url(for: "a.gz").absoluteString == "https://example.org/mnist/a.gz")
        #expect(try Mirror("http://127.0.0.1:8080/m/").url(for: "a.gz").absoluteString == "http://127.0.0.1:8080/m/a.gz")
        let local = try Mirror("file:///usr/share/datasets/fashion-mnist/")
        #expect(local.scheme == .file)
        #expect(local.url(for: "a.gz").path == "/usr/share/datasets/fashion-mnist/a.gz")
    }

    @Test(arguments: [
        ("ftp://example.org/", "unsupported scheme 'ftp'"),
        ("example.org/mnist", "not a URL"),
        ("http:///nohost/", "no host"),
        ("file://server/share/", "must name a local path"),
    ])
    func rejectsUnusableURLs(input: String, expected: String) {
        let error = #expect(throws: NNError.self) { try Mirror(input) }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("\n") == false)
    }
}

@Suite(.serialized) struct FetchDownloadTests {
    @Test func allPresentAndValidMakesNoRequest() throws {
        let data = try SyntheticDataset()
        let server = try TestHTTPServer(routes: Dictionary(uniqueKeysWithValues: data.names.map { ("/m/\($0)", .body(data.archives[$0]!)) }))
        defer { server.stop() }
        let dir = try makeTemporaryDirectory("allok")
        defer { removeTree(dir) }
        try data.install(in: dir)
        let log = EventLog()
        let report = try Fetcher.fetch(data.spec(), options: FetchOptions(directory: dir, mirrors: [try Mirror("\(server.baseURL)/m/")]),
                                       events: log.record)
        #expect(report.downloaded.isEmpty)
        #expect(report.before.allSatisfy { $0.state.isOK })
        #expect(report.summary == "synthetic: all 4 files ok in \(dir) (none downloaded)")
        #expect(server.requests.isEmpty)
        #expect(log.events.count == 4)  // four `.checked`, nothing else
    }

    @Test func missingFileComesFromSecondMirrorAfterFirst404s() throws {
        let data = try SyntheticDataset()
        let name = data.names[1]
        let server = try TestHTTPServer(routes: ["/good/\(name)": .body(data.archives[name]!)])
        defer { server.stop() }
        let dir = try makeTemporaryDirectory("second")
        defer { removeTree(dir) }
        try data.install(data.names.filter { $0 != name }, in: dir)
        let mirrors = [try Mirror("\(server.baseURL)/gone/"), try Mirror("\(server.baseURL)/good/")]
        let log = EventLog()
        let report = try Fetcher.fetch(data.spec(), options: FetchOptions(directory: dir, mirrors: mirrors), events: log.record)
        #expect(report.before[1].state == .missing)
        #expect(report.downloaded.map(\.file) == [name])
        #expect(report.downloaded.map(\.mirror) == ["\(server.baseURL)/good/"])
        #expect(report.summary == "synthetic: all 4 files ok in \(dir) (downloaded 1 from \(server.baseURL)/good/)")
        #expect(server.requests == ["/gone/\(name)", "/good/\(name)"])
        #expect(log.failures == ["\(server.baseURL)/gone/ HTTP 404"])
        #expect(log.events.contains(.progress(file: name, bytes: Int64(data.archives[name]!.count), total: Int64(data.archives[name]!.count))))
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)")) == Data(data.archives[name]!))
        #expect(listing(dir) == data.names.sorted())  // no temporary file left
    }

    @Test func corruptLocalFileIsReplaced() throws {
        let data = try SyntheticDataset()
        let name = data.names[2]
        let server = try TestHTTPServer(routes: Dictionary(uniqueKeysWithValues: data.names.map { ("/m/\($0)", .body(data.archives[$0]!)) }))
        defer { server.stop() }
        let dir = try makeTemporaryDirectory("replace")
        defer { removeTree(dir) }
        try data.install(in: dir)
        try AtomicFile.write(try data.wrongBytes(name), to: "\(dir)/\(name)")
        let report = try Fetcher.fetch(data.spec(), options: FetchOptions(directory: dir, mirrors: [try Mirror("\(server.baseURL)/m/")]))
        guard case .corrupt(let reason) = report.before[2].state else { Issue.record("expected corrupt"); return }
        #expect(reason.hasPrefix("sha256 mismatch"))
        #expect(server.requests == ["/m/\(name)"])
        #expect(try DatasetVerifier.check(data.spec(), in: dir).allSatisfy { $0.state.isOK })
        #expect(listing(dir) == data.names.sorted())
    }

    @Test func everyMirrorBadGivesOneLineNamingEachMirrorAndLeavesNoFile() throws {
        let data = try SyntheticDataset()
        let name = data.names[0]
        let server = try TestHTTPServer(routes: [
            "/wrong/\(name)": .body(try data.wrongBytes(name)),
            "/cut/\(name)": .body(data.truncated(name)),
            "/broken/\(name)": .status(500),
        ])
        defer { server.stop() }
        let dir = try makeTemporaryDirectory("allbad")
        defer { removeTree(dir) }
        try data.install(Array(data.names.dropFirst()), in: dir)
        let base = server.baseURL
        let mirrors = try ["\(base)/gone/", "\(base)/wrong/", "\(base)/cut/", "\(base)/broken/", "file://\(dir)/nowhere/"].map(Mirror.init)
        let error = #expect(throws: NNError.self) { try Fetcher.fetch(data.spec(), options: FetchOptions(directory: dir, mirrors: mirrors)) }
        let message = try #require(error?.message)
        #expect(!message.contains("\n"))
        #expect(message.hasPrefix("\(name): all mirrors failed: \(base)/gone/ (HTTP 404); \(base)/wrong/ (sha256 mismatch: payload "))
        #expect(message.contains("; \(base)/cut/ (truncated gzip stream"))
        #expect(message.contains("; \(base)/broken/ (HTTP 500); file://\(dir)/nowhere/ (no such file)"))
        #expect(server.requests == ["/gone/\(name)", "/wrong/\(name)", "/cut/\(name)", "/broken/\(name)"])
        #expect(listing(dir) == Array(data.names.dropFirst()).sorted())  // neither final nor temporary file
    }

    @Test func hangingMirrorTimesOutAndTheNextOneIsUsed() throws {
        let data = try SyntheticDataset()
        let name = data.names[3]
        let server = try TestHTTPServer(routes: ["/slow/\(name)": .hang, "/m/\(name)": .body(data.archives[name]!)])
        defer { server.stop() }
        let dir = try makeTemporaryDirectory("timeout")
        defer { removeTree(dir) }
        let file = data.files[3]
        let log = EventLog()
        let started = Date()
        let mirror = try Fetcher.download(file, to: "\(dir)/\(name)",
                                          mirrors: [try Mirror("\(server.baseURL)/slow/"), try Mirror("\(server.baseURL)/m/")],
                                          timeouts: TransferTimeouts(request: 1), events: log.record)
        let elapsed = Date().timeIntervalSince(started)
        #expect(mirror.description == "\(server.baseURL)/m/")
        #expect(log.failures == ["\(server.baseURL)/slow/ timed out after 1 s without data"])
        #expect(elapsed >= 0.9 && elapsed < 10, "took \(elapsed) s")
        #expect(listing(dir) == [name])
    }

    @Test func resourceTimeoutCapsAWholeTransfer() throws {
        let data = try SyntheticDataset()
        let name = data.names[3]
        let server = try TestHTTPServer(routes: ["/slow/\(name)": .hang])
        defer { server.stop() }
        let dir = try makeTemporaryDirectory("resource")
        defer { removeTree(dir) }
        let error = #expect(throws: NNError.self) {
            try Fetcher.download(data.files[3], to: "\(dir)/\(name)", mirrors: [try Mirror("\(server.baseURL)/slow/")],
                                 timeouts: TransferTimeouts(request: 30, resource: 1))
        }
        #expect(error?.message == "\(name): all mirrors failed: \(server.baseURL)/slow/ (timed out after 1 s in total)")
        #expect(listing(dir).isEmpty)
    }

    /// URLSession on Linux hands every chunk to the delegate queue without waiting, so a
    /// server sending faster than the file is written used to pile gigabytes up in memory
    /// before the cap was even noticed, then more while the cancel got through. Now the server
    /// can run ahead of the written bytes by no more than the socket buffers and a few chunks.
    @Test func endlessBodyIsStoppedAtTheCapWithoutRunningAhead() throws {
        let data = try SyntheticDataset()
        let name = data.names[0]
        var file = data.files[0]
        file.payloadBytes = 48 << 20  // a cap of ~49 MiB, like MNIST's training images
        let server = try TestHTTPServer(routes: ["/e/\(name)": .endless])
        defer { server.stop() }
        let dir = try makeTemporaryDirectory("endless")
        defer { removeTree(dir) }
        let lock = NSLock()
        var ahead: Int64 = 0, written: Int64 = 0
        let started = Date()
        let error = #expect(throws: NNError.self) {
            try Fetcher.download(file, to: "\(dir)/\(name)", mirrors: [try Mirror("\(server.baseURL)/e/")],
                                 timeouts: TransferTimeouts(request: 10)) { event in
                guard case .progress(_, let bytes, _) = event else { return }
                let sent = server.endlessBytesSent
                lock.withLock { ahead = max(ahead, sent - bytes); written = bytes }
            }
        }
        let sentByThen = server.endlessBytesSent
        let elapsed = Date().timeIntervalSince(started)
        let cap = file.maxDownloadBytes
        #expect(error?.message == "\(name): all mirrors failed: \(server.baseURL)/e/ (more than \(cap) bytes, the most this file can be; stopped)")
        lock.withLock {
            #expect(written <= cap && written > cap - (1 << 20), "wrote \(written) of \(cap)")
            #expect(ahead < 32 << 20, "the server ran \(ahead) bytes ahead of the file")
        }
        // The download returns at once; it used to wait while URLSession took gigabytes more.
        #expect(sentByThen - cap < 256 << 20, "the server sent \(sentByThen - cap) bytes past the cap")
        #expect(elapsed < 60, "took \(elapsed) s")
        #expect(listing(dir).isEmpty)
    }

    /// A Content-Length over the cap stops the transfer at the headers (URLSession on Linux
    /// ignores the delegate's `.cancel`, so the body used to stream until the resource timeout).
    @Test func announcedLengthOverTheCapStopsAtOnce() throws {
        let data = try SyntheticDataset()
        let name = data.names[0]
        let server = try TestHTTPServer(routes: ["/big/\(name)": .endlessAnnouncing(1_000_000_000_000_000)])
        defer { server.stop() }
        let dir = try makeTemporaryDirectory("announced")
        defer { removeTree(dir) }
        let started = Date()
        let error = #expect(throws: NNError.self) {
            try Fetcher.download(data.files[0], to: "\(dir)/\(name)", mirrors: [try Mirror("\(server.baseURL)/big/")],
                                 timeouts: TransferTimeouts(request: 10))  // resource: 300 s
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(error?.message == "\(name): all mirrors failed: \(server.baseURL)/big/ (more than \(data.files[0].maxDownloadBytes) bytes, the most this file can be; stopped)")
        #expect(elapsed < 60, "took \(elapsed) s")
        #expect(listing(dir).isEmpty)
    }

    @Test func fileMirrorFillsAnEmptyDirectory() throws {
        let data = try SyntheticDataset()
        let source = try makeTemporaryDirectory("source")
        let dir = try makeTemporaryDirectory("target") + "/nested/data"
        defer { removeTree(source); removeTree(URL(fileURLWithPath: dir).deletingLastPathComponent().deletingLastPathComponent().path) }
        try data.install(in: source)
        let report = try Fetcher.fetch(data.spec(), options: FetchOptions(directory: dir, mirrors: [try Mirror("file://\(source)")]))
        #expect(report.before.map(\.state) == Array(repeating: .missing, count: 4))
        #expect(report.downloaded.map(\.file) == data.names)
        #expect(report.downloaded.allSatisfy { $0.mirror == "file://\(source)/" })
        for name in data.names {
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)")) == Data(data.archives[name]!))
        }
        #expect(listing(dir) == data.names.sorted())
    }

    @Test func recompressedArchiveFromAMirrorIsAccepted() throws {
        let data = try SyntheticDataset()
        let name = data.names[0]
        let recompressed = try GzipWriter.compress(data.payloads[name]!, level: 1)
        #expect(recompressed != data.archives[name]!)
        let server = try TestHTTPServer(routes: ["/m/\(name)": .body(recompressed)])
        defer { server.stop() }
        let dir = try makeTemporaryDirectory("recompressed-mirror")
        defer { removeTree(dir) }
        try data.install(Array(data.names.dropFirst()), in: dir)
        let report = try Fetcher.fetch(data.spec(), options: FetchOptions(directory: dir, mirrors: [try Mirror("\(server.baseURL)/m/")]))
        #expect(report.downloaded.map(\.file) == [name])
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(name)")) == Data(recompressed))
    }
}
