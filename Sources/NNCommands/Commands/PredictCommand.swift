import ArgumentParser
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

/// `nn predict --run DIR INPUT... [--out FILE]`: the run's model on new images.
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
            """
    )

    @Option(name: .customLong("run"), help: "Run directory written by `nn train`.", completion: .directory)
    var runDir: String

    @Argument(help: ArgumentHelp("IDX, PNG or PGM files, or - for CSV rows on standard input.", valueName: "input"), completion: .file(extensions: ["idx", "png", "pgm"]))
    var inputs: [String] = []

    @Option(help: "Write the CSV to this file (atomically) instead of standard output.", completion: .file())
    var out: String?

    @Option(parsing: .unconditional, help: "Binary target: predict 1 when p > threshold (default: the run's, 0.5 unless configured).")
    var threshold: Double?

    func validate() throws {
        if inputs.isEmpty { throw ValidationError("give at least one input file (or - for standard input)") }
        if inputs.filter({ $0 == "-" }).count > 1 { throw ValidationError("- (standard input) may be given once") }
        if let threshold, !(threshold > 0 && threshold < 1) { throw NNError("--threshold: must be in (0, 1), got \(NumberText.shortest(threshold))") }
    }

    func run() throws {
        let text = try Predict.csv(runDir: runDir, inputs: inputs, threshold: threshold, threads: threadCount(nil))
        if let out {
            try AtomicFile.write(text, to: out)
        } else {
            Console.out(text)
        }
    }
}
