import ArgumentParser
import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

struct NN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn",
        abstract: "Reproducible experiments with the notebook's deep network on MNIST.",
        discussion: """
        Start here: `nn train` trains the notebook's network (preparing MNIST the first \
        time), `nn sweep` trains a grid of them, `nn runs` lists every run with the best \
        marked. The guides: docs/README.md.

        Examples:
          nn train                              the notebook: 40 epochs at lr 0.3
          nn sweep --lr 0.1,0.3 --epochs 5      two learning rates, one summary.csv
          nn runs                               every run under results/, ranked
          nn report results/sweeps/notebook     charts and report.md of a sweep
        """ + "\n\n" + ExitStatus.helpText + "\n\n" + """
        Plugins: `nn NAME ARGS...`, when NAME is none of these commands, runs the first \
        nn-NAME on the PATH with ARGS in nn's place (as git and cargo do), so its exit \
        status is nn's. Each command is also an executable of its own: `nn-train ARGS...` \
        is `nn train ARGS...`.
        """,
        version: NNVersion.current,
        subcommands: BuiltInCommand.allCases.map(\.type) + [SweepPointCommand.self, KeysCommand.self, DocsCommand.self]
    )

    /// ArgumentParser's `main()` with one exit-status convention (see the discussion):
    /// `ExitCode`s a command throws on purpose (`NegativeOutcome`) pass through; every
    /// other error — usage (ArgumentParser's 64), validation, `NNError` — prints the usual
    /// message and exits 2. Standard output and error are line-buffered even into a pipe
    /// or file, so `| tee`, nohup and CI logs show each line as it is printed; a closed
    /// output pipe is status 2 as well (`Console.setUp`).
    static func main(arguments: [String]) -> Never {
        BLAS.useKernelsForThisCPU()
        BLAS.useOneThread()
        Console.setUp()
        do {
            if let unknown = unknownCommand(arguments) { throw NNError(unknown) }
            var command = try parseAsRoot(ExperimentFlags.booleanFlagArguments(arguments))
            try command.run()
            checkStandardOutput()
        } catch {
            if error is ExitCode || exitCode(for: error) == .success {
                if error is ExitCode { checkStandardOutput() }
                exit(withError: error)
            }
            Console.err(oneLine(nearestOptionHint(fullMessage(for: error), arguments: arguments)) + "\n")
            Foundation.exit(ExitStatus.error)
        }
        Foundation.exit(ExitStatus.success)
    }

    /// A command's name (every command's configuration names it).
    static func name(of command: any ParsableCommand.Type) -> String {
        command.configuration.commandName ?? ""
    }

    /// The names of the commands built in, hidden ones included.
    static var commandNames: [String] { configuration.subcommands.map(name(of:)) }

    /// The error for a first argument that names no command (and no plugin: that ran
    /// before), with the nearest command when one is close (`did you mean 'train'?`).
    /// `nn help NAME` with a NAME that is no command is the same error (ArgumentParser
    /// would print the top-level help and exit 0).
    static func unknownCommand(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        if first == "help" {
            guard arguments.count > 1, !arguments[1].hasPrefix("-"), !(commandNames + ["help"]).contains(arguments[1]) else { return nil }
            return unknownCommandMessage(arguments[1])
        }
        return Plugin.name(arguments) == nil ? nil : unknownCommandMessage(first)
    }

    /// `unknown command 'trian' (did you mean 'train'?)`, or the list of commands when
    /// none is close.
    static func unknownCommandMessage(_ name: String) -> String {
        let shown = BuiltInCommand.allCases.map(\.name) + ["keys", "help"]
        let nearest = shown.map { (name: $0, distance: editDistance(name, $0)) }.min { $0.distance < $1.distance }
        let hint = nearest.flatMap { $0.distance <= max(1, name.count / 3) ? " (did you mean '\($0.name)'?)" : nil }
            ?? " (commands: \(shown.joined(separator: ", ")))"
        return "unknown command '\(name)'\(hint)"
    }

    /// ArgumentParser's "Unknown option '--lrs'. Did you mean '--out'?" with our nearest
    /// option instead: ArgumentParser looks only at the options `--help` shows (not `nn
    /// sweep`'s experiment keys) and by edit distance alone. Ours looks at every long
    /// option of the command `arguments` name (`nearestOption`); other messages pass as
    /// they are.
    static func nearestOptionHint(_ message: String, arguments: [String]) -> String {
        let prefix = "Error: Unknown option '--"
        guard message.hasPrefix(prefix) else { return message }
        let rest = message.dropFirst(prefix.count)
        guard let quote = rest.firstIndex(of: "'") else { return message }
        let typed = String(rest[..<quote])
        let lineEnd = rest.firstIndex(of: "\n") ?? rest.endIndex
        let hint = nearestOption(typed, among: longOptions(of: command(named: arguments))).map { ". Did you mean '--\($0)'?" } ?? ""
        return prefix + typed + "'" + hint + rest[lineEnd...]
    }

    /// The command `arguments` run: the deepest subcommand their leading words name.
    static func command(named arguments: [String]) -> any ParsableCommand.Type {
        var type: any ParsableCommand.Type = NN.self
        for word in arguments {
            guard let sub = type.configuration.subcommands.first(where: { name(of: $0) == word }) else { break }
            type = sub
        }
        return type
    }

    /// Every long option of `command`, hidden ones included, read from its help screen
    /// (ArgumentParser's public `helpMessage(for:includeHidden:columns:)`, one option per
    /// line at this width): the names before the first two-space gap of each line that
    /// starts with `-` (`-q, --quiet`, `--lr <lr>`).
    static func longOptions(of command: any ParsableCommand.Type) -> [String] {
        let help = NN.helpMessage(for: command, includeHidden: true, columns: 100_000)
        return help.split(separator: "\n").flatMap { line -> [String] in
            let text = line.drop { $0 == " " }
            guard text.hasPrefix("-") else { return [] }
            let names = text.range(of: "  ").map { text[..<$0.lowerBound] } ?? text
            return names.split(whereSeparator: { $0 == "," || $0 == " " })
                .filter { $0.hasPrefix("--") && $0.count > 2 }.map { String($0.dropFirst(2)) }
        }
    }

    /// The option nearest to `typed` (both without the leading `--`): one that differs
    /// only by a short end (`lrs` and `lr`, `thread` and `threads`), else the closest by
    /// edit distance when it is close (as for commands); nil when none is.
    static func nearestOption(_ typed: String, among names: [String]) -> String? {
        let byDistance = names.map { (name: $0, distance: editDistance(typed, $0)) }
            .sorted { $0.distance != $1.distance ? $0.distance < $1.distance : $0.name < $1.name }
        let extended = byDistance.first { n in
            min(n.name.count, typed.count) >= 2 && abs(n.name.count - typed.count) <= 2
                && (n.name.hasPrefix(typed) || typed.hasPrefix(n.name))
        }
        if let extended { return extended.name }
        return byDistance.first.flatMap { $0.distance <= max(1, typed.count / 3) ? $0.name : nil }
    }

    /// Levenshtein distance, a transposition counting as one edit (`trian` is one from `train`).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    /// An error as one line: ArgumentParser's usage errors come with `Help:`, `Usage:` and
    /// `See 'nn train --help' ...` lines, which become a short pointer at the end:
    /// `Error: Unknown option '--bogus' (see 'nn train --help')`.
    static func oneLine(_ message: String) -> String {
        let lines = message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard var line = lines.first else { return "Error: \(message)" }
        if let see = lines.first(where: { $0.hasPrefix("See '") }),
           let command = see.dropFirst(5).split(separator: "'").first {
            line += " (see '\(command)')"
        }
        return line
    }

    /// Exits 2 when standard output could not be written (a full disk, `> /dev/full`):
    /// a result that did not arrive is an error, not a success or a "differs".
    static func checkStandardOutput() {
        guard let reason = Console.failedOutput() else { return }
        Console.err("Error: standard output: \(reason)\n")
        Foundation.exit(ExitStatus.error)
    }
}

/// The one check of every `--threads`: 1 to 1024 (more than any machine's cores; a
/// value beyond Int32 once crashed in OpenBLAS's thread setting).
func validateThreads(_ threads: Int) throws {
    guard (1...1024).contains(threads) else { throw NNError("--threads: must be in 1...1024, got \(threads)") }
}

/// The threads a command uses: `--threads` when given, else one per core of this machine.
func threadCount(_ flag: Int?) -> Int {
    flag ?? max(1, ProcessInfo.processInfo.activeProcessorCount)
}

/// The `nn` executable's entry point (`Sources/nn/main.swift`): a built-in command, or
/// else the `nn-<name>` plugin on the PATH (`Plugin`).
package func nnMain() -> Never {
    let arguments = Array(CommandLine.arguments.dropFirst())
    Plugin.execIfFound(arguments)
    NN.main(arguments: arguments)
}

/// The entry point of the executable `nn-<command>` (`Sources/nn-<command>/main.swift`):
/// `nn-train ARGS...` is `nn train ARGS...`.
package func nnMain(_ command: BuiltInCommand) -> Never {
    NN.main(arguments: command.rootArguments(Array(CommandLine.arguments.dropFirst())))
}

/// The commands built into `nn`, in `nn --help`'s order; each is also an executable
/// `nn-<name>` (Package.swift builds one per case, `make install` installs them).
package enum BuiltInCommand: CaseIterable, Sendable {
    case fetch, prepare, train, eval, predict, export, diff, report, sweep, runs, mlflow

    var type: any ParsableCommand.Type {
        switch self {
        case .fetch: FetchCommand.self
        case .prepare: PrepareCommand.self
        case .train: TrainCommand.self
        case .eval: EvalCommand.self
        case .predict: PredictCommand.self
        case .export: ExportCommand.self
        case .diff: DiffCommand.self
        case .report: ReportCommand.self
        case .sweep: SweepCommand.self
        case .runs: RunsCommand.self
        case .mlflow: MLflowCommand.self
        }
    }

    var name: String { NN.name(of: type) }

    /// The executable of this command, `nn-<name>` (Package.swift's `commandExecutables`).
    var executable: String { "nn-" + name }

    /// docs/commands.md's list of the executables `make install` installs (`nn docs executables`).
    static var executablesMarkdown: String {
        "`nn` and one per command: " + allCases.map { "`\($0.executable)`" }.joined(separator: ", ") + ".\n"
    }

    /// `nn`'s arguments for this command's arguments: the command's name in front. A
    /// hidden command (`sweep-point`, which `nn sweep` runs for each point with the
    /// executable running it, so `nn-sweep sweep-point ...` too) is passed as it is.
    func rootArguments(_ arguments: [String]) -> [String] {
        let hidden = NN.configuration.subcommands.filter { !$0.configuration.shouldDisplay }.map(NN.name(of:))
        if let first = arguments.first, hidden.contains(first) { return arguments }
        return [name] + arguments
    }
}
