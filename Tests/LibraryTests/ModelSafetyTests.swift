import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import Testing

/// Model files are checked against their header before anything is allocated, and a
/// network with non-finite weights is never a finished model.
@Suite struct ModelSafetyTests {
    let arch = Architecture(sizes: [3, 4, 1], activations: [.relu, .sigmoid], loss: .bce, gradient: .notebook)

    /// A valid model file's bytes, and the same with its JSON header replaced.
    func modelBytes(header: String? = nil, body: ((inout [UInt8]) -> Void)? = nil) throws -> [UInt8] {
        let net = Network<Double>(architecture: arch)
        var rng = MT19937(seed: 1)
        net.initialize(.notebook, rng: &rng)
        var bytes = try ModelFile.encode(net)
        if let header {
            let hlen = Int(bytes[8]) | Int(bytes[9]) << 8
            let h = Array(header.utf8)
            bytes = ModelFile.magic + withUnsafeBytes(of: UInt32(h.count).littleEndian, Array.init) + h + bytes[(12 + hlen)...]
        }
        body?(&bytes)
        return bytes
    }

    func readError(_ bytes: [UInt8]) throws -> String {
        let dir = try makeTemporaryDirectory("model")
        defer { removeTree(dir) }
        try AtomicFile.write(bytes, to: dir + "/model.nnm")
        return errorMessage { _ = try ModelFile.read(path: dir + "/model.nnm", as: Double.self) }
            .replacingOccurrences(of: dir + "/", with: "")
    }

    func header(sizes: String) -> String {
        #"{"activations":["relu","sigmoid"],"format":1,"gradient":"notebook","loss":"bce","precision":"f64","sizes":[\#(sizes)]}"#
    }

    @Test func validModelReads() throws {
        #expect(try readError(try modelBytes()) == "")
        #expect(try readError(try modelBytes(header: header(sizes: "3,4,1"))) == "")
    }

    @Test func headerSizesMustMatchTheBody() throws {
        #expect(try readError(try modelBytes(header: header(sizes: "785,1000000000000,1")))
            == "model.nnm: model body is 168 bytes, but header sizes [785, 1000000000000, 1] need 6296000000000008")
        #expect(try readError(try modelBytes(header: header(sizes: "785,4611686018427387904,1")))
            == "model.nnm: model body is 168 bytes, but header sizes [785, 4611686018427387904, 1] need more than \(Int.max)")
        #expect(try readError(try modelBytes(header: header(sizes: "3,5,1")))
            == "model.nnm: model body is 168 bytes, but header sizes [3, 5, 1] need 208")
        #expect(try readError(try modelBytes(header: header(sizes: "3,-4,1"))).contains("invalid architecture in model header"))
    }

    @Test func headerLengthBeyondTheFileIsCorrupt() throws {
        let m = try readError(try modelBytes { $0[8] = 0xff; $0[9] = 0xff; $0[10] = 0xff; $0[11] = 0xff })
        #expect(m == "model.nnm: corrupt model header")
        #expect(try readError(Array("NNMODEL1".utf8)) == "model.nnm: not an nn model file (bad magic)")
    }

    @Test func nonFiniteWeightsAreRefused() throws {
        let m = try readError(try modelBytes { bytes in
            let nan = Double.nan.bitPattern.littleEndian
            withUnsafeBytes(of: nan) { bytes.replaceSubrange((bytes.count - 8)..., with: $0) }
        })
        #expect(m == "model.nnm: the model holds non-finite weights (NaN or infinity); it is damaged or from a diverged run")
    }

    /// Finite weights above √max (products overflow) are refused too, so that eval never
    /// depends on how a BLAS kernel rounds their overflowing products (inf − inf).
    @Test func weightsAboveRootMaxAreRefused() throws {
        let m = try readError(try modelBytes { bytes in
            withUnsafeBytes(of: (1e300).bitPattern.littleEndian) { bytes.replaceSubrange((bytes.count - 8)..., with: $0) }
        })
        #expect(m == "model.nnm: the model holds weights above √max (1.3407807929942596e+154), so its outputs are not finite; it is damaged or from a diverged run")
        let ok = try readError(try modelBytes { bytes in
            withUnsafeBytes(of: (1e150).bitPattern.littleEndian) { bytes.replaceSubrange((bytes.count - 8)..., with: $0) }
        })
        #expect(ok == "")
    }

    /// Trains a fresh [3, 8, 1] network on the tiny problem with `lr` (full batch).
    func trainTiny(lr: Double, epochs: Int) -> (Network<Double>, TrainingResult) {
        let (x, y) = tinyProblem(n: 64, seed: 5)
        let net = Network<Double>(architecture: Architecture(sizes: [3, 8, 1], activations: [.relu, .sigmoid], loss: .bce, gradient: .notebook))
        var rng = MT19937(seed: 2)
        net.initialize(.notebook, rng: &rng)
        let r = Trainer.train(net, x: x, y: y, epochs: epochs, batchSize: 0,
                              optimizer: OptimizerSettings(kind: .gd, learningRate: lr), rng: &rng)
        return (net, r)
    }

    @Test func nonFiniteWeightsAfterAnEpochAreDivergence() {
        // The first epoch's loss is of the weights before the update, so it is finite; the
        // update by an infinite step is not.
        let (net, r) = trainTiny(lr: .infinity, epochs: 3)
        #expect(r.history.count == 1 && r.history[0].loss.isFinite)
        #expect(r.divergence?.nonFiniteWeights == true)
        #expect(r.divergence?.problem.hasPrefix("training diverged at epoch 1: the weights are no longer usable: not finite, too large (above √max), or giving non-finite outputs (the loss before the update was 0.") == true)
        #expect(!net.parametersAreFinite)
    }

    @Test func hugeFiniteWeightsWithNaNOutputsAreDivergence() {
        let (net, r) = trainTiny(lr: 1e308, epochs: 1)
        #expect(r.history.count == 1 && r.history[0].loss.isFinite)
        #expect(net.parametersAreFinite)   // finite, but ~1e307: the outputs overflow
        #expect(!net.parametersAreUsable)
        #expect(r.divergence?.nonFiniteWeights == true)
    }

    @Test func ordinaryTrainingIsNotDivergence() {
        let (net, r) = trainTiny(lr: 0.5, epochs: 5)
        #expect(r.divergence == nil && r.history.count == 5)
        #expect(net.parametersAreFinite && net.parametersAreUsable)
    }
}
