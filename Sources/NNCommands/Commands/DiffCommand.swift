import ArgumentParser
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

extension DiffFormat: ExpressibleByArgument {}

/// `nn diff A B`: field-by-field comparison of two results (run directory, sweep
/// directory, or a .csv / .json results file). Exit status: 0 equal within tolerance,
/// 1 different, 2 error (`NN`'s convention).
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two results: run directories, sweep directories, or .csv/.json results files.",
        discussion: """
            A run directory is one record (config.* fields, metrics.json, last_epoch_loss and \
            history_epochs from history.csv; timing.json and provenance.json are never compared). A sweep \
            directory is its summary.csv, rows joined on the parameter columns. Other CSV \
            files are joined on run_id when both have it (or on --key), else row by row; \
            JSON files are one record of flattened fields. Numbers a, b are equal when \
            |a - b| <= atol + rtol * |b|; text must match exactly.
            --by seed compares two groups of seeds instead: A and B are sweeps (or \
            directories of runs), grouped by every parameter but the seed; per metric it \
            prints mean ± sd of each side, mean(B) - mean(A) with Welch's 95% t interval, \
            and the verdict better / worse (the interval excludes 0: beyond seed noise) or \
            within seed noise. With one configuration per side those two are compared. \
            Which side is better is judged on the ranking metric of `nn runs` and sweep \
            reports (val_loss when every run has one, else average_precision, or accuracy \
            for ten classes; --rank-by and --goal override it): it is compared first and \
            the summary counts its verdicts.
            Exit status: 0 equal (--by seed: every difference within seed noise), 1 \
            different, 2 error.

            Examples:
              nn diff results/runs/notebook/0123456789ab results/runs/notebook/ba9876543210
              nn diff results/sweeps/a results/sweeps/b --by seed
              nn diff results/sweeps/a results/sweeps/b --by seed --rank-by f1
            """
    )

    @Argument(help: "First results path (A).", completion: .file())
    var a: String

    @Argument(help: "Second results path (B); relative deltas are taken against B.", completion: .file())
    var b: String

    @Flag(help: "List every compared field, not only those that differ.")
    var all = false

    @Option(parsing: .unconditional, help: "Relative tolerance (>= 0).", transform: decimalFlag)
    var rtol: Double = 0

    @Option(parsing: .unconditional, help: "Absolute tolerance (>= 0).", transform: decimalFlag)
    var atol: Double = 0

    @Option(help: "Output format: \(DiffFormat.allCases.map(\.rawValue).joined(separator: ", ")) (--by seed: table or csv).")
    var format: DiffFormat = .table

    @Option(help: "Comma-separated columns to join CSV rows on (default: the sweep parameters, or run_id).")
    var key: String?

    @Option(help: ArgumentHelp("seed: compare means over seeds per configuration against the seed-to-seed spread (Welch's t, 95%).", valueName: "seed"), completion: .list(["seed"]))
    var by: String?

    @Option(name: .customLong("rank-by"), help: ArgumentHelp("With --by seed: the metric that says which side is better (default: the ranking metric of `nn runs`).", valueName: "metric"))
    var rankBy: String?

    @Option(help: "With --by seed: whether a lower (min) or higher (max) ranking metric is better (default: min for losses, else max).")
    var goal: RankGoal?

    func validate() throws {
        if by == nil, rankBy != nil || goal != nil {
            throw NNError("\(rankBy != nil ? "--rank-by" : "--goal"): applies only to --by seed")
        }
        if rankBy == nil, goal != nil { throw NNError("--goal: applies only to --rank-by") }
        if let by {
            guard by == "seed" else { throw NNError("--by: only 'seed' is supported, got '\(by)'") }
            if all || key != nil { throw NNError("--by seed: \(all ? "--all" : "--key") does not apply") }
            if format != .table && format != .csv { throw NNError("--by seed: --format is table or csv, got \(format.rawValue)") }
        }
        for (flag, value) in [("--rtol", rtol), ("--atol", atol)] where !(value.isFinite && value >= 0) {
            throw NNError("\(flag): must be >= 0, got \(NumberText.shortest(value))")
        }
        if let key, keyColumns(key).isEmpty {
            throw ValidationError("--key must name at least one column")
        }
    }

    func run() throws {
        let lock = try RunLock.reading([a, b])
        defer { withExtendedLifetime(lock) {} }
        if by != nil {
            let diff = try SeedDiff.compare(a, b, rtol: rtol, atol: atol, rankBy: rankBy, goal: goal)
            print(diff.render(csv: format == .csv), terminator: "")
            if !diff.equal { throw NegativeOutcome.beyondSeedNoise.exit() }
            return
        }
        let options = DiffOptions(rtol: rtol, atol: atol, all: all, key: key.map(keyColumns))
        let result = try ResultDiff.compare(paths: a, b, options: options)
        print(format.render(result), terminator: "")
        if !result.equal { throw NegativeOutcome.differs.exit() }
    }

    private func keyColumns(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
    }
}
