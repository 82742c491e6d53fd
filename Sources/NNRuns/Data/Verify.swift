import Foundation
import NNBase
import NNKernel
import NNFormats

/// What was found on disk for one dataset file.
enum FileState: Equatable, Sendable {
    /// The payload's size and SHA-256 match the registry; carries the SHA-256.
    case ok(sha256: String)
    /// No file at the expected path.
    case missing
    /// A file is there but does not verify; `reason` says why (size, SHA-256, broken gzip...).
    case corrupt(reason: String)

    var isOK: Bool { if case .ok = self { return true } else { return false } }

    /// One-word-plus-detail description: `ok (sha256 ...)`, `missing`, `corrupt (...)`.
    var description: String {
        switch self {
        case .ok(let sha): return "ok (sha256 \(sha))"
        case .missing: return "missing"
        case .corrupt(let reason): return "corrupt (\(reason))"
        }
    }
}

/// The state of one dataset file at `path`.
package struct FileCheck: Equatable, Sendable {
    var file: DatasetFile
    var path: String
    var state: FileState
    /// The line `nn fetch` prints for it: `NAME: STATE`.
    package var line: String { "\(file.name): \(state.description)" }

    init(file: DatasetFile, path: String, state: FileState) {
        self.file = file
        self.path = path
        self.state = state
    }
}

/// Checks dataset files against the registry's pins.
///
/// A file verifies when its *payload* (the decompressed bytes of a gzip file, the raw bytes
/// otherwise; see `Checksum.payloadDigest`) has exactly `payloadBytes` bytes and SHA-256
/// `payloadSHA256`. Pinning the payload rather than the archive means a recompressed
/// archive with identical contents still verifies.
enum DatasetVerifier {
    /// Throws unless `file` carries a pinned payload SHA-256 (64 lowercase hex digits):
    /// an entry without a pin must never verify, whatever is on disk.
    static func requirePin(_ file: DatasetFile) throws {
        let hex = file.payloadSHA256
        let isHex = hex.count == 64 && hex.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) }
        guard isHex else {
            if hex.isEmpty {
                throw NNError("\(file.name): no pinned checksum in the dataset registry; cannot verify it")
            }
            throw NNError("\(file.name): pinned checksum '\(hex)' in the dataset registry is not a lowercase hex SHA-256")
        }
    }

    /// The state of the file at `path` against `file`'s pin. Throws only when the registry
    /// entry itself has no usable pin; every problem with the file is a `.corrupt` reason.
    static func verify(_ file: DatasetFile, at path: String) throws -> FileState {
        try requirePin(file)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return .missing }
        if isDir.boolValue { return .corrupt(reason: "is a directory") }
        let digest: (sha256: String, bytes: Int)
        do {
            // Reading stops one byte past the pinned size: a bigger payload cannot verify.
            digest = try Checksum.payloadDigest(path: path, maxBytes: file.payloadBytes)
        } catch let error as NNError {
            return .corrupt(reason: reason(error, path: path))
        }
        if digest.bytes != file.payloadBytes {
            return .corrupt(reason: "size mismatch: payload \(digest.bytes) bytes, expected \(file.payloadBytes)")
        }
        if digest.sha256 != file.payloadSHA256 {
            return .corrupt(reason: "sha256 mismatch: payload \(digest.sha256), expected \(file.payloadSHA256)")
        }
        return .ok(sha256: digest.sha256)
    }

    /// The state of each of `spec`'s four files in `directory`, in `spec.files` order.
    static func check(_ spec: DatasetSpec, in directory: String) throws -> [FileCheck] {
        try spec.files.map { file in
            let path = FilePath.join(directory, file.name)
            return FileCheck(file: file, path: path, state: try verify(file, at: path))
        }
    }

    /// An `NNError` message without its leading `<path>: ` (the caller names the file).
    static func reason(_ error: NNError, path: String) -> String {
        let prefix = path + ": "
        return error.message.hasPrefix(prefix) ? String(error.message.dropFirst(prefix.count)) : error.message
    }
}
