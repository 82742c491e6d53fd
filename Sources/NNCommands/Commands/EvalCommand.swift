import ArgumentParser
import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

/// `nn eval`: evaluate a trained run on its test split.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a trained run on its test split; writes metrics, predictions and charts into it.",
        discussion: """
            Writes metrics.json, metrics.csv, predictions.csv, thresholds.csv (binary), roc.svg, \
            roc-log.svg (ROC on a log false positive rate axis), pr.svg (binary) and confusion.svg into the run. With --threshold other than the run's \
            own, the metrics, predictions and confusion matrix go to metrics-t<threshold>.json, \
            metrics-t<threshold>.csv, predictions-t<threshold>.csv and confusion-t<threshold>.svg, \
            leaving the run's own metrics as they are.

            Examples:
              nn eval results/runs/notebook/0123456789ab
              nn eval results/runs/notebook/0123456789ab --threshold 0.2
            """
    )

    @Argument(help: "Run directory written by `nn train` (also --run DIR).", completion: .directory)
    var dir: String?

    @OptionGroup var runOption: RunDirOptions

    @Option(help: "Prepared data directory (default: the one recorded in the run's config.json).", completion: .directory)
    var data: String?

    @Option(parsing: .unconditional, help: "Decision threshold for the binary target: predict 1 when p > threshold (default: the run's, from config.json).", transform: decimalFlag)
    var threshold: Double?

    func validate() throws {
        if let threshold, !(threshold > 0 && threshold < 1) { throw NNError("--threshold: must be in (0, 1), got \(NumberText.shortest(threshold))") }
        _ = try runOption.run(positional: dir)
    }

    func run() throws {
        let runDir = try runOption.run(positional: dir)
        let lock = try RunLock.reading([runDir])
        defer { withExtendedLifetime(lock) {} }
        let outcome = try Run.evaluate(runDir: runDir, dataDir: data, threshold: threshold, threads: threadCount(nil))
        for w in outcome.warnings { Console.err("warning: \(w)\n") }
        if let m = outcome.binary {
            print(MetricsTable.binary(m, rocAUC: outcome.rocAUC, averagePrecision: outcome.averagePrecision))
        } else if let m = outcome.multiClass {
            print(MetricsTable.multiClass(m, macroROCAUC: outcome.macroROCAUC))
        }
        print(String(format: "train loss %.5f (the trained model on the training split)", outcome.trainLoss))
        print("wrote \(outcome.files.joined(separator: ", ")) in \(runDir)")
    }
}

/// Short aligned tables of metrics for the terminal.
enum MetricsTable {
    static func binary(_ m: Metrics.Binary, rocAUC: Double? = nil, averagePrecision: Double? = nil) -> String {
        var s = ""
        s += "samples   \(m.samples) (\(m.positives) positive)\n"
        s += String(format: "accuracy  %.5f\nprecision %.5f\nrecall    %.5f\nf1        %.5f\n", m.accuracy, m.precision, m.recall, m.f1)
        s += "roc auc   \(fixed(rocAUC))\npr auc    \(fixed(averagePrecision)) (average precision)\n"
        s += "              pred 1   pred 0\n"
        s += "  true 1  " + pad(m.tp) + " " + pad(m.fn) + "\n"
        s += "  true 0  " + pad(m.fp) + " " + pad(m.tn)
        return s
    }

    static func multiClass(_ m: Metrics.MultiClass, macroROCAUC: Double? = nil) -> String {
        var s = "samples   \(m.samples)\n"
        s += String(format: "accuracy  %.5f\nmacro     precision %.5f  recall %.5f  f1 %.5f\nmicro     precision %.5f  recall %.5f  f1 %.5f\n",
                    m.accuracy, m.macroPrecision, m.macroRecall, m.macroF1, m.microPrecision, m.microRecall, m.microF1)
        s += "roc auc   \(fixed(macroROCAUC)) (macro mean over classes, one against the rest)\n"
        s += "confusion (rows: true, columns: predicted)\n"
        s += "     " + (0..<m.classes).map { pad($0, 6) }.joined() + "\n"
        for (i, row) in m.confusion.enumerated() { s += pad(i, 4) + " " + row.map { pad($0, 6) }.joined() + "\n" }
        return String(s.dropLast())
    }

    /// Five decimals, or `n/a` for an undefined metric.
    static func fixed(_ v: Double?) -> String { v.map { String(format: "%.5f", $0) } ?? "n/a" }

    static func pad(_ v: Int, _ width: Int = 8) -> String {
        let t = String(v)
        return String(repeating: " ", count: max(0, width - t.count)) + t
    }
}
