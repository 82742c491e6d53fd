import ArgumentParser
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

/// `nn prepare`: split a dataset as the notebook does and write it as IDX + manifest.json.
struct PrepareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare",
        abstract: "Split a dataset like the notebook's train_test_split and write the splits as IDX files.",
        discussion: """
        Verifies the dataset's four files against the registry's SHA-256 pins, pools the \
        training files followed by the test files, takes RandomState(seed).permutation(pool): \
        the first --test-size items are the test set, the next --train-size the training set \
        (scikit-learn's train_test_split with integer sizes). Writes train-images.idx, \
        train-labels.idx, test-images.idx, test-labels.idx (uncompressed IDX, original 0-9 \
        labels, split order) and manifest.json. Does nothing when the output already holds \
        exactly this dataset.

        Examples:
          nn prepare
          nn prepare --train-size 2000 --test-size 1000
          nn prepare --classes all
        """
    )

    @OptionGroup var data: PreparedDataOptions

    @Option(help: "Directory holding the dataset's .gz files (default: the dataset's own, e.g. data/mnist).", completion: .directory)
    var dataDir: String?

    @Option(help: "Output directory (default: results/prepared/<dataset>-<binaryD|all>-<train>-<test>-s<seed>).", completion: .directory)
    var out: String?

    func validate() throws {
        try data.check()
    }

    func run() throws {
        if let out { try OutputPath.check(out, flag: "--out", directory: true) }
        let spec = try data.spec()
        let outDir = try out ?? data.defaultDirectory
        let outcome = try Prepare.run(spec: spec, dataDir: dataDir ?? spec.defaultDirectory,
                                      outDir: outDir, options: try data.prepareOptions)
        let m = outcome.manifest
        if outcome.upToDate {
            print("\(outDir): up to date")
            return
        }
        print("prepared \(m.dataset) into \(outDir)")
        for (name, side) in [("train", m.train), ("test", m.test)] {
            var line = "  \(name): \(side.count) images \(m.imageShape.map(String.init).joined(separator: "x"))"
            if case .binary(let d) = m.target { line += ", \(side.classCounts[d]) of digit \(d) (target 1)" }
            print(line)
        }
    }
}
