import Foundation
import NNBase
import NNKernel
import NNFormats

/// One side of a prepared split, in split order.
struct PreparedSplit: Equatable, Sendable {
    /// Raw pixels, sample-major: sample k is `images[k * features ..< (k + 1) * features]`,
    /// row-major within the image.
    var images: [UInt8]
    /// The original digit labels 0-9.
    var labels: [UInt8]
    var count: Int
    /// Pixels per image (rows x cols; 784 for MNIST).
    var features: Int

    init(images: [UInt8], labels: [UInt8], count: Int, features: Int) {
        self.images = images
        self.labels = labels
        self.count = count
        self.features = features
    }
}

/// A directory written by `nn prepare`, loaded and verified.
struct PreparedDataset: Sendable {
    var directory: String
    var manifest: PreparedManifest
    /// SHA-256 of the `manifest.json` bytes: identifies the exact data a model was trained on.
    var manifestSHA256: String
    var train, test: PreparedSplit

    /// The target the dataset was prepared for (labels are always the original digits).
    var target: PreparedTarget { manifest.target }

    /// Loads `directory`. The manifest is checked as a whole (`PreparedManifest.validate`);
    /// each data file must be a regular file no larger than the manifest says, whose IDX
    /// header is u8 of exactly the manifest's shape; every label must be a digit 0-9 (for
    /// both targets: binary targets are derived from the digits) and the labels' per-digit
    /// counts must equal `class_counts`. With `verify` (the default) every data file's
    /// size and SHA-256 are checked against the manifest too.
    static func load(directory: String, verify: Bool = true) throws -> PreparedDataset {
        let manifestPath = PreparedLayout(directory).manifest
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            throw NNError("\(directory): no prepared dataset here (no \(PreparedLayout.manifestFile)); run `nn prepare --out \(directory)` (with the options it is meant for) first")
        }
        let manifestBytes = try readFileBytes(manifestPath)
        let manifest = try PreparedManifest.decode(manifestBytes, name: manifestPath)
        func side(_ files: PreparedManifest.SplitFiles) throws -> PreparedSplit {
            let images = try readData(files.images, directory: directory, verify: verify,
                                      shape: [files.count] + manifest.imageShape)
            let labels = try readData(files.labels, directory: directory, verify: verify, shape: [files.count])
            try checkLabels(labels, counts: files.classCounts, file: files.labels.file, directory: directory)
            return PreparedSplit(images: images, labels: labels, count: files.count, features: manifest.features)
        }
        return PreparedDataset(directory: directory, manifest: manifest,
                               manifestSHA256: Checksum.sha256(manifestBytes),
                               train: try side(manifest.train), test: try side(manifest.test))
    }

    /// The split's pool indices (train then test lists), recomputed from the manifest's
    /// parameters and checked against its index hashes.
    func splitIndices() throws -> TrainTestSplit {
        let s = manifest.split
        let split = try TrainTestSplit(poolSize: s.poolSize, trainSize: s.trainSize, testSize: s.testSize, seed: s.seed)
        guard TrainTestSplit.indexDigest(split.train) == s.trainIndicesSHA256,
              TrainTestSplit.indexDigest(split.test) == s.testIndicesSHA256 else {
            throw NNError("\(PreparedLayout(directory).manifest): split index hashes do not match the recomputed split")
        }
        return split
    }

    /// Reads one u8 IDX data file, checks it against the manifest (size, SHA-256 when
    /// `verify`, and its shape) and returns its payload.
    private static func readData(_ file: PreparedManifest.OutputFile, directory: String, verify: Bool,
                                 shape: [Int]) throws -> [UInt8] {
        let path = FilePath.join(directory, file.file)
        let rerun = "run `nn prepare` again"
        let bytes = try readFileBytes(path, maxBytes: file.bytes)
        if verify {
            guard bytes.count == file.bytes, Checksum.sha256(bytes) == file.sha256 else {
                throw NNError("\(path): contents do not match the SHA-256 in \(PreparedLayout.manifestFile); the prepared data is damaged — \(rerun)")
            }
        }
        let header = try IDXHeader.parse(bytes, name: path)
        try header.checkPayload(bytes.count - header.size, name: path)
        guard header.type == .u8, header.shape == shape else {
            throw NNError("\(path): \(header.type.name) of shape \(header.shape), but \(PreparedLayout.manifestFile) says u8 of shape \(shape) — \(rerun)")
        }
        return Array(bytes[header.size...])
    }

    /// Every label is a digit 0-9 and the per-digit counts are the manifest's `class_counts`.
    private static func checkLabels(_ labels: [UInt8], counts: [Int], file: String, directory: String) throws {
        let path = FilePath.join(directory, file)
        var found = [Int](repeating: 0, count: 10)
        for (i, label) in labels.enumerated() {
            guard label < 10 else {
                throw NNError("\(path): label \(label) at index \(i) is not a digit 0-9 — run `nn prepare` again")
            }
            found[Int(label)] += 1
        }
        guard found == counts else {
            throw NNError("\(path): per-digit label counts \(found) differ from class_counts \(counts) in \(PreparedLayout.manifestFile) — run `nn prepare` again")
        }
    }
}
