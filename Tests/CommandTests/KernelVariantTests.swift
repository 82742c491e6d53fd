import Foundation
@testable import NNKernel
import Testing

/// `nn train` gives the same bytes whichever kernel variant runs it: the portable one (what a
/// CPU without AVX2 runs, forced with `NN_KERNELS=portable`), AVX2 and AVX-512 where the CPU
/// has them; full batch and mini-batches (the packed gd/sgd path), f64 and f32. timing.json
/// names the variant.
@Suite struct KernelVariantTests {
    static let data = preparedMNIST(train: 300, test: 100, tag: "kernel-variants")

    static var variants: [String] { ["portable"] + [Kernels.avx2, Kernels.avx512].compactMap { $0?.name } }

    @Test(arguments: [(0, "f64"), (128, "f32"), (32, "f64")])
    func everyVariantTrainsTheSameBytes(batch: Int, precision: String) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("nn-kernel-variants-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var results: [[Data?]] = []
        for name in Self.variants {
            var environment = ProcessInfo.processInfo.environment
            environment["NN_KERNELS"] = name
            let r = try runNN(["train", "--data", try Self.data.get(), "--layers", "785,40,12,1", "--activations", "relu,relu,sigmoid",
                               "--epochs", "2", "--batch-size", String(batch), "--optimizer", batch == 0 ? "gd" : "sgd",
                               "--precision", precision, "--threads", "2", "--quiet", "--out", name], cwd: root, environment: environment)
            #expect(r.status == 0, "\(name): \(r.stderr)")
            let timing = (try? String(contentsOfFile: "\(root)/\(name)/timing.json", encoding: .utf8)) ?? ""
            #expect(timing.contains("\"kernels\": \"\(name)\""), "\(name): \(timing)")
            results.append(["history.csv", "model.nnm"].map { FileManager.default.contents(atPath: "\(root)/\(name)/\($0)") })
        }
        #expect(results.allSatisfy { $0[0] != nil && $0[1] != nil })
        for (name, r) in zip(Self.variants, results).dropFirst() { #expect(r == results[0], "\(name) differs from portable") }
    }
}
