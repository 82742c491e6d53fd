import Foundation
import NNBase
import NNKernel
import NNFormats

/// Whether a lower (`min`) or higher (`max`) value of a metric is better.
package enum RankGoal: String, CaseIterable, Sendable {
    case min, max

    /// `min` for losses (any name containing `loss`), `max` for everything else.
    package static func of(_ metric: String) -> RankGoal { metric.contains("loss") ? .min : .max }
}

/// The one rule that says which run is best, used by `nn runs`, sweep reports and
/// successive halving (`ahead`):
///
/// - **Metric.** `--rank-by METRIC [--goal min|max]` when given. Otherwise, per task,
///   `val_loss` when every rankable row has one (chosen without the test set, and a
///   model that predicts one class everywhere has a poor loss); else a threshold-free
///   test metric that a degenerate model cannot win: `average_precision` for a binary
///   target (a constant score gets the positive rate, 0.1 for "is it an 8"; then
///   `roc_auc`, then `accuracy`, for runs evaluated before AP existed), `accuracy` for ten
///   classes. F1 at a threshold is never the default: it ties at 0 for every run
///   that predicts no positives.
/// - **Who ranks.** Only rows that are complete (`ok`) and have a finite value: diverged,
///   failed, pending and incomplete rows never rank.
/// - **Against whom.** Rows are ranked only against rows on the same data (`group`: the
///   prepared data's identity, so a 2,000-sample test set is never ranked against a
///   20,000-sample one).
/// - **Ties.** Broken by the lower `last_epoch_loss` (the training loss), then by the run
///   directory's path (`Entry.path`; within one sweep, its points' paths differ only in
///   the run id), so exactly one row per group is best.
///
/// Every table that marks a best row states this rule with `statement` (its text after
/// the metric is `rule`); successive halving's promotions compare the metric with `ahead`
/// but break its ties by point order (`HalvingScheduler.tieRule`).
package struct Ranking: Sendable, Equatable {
    package var metric: String
    package var goal: RankGoal
    /// True when `--rank-by` chose the metric.
    var chosen: Bool

    package init(metric: String, goal: RankGoal? = nil, chosen: Bool = false) {
        self.metric = metric
        self.goal = goal ?? RankGoal.of(metric)
        self.chosen = chosen
    }

    /// The metric and its goal: `val_loss (lower is better)`.
    package var phrase: String { "\(metric) (\(goal == .min ? "lower" : "higher") is better)" }

    /// The rule after the metric, in the words every table uses (`statement`) and `nn runs
    /// --help` quotes.
    package static let rule = "per data set; ties: lower last_epoch_loss, then path; only complete runs"

    /// The rule's statement for a table's header or footnote (`nn runs`, `nn report
    /// --html`, the sweep report): `ranked by val_loss (lower is better) per data set;
    /// ties: lower last_epoch_loss, then path; only complete runs`.
    package static func statement(_ rankings: [Ranking]) -> String {
        let metrics = rankings.reduce(into: [Ranking]()) { if !$0.contains($1) { $0.append($1) } }.map(\.phrase)
        return "ranked by \(metrics.isEmpty ? "nothing (no rankable rows)" : metrics.joined(separator: ", ")) \(rule)"
    }

    /// The default ranking of the rows of one task (`classes` binary or all), given each
    /// rankable row's columns.
    package static func choose(task: String?, rows: [[String: String]], rankBy: String? = nil, goal: RankGoal? = nil) -> Ranking {
        if let rankBy { return Ranking(metric: rankBy, goal: goal, chosen: true) }
        if !rows.isEmpty, rows.allSatisfy({ finite($0["val_loss"]) != nil }) { return Ranking(metric: "val_loss", goal: goal) }
        let candidates = task == "all" ? ["accuracy"] : thresholdFree
        let metric = candidates.first { m in !rows.isEmpty && rows.allSatisfy { finite($0[m]) != nil } }
            ?? candidates.first { m in rows.contains { finite($0[m]) != nil } } ?? candidates[0]
        return Ranking(metric: metric, goal: goal)
    }

    /// What `choose` picks without `--rank-by`, in words for help texts (`nn report --help`).
    package static let defaultMetric = "val_loss when every complete run has one, else \(thresholdFree[0]), or accuracy for ten classes"

    /// A binary task's default test metrics, in order of preference: the first that every
    /// rankable row has (runs evaluated before `nn eval` computed the AUCs lack them).
    static let thresholdFree = ["average_precision", "roc_auc", "accuracy"]

    /// True when value `x` ranks ahead of `y` towards `lowerIsBetter`'s goal, nil when
    /// neither does (equal); NaN after every number. Successive halving ranks with this.
    package static func ahead(_ x: Double, _ y: Double, lowerIsBetter: Bool) -> Bool? {
        if x.isNaN != y.isNaN { return y.isNaN }
        if x.isNaN || x == y { return nil }
        return lowerIsBetter ? x < y : x > y
    }

    /// One row to rank.
    package struct Entry: Sendable {
        /// The data it was measured on: rows rank only within one group.
        package var group: String
        /// Complete (evaluated, not diverged or failed).
        package var complete: Bool
        /// Its value of the ranking metric (text, as stored).
        package var value: String?
        /// Its `last_epoch_loss`, the first tie-break.
        package var loss: String?
        /// Its run directory's path, the last tie-break.
        package var path: String

        package init(group: String, complete: Bool, value: String?, loss: String?, path: String) {
            self.group = group
            self.complete = complete
            self.value = value
            self.loss = loss
            self.path = path
        }
    }

    /// Each entry's rank within its group (1 = best, exactly one per group that has a
    /// rankable entry), nil for entries that do not rank.
    package func ranks(_ entries: [Entry]) -> [Int?] {
        var out = [Int?](repeating: nil, count: entries.count)
        let rankable = entries.indices.filter { entries[$0].complete && Self.finite(entries[$0].value) != nil }
        for (_, members) in Dictionary(grouping: rankable, by: { entries[$0].group }) {
            let ordered = members.sorted { a, b in isBefore(entries[a], entries[b]) }
            for (r, i) in ordered.enumerated() { out[i] = r + 1 }
        }
        return out
    }

    /// The order of two rankable entries: metric, then lower loss, then path.
    package func isBefore(_ a: Entry, _ b: Entry) -> Bool {
        if let x = Self.finite(a.value), let y = Self.finite(b.value), let first = Self.ahead(x, y, lowerIsBetter: goal == .min) {
            return first
        }
        let (la, lb) = (Self.finite(a.loss) ?? .infinity, Self.finite(b.loss) ?? .infinity)
        if la != lb { return la < lb }
        return a.path < b.path
    }

    /// A cell's finite number, or nil.
    package static func finite(_ text: String?) -> Double? {
        guard let v = text.flatMap(NumberText.parse), v.isFinite else { return nil }
        return v
    }
}
