import ArgumentParser
import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

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
        replaced only with --force (the old run stays until the new one is complete); the \
        same configuration on the same data again is up to date: nothing trained, exit 0. \
        A checkpoint (checkpoint.nnc) is kept every --checkpoint-every epochs and at the \
        end: --resume DIR continues a killed training of DIR (or a sweep point in place), \
        and --resume DIR --epochs N extends a complete run into a new run directory; the \
        files are byte-identical to an uninterrupted run's.

        Examples:
          nn train --epochs 2 --name quick --tag team=vision
          nn train --optimizer adam --batch-size 128 --lr 0.001 --set beta2=0.99
          nn train --val-size 5000 --early-stopping --keep-best
          nn train --resume results/runs/notebook/0123456789ab --epochs 80
        """
    )

    @Option(help: "Experiment file (JSON), e.g. experiments/notebook.json. Default: the notebook's values.",
            completion: .file(extensions: ["json"]))
    var config: String?

    @OptionGroup(title: "Experiment keys (override the --config file's values)")
    var keys: ExperimentFlags

    @Option(help: "Prepared data directory (default: the one `nn prepare` writes for this experiment).", completion: .directory)
    var data: String?

    @Option(help: "Run directory to write (default: results/runs/<name>/<run id>).", completion: .directory)
    var out: String?

    @Option(parsing: .unconditional, help: "Threads for BLAS and element-wise work (default: all cores).")
    var threads: Int?

    @Option(help: "A name for this run, shown by nn runs, reports and chart legends (meta.json; not part of the run id).")
    var name: String?

    @OptionGroup(title: "Notes on the run")
    var meta: MetaOptions

    @Flag(name: [.short, .long], help: "Print only where the run went (and errors).")
    var quiet = false

    @Flag(help: "Replace a run already in --out (only once the new one is complete).")
    var force = false

    @Option(help: "Continue the killed training of this run directory (its --out), or with --epochs N extend a complete one into a new run (--out, default results/runs/<name>/<run id>).",
            completion: .directory)
    var resume: String?

    func validate() throws {
        if let threads { try validateThreads(threads) }
        _ = try meta.meta(name: name)
    }

    func run() throws {
        if let out { try OutputPath.check(out, flag: "--out", directory: true) }
        let runMeta = try meta.meta(name: name)
        let outcome: Run.TrainOutcome
        let progress: Progress
        if let resume {
            if config != nil { throw ValidationError("--resume: takes the configuration from the run; --config cannot be given") }
            if let other = try keys.given.first(where: { $0.key != "epochs" }) {
                throw ValidationError("--resume: takes the configuration from the run; only --epochs may be given, not \(other.source)")
            }
            let epochs = try keys.epochs.map { raw -> Int in
                guard let n = Int(raw), n > 0 else { throw ValidationError("--epochs: must be a positive integer, got \(raw)") }
                return n
            }
            progress = Progress(quiet: quiet)
            outcome = try Run.resume(resume, epochs: epochs, dataDir: data, outDir: out, force: force, threads: threadCount(threads),
                                     progress: progress.epoch)
        } else {
            let config = try ExperimentConfig.resolve(file: config, settings: try keys.given)
            progress = Progress(quiet: quiet)
            outcome = try Run.train(config: config, dataDir: data, outDir: out, placement: .newRun(force: force), threads: threadCount(threads),
                                    progress: progress.epoch)
        }
        progress.finish()
        let outDir = outcome.runDirectory
        let metaChanges = outcome.previousKept ? [] : try runMeta.merge(into: outDir)
        if let d = outcome.divergence {
            if outcome.previousKept {
                throw NegativeOutcome.diverged.exit("nn train: \(d.message) (the previous run in \(outDir) is kept unchanged)")
            }
            throw NegativeOutcome.diverged.exit("nn train: \(d.message) (history so far in \(RunLayout(outDir).history))")
        }
        if quiet { print(outDir) }
        if outcome.upToDate {
            if !quiet { print("\(outDir): up to date (the same configuration on the same data is complete there; --force retrains)") }
            if !quiet && !metaChanges.isEmpty { print(RunMeta.updatedLine(dir: outDir, changes: metaChanges)) }
            return
        }
        if !quiet, let last = outcome.history.last {
            print("wrote \(outDir): \(NumberText.count(outcome.history.count, "epoch")), final loss \(NumberText.real(last.loss)), \(String(format: "%.1f", outcome.seconds)) s")
        }
    }
}

/// Per-epoch progress: one updating line on a terminal (epoch, loss, the validation figures
/// when there is a validation set, elapsed, ETA), one
/// plain line per epoch otherwise, nothing with --quiet.
final class Progress {
    let quiet: Bool
    let interactive = isatty(STDERR_FILENO) == 1
    var elapsed = 0.0

    init(quiet: Bool) { self.quiet = quiet }

    func epoch(_ report: EpochReport) {
        if quiet { return }
        let r = report.record, total = report.epochs
        elapsed += r.seconds
        if interactive {
            let eta = elapsed / Double(r.epoch) * Double(max(0, total - r.epoch))
            let validation = report.validation.map { "  \($0.name) " + String(format: "%.4f", $0.value) }.joined()
            let line = String(format: "\repoch %d/%d  loss %.6f", r.epoch, total, r.loss) + validation
                + String(format: "  elapsed %.1fs  ETA %.1fs   ", elapsed, eta)
            Console.err(line)
        } else {
            let validation = report.validation.map { " \($0.name) \(NumberText.real($0.value))" }.joined()
            print("epoch \(r.epoch)/\(total) loss \(NumberText.real(r.loss))\(validation)")
        }
    }

    func finish() {
        if !quiet && interactive { Console.err("\n") }
    }
}
