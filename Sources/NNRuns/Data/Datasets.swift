import Foundation
import NNBase
import NNKernel
import NNFormats

/// One file of a dataset, pinned on its decompressed payload (so a recompressed archive
/// still verifies).
struct DatasetFile: Sendable, Equatable, Codable {
    var name: String          // file name on disk and on mirrors, e.g. train-images-idx3-ubyte.gz
    var payloadSHA256: String // lowercase hex of the decompressed bytes
    var payloadBytes: Int     // size of the decompressed bytes

    init(name: String, payloadSHA256: String, payloadBytes: Int) {
        self.name = name
        self.payloadSHA256 = payloadSHA256
        self.payloadBytes = payloadBytes
    }
}

/// A dataset described as data: where its files come from and how to verify them.
package struct DatasetSpec: Sendable, Equatable, Codable {
    package var name: String
    var summary: String
    var trainImages: DatasetFile
    var trainLabels: DatasetFile
    var testImages: DatasetFile
    var testLabels: DatasetFile
    /// Mirrors tried in order; each file is fetched as `<mirror>/<file name>`.
    var mirrors: [String]
    /// Where the project keeps this dataset by default (relative to the working directory).
    package var defaultDirectory: String

    /// The four files in the canonical order: train images, train labels, test images, test labels.
    var files: [DatasetFile] { [trainImages, trainLabels, testImages, testLabels] }
}

package enum Datasets {
    /// MNIST, vendored under data/mnist. Checksums: the published payload SHA-256s.
    static let mnist = DatasetSpec(
        name: "mnist",
        summary: "MNIST handwritten digits, 60k train + 10k test, 28x28 u8",
        trainImages: .init(name: "train-images-idx3-ubyte.gz",
                           payloadSHA256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                           payloadBytes: 47_040_016),
        trainLabels: .init(name: "train-labels-idx1-ubyte.gz",
                           payloadSHA256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                           payloadBytes: 60_008),
        testImages: .init(name: "t10k-images-idx3-ubyte.gz",
                          payloadSHA256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                          payloadBytes: 7_840_016),
        testLabels: .init(name: "t10k-labels-idx1-ubyte.gz",
                          payloadSHA256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
                          payloadBytes: 10_008),
        mirrors: [
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ],
        defaultDirectory: "data/mnist"
    )

    /// Fashion-MNIST: same IDX layout, 10 clothing classes. Not vendored; Debian's
    /// `dataset-fashion-mnist` (0.0~git20200523.55506a9-1) installs the four gzip'd files under
    /// /usr/share/datasets/fashion-mnist/ with these names. Checksums: payload SHA-256s and
    /// sizes measured from that package (`gzip -dc FILE | sha256sum`, `gzip -dc FILE | wc -c`).
    static let fashionMNIST = DatasetSpec(
        name: "fashion-mnist",
        summary: "Fashion-MNIST clothing images, 60k train + 10k test, 28x28 u8",
        trainImages: .init(name: "train-images-idx3-ubyte.gz",
                           payloadSHA256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
                           payloadBytes: 47_040_016),
        trainLabels: .init(name: "train-labels-idx1-ubyte.gz",
                           payloadSHA256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
                           payloadBytes: 60_008),
        testImages: .init(name: "t10k-images-idx3-ubyte.gz",
                          payloadSHA256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
                          payloadBytes: 7_840_016),
        testLabels: .init(name: "t10k-labels-idx1-ubyte.gz",
                          payloadSHA256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
                          payloadBytes: 10_008),
        mirrors: [
            "file:///usr/share/datasets/fashion-mnist/",
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        ],
        defaultDirectory: "data/fashion-mnist"
    )

    package static let all: [DatasetSpec] = [mnist, fashionMNIST]

    package static func named(_ name: String) throws -> DatasetSpec {
        if let d = all.first(where: { $0.name == name }) { return d }
        throw NNError("unknown dataset '\(name)' (known: \(all.map(\.name).joined(separator: ", ")))")
    }
}

extension DatasetFile {
    /// The most bytes a download of this file may take: the pinned payload size plus
    /// 1/1024 of it (deflate's worst case on incompressible data is ~0.03%) plus 1 MiB for
    /// gzip headers; `Transfer.unknownSizeCap` (4 GiB) when the size is not pinned.
    var maxDownloadBytes: Int64 {
        guard payloadBytes > 0 else { return Transfer.unknownSizeCap }
        let p = Int64(payloadBytes)
        let (sum, overflow) = p.addingReportingOverflow(p / 1024 + (1 << 20))
        return overflow ? Int64.max : sum
    }
}
