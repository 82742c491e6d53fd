import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// Harness: a prepared directory's `manifest.json` (`PreparedDataset.load`, as `nn train`
/// and `nn eval` load data, and `nn prepare`'s up-to-date check). The directory holds
/// valid data files for the seed manifest, so inputs close to it reach the cross-checks
/// against the IDX files.
func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) {
    _ = ManifestFixture.directory
    _ = FuzzSupport.write(data, size, name: PreparedLayout.manifestFile, in: ManifestFixture.directory)
    // Recomputing the split allocates the pool's permutation (checked only against physical
    // memory, more than the fuzzer's RSS limit), so only for pools of the fixture's scale.
    if let loaded = try? PreparedDataset.load(directory: ManifestFixture.directory),
       loaded.manifest.split.poolSize <= 1 << 16 {
        _ = try? loaded.splitIndices()
    }
}

/// 12 + 5 images of 3x2 pixels prepared (10 train, 6 test, seed 3, all classes): the data
/// files of the seed manifest (`scripts/fuzz.sh --seeds` writes that manifest).
enum ManifestFixture {
    static let directory: String = {
        let root = FuzzSupport.directory + "/fixture"
        let dataDir = root + "/data", out = root + "/prepared"
        try! FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        var spec = Datasets.mnist
        spec.name = "tiny"
        spec.mirrors = []
        func images(_ r: Range<Int>) -> IDXArray {
            IDXArray(u8: r.flatMap { p in (0..<6).map { UInt8((31 * p + 7 * $0) % 256) } }, shape: [r.count, 3, 2])
        }
        func labels(_ r: Range<Int>) -> IDXArray { IDXArray(u8: r.map { UInt8($0 % 10) }, shape: [r.count]) }
        let roles: [(WritableKeyPath<DatasetSpec, DatasetFile>, IDXArray)] =
            [(\.trainImages, images(0..<12)), (\.trainLabels, labels(0..<12)),
             (\.testImages, images(12..<17)), (\.testLabels, labels(12..<17))]
        for (role, array) in roles {
            let bytes = array.encoded()
            try! AtomicFile.write(try! GzipWriter.compress(bytes), to: dataDir + "/" + spec[keyPath: role].name)
            spec[keyPath: role].payloadSHA256 = Checksum.sha256(bytes)
            spec[keyPath: role].payloadBytes = bytes.count
        }
        let outcome = try! Prepare.run(spec: spec, dataDir: dataDir, outDir: out,
                                       options: PrepareOptions(trainSize: 10, testSize: 6, seed: 3, target: .allClasses))
        if let seed = ProcessInfo.processInfo.environment["NN_FUZZ_WRITE_SEED"] {
            try! AtomicFile.write(try! outcome.manifest.encoded(), to: seed)
        }
        return out
    }()
}
