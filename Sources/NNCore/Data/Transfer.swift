import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How long a transfer may take.
public struct TransferTimeouts: Sendable, Equatable {
    /// Seconds without any data arriving (connecting, waiting for headers or between chunks)
    /// before a mirror is abandoned.
    public var request: TimeInterval
    /// Seconds for the whole transfer of one file from one mirror.
    public var resource: TimeInterval

    /// `request` as given; `resource` defaults to 30 × `request` (30 minutes for the default
    /// 60 s), long enough for the 9.9 MB MNIST archive on a slow line.
    public init(request: TimeInterval = 60, resource: TimeInterval? = nil) {
        self.request = request
        self.resource = resource ?? request * 30
    }
}

/// Why one transfer failed, as a short phrase for the "all mirrors failed" line
/// (`HTTP 404`, `no such file`, `timed out after 1 s without data`...).
public struct TransferFailure: Error, Equatable, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

extension DatasetFile {
    /// The most bytes a download of this file may take: the pinned payload size plus
    /// 1/1024 of it (deflate's worst case on incompressible data is ~0.03%) plus 1 MiB for
    /// gzip headers; `Transfer.unknownSizeCap` (4 GiB) when the size is not pinned.
    public var maxDownloadBytes: Int64 {
        guard payloadBytes > 0 else { return Transfer.unknownSizeCap }
        let p = Int64(payloadBytes)
        let (sum, overflow) = p.addingReportingOverflow(p / 1024 + (1 << 20))
        return overflow ? Int64.max : sum
    }
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
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: config, delegate: self, delegateQueue: queue)
        defer { session.invalidateAndCancel() }
        var request = URLRequest(url: url)
        request.timeoutInterval = timeouts.request
        let task = session.dataTask(with: request)
        task.resume()
        if finished.wait(timeout: .now() + timeouts.resource) == .timedOut {
            fail("timed out after \(Self.seconds(timeouts.resource)) in total")
            task.cancel()
            // Wait for the delegate to finish so nothing writes to `output` after we return.
            _ = finished.wait(timeout: .now() + 10)
        }
        if let reason = lock.withLock({ failure }) { throw TransferFailure(reason) }
    }

    private func fail(_ reason: String) {
        lock.withLock { if failure == nil { failure = reason } }
    }

    private var hasFailed: Bool { lock.withLock { failure != nil } }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            fail("HTTP \(http.statusCode)")
            completionHandler(.cancel)
            return
        }
        expected = response.expectedContentLength >= 0 ? response.expectedContentLength : nil
        if let expected, expected > maxBytes {
            fail(Transfer.tooLarge(maxBytes).reason)
            completionHandler(.cancel)
            return
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        if hasFailed { return }
        if received + Int64(data.count) > maxBytes {
            fail(Transfer.tooLarge(maxBytes).reason)
            dataTask.cancel()
            return
        }
        do {
            try output.write(contentsOf: data)
        } catch {
            fail("write error: \(error.localizedDescription)")
            dataTask.cancel()
            return
        }
        received += Int64(data.count)
        progress(received, expected)
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
