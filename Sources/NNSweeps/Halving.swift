import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

/// The quantity of `history.csv` that successive halving ranks points by at each rung:
/// `loss` (the training loss of the epoch), or a validation column (`val_loss`, `val_f1`
/// for a binary target, `val_accuracy` for ten classes; these need `val_size` > 0).
package enum HalvingMetric: String, CaseIterable, Sendable {
    case loss
    case valLoss = "val_loss"
    case valF1 = "val_f1"
    case valAccuracy = "val_accuracy"

    /// The goal when `--goal` is not given: `min` for the losses, `max` for the others.
    var defaultGoal: HalvingGoal { self == .loss || self == .valLoss ? .min : .max }

    /// True for the validation columns, which need a validation set.
    var needsValidation: Bool { self != .loss }
}

/// Whether a lower (`min`) or higher (`max`) value of the halving metric is better.
package enum HalvingGoal: String, CaseIterable, Sendable {
    case min, max
}

/// Successive halving over a sweep's points (`nn sweep --halving`).
///
/// Rungs at `min_epochs`·ηᵏ epochs for every k with `min_epochs`·ηᵏ < `epochs`, and a
/// last rung at `epochs` itself (`rungs(epochs:)`). Every point trains to rung 0; of the
/// n_j points of rung j, the best ⌊n_j/η⌋ (at least 1) by `metric` at the rung's last epoch
/// go on to rung j + 1, continuing from their checkpoint (bit-exact: a promoted point's
/// files are those of an uninterrupted run), and the others stop there, keeping their run
/// directory as it stands. n_0 is the number of points; n_{j+1} = max(1, ⌊n_j/η⌋). Ties are
/// broken by point order (the earlier point wins); a point whose value is not a number
/// ranks after every number; a point that failed ranks last and is never promoted (its
/// place stays empty).
///
/// The promotions are exactly those of synchronous successive halving, so they do not
/// depend on the order in which points finish; the scheduling is asynchronous all the
/// same: a point goes on as soon as it is *certain* to be among the best ⌊n_j/η⌋ of its rung
/// (`HalvingScheduler`), so `--jobs` workers rarely wait for a whole rung.
package struct Halving: Equatable, Sendable {
    package var minEpochs: Int
    package var eta: Int
    package var metric: HalvingMetric
    package var goal: HalvingGoal

    package init(minEpochs: Int, eta: Int, metric: HalvingMetric, goal: HalvingGoal? = nil) {
        self.minEpochs = minEpochs
        self.eta = eta
        self.metric = metric
        self.goal = goal ?? metric.defaultGoal
    }

    /// The rungs' epoch counts for an experiment of `epochs` epochs (see the type). Needs
    /// 1 <= `minEpochs` < `epochs` and `eta` >= 2 (`check`); the multiplication stops
    /// before it could overflow.
    package func rungs(epochs: Int) -> [Int] {
        var out: [Int] = []
        var r = minEpochs
        while r < epochs {
            out.append(r)
            let (next, overflow) = r.multipliedReportingOverflow(by: eta)
            if overflow { break }
            r = next
        }
        return out + [epochs]
    }

    /// How many points each rung holds: n_0 = `points`, n_{j+1} = max(1, ⌊n_j/η⌋).
    func rungSizes(points: Int, rungs: Int) -> [Int] {
        var sizes = [points]
        while sizes.count < rungs { sizes.append(Swift.max(1, sizes.last! / eta)) }
        return sizes
    }

    /// Epochs that halving trains in all when every rung is full: Σ n_j (r_j − r_{j−1});
    /// nil when that overflows an Int.
    func plannedEpochs(points: Int, epochs: Int) -> Int? {
        let r = rungs(epochs: epochs), n = rungSizes(points: points, rungs: r.count)
        var total = 0
        for j in r.indices {
            let (product, o1) = n[j].multipliedReportingOverflow(by: r[j] - (j == 0 ? 0 : r[j - 1]))
            let (sum, o2) = total.addingReportingOverflow(product)
            if o1 || o2 { return nil }
            total = sum
        }
        return total
    }

    /// The column of `history.csv` the metric is read from.
    package var column: String { metric.rawValue }

    /// Checks the halving settings against a sweep's points before anything runs; each
    /// problem is a one-line error naming the flag: `--min-epochs` in 1..<epochs, `--eta`
    /// >= 2, the epochs not swept, no early stopping (halving decides when points stop),
    /// and for a validation metric a validation set on every point, the metric measured
    /// for the target, and every rung an epoch on which validation is evaluated.
    package func check(_ setup: SweepSetup) throws {
        if eta < 2 { throw NNError("--eta: must be >= 2, got \(eta)") }
        if minEpochs < 1 { throw NNError("--min-epochs: must be >= 1, got \(minEpochs)") }
        let epochs = setup.points.map(\.config.epochs).reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        if epochs.count > 1 {
            throw NNError("--halving: epochs is swept (\(epochs.map(String.init).joined(separator: ","))); halving needs one epochs value, the last rung")
        }
        for p in setup.points {
            let c = p.config
            if minEpochs >= c.epochs {
                throw NNError("--min-epochs: must be less than epochs (\(c.epochs)), got \(minEpochs)")
            }
            if c.earlyStopping {
                throw NNError("--halving: cannot be combined with early_stopping (halving decides when points stop)")
            }
            guard metric.needsValidation else { continue }
            if c.valSize == 0 {
                throw NNError("--metric \(metric.rawValue): needs a validation set; give --val-size N (or --metric loss)")
            }
            if metric != .valLoss && metric.rawValue != c.validationMetric.rawValue {
                throw NNError("--metric \(metric.rawValue): not measured for classes '\(c.classes.rawValue)'; use val_loss or \(c.validationMetric.rawValue)")
            }
            if let r = rungs(epochs: c.epochs).first(where: { $0 % c.evalEvery != 0 }) {
                throw NNError("--min-epochs: rung \(r) is not an epoch validation runs on (eval_every \(c.evalEvery)); choose --min-epochs and --eta so every rung is a multiple of it")
            }
        }
    }

    // MARK: - sweep.json

    /// The `halving` member of `sweep.json`: `{ "eta", "goal", "metric", "min_epochs" }`.
    package var json: JSONValue {
        .sortedObject(["min_epochs": .int(minEpochs), "eta": .int(eta), "metric": .string(metric.rawValue),
                       "goal": .string(goal.rawValue)])
    }

    /// Reads the `halving` member of `sweep.json`; `bad` makes the error.
    package static func read(_ value: JSONValue, bad: (String) -> NNError) throws -> Halving {
        guard case .number(let r)? = value["min_epochs"], let minEpochs = Int(r), minEpochs >= 1,
              case .number(let e)? = value["eta"], let eta = Int(e), eta >= 2,
              case .string(let m)? = value["metric"], let metric = HalvingMetric(rawValue: m),
              case .string(let g)? = value["goal"], let goal = HalvingGoal(rawValue: g) else {
            throw bad("halving needs min_epochs >= 1, eta >= 2, a metric and a goal")
        }
        return Halving(minEpochs: minEpochs, eta: eta, metric: metric, goal: goal)
    }

    /// For `--dry-run`: the rungs, how many points each holds, and the epochs trained
    /// against the full grid's.
    package func summary(points: Int, epochs: Int) -> String {
        let r = rungs(epochs: epochs), n = rungSizes(points: points, rungs: r.count)
        let rungText = zip(r, n).enumerated().map { "rung \($0.offset): \(NumberText.count($0.element.0, "epoch")) x \(NumberText.count($0.element.1, "point"))" }
        let full = points.multipliedReportingOverflow(by: epochs)
        var budget = ""
        if let planned = plannedEpochs(points: points, epochs: epochs), !full.overflow, full.partialValue > 0 {
            budget = String(format: "; \(planned) epochs at most, against \(full.partialValue) for the full grid (%.1f%%)",
                            100 * Double(planned) / Double(full.partialValue))
        }
        return "successive halving by \(metric.rawValue) (\(goal.rawValue)), eta \(eta), \(NumberText.count(points, "point")): "
            + rungText.joined(separator: ", ") + budget
    }
}

/// One point's result at one rung, as the scheduler sees it.
enum RungResult: Equatable, Sendable {
    /// The metric at the rung's last epoch (NaN when history.csv has no number there).
    case value(Double)
    /// The point failed while training to this rung.
    case failed
}

/// The promotion rule of successive halving, as a pure function of the results known so
/// far (no training, no files), so that tests can feed it any results in any order.
///
/// A point *p* of rung j with a result is promoted when it is certain to be among the best
/// q_j = `rungSizes`[j + 1] of the n_j points rung j will hold, whatever the results still
/// to come: when (points of rung j with a result that rank ahead of it) + (points that may
/// still join rung j or have no result there yet) < q_j. It is stopped when at least q_j
/// results rank ahead of it, or when it failed. Ranking: by value towards the goal, NaN
/// after every number, then by point index. Since each decision holds for every
/// completion of the results, the promotions are those of synchronous successive halving
/// in every order in which results arrive.
package struct HalvingScheduler: Sendable {
    /// Where a point stands.
    enum Fate: Equatable, Sendable {
        /// In rung `rung` without a result there: it is to be trained to that rung.
        case train(rung: Int)
        /// Has its result at rung `rung`; whether it goes on is not decided yet.
        case waiting(rung: Int)
        /// Will not go past rung `rung` (not among the best, or failed there).
        case stopped(rung: Int)
        /// Has its result at the last rung.
        case finished

        /// Stopped or finished: the point trains no further.
        var isSettled: Bool {
            switch self {
            case .stopped, .finished: return true
            case .train, .waiting: return false
            }
        }
    }

    package var sizes: [Int]
    package var lowerIsBetter: Bool

    package init(points: Int, rungs: Int, eta: Int, goal: HalvingGoal) {
        sizes = Halving(minEpochs: 1, eta: eta, metric: .loss).rungSizes(points: points, rungs: rungs)
        lowerIsBetter = goal == .min
    }

    /// `ahead`'s tie-break in the words the halving report states it.
    package static let tieRule = "equal values go to the earlier point (a rung is decided before later points' losses exist)"

    /// True when point `a` with value `x` ranks ahead of point `b` with value `y`.
    /// The metric is compared by `Ranking.ahead`, the rule every table ranks with; equal
    /// values go to the earlier point (`tieRule`: a rung's result is decided before the others' losses exist).
    package func ahead(_ a: Int, _ x: Double, _ b: Int, _ y: Double) -> Bool {
        Ranking.ahead(x, y, lowerIsBetter: lowerIsBetter) ?? (a < b)
    }

    /// Every point's fate given `results[p][j]` (nil: not known; points × rungs). Results
    /// of rungs a point has not been promoted to are ignored (it may have trained further
    /// in an earlier sweep of the directory).
    func fates(_ results: [[RungResult?]]) -> [Fate] {
        let n = results.count, last = sizes.count - 1
        var fate = [Fate](repeating: .train(rung: 0), count: n)
        var members = Array(0..<n)
        /// Points of the previous rung not decided yet (they may still join this rung).
        var undecided = 0
        for j in 0...last {
            let known = members.compactMap { p -> (p: Int, value: Double?)? in
                switch results[p][j] {
                case .value(let v)?: return (p, v)
                case .failed?: return (p, nil)
                case nil: return nil
                }
            }
            for p in members where results[p][j] == nil { fate[p] = .train(rung: j) }
            if j == last {
                for k in known { fate[k.p] = k.value == nil ? .stopped(rung: j) : .finished }
                break
            }
            let quota = sizes[j + 1]
            let unknown = (members.count - known.count) + Swift.min(undecided, sizes[j] - members.count)
            let values = known.compactMap { k in k.value.map { (p: k.p, v: $0) } }
            var promoted: [Int] = []
            undecided = 0
            for k in known {
                guard let v = k.value else { fate[k.p] = .stopped(rung: j); continue }
                let before = values.filter { ahead($0.p, $0.v, k.p, v) }.count
                if before + unknown < quota {
                    promoted.append(k.p)
                } else if before >= quota {
                    fate[k.p] = .stopped(rung: j)
                } else {
                    fate[k.p] = .waiting(rung: j)
                    undecided += 1
                }
            }
            undecided += members.count - known.count
            members = promoted
        }
        return fate
    }
}
