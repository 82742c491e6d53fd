import ArgumentParser
import NNKernel
import NNFormats
import NNExperiments

/// Flags that set experiment keys, shared by `nn train`. Each overrides the experiment
/// file's value (flags win). Numeric options parse `.unconditional`ly so that a negative
/// value (`--epochs -3`) reaches validation and gets its one-line error.
struct ExperimentOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "Experiment file (JSON), e.g. experiments/notebook.json. Default: the notebook.")
    var config: String?

    @Option(parsing: .unconditional, help: "Seed for the initial weights (and mini-batch shuffling), as np.random.seed(S).")
    var seed: Int?

    @Option(parsing: .unconditional, help: "Number of epochs.")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Learning rate (> 0).")
    var lr: Double?

    @Option(help: "Layer sizes, input first, e.g. 785,395,200,100,20,1.")
    var layers: String?

    @Option(help: "One activation per layer: relu, sigmoid, tanh, softmax, identity.")
    var activations: String?

    @Option(help: "Loss: bce (sigmoid output) or cce (softmax output).")
    var loss: String?

    @Option(help: "Gradient path: notebook (the notebook's formulas) or stable (fused, NaN-free).")
    var gradient: String?

    @Option(name: .customLong("init"), help: "Initialisation: notebook, he, xavier-uniform.")
    var initialization: String?

    @Option(help: "Optimizer: gd, sgd, momentum, adam.")
    var optimizer: String?

    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Mini-batch size (0 = full batch, the notebook).")
    var batchSize: Int?

    @Option(help: "Floating-point precision: f64 (the notebook) or f32.")
    var precision: String?

    /// The experiment: the file (or the notebook defaults), then the flags over it.
    func resolve() throws -> ExperimentConfig {
        var c = ExperimentConfig()
        if let config { c = try ExperimentConfig.load(path: config).0 }
        let flags: [(String, String, String?)] = [
            ("seed", "--seed", seed.map(String.init)), ("epochs", "--epochs", epochs.map(String.init)),
            ("lr", "--lr", lr.map { NumberText.real($0) }), ("layers", "--layers", layers),
            ("activations", "--activations", activations), ("loss", "--loss", loss),
            ("gradient", "--gradient", gradient), ("init", "--init", initialization),
            ("optimizer", "--optimizer", optimizer), ("batch_size", "--batch-size", batchSize.map(String.init)),
            ("precision", "--precision", precision),
        ]
        for (key, flag, value) in flags {
            if let value { try c.set(key, value, source: flag) }
        }
        try c.validate()
        return c
    }
}
