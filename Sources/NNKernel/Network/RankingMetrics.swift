/// Threshold-free metrics of a binary score: how well the scores rank positives above
/// negatives, computed as scikit-learn computes them.
///
/// Samples are sorted by score, highest first, and samples with *equal* scores form one
/// group: a threshold can only fall between groups, never inside one (sklearn's
/// `_binary_clf_curve`). After each group `k` the cumulative counts are `tp_k` (positives
/// scored at or above it) and `fp_k` (negatives); `P` and `N` are the totals.
///
/// - ROC AUC (`roc_auc_score`): the area under the curve of true-positive rate
///   `tp_k/P` against false-positive rate `fp_k/N`, from (0,0), by the trapezoid rule —
///   the probability that a random positive scores above a random negative, ties counting
///   one half. 0.5 is chance, 1 a perfect ranking.
/// - Average precision (`average_precision_score`, "PR AUC"):
///   `AP = Σ_k (R_k − R_{k−1}) · P_k` with recall `R_k = tp_k/P` and precision
///   `P_k = tp_k/(tp_k + fp_k)` — a step-wise area under the precision–recall curve, no
///   interpolation. A random ranking scores about the positive rate `P/(P+N)`.
///
/// Both are undefined (nil) without positives, and ROC AUC also without negatives
/// (sklearn raises an error there).
package enum RankingMetrics {
    /// The cumulative counts after each group of equal scores, highest score first.
    package struct Curve: Equatable, Sendable {
        /// The score of each group (descending).
        var thresholds: [Double] = []
        package var tp: [Int] = []
        package var fp: [Int] = []
        package var positives = 0
        package var negatives = 0
    }

    /// The groups of `scores` against 0/1 `labels` (non-finite scores are an error of the
    /// caller: they are sorted as `Double`'s total order puts them).
    package static func curve(scores: [Double], labels: [Int]) -> Curve {
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        var c = Curve()
        var tp = 0, fp = 0
        for (n, i) in order.enumerated() {
            if labels[i] == 1 { tp += 1 } else { fp += 1 }
            // A group ends where the next score differs (or at the last sample).
            if n == order.count - 1 || scores[order[n + 1]] != scores[i] {
                c.thresholds.append(scores[i])
                c.tp.append(tp)
                c.fp.append(fp)
            }
        }
        c.positives = tp
        c.negatives = fp
        return c
    }

    /// ROC AUC (see the type). Computed from the integer counts: the trapezoids' area is
    /// `Σ (fp_k − fp_{k−1})·(tp_k + tp_{k−1}) / (2·P·N)`, summed exactly, divided once.
    package static func rocAUC(_ c: Curve) -> Double? {
        guard c.positives > 0, c.negatives > 0 else { return nil }
        var twiceArea = 0, prevTP = 0, prevFP = 0
        for (tp, fp) in zip(c.tp, c.fp) {
            twiceArea += (fp - prevFP) * (tp + prevTP)
            (prevTP, prevFP) = (tp, fp)
        }
        return Double(twiceArea) / (2 * Double(c.positives) * Double(c.negatives))
    }

    /// Average precision (see the type).
    package static func averagePrecision(_ c: Curve) -> Double? {
        guard c.positives > 0 else { return nil }
        var sum = 0.0, prevTP = 0
        for (tp, fp) in zip(c.tp, c.fp) where tp > prevTP {
            sum += Double(tp - prevTP) * (Double(tp) / Double(tp + fp))
            prevTP = tp
        }
        return sum / Double(c.positives)
    }

    /// The ROC curve's points (false-positive rate, true-positive rate) from (0, 0) to
    /// (1, 1), without the points that lie on a straight line between their neighbours
    /// (sklearn's `drop_intermediate`; the area is unchanged).
    package static func rocPoints(_ c: Curve) -> [(fpr: Double, tpr: Double)] {
        guard c.positives > 0, c.negatives > 0 else { return [] }
        let counts = [(0, 0)] + Array(zip(c.fp, c.tp))
        var kept: [(Int, Int)] = []
        for (k, p) in counts.enumerated() {
            if k > 0, k < counts.count - 1 {
                let a = counts[k - 1], b = counts[k + 1]
                // Collinear with both neighbours: (p − a) × (b − p) == 0.
                if (p.0 - a.0) * (b.1 - p.1) == (p.1 - a.1) * (b.0 - p.0) { continue }
            }
            kept.append(p)
        }
        return kept.map { (Double($0.0) / Double(c.negatives), Double($0.1) / Double(c.positives)) }
    }

    /// The precision–recall curve's points (recall, precision), one per group, lowest
    /// threshold last; thinned for drawing to points at least `step` apart in recall or
    /// precision from the last one kept (the first and last always kept).
    package static func prPoints(_ c: Curve, step: Double = 0.002) -> [(recall: Double, precision: Double)] {
        guard c.positives > 0 else { return [] }
        let all = zip(c.tp, c.fp).map { (Double($0) / Double(c.positives), Double($0) / Double($0 + $1)) }
        var kept: [(recall: Double, precision: Double)] = []
        for (k, p) in all.enumerated() {
            if let last = kept.last, k < all.count - 1,
               abs(p.0 - last.recall) < step, abs(p.1 - last.precision) < step { continue }
            kept.append((p.0, p.1))
        }
        return kept
    }

    /// The threshold among `candidates` whose binary F1 (`p > t`) is highest, the lowest
    /// such threshold on ties; nil without candidates.
    ///
    /// Meant for a validation split: choosing the threshold on the test set would report
    /// an optimistic F1. `nn eval` does not call it yet (runs have no validation split).
    static func thresholdMaximisingF1(probabilities p: [Double], labels y: [Int],
                                              candidates: [Double]) -> Double? {
        var best: (t: Double, f1: Double)?
        for t in candidates {
            let f1 = Metrics.binary(probabilities: p, labels: y, threshold: t).f1
            if best == nil || f1 > best!.f1 { best = (t, f1) }
        }
        return best?.t
    }
}
