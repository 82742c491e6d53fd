import ArgumentParser
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

/// `nn predict DIR INPUT... [--out FILE]` (or `--run DIR`): the run's model on new images.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with a trained run's model: CSV index,prediction,probability per image.",
        discussion: """
            INPUT is an IDX images file (u8 [n, 28, 28], gzip'd or not), a 28x28 grey PNG or \
            PGM (P5, P2) image, or - for CSV on standard input (one image per line: its 784 \
            pixels 0-255, comma-separated). Rows are numbered from 0 across the inputs in \
            order. Binary target: prediction 1 when p > threshold, probability p (of class \
            1). Ten classes: the arg-max class (Fashion-MNIST by name) and its probability. \
            The images are scaled as in training, so the test split's images give exactly \
            the probabilities of the run's predictions.csv.

            Examples:
              nn predict results/runs/notebook/0123456789ab digit.png
              nn predict results/runs/notebook/0123456789ab data/mnist/t10k-images-idx3-ubyte.gz --out p.csv
            """
    )

    @Argument(help: ArgumentHelp("The run directory written by `nn train` (or --run DIR), then IDX, PNG or PGM files, or - for CSV rows on standard input.", valueName: "dir> <input"),
              completion: .file(extensions: ["idx", "png", "pgm"]))
    var positionals: [String] = []

    @OptionGroup var runOption: RunDirOptions

    @Option(help: "Write the CSV to this file (atomically) instead of standard output.", completion: .file())
    var out: String?

    @Option(parsing: .unconditional, help: "Binary target: predict 1 when p > threshold (default: the run's, 0.5 unless configured).", transform: decimalFlag)
    var threshold: Double?

    var inputs: [String] { (try? runOption.run(positionals: positionals).rest) ?? [] }

    func validate() throws {
        _ = try runOption.run(positionals: positionals)
        if inputs.isEmpty { throw ValidationError("give at least one input file (or - for standard input)") }
        if inputs.filter({ $0 == "-" }).count > 1 { throw ValidationError("- (standard input) may be given once") }
        if let threshold, !(threshold > 0 && threshold < 1) { throw NNError("--threshold: must be in (0, 1), got \(NumberText.shortest(threshold))") }
    }

    func run() throws {
        let runDir = try runOption.run(positionals: positionals).run
        if let out {
            try OutputPath.check(out, flag: "--out")
            try OutputPath.check(out, flag: "--out", notAmong: inputs.filter { $0 != "-" })
        }
        let lock = try RunLock.reading([runDir])
        defer { withExtendedLifetime(lock) {} }
        let text = try Predict.csv(runDir: runDir, inputs: inputs, threshold: threshold, threads: threadCount(nil))
        if let out {
            try AtomicFile.write(text, to: out)
        } else {
            Console.out(text)
        }
    }
}
