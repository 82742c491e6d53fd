import Foundation

/// Stand-in for Sources/NNFormats/Files/Checksum.swift in fuzz builds, which compile the
/// modules' sources with swiftc directly and so cannot link swift-crypto (scripts/fuzz.sh
/// compiles this file into NNFormats in its place). Same API; the digest is a
/// 256-bit FNV-1a-style hash (NOT SHA-256): consistent within a fuzz process, which is
/// all the harnesses need (they prepare their fixtures with the same functions).
package enum Checksum {
    package static func sha256(_ bytes: some Sequence<UInt8>) -> String {
        var s = Stream()
        Array(bytes).withUnsafeBytes { s.update($0) }
        return s.finalize()
    }

    package static func sha256(_ data: Data) -> String { sha256(Array(data)) }

    /// Base64 of the same stand-in digest (report.html's script hash; not SHA-256 here).
    package static func sha256Base64(_ bytes: some Sequence<UInt8>) -> String {
        var s = Stream()
        Array(bytes).withUnsafeBytes { s.update($0) }
        return Data(s.h.flatMap { v in (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }).base64EncodedString()
    }

    package struct Stream {
        fileprivate var h: [UInt64] = [0xcbf29ce484222325, 0x84222325cbf29ce4, 0x9ce484222325cbf2, 0x2325cbf29ce48422]
        package init() {}
        package mutating func update(_ bytes: UnsafeRawBufferPointer) {
            for b in bytes {
                for i in 0..<4 { h[i] = (h[i] ^ UInt64(b)) &* (0x100000001b3 &+ UInt64(2 * i)) }
            }
        }
        package func finalize() -> String { h.map { String(format: "%016llx", $0) }.joined() }
    }
}
