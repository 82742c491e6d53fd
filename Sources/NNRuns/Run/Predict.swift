import Foundation
import NNBase
import NNKernel
import NNFormats

/// A complete run's resolved configuration and trained model, as `nn predict` and
/// `nn export` use them (the same checks as `nn eval`: a complete run, a model whose layers
/// are config.json's).
struct TrainedRun {
    let directory: String
    let config: ExperimentConfig
    let modelPath: String

    init(_ runDir: String) throws {
        try RunMarker.requireComplete(runDir)
        let (config, _, _) = try Run.readConfig(runDir: runDir)
        try config.validate()
        let modelPath = RunLayout(runDir).model
        guard FilePath.exists(modelPath) else {
            throw NNError("\(runDir): no \(RunLayout.modelFile) (training did not finish?); run `nn train --out \(runDir)`")
        }
        directory = runDir
        self.config = config
        self.modelPath = modelPath
    }

    /// The model, in the run's precision `T`.
    func network<T: NNScalar>(_: T.Type) throws -> Network<T> {
        let net = try ModelFile.read(path: modelPath, as: T.self)
        guard net.architecture.sizes == config.layers else {
            throw NNError("\(modelPath): model layers \(net.architecture.sizes) do not match config.json's \(config.layers)")
        }
        return net
    }

    /// Pixels per image: the input width without the bias column.
    var features: Int { config.layers[0] - (config.biasColumn ? 1 : 0) }
}

/// `nn predict`: the run's model applied to new images, as CSV
///
///     index,prediction,probability
///
/// one row per image, `index` counting from 0 across the inputs in the order given. Binary
/// target: `prediction` is 1 when p > threshold (the run's, or `--threshold`), else 0, and
/// `probability` is p, the sigmoid output (p of class 1). Ten classes: `prediction` is the
/// arg-max class (its name where the dataset has names: Fashion-MNIST's `T-shirt/top`, …;
/// MNIST's digit) and `probability` its softmax output. Probabilities are shortest
/// round-trip decimals, as in `predictions.csv`.
///
/// The images go through `DesignMatrix` (the bias column, then /255, exactly as training
/// and `nn eval` do) and `Network.predict` (the same column blocks), so predicting the
/// test split's `test-images.idx` gives `predictions.csv`'s probabilities text for text
/// (with the same thread count, as `nn eval` uses by default).
package enum Predict {
    package static let header = ["index", "prediction", "probability"]

    /// The CSV text (header and rows) for the images of `inputs` (see `PredictInput`).
    package static func csv(runDir: String, inputs: [String], threshold: Double?, threads: Int) throws -> String {
        let run = try TrainedRun(runDir)
        var config = run.config
        if let threshold, threshold != config.threshold, config.target == .allClasses { throw Run.thresholdNotBinary }
        if let threshold { config.threshold = threshold }
        try config.validate()
        guard run.features > 0 else { throw NNError("\(runDir): the model's input layer has no pixels") }
        let reader = PredictInput(features: run.features)
        let scalar = config.precision.scalarBytes
        // The pixels and a row of text per image, and one block's input matrix and widest
        // layer's activations (`predict` goes block by block). A count that overflows
        // (`nil`) is the overflow error, never a made-up size.
        func requireMemory(_ count: Int?) throws {
            guard let count else {
                return try MemoryBudget.require(nil, for: "predicting the images of \(inputs.joined(separator: ", "))")
            }
            let block = min(count, blockSize)
            try MemoryBudget.require(MemoryBudget.sum([MemoryBudget.product([2 * (config.layers.max() ?? 1) + 1, block, scalar]),
                                                       MemoryBudget.product([count, run.features + 128])]),
                                     for: "predicting \(count) images")
        }
        var pixels: [UInt8] = [], count = 0
        for path in inputs {
            // Refused from an IDX header, before its pixels are read.
            let (p, n) = try reader.read(path) { n in try requireMemory(MemoryBudget.sum([count, n])) }
            if pixels.isEmpty { pixels = p } else { pixels += p }   // no copy of a single input
            count += n
        }
        guard count > 0 else { throw NNError("\(inputs.joined(separator: ", ")): no images") }
        try requireMemory(count)
        let parallel = Parallel(threads: threads)
        let rows = config.precision == .f32
            ? try predict(Float.self, run: run, config: config, pixels: pixels, count: count, parallel: parallel)
            : try predict(Double.self, run: run, config: config, pixels: pixels, count: count, parallel: parallel)
        return CSVTable.text(header: header, rows: rows)
    }

    static func predict<T: NNScalar>(_: T.Type, run: TrainedRun, config: ExperimentConfig, pixels: [UInt8], count n: Int,
                                     parallel: Parallel) throws -> [[String]] {
        let net = try run.network(T.self)
        net.parallel = parallel
        var rows: [[String]] = []
        rows.reserveCapacity(n)
        // Block by block (the column blocks `Network.predict` cuts anyway), so the design
        // matrix is never more than one block: memory is the pixels plus a block.
        let f = run.features
        for start in stride(from: 0, to: n, by: blockSize) {
            let w = min(blockSize, n - start)
            let design = DesignMatrix<T>(images: Array(pixels[(start * f)..<((start + w) * f)]), labels: [UInt8](repeating: 0, count: w),
                                         features: f, target: config.target, biasColumn: config.biasColumn, parallel: parallel)
            let out = net.predict(design.x, blockSize: blockSize)
            if let j = (0..<out.count).first(where: { !out.storage[$0].isFinite }) {
                throw NNError("\(run.modelPath): the model's output for image \(start + j % out.cols) is not finite; the model is unusable")
            }
            switch config.target {
            case .binary:
                for j in 0..<w {
                    let p = out.storage[j].double
                    rows.append([String(start + j), p > config.threshold ? "1" : "0", NumberText.real(p)])
                }
            case .allClasses:
                for j in 0..<w {
                    var k = 0
                    for r in 1..<out.rows where out[r, j] > out[k, j] { k = r }
                    rows.append([String(start + j), ClassNames.name(k, dataset: config.dataset), NumberText.real(out[k, j].double)])
                }
            }
        }
        return rows
    }

    /// Images per block: `Network.predict`'s column block.
    static let blockSize = 10_000
}
