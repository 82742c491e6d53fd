import ArgumentParser
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

/// The experiment keys `nn train` and `nn sweep` take as flags: one option per key of
/// `ExperimentConfig.table` that has a flag, named after the key (`batch_size` is
/// `--batch-size`), its help and default read from the table. `nn train` takes one value
/// per flag, over the experiment file's; `nn sweep` takes a list to sweep. Values stay
/// text, parsed by the table, so a bad value is the same one-line error in both commands;
/// numeric options parse `.unconditional`ly so that a negative value (`--epochs -3`)
/// reaches that check. `ExperimentKeysTests` checks that the options and the table's
/// flagged keys are the same.
struct ExperimentFlags: ParsableArguments {
    @Option(parsing: .unconditional, help: keyHelp("seed"), completion: keyCompletion("seed")) var seed: String?
    @Option(parsing: .unconditional, help: keyHelp("epochs"), completion: keyCompletion("epochs")) var epochs: String?
    @Option(parsing: .unconditional, help: keyHelp("lr"), completion: keyCompletion("lr")) var lr: String?
    @Option(help: keyHelp("layers"), completion: keyCompletion("layers")) var layers: String?
    @Option(help: keyHelp("activations"), completion: keyCompletion("activations")) var activations: String?
    @Option(help: keyHelp("loss"), completion: keyCompletion("loss")) var loss: String?
    @Option(help: keyHelp("gradient"), completion: keyCompletion("gradient")) var gradient: String?
    @Option(help: keyHelp("init"), completion: keyCompletion("init")) var `init`: String?
    @Option(help: keyHelp("optimizer"), completion: keyCompletion("optimizer")) var optimizer: String?
    @Option(parsing: .unconditional, help: keyHelp("batch_size"), completion: keyCompletion("batch_size")) var batchSize: String?
    @Option(help: keyHelp("precision"), completion: keyCompletion("precision")) var precision: String?
    @Option(parsing: .unconditional, help: keyHelp("val_size"), completion: keyCompletion("val_size")) var valSize: String?
    @Option(help: keyHelp("early_stopping"), completion: keyCompletion("early_stopping")) var earlyStopping: String?
    @Option(parsing: .unconditional, help: keyHelp("patience"), completion: keyCompletion("patience")) var patience: String?
    @Option(help: keyHelp("monitor"), completion: keyCompletion("monitor")) var monitor: String?
    @Option(help: keyHelp("keep_best"), completion: keyCompletion("keep_best")) var keepBest: String?
    @Option(parsing: .unconditional, help: keyHelp("checkpoint_every"), completion: keyCompletion("checkpoint_every")) var checkpointEvery: String?

    /// The flags given: (experiment key, value as typed, flag), in declaration order.
    var given: [(key: String, value: String, source: String)] {
        Swift.Mirror(reflecting: self).children.compactMap { child in
            guard let label = child.label, let value = (child.value as? Option<String?>)?.wrappedValue else { return nil }
            let key = Self.key(property: String(label.drop { $0 == "_" }))
            return (key, value, "--" + key.replacingOccurrences(of: "_", with: "-"))
        }
    }

    /// The experiment key of a property: `batchSize` → `batch_size`.
    static func key(property: String) -> String {
        property.reduce(into: "") { out, c in out += c.isUppercase ? "_" + c.lowercased() : String(c) }
    }
}

/// A flag's shell completion from the experiment-key table: its values when they are a
/// closed set (`--optimizer` offers gd, sgd, momentum, adam) or true/false, else none.
private func keyCompletion(_ key: String) -> CompletionKind {
    ExperimentConfig.flagCompletions(key).map { .list($0) } ?? .default
}

/// A flag's help from the experiment-key table.
private func keyHelp(_ key: String) -> ArgumentHelp {
    ArgumentHelp(ExperimentConfig.flagHelp(key))
}
