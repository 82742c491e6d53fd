import ArgumentParser
import Foundation
import NNCore

/// A subcommand whose exit status 1 is a result, not a failure (`nn diff`: "the inputs
/// differ"), so that its errors, usage errors included, exit with `errorExitStatus`.
protocol ErrorExitStatus {
    static var errorExitStatus: Int32 { get }
}

@main
struct NN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn",
        abstract: "Reproducible experiments with the notebook's deep network on MNIST.",
        version: "0.1.0",
        subcommands: [FetchCommand.self, PrepareCommand.self, TrainCommand.self, EvalCommand.self,
                      DiffCommand.self, ReportCommand.self, SweepCommand.self, SweepPointCommand.self]
    )

    /// ArgumentParser's `main()`, except that errors of an `ErrorExitStatus` subcommand
    /// (parse, validation and run errors, not an `ExitCode` it throws on purpose) print
    /// the usual message and exit with that command's status instead of 64 or 1.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            if !(error is ExitCode), exitCode(for: error) != .success,
               let name = arguments.first,
               let special = configuration.subcommands.first(where: { $0._commandName == name }) as? ErrorExitStatus.Type {
                var stderr = StandardError()
                print(fullMessage(for: error), to: &stderr)
                Foundation.exit(special.errorExitStatus)
            }
            exit(withError: error)
        }
    }
}

/// `print(..., to:)` target for standard error.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
