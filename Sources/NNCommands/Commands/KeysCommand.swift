import ArgumentParser
import NNRuns

/// `nn keys` (hidden): prints the table of experiment keys, rendered from
/// `ExperimentConfig.table` (docs/experiments.md's copy; `nn docs keys` is the same).
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Print the Markdown table of experiment keys (as docs/experiments.md has it).",
        shouldDisplay: false
    )

    func run() throws {
        print(DocsTable.keys.markdown, terminator: "")
    }
}

/// `nn docs NAME` (hidden): prints one of the tables of docs/ that describe code
/// (`DocsTable`), to paste between its markers; `DocsTablesTests` fails while they differ.
struct DocsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docs",
        abstract: "Print a Markdown table of docs/ rendered from the code.",
        discussion: "NAME: \(DocsTable.allCases.map { "\($0.rawValue) (\($0.file))" }.joined(separator: ", ")).",
        shouldDisplay: false
    )

    @Argument(help: "The table: \(DocsTable.allCases.map(\.rawValue).joined(separator: ", ")).")
    var name: DocsTable

    func run() throws {
        print(name.markdown, terminator: "")
    }
}

extension DocsTable: ExpressibleByArgument {}
