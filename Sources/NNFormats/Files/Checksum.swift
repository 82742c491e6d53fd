import Crypto
import Foundation

/// SHA-256 helpers (swift-crypto). File digests are in Checksum+Files.swift.
package enum Checksum {
    /// Lowercase hex SHA-256 of `bytes`.
    package static func sha256(_ bytes: some Sequence<UInt8>) -> String {
        hex(SHA256.hash(data: Array(bytes)))
    }

    package static func sha256(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// Base64 SHA-256 of `bytes` (the form a Content-Security-Policy hash source takes).
    package static func sha256Base64(_ bytes: some Sequence<UInt8>) -> String {
        Data(SHA256.hash(data: Array(bytes))).base64EncodedString()
    }

    /// Incremental SHA-256: `update` with successive pieces, then `finalize` (lowercase hex).
    package struct Stream {
        private var hasher = SHA256()
        package init() {}
        package mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
        package func finalize() -> String { hex(hasher.finalize()) }
    }

    static func hex<D: Digest>(_ d: D) -> String {
        // Two lowercase digits per byte from a table (`String(format:)` per byte was a
        // sixth of a large sweep's set-up, which hashes every point's config).
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(2 * D.byteCount)
        for b in d { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
