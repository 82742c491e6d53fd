import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands
import TestSupport
import Testing

/// Bad sizes and damaged inputs end `nn` with one `Error:` line (never a signal), and leave
/// no output behind.
@Suite struct InputSafetyCLITests {
    private func errorLines(_ r: NNRun) -> [String] {
        r.stderr.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    private func temporaryDirectory(_ label: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("nn-\(label)-\(UUID().uuidString)").path
    }

    @Test(arguments: [("9223372036854775807", "1"), ("1", "9223372036854775807")])
    func overflowingPrepareSizesAreOneLineErrors(train: String, test: String) throws {
        let out = temporaryDirectory("prepare-overflow")
        let r = try runNN(["prepare", "--train-size", train, "--test-size", test, "--out", out], cwd: packageRoot())
        #expect(r.status != 0)
        #expect(errorLines(r) == ["Error: --train-size \(train) + --test-size \(test) = more than 9223372036854775807 is more than the 70000 items in the pool"])
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test(arguments: ["785,1000000000000,1", "785,4611686018427387904,1"])
    func hugeLayersAreOneLineErrors(layers: String) throws {
        let out = temporaryDirectory("train-huge")
        let r = try runNN(["train", "--layers", layers, "--out", out], cwd: packageRoot())
        #expect(r.status != 0)
        let lines = errorLines(r)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("Error: --layers \(layers) needs ") == true)
        #expect(lines.first?.contains(" for layer 1's weights; this machine has ") == true)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// A tiny prepared directory (10 train, 5 test 2x2 images, "is it an 8"), made with
    /// the library from files written here.
    private func preparedDirectory(_ root: String) throws -> String {
        let dataDir = root + "/data", out = root + "/prepared"
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        var spec = Datasets.mnist
        spec.name = "tiny"
        spec.mirrors = []
        let arrays = [IDXArray(u8: (0..<40).map { UInt8($0 * 6) }, shape: [10, 2, 2]),
                      IDXArray(u8: (0..<10).map { UInt8($0 % 10) }, shape: [10]),
                      IDXArray(u8: (0..<20).map { UInt8(250 - $0) }, shape: [5, 2, 2]),
                      IDXArray(u8: [8, 3, 8, 1, 0], shape: [5])]
        let roles: [WritableKeyPath<DatasetSpec, DatasetFile>] = [\.trainImages, \.trainLabels, \.testImages, \.testLabels]
        for (role, array) in zip(roles, arrays) {
            let bytes = array.encoded()
            try AtomicFile.write(try GzipWriter.compress(bytes), to: dataDir + "/" + spec[keyPath: role].name)
            spec[keyPath: role].payloadSHA256 = Checksum.sha256(bytes)
            spec[keyPath: role].payloadBytes = bytes.count
        }
        _ = try Prepare.run(spec: spec, dataDir: dataDir, outDir: out,
                            options: PrepareOptions(trainSize: 10, testSize: 5, seed: 1))
        return out
    }

    @Test func trainRefusesAnInconsistentManifest() throws {
        let root = temporaryDirectory("train-manifest")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try preparedDirectory(root)
        let train = ["train", "--data", data, "--layers", "5,3,1", "--activations", "relu,sigmoid", "--epochs", "1", "--out", root + "/run"]
        #expect(try runNN(train).status == 0)
        let manifest = data + "/manifest.json"
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        for (from, to) in [("\"features\" : 4", "\"features\" : 40"), ("\"pool_size\" : 15", "\"pool_size\" : 4611686018427387904")] {
            #expect(text.contains(from))
            try text.replacingOccurrences(of: from, with: to).write(toFile: manifest, atomically: true, encoding: .utf8)
            let r = try runNN(train.map { $0 == root + "/run" ? root + "/run2" : $0 })
            #expect(r.status != 0)
            let lines = errorLines(r)
            #expect(lines.count == 1 && lines[0].hasPrefix("Error: \(manifest): "), "\(lines)")
            #expect(lines.first?.hasSuffix("the manifest is inconsistent; run `nn prepare` again") == true)
            #expect(!FileManager.default.fileExists(atPath: root + "/run2"))
        }
    }
}
