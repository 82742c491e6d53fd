import Crypto
import Foundation

/// SHA-256 helpers (swift-crypto).
public enum Checksum {
    /// Lowercase hex SHA-256 of `bytes`.
    public static func sha256(_ bytes: some Sequence<UInt8>) -> String {
        hex(SHA256.hash(data: Array(bytes)))
    }

    public static func sha256(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// SHA-256 and size of a file's payload: the decompressed bytes of a gzip file, the
    /// raw bytes otherwise. Streams; never holds the payload in memory.
    public static func payloadDigest(path: String) throws -> (sha256: String, bytes: Int) {
        var hasher = Stream()
        var total = 0
        try Gzip.forEachChunk(path: path) { chunk in
            hasher.update(chunk)
            total += chunk.count
        }
        return (hasher.finalize(), total)
    }

    /// Incremental SHA-256: `update` with successive pieces, then `finalize` (lowercase hex).
    public struct Stream {
        private var hasher = SHA256()
        public init() {}
        public mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
        public func finalize() -> String { hex(hasher.finalize()) }
    }

    /// SHA-256 of a file's raw bytes (no decompression).
    public static func fileDigest(path: String) throws -> String {
        let fh = try Gzip.openForReading(path)
        defer { try? fh.close() }
        var hasher = SHA256()
        while true {
            let chunk = try Gzip.readChunk(fh, path: path)
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
        return hex(hasher.finalize())
    }

    static func hex<D: Digest>(_ d: D) -> String {
        d.map { String(format: "%02x", $0) }.joined()
    }
}
