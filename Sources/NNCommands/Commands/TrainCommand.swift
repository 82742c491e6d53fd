import ArgumentParser
import Foundation
import NNKernel
import NNFormats
import NNExperiments

/// `nn train`: train an experiment on prepared data and write a run directory.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a network on prepared data and write a run directory.",
        discussion: """
        Writes config.json (fully resolved), history.csv (epoch,loss), model.nnm, \
        timing.json and the marker .nn-run into --out (default results/runs/<name>/<id>, \
        where <id> is the run id of the resolved configuration on its data, as in sweeps). \
        Epoch k's loss is that epoch's forward pass, before its update, as the notebook \
        prints it. The run is built in a temporary sibling directory and renamed into \
        place when done; a directory that is not nn's is refused, and one holding a run is \
        replaced only with --force (the old run stays until the new one is complete).
        """
    )

    @Option(help: "Experiment file (JSON), e.g. experiments/notebook.json. Default: the notebook's values.")
    var config: String?

    @OptionGroup(title: "Experiment keys (override the --config file's values)")
    var keys: ExperimentFlags

    @Option(help: "Prepared data directory (default: the one `nn prepare` writes for this experiment).")
    var data: String?

    @Option(help: "Run directory to write (default: results/runs/<name>/<run id>).")
    var out: String?

    @Option(parsing: .unconditional, help: "Threads for BLAS and element-wise work (default: all cores).")
    var threads: Int?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @Flag(help: "Replace a run already in --out (only once the new one is complete).")
    var force = false

    func validate() throws {
        if let threads { try validateThreads(threads) }
    }

    func run() throws {
        let config = try ExperimentConfig.resolve(file: config, settings: keys.given)
        if let threads { BLAS.setThreads(threads) }
        let progress = Progress(total: config.epochs, quiet: quiet)
        let outcome = try Run.train(config: config, dataDir: data, outDir: out, placement: .newRun(force: force), threads: threadCount(threads),
                                    progress: progress.epoch)
        progress.finish()
        let outDir = outcome.runDirectory
        if let d = outcome.divergence {
            if outcome.previousKept {
                throw negativeOutcome("nn train: \(d.message) (the previous run in \(outDir) is kept unchanged)")
            }
            throw negativeOutcome("nn train: \(d.message) (history so far in \(RunLayout(outDir).history))")
        }
        if !quiet, let last = outcome.history.last {
            print("wrote \(outDir): \(outcome.history.count) epochs, final loss \(NumberText.real(last.loss)), \(String(format: "%.1f", outcome.seconds)) s")
        }
    }
}

/// Per-epoch progress: one updating line on a terminal (epoch, loss, elapsed, ETA), one
/// plain line per epoch otherwise, nothing with --quiet.
final class Progress {
    let total: Int
    let quiet: Bool
    let interactive = isatty(STDERR_FILENO) == 1
    var elapsed = 0.0

    init(total: Int, quiet: Bool) { self.total = total; self.quiet = quiet }

    func epoch(_ r: EpochRecord) {
        if quiet { return }
        elapsed += r.seconds
        if interactive {
            let eta = elapsed / Double(r.epoch) * Double(total - r.epoch)
            let line = String(format: "\repoch %d/%d  loss %.6f  elapsed %.1fs  ETA %.1fs   ", r.epoch, total, r.loss, elapsed, eta)
            Console.err(line)
        } else {
            print("epoch \(r.epoch)/\(total) loss \(NumberText.real(r.loss))")
        }
    }

    func finish() {
        if !quiet && interactive { Console.err("\n") }
    }
}
