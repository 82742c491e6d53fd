import NNBase
/// Classification metrics, computed as scikit-learn computes them for the notebook.
///
/// Binary (positive class 1, prediction `p > threshold`):
/// `accuracy = (tp+tn)/n`, `precision = tp/(tp+fp)`, `recall = tp/(tp+fn)`,
/// `f1 = 2·tp/(2·tp+fp+fn)`; a ratio with a zero denominator is 0 (sklearn's
/// `zero_division` default, with its warning).
///
/// Multi-class (prediction = argmax, first index on ties, as `np.argmax`):
/// `confusion[i][j]` counts samples of true class i predicted as j; per-class precision,
/// recall and F1 as above; macro = their unweighted mean; micro = pooled counts (for
/// single-label data micro precision = recall = F1 = accuracy).
package enum Metrics {
    package struct Binary: Equatable, Sendable {
        package var tp = 0, fp = 0, fn = 0, tn = 0
        var threshold: Double

        package init(tp: Int = 0, fp: Int = 0, fn: Int = 0, tn: Int = 0, threshold: Double = 0.5) {
            self.tp = tp; self.fp = fp; self.fn = fn; self.tn = tn; self.threshold = threshold
        }
        package var samples: Int { tp + fp + fn + tn }
        package var positives: Int { tp + fn }
        package var accuracy: Double { ratio(tp + tn, samples) }
        package var precision: Double { ratio(tp, tp + fp) }
        package var recall: Double { ratio(tp, tp + fn) }
        package var f1: Double { ratio(2 * tp, 2 * tp + fp + fn) }

        /// Scalar metrics in a fixed order (the order of metrics.csv).
        package var scalars: [(String, MetricValue)] {
            [("accuracy", .real(accuracy)), ("precision", .real(precision)), ("recall", .real(recall)),
             ("f1", .real(f1)), ("tp", .int(tp)), ("fp", .int(fp)), ("fn", .int(fn)), ("tn", .int(tn)),
             ("threshold", .real(threshold)), ("samples", .int(samples)), ("positives", .int(positives))]
        }
    }

    package struct MultiClass: Equatable, Sendable {
        package var confusion: [[Int]]
        package init(confusion: [[Int]]) { self.confusion = confusion }
        package var classes: Int { confusion.count }
        package var samples: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }
        var correct: Int { (0..<classes).reduce(0) { $0 + confusion[$1][$1] } }
        package var accuracy: Double { ratio(correct, samples) }
        func column(_ j: Int) -> Int { confusion.reduce(0) { $0 + $1[j] } }
        func precision(_ k: Int) -> Double { ratio(confusion[k][k], column(k)) }
        func recall(_ k: Int) -> Double { ratio(confusion[k][k], confusion[k].reduce(0, +)) }
        func f1(_ k: Int) -> Double {
            let tp = confusion[k][k], fp = column(k) - tp, fn = confusion[k].reduce(0, +) - tp
            return ratio(2 * tp, 2 * tp + fp + fn)
        }
        func mean(_ f: (Int) -> Double) -> Double { (0..<classes).map(f).reduce(0, +) / Double(classes) }
        package var macroPrecision: Double { mean(precision) }
        package var macroRecall: Double { mean(recall) }
        package var macroF1: Double { mean(f1) }
        /// Pooled over classes: every wrong prediction is one FP and one FN.
        package var microPrecision: Double { ratio(correct, samples) }
        package var microRecall: Double { ratio(correct, samples) }
        package var microF1: Double { ratio(2 * correct, 2 * correct + 2 * (samples - correct)) }

        package var scalars: [(String, MetricValue)] {
            [("accuracy", .real(accuracy)), ("macro_precision", .real(macroPrecision)),
             ("macro_recall", .real(macroRecall)), ("macro_f1", .real(macroF1)),
             ("micro_precision", .real(microPrecision)), ("micro_recall", .real(microRecall)),
             ("micro_f1", .real(microF1)), ("samples", .int(samples)), ("classes", .int(classes))]
        }
    }

    package enum MetricValue: Equatable, Sendable {
        case int(Int), real(Double)
        var double: Double {
            switch self { case .int(let i): return Double(i); case .real(let d): return d }
        }
        /// Integers as integers, reals as shortest round-trip decimals.
        package var text: String {
            switch self { case .int(let i): return String(i); case .real(let d): return NumberText.real(d) }
        }
    }

    static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }

    /// Binary metrics of probabilities `p` against 0/1 labels `y`.
    package static func binary(probabilities p: [Double], labels y: [Int], threshold: Double = 0.5) -> Binary {
        var m = Binary(threshold: threshold)
        for (pi, yi) in zip(p, y) {
            let pred = pi > threshold
            switch (pred, yi == 1) {
            case (true, true): m.tp += 1
            case (true, false): m.fp += 1
            case (false, true): m.fn += 1
            case (false, false): m.tn += 1
            }
        }
        return m
    }

    /// Multi-class metrics of predicted classes against true classes (0..<classes).
    package static func multiClass(predicted: [Int], truth: [Int], classes: Int) -> MultiClass {
        var c = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (p, t) in zip(predicted, truth) where p < classes && t < classes { c[t][p] += 1 }
        return MultiClass(confusion: c)
    }
}
