import Foundation
@testable import NNKernel
import Testing

/// `nn train` with each kernel variant: AVX2 and AVX-512 (where the CPU has them) give the
/// same bytes; the portable one (what a CPU without AVX2 runs, forced with
/// `NN_KERNELS=portable`), which does not fuse the sparse products' multiply-adds, gives the
/// same losses to rounding level. Full batch and mini-batches (the packed gd/sgd path), f64
/// and f32. timing.json names the variant.
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
        // The fused variants agree to the last bit.
        for (name, r) in zip(Self.variants, results).dropFirst(2) { #expect(r == results[1], "\(name) differs from \(Self.variants[1])") }
        // The portable variant: the same losses up to rounding (two epochs of a small network).
        func losses(_ csv: Data?) -> [Double] {
            String(decoding: csv ?? Data(), as: UTF8.self).split(separator: "\n").dropFirst()
                .compactMap { $0.split(separator: ",").last.flatMap { Double($0) } }
        }
        let tolerance = precision == "f64" ? 1e-12 : 1e-5
        let portable = losses(results[0][0])
        #expect(portable.count == 2)
        for (name, r) in zip(Self.variants, results).dropFirst() {
            let l = losses(r[0])
            #expect(l.count == portable.count && zip(l, portable).allSatisfy { abs($0 - $1) <= tolerance * abs($1) },
                    "\(name) \(l) vs portable \(portable)")
        }
    }
}
