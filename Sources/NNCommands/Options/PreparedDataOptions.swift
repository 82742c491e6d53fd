import ArgumentParser
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

/// `--classes`: the experiment key `classes`.
extension Classes: ExpressibleByArgument {}

/// The flags that name a prepared dataset: which dataset, which split of its pool, which
/// target. `nn prepare` makes the dataset they name; commands that train or evaluate can
/// include the same group to find it (`defaultDirectory`, `prepareCommand`).
struct PreparedDataOptions: ParsableArguments {
    @Option(help: "Dataset registry name (\(Datasets.all.map(\.name).joined(separator: ", "))).",
            completion: .list(Datasets.all.map(\.name)))
    var dataset = "mnist"

    @Option(parsing: .unconditional, help: "Training samples drawn from the pool (the training files followed by the test files).")
    var trainSize = 50_000

    @Option(parsing: .unconditional, help: "Test samples drawn from the pool.")
    var testSize = 20_000

    @Option(parsing: .unconditional, help: "Split seed, as train_test_split's random_state (0 to 4294967295).")
    var seed = 42

    @Option(help: "binary: one output, positive digit vs the rest; all: ten classes.")
    var classes: Classes = .binary

    @Option(parsing: .unconditional, help: "The digit that is class 1 with --classes binary (default 8).")
    var positiveDigit: Int?

    /// The registry entry for `--dataset`; an unknown name is a one-line error.
    func spec() throws -> DatasetSpec { try Datasets.named(dataset) }

    var prepareOptions: PrepareOptions {
        get throws {
            let target: PreparedTarget
            switch classes {
            case .binary: target = .binary(positiveDigit: positiveDigit ?? 8)
            case .all:
                if let d = positiveDigit { throw NNError("--positive-digit \(d): only applies to --classes binary") }
                target = .allClasses
            }
            guard let splitSeed = UInt32(exactly: seed) else { throw NNError("--seed: must be in 0...\(UInt32.max), got \(seed)") }
            let options = PrepareOptions(trainSize: trainSize, testSize: testSize, seed: splitSeed, target: target)
            try options.validate()
            return options
        }
    }

    /// Checks every flag of the group (errors are one line naming the flag).
    func check() throws {
        _ = try spec()
        _ = try prepareOptions
    }

    /// results/prepared/<dataset>-<target>-<train>-<test>-s<seed>.
    var defaultDirectory: String { get throws { try prepareOptions.defaultDirectory(dataset: dataset) } }
}
