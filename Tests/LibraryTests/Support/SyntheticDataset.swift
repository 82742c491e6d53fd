import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import TestSupport

/// A tiny four-file dataset built in code: IDX images and labels (3 train, 2 test images
/// of 2x2 pixels), gzip'd, with payload checksums computed from the bytes.
struct SyntheticDataset {
    /// File name -> decompressed IDX bytes, and -> gzip archive bytes.
    let payloads: [String: [UInt8]]
    let archives: [String: [UInt8]]
    let files: [DatasetFile]

    init() throws {
        let idx: [(String, IDXArray)] = [
            ("train-images-idx3-ubyte.gz", IDXArray(u8: (0..<12).map { UInt8($0 * 20) }, shape: [3, 2, 2])),
            ("train-labels-idx1-ubyte.gz", IDXArray(u8: [8, 1, 8], shape: [3])),
            ("t10k-images-idx3-ubyte.gz", IDXArray(u8: (0..<8).map { UInt8(255 - $0) }, shape: [2, 2, 2])),
            ("t10k-labels-idx1-ubyte.gz", IDXArray(u8: [3, 8], shape: [2])),
        ]
        var payloads: [String: [UInt8]] = [:], archives: [String: [UInt8]] = [:]
        for (name, array) in idx {
            payloads[name] = array.encoded()
            archives[name] = try GzipWriter.compress(array.encoded())
        }
        self.payloads = payloads
        self.archives = archives
        files = idx.map { name, array in
            DatasetFile(name: name, payloadSHA256: Checksum.sha256(array.encoded()), payloadBytes: array.encoded().count)
        }
    }

    var names: [String] { files.map(\.name) }

    func spec(mirrors: [String] = []) -> DatasetSpec {
        DatasetSpec(name: "synthetic", summary: "test fixture",
                    trainImages: files[0], trainLabels: files[1], testImages: files[2], testLabels: files[3],
                    mirrors: mirrors, defaultDirectory: "data/synthetic")
    }

    /// Writes the archives named `names` (default: all four) into `directory`.
    func install(_ names: [String]? = nil, in directory: String) throws {
        for name in names ?? self.names {
            try AtomicFile.write(archives[name] ?? [], to: directory + "/" + name)
        }
    }

    /// The same payload with different bytes but the same size: a copy that must not verify.
    func wrongBytes(_ name: String) throws -> [UInt8] {
        var bytes = payloads[name] ?? []
        bytes[bytes.count - 1] ^= 0xff
        return try GzipWriter.compress(bytes)
    }

    /// The archive cut in half: a truncated gzip stream.
    func truncated(_ name: String) -> [UInt8] {
        let bytes = archives[name] ?? []
        return Array(bytes.prefix(bytes.count / 2))
    }
}

/// A fresh empty directory under the system temporary directory; remove it with `removeTree`.
func makeTemporaryDirectory(_ label: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func removeTree(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

/// Names in `directory`, sorted (hidden temporary files included).
func listing(_ directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
}
