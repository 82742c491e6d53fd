import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A tiny HTTP/1.0 server for tests, bound by the test itself to 127.0.0.1 on an
/// ephemeral port. One thread accepts (polling so `stop()` is prompt), one thread per
/// connection answers a single GET with `Content-Length` and `Connection: close`.
/// Records every request path. Always call `stop()` (use `defer`).
final class TestHTTPServer: @unchecked Sendable {
    enum Response {
        /// 200 with these bytes.
        case body([UInt8])
        /// This status code with a short text body.
        case status(Int)
        /// 200 headers announcing 1000 bytes, then nothing until the server stops.
        case hang
        /// 200 without Content-Length, then 64 KiB chunks of zeros until the client leaves
        /// or the server stops (an endless body).
        case endless
        /// Like `endless`, but the headers announce this Content-Length.
        case endlessAnnouncing(Int64)
    }

    let port: UInt16
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private let listener: Int32
    private let routes: [String: Response]
    private let lock = NSLock()
    private var paths: [String] = []
    private var stopping = false
    private let acceptLoopDone = DispatchSemaphore(value: 0)

    private var sent: Int64 = 0
    /// Paths requested so far, in arrival order.
    var requests: [String] { lock.withLock { paths } }
    /// Body bytes sent so far by `endless` and `endlessAnnouncing` responses.
    var endlessBytesSent: Int64 { lock.withLock { sent } }
    private var isStopping: Bool { lock.withLock { stopping } }

    /// Serves `routes` (request path -> response); any other path gets 404.
    init(routes: [String: Response]) throws {
        self.routes = routes
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ServerError("socket: \(String(cString: strerror(errno)))") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0  // ephemeral
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { ptr in
                bind(fd, ptr, len) == 0 && listen(fd, 16) == 0 && getsockname(fd, ptr, &len) == 0
            }
        }
        guard bound else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw ServerError("bind/listen on 127.0.0.1: \(message)")
        }
        listener = fd
        port = UInt16(bigEndian: addr.sin_port)
        Thread { [self] in acceptLoop() }.start()
    }

    /// Stops accepting, closes the listening socket and releases hanging responses.
    func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopping = true }
            return !stopping
        }
        guard first else { return }
        acceptLoopDone.wait()
        close(listener)
    }

    private func acceptLoop() {
        defer { acceptLoopDone.signal() }
        while !isStopping {
            var pfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&pfd, 1, 50) > 0 else { continue }
            let client = accept(listener, nil, nil)
            if client < 0 { continue }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // Read the request head (up to the blank line).
        var head = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !head.containsHeadEnd {
            let n = recv(client, &buffer, buffer.count, 0)
            if n <= 0 { return }
            head += buffer[0..<n]
        }
        let requestLine = String(decoding: head.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = requestLine.split(separator: " ")
        let path = parts.count >= 2 ? String(parts[1]) : "/"
        lock.withLock { paths.append(path) }

        switch routes[path] ?? .status(404) {
        case .body(let bytes):
            sendAll(client, header(200, length: bytes.count) + bytes)
        case .status(let code):
            let text = Array("status \(code)\n".utf8)
            sendAll(client, header(code, length: text.count) + text)
        case .hang:
            sendAll(client, header(200, length: 1000))
            while !isStopping { usleep(20_000) }
        case .endless:
            sendEndless(client, length: nil)
        case .endlessAnnouncing(let length):
            sendEndless(client, length: length)
        }
    }

    private func sendEndless(_ client: Int32, length: Int64?) {
        let announce = length.map { "Content-Length: \($0)\r\n" } ?? ""
        sendAll(client, Array("HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\(announce)Connection: close\r\n\r\n".utf8))
        let chunk = [UInt8](repeating: 0, count: 1 << 16)
        while !isStopping && sendAll(client, chunk) {
            lock.withLock { sent += Int64(chunk.count) }
        }
    }

    private func header(_ code: Int, length: Int) -> [UInt8] {
        let reason = code == 200 ? "OK" : code == 404 ? "Not Found" : "Error"
        return Array("HTTP/1.0 \(code) \(reason)\r\nContent-Type: application/octet-stream\r\nContent-Length: \(length)\r\nConnection: close\r\n\r\n".utf8)
    }

    /// Sends every byte; false when the client went away.
    @discardableResult
    private func sendAll(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            #if os(Linux)
            let flags = Int32(MSG_NOSIGNAL)
            #else
            let flags: Int32 = 0
            #endif
            let n = bytes[offset...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, flags) }
            if n <= 0 { return false }  // the client went away
            offset += n
        }
        return true
    }

    struct ServerError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

private extension Array where Element == UInt8 {
    /// True once the bytes contain the `\r\n\r\n` that ends an HTTP request head.
    var containsHeadEnd: Bool {
        guard count >= 4 else { return false }
        for i in 0...(count - 4) where self[i] == 13 && self[i + 1] == 10 && self[i + 2] == 13 && self[i + 3] == 10 {
            return true
        }
        return false
    }
}
