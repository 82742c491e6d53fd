import Foundation
import NNBase
import NNKernel
import NNFormats

/// What the network is trained to predict from a prepared dataset's 0-9 labels.
///
/// In `manifest.json`: `{"kind": "binary", "positive_digit": 8, "rule": "y = 1 if label == 8 else 0"}`
/// or `{"kind": "all", "rule": "y = one-hot(label), 10 classes"}` (`rule` is for readers only).
package enum PreparedTarget: Equatable, Sendable, Codable {
    /// One sigmoid output: y = 1 when the label is `positiveDigit`, else 0 (the notebook: 8).
    case binary(positiveDigit: Int)
    /// Ten outputs: y = one-hot(label).
    case allClasses

    /// Outputs per sample: 1 for binary, 10 for all classes.
    var outputs: Int {
        switch self {
        case .binary: return 1
        case .allClasses: return 10
        }
    }

    /// The short form used in directory names: `binary8` or `all`.
    package var slug: String {
        switch self {
        case .binary(let d): return "binary\(d)"
        case .allClasses: return "all"
        }
    }

    var rule: String {
        switch self {
        case .binary(let d): return "y = 1 if label == \(d) else 0"
        case .allClasses: return "y = one-hot(label), 10 classes"
        }
    }

    /// Targets for `labels`, sample-major: n values 0/1 for binary, n rows of 10 for all classes.
    func targets(for labels: [UInt8]) -> [Double] {
        switch self {
        case .binary(let d):
            let positive = UInt8(clamping: d)
            return labels.map { $0 == positive ? 1.0 : 0.0 }
        case .allClasses:
            var y = [Double](repeating: 0, count: labels.count * 10)
            for (i, label) in labels.enumerated() where label < 10 { y[i * 10 + Int(label)] = 1 }
            return y
        }
    }

    private enum CodingKeys: String, CodingKey { case kind, positiveDigit = "positive_digit", rule }

    package init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "binary": self = .binary(positiveDigit: try c.decode(Int.self, forKey: .positiveDigit))
        case "all": self = .allClasses
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: c, debugDescription: "unknown target kind '\(other)'")
        }
    }

    package func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .binary(let d):
            try c.encode("binary", forKey: .kind)
            try c.encode(d, forKey: .positiveDigit)
        case .allClasses:
            try c.encode("all", forKey: .kind)
        }
        try c.encode(rule, forKey: .rule)
    }
}

/// `manifest.json` of a prepared dataset directory (written by `nn prepare`, last, after the
/// data files). JSON with snake_case keys, pretty-printed with sorted keys, so the same
/// inputs give the same bytes. Example (MNIST, the notebook's split):
///
///     {
///       "dataset" : "mnist",
///       "features" : 784,
///       "format" : "nn-prepared-dataset",
///       "format_version" : 1,
///       "image_shape" : [28, 28],
///       "sources" : [ { "file" : "train-images-idx3-ubyte.gz", "payload_bytes" : 47040016,
///                       "payload_sha256" : "ba89…", "role" : "train-images" }, … 4 files ],
///       "split" : { "indices_encoding" : "…", "method" : "sklearn.train_test_split / RandomState.permutation",
///                   "pool_order" : "…", "pool_size" : 70000, "seed" : 42,
///                   "test_indices_sha256" : "0ebe…", "test_size" : 20000,
///                   "train_indices_sha256" : "174e…", "train_size" : 50000 },
///       "target" : { "kind" : "binary", "positive_digit" : 8, "rule" : "y = 1 if label == 8 else 0" },
///       "test" : { "class_counts" : [1966, …], "count" : 20000,
///                  "images" : { "bytes" : 15680016, "file" : "test-images.idx", "sha256" : "…" },
///                  "labels" : { "bytes" : 20008, "file" : "test-labels.idx", "sha256" : "…" } },
///       "train" : { … the same for the 50000 training samples … },
///       "transform" : { "bias_column" : "prepend ones before scaling", "scale" : "divide by 255" }
///     }
///
/// The data files are uncompressed IDX: images u8 [count, rows, cols], labels u8 [count]
/// holding the ORIGINAL digit labels 0-9, both in split order (sample k of the train files
/// is pool item `train[k]`). The pool is the dataset's training files followed by its test
/// files. Index-list hashes are SHA-256 of the pool indices as little-endian int64
/// (`np.asarray(idx, '<i8').tobytes()`).
package struct PreparedManifest: Codable, Equatable, Sendable {
    static let format = "nn-prepared-dataset"
    static let formatVersion = 1
    static let indicesEncoding = "SHA-256 of the pool indices as little-endian int64, in split order"
    static let poolOrder = "training files then test files; pool index = position in that order"

    struct Source: Codable, Equatable, Sendable {
        var role: String
        var file: String
        var payloadSHA256: String
        var payloadBytes: Int
        private enum CodingKeys: String, CodingKey {
            case role, file, payloadSHA256 = "payload_sha256", payloadBytes = "payload_bytes"
        }
    }

    struct Split: Codable, Equatable, Sendable {
        var method, poolOrder: String
        var poolSize, trainSize, testSize: Int
        var seed: UInt32
        var indicesEncoding, trainIndicesSHA256, testIndicesSHA256: String
        private enum CodingKeys: String, CodingKey {
            case method, poolOrder = "pool_order", poolSize = "pool_size", trainSize = "train_size"
            case testSize = "test_size", seed, indicesEncoding = "indices_encoding"
            case trainIndicesSHA256 = "train_indices_sha256", testIndicesSHA256 = "test_indices_sha256"
        }
    }

    struct OutputFile: Codable, Equatable, Sendable {
        var file: String
        var bytes: Int
        var sha256: String
    }

    package struct SplitFiles: Codable, Equatable, Sendable {
        package var count: Int
        /// Samples per digit 0-9.
        package var classCounts: [Int]
        var images: OutputFile
        var labels: OutputFile
        private enum CodingKeys: String, CodingKey { case count, classCounts = "class_counts", images, labels }
    }

    /// How to turn pixels into network inputs, as the notebook does:
    /// `X = np.c_[np.ones(n), X]` then `X /= 255` (so the bias input is 1/255).
    struct Transform: Codable, Equatable, Sendable {
        var biasColumn: String
        var scale: String
        static let notebook = Transform(biasColumn: "prepend ones before scaling", scale: "divide by 255")
        private enum CodingKeys: String, CodingKey { case biasColumn = "bias_column", scale }
    }

    var format: String
    var formatVersion: Int
    package var dataset: String
    var sources: [Source]
    var split: Split
    package var imageShape: [Int]
    package var features: Int
    package var target: PreparedTarget
    var transform: Transform
    package var train: SplitFiles
    package var test: SplitFiles

    private enum CodingKeys: String, CodingKey {
        case format, formatVersion = "format_version", dataset, sources, split
        case imageShape = "image_shape", features, target, transform, train, test
    }

    /// The manifest's JSON bytes: pretty-printed, sorted keys, trailing newline.
    func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self)) + [0x0a]
    }

    /// Parses manifest bytes and checks them as a whole (`validate`); `name` is used in
    /// error messages.
    package static func decode(_ bytes: [UInt8], name: String) throws -> PreparedManifest {
        let manifest: PreparedManifest
        do {
            manifest = try JSONDecoder().decode(PreparedManifest.self, from: Data(bytes))
        } catch {
            throw NNError("\(name): not a valid prepared-dataset manifest (\(Self.describe(error)))")
        }
        guard manifest.format == format, manifest.formatVersion == formatVersion else {
            throw NNError("\(name): manifest format \(manifest.format) v\(manifest.formatVersion), expected \(format) v\(formatVersion)")
        }
        try manifest.validate(name: name)
        return manifest
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing key '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            return "wrong type at '\(ctx.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted(let ctx):
            let path = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "invalid JSON" : "bad value at '\(path)': \(ctx.debugDescription)"
        default: return "unreadable"
        }
    }
}
