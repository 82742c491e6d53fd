import ArgumentParser
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

/// `nn keys` (hidden): prints the README's table of experiment keys, rendered from
/// `ExperimentConfig.table`, for pasting into README.md ("Experiments"); a test fails
/// while the README's copy differs.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Print the Markdown table of experiment keys (as README.md has it).",
        shouldDisplay: false
    )

    func run() throws {
        print(ExperimentConfig.markdownTable, terminator: "")
    }
}
