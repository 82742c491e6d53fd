import ArgumentParser
import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

/// `nn fetch`: verify a dataset's four files and download only what is missing or corrupt.
struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Verify a dataset's files and download only what is missing or corrupt.",
        discussion: """
        Each file is checked by the size and SHA-256 of its decompressed payload. Missing or \
        corrupt files are fetched from the mirrors in order into a temporary file, verified, \
        and only then renamed into place. Vendored files that verify need no network.

        Examples:
          nn fetch
          nn fetch --dataset fashion-mnist
        """
    )

    @Option(help: "Dataset: \(Datasets.all.map(\.name).joined(separator: ", ")).", completion: .list(Datasets.all.map(\.name)))
    var dataset = "mnist"

    @Option(name: .customLong("data-dir"), help: "Directory holding the files (default: the dataset's, e.g. data/mnist).", completion: .directory)
    var dataDir: String?

    @Option(name: .customLong("mirror"),
            help: "Mirror URL (https://, http:// or file://) to fetch from; repeat for several, tried in order. Replaces the registry's list.")
    var mirrors: [String] = []

    @Option(parsing: .unconditional, help: "Seconds without data before a mirror is abandoned (each file's whole transfer is capped at 30x this).", transform: decimalFlag)
    var timeout: Double = 60

    // Flag problems are thrown as NNError so ArgumentParser prints exactly one line.
    func validate() throws {
        do {
            _ = try Datasets.named(dataset)
        } catch let error as NNError {
            throw NNError("--dataset: \(error.message)")
        }
        for mirror in mirrors {
            do { _ = try Mirror(mirror) } catch let error as NNError { throw NNError("--mirror: \(error.message)") }
        }
        // At most a day: the whole transfer is capped at 30x this, and larger values
        // overflowed the nanosecond clocks of the transfer (1e16 crashed).
        guard timeout.isFinite, timeout > 0, timeout <= 86_400 else {
            throw NNError("--timeout: must be a number of seconds in (0, 86400], got \(NumberText.shortest(timeout))")
        }
        if let dataDir, dataDir.isEmpty { throw NNError("--data-dir: must not be empty") }
    }

    func run() throws {
        if let dataDir { try OutputPath.check(dataDir, flag: "--data-dir", directory: true) }
        let spec = try Datasets.named(dataset)
        var options = try FetchOptions(defaultsFor: spec, timeouts: TransferTimeouts(request: timeout))
        if let dataDir { options.directory = dataDir }
        if !mirrors.isEmpty { options.mirrors = try mirrors.map(Mirror.init) }
        let out: (String) -> Void = Console.out
        let printer = FetchPrinter(interactive: isatty(STDERR_FILENO) == 1, out: out,
                                   err: Console.err)
        let report = try Fetcher.fetch(spec, options: options, events: printer.handle)
        out(report.summary + "\n")
    }
}
