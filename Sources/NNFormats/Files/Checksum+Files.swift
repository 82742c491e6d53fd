import Foundation

/// File digests built on `Checksum.Stream` (kept apart from Checksum.swift, the only file
/// that needs swift-crypto, so the fuzz build can stand in for that file alone).
extension Checksum {
    /// SHA-256 and size of a file's payload: the decompressed bytes of a gzip file, the
    /// raw bytes otherwise. Streams; never holds the payload in memory; stops with an
    /// error once the payload passes `maxBytes` (see `Gzip.forEachChunk`).
    package static func payloadDigest(path: String, maxBytes: Int = .max) throws -> (sha256: String, bytes: Int) {
        var hasher = Stream()
        var total = 0
        try Gzip.forEachChunk(path: path, maxBytes: maxBytes) { chunk in
            hasher.update(chunk)
            total += chunk.count
        }
        return (hasher.finalize(), total)
    }
}
