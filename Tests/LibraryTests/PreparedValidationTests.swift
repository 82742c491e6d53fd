import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import Testing

/// A prepared directory is checked as a whole: the manifest against itself and against
/// the IDX files it describes. A directory that fails is refused by `PreparedDataset.load`
/// (so `nn train`) and is not "up to date" for `nn prepare`, which rebuilds it.
@Suite struct PreparedValidationTests {
    static let options = PrepareOptions(trainSize: 10, testSize: 6, seed: 3, target: .allClasses)

    /// Prepares a tiny dataset, applies `edit` to its manifest (written back as is), and
    /// returns the load error; then checks that `prepare` rebuilds the directory.
    func damagedManifest(_ edit: (inout PreparedManifest) -> Void, files: [String: [UInt8]] = [:]) throws -> String {
        let tiny = try TinyDataset()
        defer { tiny.remove() }
        let good = try tiny.prepare(Self.options)
        let path = PreparedLayout(tiny.out).manifest
        var manifest = try JSONDecoder().decode(PreparedManifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        edit(&manifest)
        try AtomicFile.write(try manifest.encoded(), to: path)
        for (name, bytes) in files { try AtomicFile.write(bytes, to: tiny.out + "/" + name) }
        let message = errorMessage { _ = try PreparedDataset.load(directory: tiny.out) }
        let again = try tiny.prepare(Self.options)
        #expect(!again.upToDate, "a damaged directory must not count as up to date")
        #expect(again.manifest == good.manifest)
        #expect(try PreparedDataset.load(directory: tiny.out).train.count == 10)
        #expect(try tiny.prepare(Self.options).upToDate)
        return message
    }

    @Test func featuresMustBeTheImageShapesProduct() throws {
        let more = try damagedManifest { $0.features = 60 }
        #expect(more.hasSuffix("manifest.json: features 60 is not the product of image_shape [3, 2] (6) — the manifest is inconsistent; run `nn prepare` again"), "\(more)")
        let fewer = try damagedManifest { $0.features = 1 }
        #expect(fewer.contains("features 1 is not the product"))
        // Shape and features changed together: the IDX headers disagree.
        let reshaped = try damagedManifest { $0.imageShape = [6, 1] }
        #expect(reshaped.contains("train-images.idx: u8 of shape [10, 3, 2], but manifest.json says u8 of shape [10, 6, 1]"), "\(reshaped)")
    }

    @Test func poolSizeAndCountsMustAgree() throws {
        let pool = try damagedManifest { $0.split.poolSize = 1 << 62 }
        #expect(pool.contains("split.pool_size 4611686018427387904 differs from the 12 + 5 labels of the sources"), "\(pool)")
        let count = try damagedManifest { $0.train.count = 9 }
        #expect(count.contains("train.count 9 differs from split.train_size 10"))
        let bytes = try damagedManifest { $0.test.images.bytes = Int.max }
        #expect(bytes.contains("test-images.idx is listed as \(Int.max) bytes, but 6 images of [3, 2] take 52"), "\(bytes)")
        let counts = try damagedManifest { $0.train.classCounts = [10] }
        #expect(counts.contains("class_counts [10] are not 10 counts summing to 10"))
        let name = try damagedManifest { $0.train.labels.file = "../../etc/passwd" }
        #expect(name.contains("data files train-images.idx, ../../etc/passwd are not train-images.idx, train-labels.idx"))
    }

    @Test func emptySplitIsAClearError() throws {
        let m = try damagedManifest {
            $0.test.count = 0
            $0.split.testSize = 0
        }
        #expect(m.contains("manifest.json: the test split is empty"), "\(m)")
    }

    @Test func labelsMustBeDigits() throws {
        // Binary targets are derived from the digits too, so both modes check 0-9.
        var labels = IDXArray(u8: [UInt8](repeating: 1, count: 10), shape: [10]).encoded()
        labels[8 + 4] = 12
        let sha = Checksum.sha256(labels)
        let m = try damagedManifest({ $0.train.labels.sha256 = sha }, files: [PreparedLayout.trainLabelsFile: labels])
        #expect(m.hasSuffix("train-labels.idx: label 12 at index 4 is not a digit 0-9 — run `nn prepare` again"), "\(m)")
        labels[8 + 4] = 1
        let sha2 = Checksum.sha256(labels)
        let c = try damagedManifest({ $0.train.labels.sha256 = sha2 }, files: [PreparedLayout.trainLabelsFile: labels])
        #expect(c.contains("per-digit label counts [0, 10, 0, 0, 0, 0, 0, 0, 0, 0] differ from class_counts"), "\(c)")
    }

    @Test func binaryTargetDigitIsChecked() throws {
        let m = try damagedManifest { $0.target = .binary(positiveDigit: 12) }
        #expect(m.contains("target.positive_digit 12 is not a digit 0-9"))
    }

    @Test func oversizedDataFileIsNotReadWhole() throws {
        let big = [UInt8](repeating: 0, count: 100_000)
        let m = try damagedManifest({ _ in }, files: [PreparedLayout.testImagesFile: big])
        #expect(m.contains("test-images.idx: 100000 bytes, more than the 52 such a file may hold"), "\(m)")
    }
}
