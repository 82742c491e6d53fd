import Foundation
import NNBase
import NNKernel
import NNFormats

/// What one process keeps from one run to the next: the prepared data last loaded and the
/// network inputs built from it (the training samples' design matrix and its sparse form,
/// the validation set's, and the evaluation's: the test split's and, with a validation set,
/// the whole training split's). A sweep worker (`nn sweep-point --worker`) holds one for
/// all the points it runs, so that a point neither loads the data nor builds a sparse input
/// again, and its evaluation (test predictions, `train_loss`, validation) reuses what
/// earlier points built. Every value is what a fresh load and build give, so results are
/// unchanged; without a `RunInputs` (`nn train`, `nn eval`) everything is built for the run
/// alone, as before.
///
/// One dataset, one set of training inputs and one of evaluation inputs are kept (the last
/// used); another directory, a changed `manifest.json`, or another precision, bias column or
/// validation split replaces them. All are kept in the sparse form only (when the data has
/// one): for MNIST in f64 about 36 MB for the test split and 90 MB for the whole training
/// split, against the 314 MB of one dense training design matrix.
package final class RunInputs: @unchecked Sendable {
    private var data: PreparedDataset?
    private var training: (key: String, inputs: AnyObject)?
    private var evaluation: (key: String, inputs: AnyObject)?

    package init() {}

    /// The prepared data for `config` (`Run.loadData`), loaded again only when the directory
    /// or the bytes of its manifest (which holds every data file's SHA-256) changed.
    func dataset(config: ExperimentConfig, dataDir: String?) throws -> PreparedDataset {
        let dir = dataDir ?? config.prepareOptions.defaultDirectory(dataset: config.dataset)
        if let data, data.directory == dir, data.target == config.target,
           let bytes = try? readFileBytes(PreparedLayout(dir).manifest), Checksum.sha256(bytes) == data.manifestSHA256 {
            return data
        }
        data = nil
        training = nil          // freed before the new data is loaded
        evaluation = nil
        let loaded = try Run.loadData(config: config, dataDir: dataDir)
        data = loaded
        return loaded
    }

    /// The training inputs of `config` on `data`, kept for the next run with the same key.
    func training<T: NNScalar>(_: T.Type, config: ExperimentConfig, data: PreparedDataset,
                               parallel: Parallel) throws -> TrainingInputs<T> {
        let key = TrainingInputs<T>.key(config: config, data: data)
        if let kept = training, kept.key == key, let inputs = kept.inputs as? TrainingInputs<T> { return inputs }
        training = nil
        let inputs = try TrainingInputs<T>(config: config, data: data, keepDense: false, parallel: parallel)
        training = (key, inputs)
        return inputs
    }

    /// The evaluation inputs of `config` on `data`, kept for the next run with the same key.
    func evaluation<T: NNScalar>(_: T.Type, config: ExperimentConfig, data: PreparedDataset,
                                 parallel: Parallel) -> EvaluationInputs<T> {
        let key = EvaluationInputs<T>.key(config: config, data: data)
        if let kept = evaluation, kept.key == key, let inputs = kept.inputs as? EvaluationInputs<T> { return inputs }
        evaluation = nil
        let inputs = EvaluationInputs<T>(config: config, data: data, parallel: parallel)
        evaluation = (key, inputs)
        return inputs
    }

    /// `training` through `inputs` when given, else built for this run alone.
    static func training<T: NNScalar>(_ inputs: RunInputs?, _: T.Type, config: ExperimentConfig, data: PreparedDataset,
                                      parallel: Parallel) throws -> TrainingInputs<T> {
        try inputs?.training(T.self, config: config, data: data, parallel: parallel)
            ?? TrainingInputs<T>(config: config, data: data, keepDense: true, parallel: parallel)
    }
}

/// The inputs a training of `config` reads: the training samples (the split less the
/// validation set, `ValidationSplit`) and, with `val_size`, the validation samples, each as
/// a `NetworkInput` (design matrix and sparse form) with its targets. Inputs kept for later
/// runs (`keepDense` false) keep the sparse form only, when there is one: 314 MB less for
/// MNIST's training split in f64, so that a worker holds no more than an `nn train`.
final class TrainingInputs<T: NNScalar> {
    let input: NetworkInput<T>
    let y: Matrix<T>
    let validation: (input: NetworkInput<T>, y: Matrix<T>, labels: [UInt8])?

    /// What the inputs depend on besides the data's identity.
    static func key(config: ExperimentConfig, data: PreparedDataset) -> String {
        "\(T.self) bias=\(config.biasColumn) val=\(config.valSize) split=\(config.splitSeed) \(data.directory) \(data.manifestSHA256)"
    }

    init(config: ExperimentConfig, data: PreparedDataset, keepDense: Bool, parallel: Parallel) throws {
        var train = data.train
        if config.valSize > 0 {
            guard config.valSize < train.count else {
                throw NNError("--val-size: \(config.valSize) leaves no training samples (the split has \(train.count))")
            }
            let (t, v) = ValidationSplit.indices(count: train.count, valSize: config.valSize, seed: config.splitSeed)
            let set = ValidationSplit.subset(train, v)
            train = ValidationSplit.subset(train, t)
            let design = DesignMatrix<T>(images: set.images, labels: set.labels, features: set.features,
                                         target: data.target, biasColumn: config.biasColumn, parallel: parallel)
            validation = (NetworkInput(design.x, keepDense: keepDense, parallel: parallel), design.y, design.labels)
        } else {
            validation = nil
        }
        let design = DesignMatrix<T>(images: train.images, labels: train.labels, features: train.features,
                                     target: data.target, biasColumn: config.biasColumn, parallel: parallel)
        input = NetworkInput(design.x, keepDense: keepDense, parallel: parallel)
        y = design.y
    }
}

/// The inputs an evaluation of `config` reads besides the training's: the test split's, and
/// the whole training split's for `train_loss` (built when first asked for; with no
/// validation set the training's own inputs are that split). Each is the `NetworkInput`
/// `Network.predict` and `Network.meanLoss` would build from the design matrix, so the
/// outputs are the same to the bit; it keeps the sparse form only (when there is one), so
/// `nn eval` holds no dense design matrix past its build either.
final class EvaluationInputs<T: NNScalar> {
    let test: NetworkInput<T>
    private let config: ExperimentConfig
    private let data: PreparedDataset
    private let parallel: Parallel
    private var whole: (input: NetworkInput<T>, y: Matrix<T>)?

    /// What the inputs depend on besides the data's identity.
    static func key(config: ExperimentConfig, data: PreparedDataset) -> String {
        "\(T.self) bias=\(config.biasColumn) \(data.directory) \(data.manifestSHA256)"
    }

    init(config: ExperimentConfig, data: PreparedDataset, parallel: Parallel) {
        let design = DesignMatrix<T>(images: data.test.images, labels: data.test.labels, features: data.test.features,
                                     target: data.target, biasColumn: config.biasColumn, parallel: parallel)
        test = NetworkInput(design.x, keepDense: false, parallel: parallel)
        self.config = config
        self.data = data
        self.parallel = parallel
    }

    /// The whole training split (validation samples included) and its targets.
    func wholeTraining() -> (input: NetworkInput<T>, y: Matrix<T>) {
        if let whole { return whole }
        let design = DesignMatrix<T>(images: data.train.images, labels: data.train.labels, features: data.train.features,
                                     target: data.target, biasColumn: config.biasColumn, parallel: parallel)
        let built = (NetworkInput(design.x, keepDense: false, parallel: parallel), design.y)
        whole = built
        return built
    }
}
