import ArgumentParser
import NNKernel
import NNFormats
import NNExperiments

extension DiffFormat: ExpressibleByArgument {}

/// `nn diff A B`: field-by-field comparison of two results (run directory, sweep
/// directory, or a .csv / .json results file). Exit status: 0 equal within tolerance,
/// 1 different, 2 error (`NN`'s convention).
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two results: run directories, sweep directories, or .csv/.json results files.",
        discussion: """
            A run directory is one record (config.* fields, metrics.json, final_loss and \
            history_epochs from history.csv; timing.json and provenance.json are never compared). A sweep \
            directory is its summary.csv, rows joined on the parameter columns. Other CSV \
            files are joined on run_id when both have it (or on --key), else row by row; \
            JSON files are one record of flattened fields. Numbers a, b are equal when \
            |a - b| <= atol + rtol * |b|; text must match exactly.
            Exit status: 0 equal, 1 different, 2 error.
            """
    )

    @Argument(help: "First results path (A).")
    var a: String

    @Argument(help: "Second results path (B); relative deltas are taken against B.")
    var b: String

    @Flag(help: "List every compared field, not only those that differ.")
    var all = false

    @Option(parsing: .unconditional, help: "Relative tolerance (>= 0).")
    var rtol: Double = 0

    @Option(parsing: .unconditional, help: "Absolute tolerance (>= 0).")
    var atol: Double = 0

    @Option(help: "Output format: \(DiffFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: DiffFormat = .table

    @Option(help: "Comma-separated columns to join CSV rows on (default: the sweep parameters, or run_id).")
    var key: String?

    func validate() throws {
        for (flag, value) in [("--rtol", rtol), ("--atol", atol)] where !(value.isFinite && value >= 0) {
            throw NNError("\(flag): must be >= 0, got \(NumberText.shortest(value))")
        }
        if let key, keyColumns(key).isEmpty {
            throw ValidationError("--key must name at least one column")
        }
    }

    func run() throws {
        let options = DiffOptions(rtol: rtol, atol: atol, all: all, key: key.map(keyColumns))
        let result = try ResultDiff.compare(paths: a, b, options: options)
        print(format.render(result), terminator: "")
        if !result.equal { throw ExitCode(1) }
    }

    private func keyColumns(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
    }
}
