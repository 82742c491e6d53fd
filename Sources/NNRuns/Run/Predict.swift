import Foundation
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
        if let threshold { config.threshold = threshold }
        try config.validate()
        guard run.features > 0 else { throw NNError("\(runDir): the model's input layer has no pixels") }
        let reader = PredictInput(features: run.features)
        var pixels: [UInt8] = [], count = 0
        for path in inputs {
            let (p, n) = try reader.read(path)
            pixels += p
            count += n
        }
        guard count > 0 else { throw NNError("\(inputs.joined(separator: ", ")): no images") }
        let scalar = config.precision.scalarBytes
        // The input matrix and the widest layer's activations, for every image.
        try MemoryBudget.require(MemoryBudget.product([2 * (config.layers.max() ?? 1) + 1, count, scalar]),
                                 for: "predicting \(count) images")
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
        let design = DesignMatrix<T>(images: pixels, labels: [UInt8](repeating: 0, count: n), features: run.features,
                                     target: config.target, biasColumn: config.biasColumn, parallel: parallel)
        let out = net.predict(design.x)
        if let j = (0..<out.count).first(where: { !out.storage[$0].isFinite }) {
            throw NNError("\(run.modelPath): the model's output for image \(j % out.cols) is not finite; the model is unusable")
        }
        var rows: [[String]] = []
        rows.reserveCapacity(n)
        switch config.target {
        case .binary:
            for j in 0..<n {
                let p = out.storage[j].double
                rows.append([String(j), p > config.threshold ? "1" : "0", NumberText.real(p)])
            }
        case .allClasses:
            for j in 0..<n {
                var k = 0
                for r in 1..<out.rows where out[r, j] > out[k, j] { k = r }
                rows.append([String(j), ClassNames.name(k, dataset: config.dataset), NumberText.real(out[k, j].double)])
            }
        }
        return rows
    }
}
