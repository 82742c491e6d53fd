import Crypto
import Foundation
import NNKernel

/// SHA-256 helpers (swift-crypto). File digests are in FileDigest.swift.
package enum Checksum {
    /// Lowercase hex SHA-256 of `bytes`.
    package static func sha256(_ bytes: some Sequence<UInt8>) -> String {
        hex(SHA256.hash(data: Array(bytes)))
    }

    package static func sha256(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// Incremental SHA-256: `update` with successive pieces, then `finalize` (lowercase hex).
    package struct Stream {
        private var hasher = SHA256()
        package init() {}
        package mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
        package func finalize() -> String { hex(hasher.finalize()) }
    }

    static func hex<D: Digest>(_ d: D) -> String {
        d.map { String(format: "%02x", $0) }.joined()
    }
}
