import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
import NNBase
import NNKernel
import NNFormats
#endif

/// How long a transfer may take.
package struct TransferTimeouts: Sendable, Equatable {
    /// Seconds without any data arriving (connecting, waiting for headers or between chunks)
    /// before a mirror is abandoned.
    var request: TimeInterval
    /// Seconds for the whole transfer of one file from one mirror.
    var resource: TimeInterval

    /// `request` as given; `resource` defaults to 30 × `request` (30 minutes for the default
    /// 60 s), long enough for the 9.9 MB MNIST archive on a slow line.
    package init(request: TimeInterval = 60, resource: TimeInterval? = nil) {
        self.request = request
        self.resource = resource ?? request * 30
    }
}

/// Why one transfer failed, as a short phrase for the "all mirrors failed" line
/// (`HTTP 404`, `no such file`, `timed out after 1 s without data`...).
struct TransferFailure: Error, Equatable, Sendable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}

/// Copies one URL's bytes into a local file, reporting progress as
/// `(bytes so far, total bytes if known)`. Throws `TransferFailure`; on failure the
/// destination may hold partial bytes and the caller deletes it. A transfer stops with a
/// failure as soon as it passes `maxBytes` (an endless or oversized body never fills the
/// disk), or when the server announces a larger Content-Length.
enum Transfer {
    typealias Progress = (_ bytes: Int64, _ total: Int64?) -> Void

    /// The cap for a file whose size the registry does not pin.
    static let unknownSizeCap: Int64 = 4 << 30

    static func tooLarge(_ maxBytes: Int64) -> TransferFailure {
        TransferFailure("more than \(maxBytes) bytes, the most this file can be; stopped")
    }

    static func copy(_ url: URL, scheme: Mirror.Scheme, to destination: String, maxBytes: Int64 = unknownSizeCap,
                     timeouts: TransferTimeouts, progress: @escaping Progress) throws {
        guard FileManager.default.createFile(atPath: destination, contents: nil),
              let output = FileHandle(forWritingAtPath: destination) else {
            throw TransferFailure("cannot create \(destination)")
        }
        defer { try? output.close() }
        switch scheme {
        case .file: try copyLocal(url.path, to: output, maxBytes: maxBytes, progress: progress)
        case .http, .https:
            try HTTPDownload(output: output, maxBytes: maxBytes, progress: progress).run(url, timeouts: timeouts)
        }
    }

    /// `file://`: a chunked copy of a local file.
    private static func copyLocal(_ path: String, to output: FileHandle, maxBytes: Int64, progress: Progress) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw TransferFailure("no such file") }
        if isDir.boolValue { throw TransferFailure("is a directory") }
        let input: FileHandle
        do { input = try FileInput.handle(path) } catch let e as NNError {
            throw TransferFailure(e.message.hasPrefix(path + ": ") ? String(e.message.dropFirst(path.count + 2)) : e.message)
        }
        defer { try? input.close() }
        let total = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
        var copied: Int64 = 0
        while true {
            let chunk: Data
            do { chunk = try input.read(upToCount: 1 << 20) ?? Data() } catch { throw TransferFailure("read error: \(error.localizedDescription)") }
            if chunk.isEmpty { break }
            if copied + Int64(chunk.count) > maxBytes { throw tooLarge(maxBytes) }
            do { try output.write(contentsOf: chunk) } catch { throw TransferFailure("write error: \(error.localizedDescription)") }
            copied += Int64(chunk.count)
            progress(copied, total)
        }
    }
}

/// `http://` and `https://` through URLSession (FoundationNetworking on Linux), streamed
/// to a file by a data-task delegate and waited for with a semaphore.
///
/// The request timeout is URLSession's `timeoutIntervalForRequest` (idle time); the
/// resource timeout is enforced here as a deadline on the wait, so it holds whatever the
/// platform's URLSession does with `timeoutIntervalForResource`.
///
/// Memory stays bounded however fast the server sends: swift-corelibs-foundation hands each
/// chunk libcurl reads to the delegate queue with `addOperation` and never waits, so a body
/// arriving faster than the delegate writes it piled up in memory (gigabytes from a local
/// endless server). The delegate queue here is a `BoundedDelegateQueue`, whose
/// `addOperation` blocks libcurl's thread while a few chunks are pending; libcurl then stops
/// reading the socket and TCP slows the server down. corelibs also ignores the `.cancel`
/// disposition of `didReceive response`, and a `cancel()` can take seconds to get through
/// while a fast server keeps sending, so a failure wakes `run`, which returns at once and
/// leaves the cancel to a thread of its own (the delegate drops all later data).
private final class HTTPDownload: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let output: FileHandle
    private let maxBytes: Int64
    private let progress: Transfer.Progress
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var failure: String?  // first reason the transfer failed; guarded by `lock`
    private var received: Int64 = 0
    private var expected: Int64?
    private var timeouts = TransferTimeouts()

    init(output: FileHandle, maxBytes: Int64, progress: @escaping Transfer.Progress) {
        self.output = output
        self.maxBytes = maxBytes
        self.progress = progress
    }

    func run(_ url: URL, timeouts: TransferTimeouts) throws {
        self.timeouts = timeouts
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeouts.request
        config.timeoutIntervalForResource = timeouts.resource
        config.requestCachePolicy = .reloadIgnoringLocalCacheData
        config.urlCache = nil
        let queue = BoundedDelegateQueue()
        let session = URLSession(configuration: config, delegate: self, delegateQueue: queue)
        var request = URLRequest(url: url)
        request.timeoutInterval = timeouts.request
        let task = session.dataTask(with: request)
        task.resume()
        if finished.wait(timeout: .now() + timeouts.resource) == .timedOut {
            fail("timed out after \(Self.seconds(timeouts.resource)) in total")
        }
        if let reason = lock.withLock({ failure }) {
            // Return now; the cancel can take seconds to get through to a session whose
            // server keeps sending. Nothing writes to `output` once `failure` is set.
            Thread { task.cancel(); session.invalidateAndCancel() }.start()
            throw TransferFailure(reason)
        }
        session.invalidateAndCancel()
    }

    private func fail(_ reason: String) {
        lock.withLock { if failure == nil { failure = reason } }
    }

    /// Records `reason` and wakes `run`, which cancels the task from a thread of its own:
    /// `cancel()` waits for the session's work queue, which may itself be waiting for room on
    /// the delegate queue, and with a fast server it can take seconds to get its turn.
    private func stop(_ reason: String) {
        fail(reason)
        finished.signal()
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        // corelibs ignores the disposition, hence `stop` as well as `.cancel`.
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            stop("HTTP \(http.statusCode)")
            completionHandler(.cancel)
            return
        }
        expected = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        if let expected, expected > maxBytes {
            stop(Transfer.tooLarge(maxBytes).reason)
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        // Checked, written and reported under `lock`, so once `fail` returns (and `run` with
        // it) nothing more is written to `output` or reported.
        let problem: String? = lock.withLock {
            if failure != nil { return "" }
            if received + Int64(data.count) > maxBytes { return Transfer.tooLarge(maxBytes).reason }
            do { try output.write(contentsOf: data) } catch { return "write error: \(error.localizedDescription)" }
            received += Int64(data.count)
            progress(received, expected)
            return nil
        }
        if let problem, !problem.isEmpty { stop(problem) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if let error {
            fail(describe(error))
        } else if let expected, received != expected {
            fail("short response: \(received) of \(expected) bytes")
        }
        finished.signal()
    }

    private func describe(_ error: Error) -> String {
        guard let urlError = error as? URLError else { return error.localizedDescription }
        switch urlError.code {
        case .timedOut: return "timed out after \(Self.seconds(timeouts.request)) without data"
        case .cannotConnectToHost: return "cannot connect to host"
        case .cannotFindHost, .dnsLookupFailed: return "host not found"
        case .notConnectedToInternet: return "no network"
        case .networkConnectionLost: return "connection lost"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
            return "TLS error"
        case .cancelled: return "cancelled"
        default: return "network error \(urlError.code.rawValue)"
        }
    }

    static func seconds(_ t: TimeInterval) -> String {
        t == t.rounded() ? "\(Int(t)) s" : "\(t) s"
    }
}

/// A serial delegate queue that holds at most `limit` pending operations: `addOperation`
/// from another thread (libcurl's, in URLSession) waits for room, which is what keeps a
/// fast download's memory bounded (see `HTTPDownload`). Never waits when called from the
/// queue itself, which could not make room.
final class BoundedDelegateQueue: OperationQueue, @unchecked Sendable {
    private let room: DispatchSemaphore

    init(limit: Int = 8) {
        // Starts at 0 and is raised to `limit`: libdispatch traps when a semaphore is freed
        // below its initial value, which a queue dropped with chunks pending would be.
        room = DispatchSemaphore(value: 0)
        for _ in 0..<limit { room.signal() }
        super.init()
        maxConcurrentOperationCount = 1
    }

    override func addOperation(_ block: @Sendable @escaping () -> Void) {
        guard OperationQueue.current !== self else { return super.addOperation(block) }
        room.wait()
        super.addOperation { [room] in
            room.signal()
            block()
        }
    }
}
