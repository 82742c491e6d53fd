import ArgumentParser
import NNKernel
import NNFormats
import NNExperiments

/// The experiment keys `nn train` and `nn sweep` take as flags: one option per key of
/// `ExperimentConfig.table` that has a flag, named after the key (`batch_size` is
/// `--batch-size`), its help and default read from the table. `nn train` takes one value
/// per flag, over the experiment file's; `nn sweep` takes a list to sweep. Values stay
/// text, parsed by the table, so a bad value is the same one-line error in both commands;
/// numeric options parse `.unconditional`ly so that a negative value (`--epochs -3`)
/// reaches that check. `ExperimentKeysTests` checks that the options and the table's
/// flagged keys are the same.
struct ExperimentFlags: ParsableArguments {
    @Option(parsing: .unconditional, help: keyHelp("seed")) var seed: String?
    @Option(parsing: .unconditional, help: keyHelp("epochs")) var epochs: String?
    @Option(parsing: .unconditional, help: keyHelp("lr")) var lr: String?
    @Option(help: keyHelp("layers")) var layers: String?
    @Option(help: keyHelp("activations")) var activations: String?
    @Option(help: keyHelp("loss")) var loss: String?
    @Option(help: keyHelp("gradient")) var gradient: String?
    @Option(help: keyHelp("init")) var `init`: String?
    @Option(help: keyHelp("optimizer")) var optimizer: String?
    @Option(parsing: .unconditional, help: keyHelp("batch_size")) var batchSize: String?
    @Option(help: keyHelp("precision")) var precision: String?
    @Option(parsing: .unconditional, help: keyHelp("val_size")) var valSize: String?
    @Option(help: keyHelp("early_stopping")) var earlyStopping: String?
    @Option(parsing: .unconditional, help: keyHelp("patience")) var patience: String?
    @Option(help: keyHelp("monitor")) var monitor: String?
    @Option(help: keyHelp("keep_best")) var keepBest: String?
    @Option(parsing: .unconditional, help: keyHelp("checkpoint_every")) var checkpointEvery: String?

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

/// A flag's help from the experiment-key table.
private func keyHelp(_ key: String) -> ArgumentHelp {
    ArgumentHelp(ExperimentConfig.flagHelp(key))
}
