import NNBase
import NNKernel
import NNFormats

/// One experiment key, described once: everything that reads, writes, sweeps or documents
/// the key is derived from its entry in `ExperimentConfig.table`.
///
/// - `name`: the key in experiment files, `config.json` and `--grid key=...` (snake_case);
/// - `flag`: whether `nn train` and `nn sweep` take it as `--name-with-dashes`;
/// - the type: the Swift type of the `ExperimentConfig` property it sets (`KeyValue`: its
///   text and JSON forms, and the closed set of values for an enum);
/// - the default: the property's initial value, the notebook's;
/// - `sweepable`: whether a sweep can vary it (labels cannot);
/// - `selectsData`: whether it picks the prepared data (sweeping it gives each point
///   its own data directory).
package struct ExperimentKey: Sendable {
    package let name: String
    /// What the key means, for `--help` and the README (no trailing period).
    let help: String
    package let hasFlag, sweepable, selectsData: Bool
    /// The value is itself a list (items `,`-separated), so a grid list of it is
    /// `;`-separated.
    package let isList: Bool
    /// A true/false key: its flag alone means true (`--keep-best`).
    let isBoolean: Bool
    /// The type as the README names it (`integer`, `one of bce, cce`, ...).
    package let typeName: String
    /// The values (of each item, for a list) when they are a closed set.
    let choices: [String]?
    /// What shell completion offers for a value (`choices`, or `true`/`false`).
    let completions: [String]?
    /// Sets the key from a text value; `source` names the flag or file in errors.
    package let set: @Sendable (inout ExperimentConfig, _ raw: String, _ source: String) throws -> Void
    /// The value's canonical text form (the inverse of `set`).
    package let text: @Sendable (ExperimentConfig) -> String
    /// The value's JSON form.
    let json: @Sendable (ExperimentConfig) -> JSONValue
    /// Whether a JSON value is one of the key's type (`KeyValue.isJSON`), and what that is.
    let isJSON: @Sendable (JSONValue) -> Bool
    let jsonName: String
    /// Left out of `config.json` (and so of the run id) while it has its default: keys
    /// added after runs existed, so that those runs keep their bytes and ids.
    let omittedAtDefault: Bool
    /// The optimizers that use the key, nil for every one: a key given on the command line
    /// that the chosen optimizer does not use is an error (`checkUsed`).
    let usedBy: [OptimizerKind]?

    /// A key stored in `path`. `keepSpaces` takes the text as given (free text), otherwise
    /// it is trimmed; `check` rejects values the type allows but the key does not.
    init<T: KeyValue>(_ name: String, _ path: WritableKeyPath<ExperimentConfig, T> & Sendable, flag: Bool = false,
                      sweepable: Bool = true, selectsData: Bool = false, keepSpaces: Bool = false, omittedAtDefault: Bool = false,
                      usedBy: [OptimizerKind]? = nil, check: (@Sendable (T, String) throws -> Void)? = nil, help: String) {
        self.name = name
        self.help = help
        self.hasFlag = flag
        self.sweepable = sweepable
        self.selectsData = selectsData
        self.omittedAtDefault = omittedAtDefault
        self.usedBy = usedBy
        self.isList = T.isList
        self.isBoolean = T.self == Bool.self
        self.typeName = T.typeName
        self.choices = T.choices
        self.completions = T.completions
        self.isJSON = { T.isJSON($0) }
        self.jsonName = T.jsonName
        set = { config, raw, source in
            let value = try T.parse(keepSpaces ? raw : raw.trimmingCharacters(in: .whitespaces), raw: raw, source: source)
            try check?(value, source)
            config[keyPath: path] = value
        }
        text = { $0[keyPath: path].text }
        json = { $0[keyPath: path].json }
    }

    /// `--batch-size` for `batch_size`, if the key has a flag.
    var flag: String? { hasFlag ? "--" + name.replacingOccurrences(of: "_", with: "-") : nil }

    /// The notebook's value, in text form.
    var defaultText: String { text(ExperimentConfig()) }
}

extension ExperimentConfig {
    /// Every experiment key, grouped as the README and `--help` list them: labels, data,
    /// model, optimisation. A new hyperparameter is a property of `ExperimentConfig` (its
    /// type and notebook default) and one entry here.
    package static let table: [ExperimentKey] = [
        ExperimentKey("name", \.name, sweepable: false, check: { try validateName($0, source: $1) },
                      help: "Experiment name, the directory name of its runs (results/runs/NAME) and sweeps"),
        ExperimentKey("description", \.description, sweepable: false, keepSpaces: true,
                      help: "Free text saying what the experiment is"),
        // Data
        ExperimentKey("dataset", \.dataset, selectsData: true,
                      help: "Dataset registry name (mnist, fashion-mnist)"),
        ExperimentKey("classes", \.classes, selectsData: true,
                      help: "binary: one sigmoid output, positive_digit against the rest; all: ten classes"),
        ExperimentKey("positive_digit", \.positiveDigit, selectsData: true,
                      help: "The digit that is class 1 when classes is binary"),
        ExperimentKey("train_size", \.trainSize, selectsData: true, help: "Training samples of the prepared split"),
        ExperimentKey("test_size", \.testSize, selectsData: true, help: "Test samples of the prepared split"),
        ExperimentKey("split_seed", \.splitSeed, selectsData: true,
                      help: "Seed of the split, as train_test_split's random_state"),
        ExperimentKey("bias_column", \.biasColumn,
                      help: "Prepend a column of ones before dividing by 255, so the bias input is 1/255 (the notebook)"),
        // Model
        ExperimentKey("layers", \.layers, flag: true, help: "Layer sizes, input first (bias column included)"),
        ExperimentKey("activations", \.activations, flag: true, help: "One activation per layer after the input"),
        ExperimentKey("loss", \.loss, flag: true, help: "Loss: bce fits a sigmoid output, cce a softmax output"),
        ExperimentKey("gradient", \.gradient, flag: true,
                      help: "notebook: the notebook's formulas; stable: fused sigmoid+BCE / softmax+CE, never NaN"),
        ExperimentKey("init", \.initialization, flag: true,
                      help: "Initial weights; notebook: randn(out, in)·√(2/(in+out)), layer by layer, as np.random.seed(seed)"),
        // Optimisation
        ExperimentKey("optimizer", \.optimizer, flag: true,
                      help: "gd: full-batch gradient descent; sgd: shuffled mini-batches; momentum; adam"),
        ExperimentKey("lr", \.lr, flag: true, help: "Learning rate (> 0)"),
        ExperimentKey("epochs", \.epochs, flag: true, help: "Number of epochs"),
        ExperimentKey("batch_size", \.batchSize, flag: true, help: "Mini-batch size (0 = full batch, the notebook)"),
        ExperimentKey("momentum", \.momentum, flag: true, usedBy: [.momentum], help: "Momentum coefficient of optimizer momentum, in [0, 1)"),
        ExperimentKey("beta1", \.beta1, flag: true, usedBy: [.adam], help: "Adam's first-moment decay, in [0, 1)"),
        ExperimentKey("beta2", \.beta2, flag: true, usedBy: [.adam], help: "Adam's second-moment decay, in [0, 1)"),
        ExperimentKey("adam_epsilon", \.adamEpsilon, flag: true, usedBy: [.adam], help: "Adam's ε in the update's denominator (> 0)"),
        ExperimentKey("precision", \.precision, flag: true,
                      help: "Floating-point type of the weights and arithmetic (summary.csv column dtype)"),
        ExperimentKey("seed", \.seed, flag: true,
                      help: "Seed of the initial weights and mini-batch shuffling, as np.random.seed(seed)"),
        ExperimentKey("threshold", \.threshold, flag: true, help: "Binary prediction: 1 when the output p > threshold"),
        // Validation, early stopping, checkpoints (in config.json only when not at their default)
        ExperimentKey("val_size", \.valSize, flag: true, omittedAtDefault: true,
                      help: "Validation samples carved from the training split by their own draw (0 = none, the notebook)"),
        ExperimentKey("eval_every", \.evalEvery, flag: true, omittedAtDefault: true,
                      help: "Evaluate the validation set every N epochs (and at the last)"),
        ExperimentKey("early_stopping", \.earlyStopping, flag: true, omittedAtDefault: true,
                      help: "Stop when monitor has not improved by min_delta for patience evaluations (needs val_size)"),
        ExperimentKey("patience", \.patience, flag: true, omittedAtDefault: true,
                      help: "Evaluations without improvement before early stopping stops"),
        ExperimentKey("min_delta", \.minDelta, flag: true, omittedAtDefault: true,
                      help: "Smallest change of monitor that counts as an improvement (>= 0)"),
        ExperimentKey("monitor", \.monitor, flag: true, omittedAtDefault: true,
                      help: "Validation quantity of early_stopping and keep_best: val_loss (lower is better), val_f1 (binary) or val_accuracy (ten classes)"),
        ExperimentKey("keep_best", \.keepBest, flag: true, omittedAtDefault: true,
                      help: "Save the model of the best validation epoch, recorded in best.json (needs val_size)"),
        ExperimentKey("checkpoint_every", \.checkpointEvery, flag: true, omittedAtDefault: true,
                      help: "Write checkpoint.nnc every N epochs, for nn train --resume (0 = only at the end)"),
    ]

    /// Every key's name, in the order `config.json` lists them (alphabetical).
    package static let keys: [String] = table.map(\.name).sorted()

    /// The entry of `key`, or an error naming the known keys.
    package static func entry(_ key: String, source: String) throws -> ExperimentKey {
        guard let entry = table.first(where: { $0.name == key }) else {
            throw NNError("\(source): unknown key '\(key)' (known: \(keys.joined(separator: ", ")))")
        }
        return entry
    }

    /// Every key's name, in table order (`nn keys`'s).
    package static var tableKeyNames: [String] { table.map(\.name) }

    /// The true/false keys that have a flag (given alone, it means true).
    package static var booleanFlagKeys: [String] { table.filter { $0.isBoolean && $0.hasFlag }.map(\.name) }

    /// Throws when `key` is an optimizer's setting that none of `optimizers` uses (given
    /// on the command line it would change the run id but not the training):
    /// `--momentum: not used by optimizer gd (it is used by momentum)`. `source` names the
    /// flag. Experiment files are not checked, as one file may serve several optimizers.
    package static func checkUsed(_ key: String, by optimizers: Set<OptimizerKind>, source: String) throws {
        guard let users = table.first(where: { $0.name == key })?.usedBy, optimizers.isDisjoint(with: users) else { return }
        let these = optimizers.map(\.rawValue).sorted().joined(separator: " or ")
        throw NNError("\(source): not used by optimizer \(these) (it is used by \(users.map(\.rawValue).joined(separator: " and ")))")
    }

    /// `validate`'s sources for keys given without a file: each key's flag (its name when
    /// it has none), as `validate` names them by default, marked as given.
    package static func sources(given keys: [String]) -> [String: String] {
        Dictionary(keys.map { key in (key, table.first { $0.name == key }?.flag ?? key) }, uniquingKeysWith: { a, _ in a })
    }

    /// An error naming the known keys when `key` is none of them.
    package static func checkKey(_ key: String, source: String) throws { _ = try entry(key, source: source) }

    /// The `--help` text of `key`'s flag: what it means, its values when they are a closed
    /// set, and the notebook's value.
    package static func flagHelp(_ key: String) -> String {
        guard let k = table.first(where: { $0.name == key }) else { return "" }
        let values = k.choices.map { (k.isList ? "each one of " : "one of ") + $0.joined(separator: ", ") + "; " }
            ?? (k.isBoolean ? "true or false, alone: true; " : "")
        return "\(k.help) (\(values)default: \(k.defaultText))"
    }

    /// The values shell completion offers for `key`'s flag: its closed set of values, or
    /// `true`/`false`; nil for free values (numbers, text).
    package static func flagCompletions(_ key: String) -> [String]? {
        table.first(where: { $0.name == key })?.completions
    }

    /// The README's table of keys (Markdown), in table order.
    package static var markdownTable: String {
        var lines = ["| key | flag | values | notebook value | meaning |", "|---|---|---|---|---|"]
        for k in table {
            var notes: [String] = []
            if !k.sweepable { notes.append("a label: cannot be swept") }
            if k.selectsData { notes.append("selects the prepared data") }
            let meaning = k.help.replacingOccurrences(of: "|", with: "\\|") + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))")
            let flag = k.flag.map { "`\($0)`" } ?? ""
            let value = k.defaultText.isEmpty ? "(empty)" : "`\(k.defaultText)`"
            lines.append("| `\(k.name)` | \(flag) | \(k.typeName) | \(value) | \(meaning) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
