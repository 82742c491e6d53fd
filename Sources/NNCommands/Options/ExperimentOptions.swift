import ArgumentParser
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

/// The experiment keys `nn train` and `nn sweep` take on the command line. Every key of
/// `ExperimentConfig.table` can be set with `--set KEY=VALUE` (repeatable; on `nn sweep`
/// the value is a list to sweep), checked by the table. The keys the table marks `flag`
/// also have an option of their own, named after the key (`batch_size` is
/// `--batch-size`), its help, default and completion read from the table; a true/false key's
/// option alone means true (`--keep-best`, see `booleanFlagArguments`).
///
/// ArgumentParser declares options statically, so the named options are properties, and
/// `named` says which key each one sets (no reflection). `ExperimentFlagsTests` fails when
/// a flagged key has no option, an option no key, or a key no way to be set.
///
/// Values stay text, parsed by the table, so a bad value is the same one-line error in
/// both commands; numeric options parse `.unconditional`ly so that a negative value
/// (`--epochs -3`) reaches that check.
struct ExperimentFlags: ParsableArguments {
    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("Any experiment key (`nn keys` lists them): KEY=VALUE, repeatable; on nn sweep KEY=V1,V2 to sweep.", valueName: "key=value"),
            completion: .list(ExperimentConfig.tableKeyNames.map { $0 + "=" }))
    var set: [String] = []

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
    @Option(parsing: .unconditional, help: keyHelp("momentum"), completion: keyCompletion("momentum")) var momentum: String?
    @Option(parsing: .unconditional, help: keyHelp("beta1"), completion: keyCompletion("beta1")) var beta1: String?
    @Option(parsing: .unconditional, help: keyHelp("beta2"), completion: keyCompletion("beta2")) var beta2: String?
    @Option(parsing: .unconditional, help: keyHelp("adam_epsilon"), completion: keyCompletion("adam_epsilon")) var adamEpsilon: String?
    @Option(help: keyHelp("precision"), completion: keyCompletion("precision")) var precision: String?
    @Option(parsing: .unconditional, help: keyHelp("threshold"), completion: keyCompletion("threshold")) var threshold: String?
    @Option(parsing: .unconditional, help: keyHelp("val_size"), completion: keyCompletion("val_size")) var valSize: String?
    @Option(parsing: .unconditional, help: keyHelp("eval_every"), completion: keyCompletion("eval_every")) var evalEvery: String?
    @Option(help: keyHelp("early_stopping"), completion: keyCompletion("early_stopping")) var earlyStopping: String?
    @Option(parsing: .unconditional, help: keyHelp("patience"), completion: keyCompletion("patience")) var patience: String?
    @Option(parsing: .unconditional, help: keyHelp("min_delta"), completion: keyCompletion("min_delta")) var minDelta: String?
    @Option(help: keyHelp("monitor"), completion: keyCompletion("monitor")) var monitor: String?
    @Option(help: keyHelp("keep_best"), completion: keyCompletion("keep_best")) var keepBest: String?
    @Option(parsing: .unconditional, help: keyHelp("checkpoint_every"), completion: keyCompletion("checkpoint_every")) var checkpointEvery: String?

    /// The key each named option sets, in the table's order of flagged keys.
    static var named: [(key: String, option: KeyPath<ExperimentFlags, String?>)] { [
        ("layers", \.layers), ("activations", \.activations), ("loss", \.loss), ("gradient", \.gradient),
        ("init", \.`init`), ("optimizer", \.optimizer), ("lr", \.lr), ("epochs", \.epochs), ("batch_size", \.batchSize),
        ("momentum", \.momentum), ("beta1", \.beta1), ("beta2", \.beta2), ("adam_epsilon", \.adamEpsilon),
        ("precision", \.precision), ("seed", \.seed), ("threshold", \.threshold), ("val_size", \.valSize),
        ("eval_every", \.evalEvery), ("early_stopping", \.earlyStopping), ("patience", \.patience),
        ("min_delta", \.minDelta), ("monitor", \.monitor), ("keep_best", \.keepBest), ("checkpoint_every", \.checkpointEvery),
    ] }

    /// The keys given: (experiment key, value as typed, the flag to blame in errors), the
    /// named options first (in table order), then each `--set` in the order typed. A key
    /// given twice is an error naming both.
    var given: [(key: String, value: String, source: String)] {
        get throws {
            var out: [(key: String, value: String, source: String)] = []
            for (key, option) in Self.named {
                if let value = self[keyPath: option] { out.append((key, value, Self.flag(key))) }
            }
            for assignment in set {
                guard let eq = assignment.firstIndex(of: "="), eq != assignment.startIndex else {
                    throw NNError("--set \(assignment): expected KEY=VALUE (keys: `nn keys`)")
                }
                let key = String(assignment[..<eq]).trimmingCharacters(in: .whitespaces)
                try ExperimentConfig.checkKey(key, source: "--set")
                out.append((key, String(assignment[assignment.index(after: eq)...]), "--set \(key)"))
            }
            var seen: [String: String] = [:]
            for g in out {
                if let first = seen[g.key] { throw NNError("\(g.source): key '\(g.key)' is already given by \(first)") }
                seen[g.key] = g.source
            }
            return out
        }
    }

    /// `--batch-size` for `batch_size`.
    static func flag(_ key: String) -> String { "--" + key.replacingOccurrences(of: "_", with: "-") }

    /// The command line with each true/false key's option given alone (`--keep-best`,
    /// followed by nothing or by another option) written as `--keep-best=true`, so the bare
    /// flag and `--keep-best true` (or `false`, or a sweep's `true,false`) both parse. Stops
    /// at `--`.
    static func booleanFlagArguments(_ arguments: [String]) -> [String] {
        let flags = Set(ExperimentConfig.booleanFlagKeys.map(flag))
        var out: [String] = []
        for (i, a) in arguments.enumerated() {
            if a == "--" { return out + arguments[i...] }
            let next = i + 1 < arguments.count ? arguments[i + 1] : nil
            if flags.contains(a) && (next == nil || next!.hasPrefix("-")) { out.append(a + "=true") } else { out.append(a) }
        }
        return out
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
