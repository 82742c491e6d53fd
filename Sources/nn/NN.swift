import ArgumentParser
import NNCore

@main
struct NN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn",
        abstract: "Reproducible experiments with the notebook's deep network on MNIST.",
        version: "0.1.0",
        subcommands: [PrepareCommand.self]
    )
}
