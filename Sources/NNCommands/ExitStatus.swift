import ArgumentParser
import NNFormats

/// The exit statuses of every command, in one table: `NN.main` exits with them, the
/// commands throw `NegativeOutcome`s, and `nn --help` and docs/commands.md (`nn docs
/// exit-status`, checked by `DocsTablesTests`) are rendered from it.
enum ExitStatus {
    static let success: Int32 = 0
    static let negative: Int32 = 1
    static let error: Int32 = 2

    /// The statuses and what they mean, in order.
    static let meanings: [(status: String, meaning: String)] = [
        ("\(success)", "success"),
        ("\(negative)", "a negative outcome: the command worked and the answer is no (the cases below)"),
        ("\(error)", "an error: a bad flag or value (negative numbers included: `--lr -1` is checked, not taken for a flag), "
            + "a bad input file, an I/O error (a full disk; an output pipe its reader closed, as `| head` does: nn stops quietly)"),
        ("128+N", "killed by signal N (an interrupted `nn sweep` stops its points first, then exits 128+N too)"),
    ]

    /// The Markdown table of `meanings` and the negative outcomes (`nn docs exit-status`).
    static var markdownTable: String {
        var lines = ["| status | meaning |", "|---|---|"]
        lines += meanings.map { "| \($0.status) | \($0.meaning.replacingOccurrences(of: "|", with: "\\|")) |" }
        lines += ["", "| command | exits 1 when |", "|---|---|"]
        lines += NegativeOutcome.allCases.map { outcome in
            let commands = outcome.command.components(separatedBy: ", ").map { "`\($0)`" }.joined(separator: ", ")
            return "| \(commands) | \(outcome.meaning) |"
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same as one paragraph of plain text, for `nn --help`.
    static var helpText: String {
        let negatives = NegativeOutcome.allCases.map { "\($0.command): \($0.meaning)" }.joined(separator: "; ")
        return "Exit status, every command: "
            + meanings.map { "\($0.status) \($0.meaning.replacingOccurrences(of: " (the cases below)", with: ""))" }
                .joined(separator: "; ").replacingOccurrences(of: "`", with: "")
            + ". Status 1 means: " + negatives.replacingOccurrences(of: "`", with: "") + "."
    }
}

/// A negative outcome (exit status 1): the command worked and the answer is no. Every
/// command that exits 1 throws one of these, so `ExitStatus.markdownTable` lists them all.
enum NegativeOutcome: CaseIterable {
    case differs, beyondSeedNoise, diverged, pointsNotOk, pointFailed

    /// The command that answers so.
    var command: String {
        switch self {
        case .differs: "nn diff A B"
        case .beyondSeedNoise: "nn diff A B --by seed"
        case .diverged: "nn train"
        case .pointsNotOk: "nn sweep, nn sweep collect"
        case .pointFailed: "nn sweep-point"
        }
    }

    /// When it answers so.
    var meaning: String {
        switch self {
        case .differs: "A and B differ beyond the tolerance (`--rtol`, `--atol`)"
        case .beyondSeedNoise: "a comparison is not within seed noise: `better`, `worse`, `too few seeds`, or a configuration only one side has"
        case .diverged: "training diverged (a NaN or infinite loss, or weights that are not finite); the history so far is kept"
        case .pointsNotOk: "a point of the sweep is not ok (it failed, or after `collect` has not run); the others are kept"
        case .pointFailed: "its one point failed (the point's `status.json` says why)"
        }
    }

    /// Exit status 1, after printing `message` (if any) on standard error. Throw the result.
    func exit(_ message: String? = nil) -> ExitCode {
        if let message { Console.err(message + "\n") }
        return ExitCode(ExitStatus.negative)
    }
}
