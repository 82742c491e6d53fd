import Foundation
import Testing
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// Successive halving's rungs and promotion rule, on fake rung results (no training).
@Suite struct HalvingTests {
    typealias Fate = HalvingScheduler.Fate

    @Test func rungsGrowByEtaAndEndAtTheEpochs() {
        #expect(Halving(minEpochs: 3, eta: 3, metric: .valF1).rungs(epochs: 27) == [3, 9, 27])
        #expect(Halving(minEpochs: 2, eta: 3, metric: .valF1).rungs(epochs: 20) == [2, 6, 18, 20])
        #expect(Halving(minEpochs: 1, eta: 2, metric: .loss).rungs(epochs: 8) == [1, 2, 4, 8])
        #expect(Halving(minEpochs: 5, eta: 4, metric: .loss).rungs(epochs: 6) == [5, 6])
        // No overflow however large the numbers.
        #expect(Halving(minEpochs: Int.max / 2, eta: 3, metric: .loss).rungs(epochs: Int.max) == [Int.max / 2, Int.max])
        #expect(Halving(minEpochs: 1, eta: 3, metric: .loss).rungSizes(points: 27, rungs: 3) == [27, 9, 3])
        #expect(Halving(minEpochs: 1, eta: 3, metric: .loss).rungSizes(points: 10, rungs: 4) == [10, 3, 1, 1])
        // 27 x 3 + 9 x 6 + 3 x 18 epochs of 27 x 27.
        #expect(Halving(minEpochs: 3, eta: 3, metric: .loss).plannedEpochs(points: 27, epochs: 27) == 189)
        #expect(Halving(minEpochs: 1, eta: 3, metric: .loss).plannedEpochs(points: 27, epochs: Int.max) == nil)
        #expect(!Halving(minEpochs: 1, eta: 3, metric: .loss).summary(points: 27, epochs: Int.max).contains("epochs at most"))
    }

    @Test func goalsDefaultByMetric() {
        #expect(HalvingMetric.loss.defaultGoal == .min && HalvingMetric.valLoss.defaultGoal == .min)
        #expect(HalvingMetric.valF1.defaultGoal == .max && HalvingMetric.valAccuracy.defaultGoal == .max)
        #expect(Halving(minEpochs: 1, eta: 3, metric: .valF1, goal: .min).goal == .min)
    }

    /// Synchronous successive halving, written plainly: the reference the scheduler must match.
    static func synchronous(_ results: [[RungResult]], eta: Int, goal: HalvingGoal) -> [Fate] {
        let rungs = results.first?.count ?? 0
        let sizes = Halving(minEpochs: 1, eta: eta, metric: .loss).rungSizes(points: results.count, rungs: rungs)
        var fate = [Fate](repeating: .stopped(rung: 0), count: results.count)
        var members = Array(results.indices)
        for j in 0..<rungs {
            if j == rungs - 1 {
                for p in members { fate[p] = results[p][j] == .failed ? .stopped(rung: j) : .finished }
                break
            }
            let ok = members.compactMap { p -> (Int, Double)? in
                if case .value(let v) = results[p][j] { return (p, v) } else { return nil }
            }
            let ranked = ok.sorted { a, b in
                if a.1.isNaN != b.1.isNaN { return b.1.isNaN }
                if !a.1.isNaN && a.1 != b.1 { return goal == .min ? a.1 < b.1 : a.1 > b.1 }
                return a.0 < b.0
            }.map(\.0)
            let promoted = Array(ranked.prefix(sizes[j + 1]))
            for p in members where !promoted.contains(p) { fate[p] = .stopped(rung: j) }
            members = promoted.sorted()
        }
        return fate
    }

    /// Runs the scheduler as a sweep would, revealing one result at a time: each step
    /// picks (by `order`'s generator) one of the jobs the scheduler asks for and reveals
    /// its result. Returns the final fates and every (point, rung) trained.
    static func simulate(_ truth: [[RungResult]], eta: Int, goal: HalvingGoal, seed: UInt32) -> (fates: [Fate], trained: Set<[Int]>) {
        let scheduler = HalvingScheduler(points: truth.count, rungs: truth[0].count, eta: eta, goal: goal)
        var known = truth.map { $0.map { _ in RungResult?.none } }
        var rng = MT19937(seed: seed)
        var trained = Set<[Int]>()
        while true {
            let fates = scheduler.fates(known)
            let jobs = fates.enumerated().compactMap { p, f -> (Int, Int)? in
                if case .train(let j) = f { return (p, j) } else { return nil }
            }
            guard !jobs.isEmpty else { return (fates, trained) }
            let (p, j) = jobs[Int(rng.nextUInt32() % UInt32(jobs.count))]
            #expect(!trained.contains([p, j]), "point \(p) trained twice to rung \(j)")
            trained.insert([p, j])
            known[p][j] = truth[p][j]
        }
    }

    /// The (point, rung) pairs synchronous halving trains.
    static func trainedBy(_ fates: [Fate], rungs: Int) -> Set<[Int]> {
        var out = Set<[Int]>()
        for (p, f) in fates.enumerated() {
            let last: Int
            switch f {
            case .finished: last = rungs - 1
            case .stopped(let j), .waiting(let j), .train(let j): last = j
            }
            for j in 0...last { out.insert([p, j]) }
        }
        return out
    }

    /// Nine points whose metric is their index (goal max): the known answer is 6, 7, 8 to
    /// rung 1 and 8 alone through rung 2.
    @Test func promotionsOnAKnownObjective() {
        let truth = (0..<9).map { p in (0..<3).map { _ in RungResult.value(Double(p)) } }
        let expected: [Fate] = (0..<6).map { _ in .stopped(rung: 0) } + [.stopped(rung: 1), .stopped(rung: 1), .finished]
        let scheduler = HalvingScheduler(points: 9, rungs: 3, eta: 3, goal: .max)
        #expect(scheduler.fates(truth.map { $0.map { $0 } }) == expected)
        #expect(Self.synchronous(truth, eta: 3, goal: .max) == expected)
        // Minimising instead: 0, 1, 2 then 0.
        let low = HalvingScheduler(points: 9, rungs: 3, eta: 3, goal: .min).fates(truth.map { $0.map { $0 } })
        #expect(low == [.finished, .stopped(rung: 1), .stopped(rung: 1)] + (3..<9).map { _ in .stopped(rung: 0) })
    }

    /// A synthetic learning-rate objective: the metric at rung j is a bowl around lr 0.3
    /// that sharpens as training goes on, so the three points nearest 0.3 reach the last
    /// rung (27 -> 9 -> 3) and the six next nearest stop at rung 1.
    @Test func theBestPointOfABowlWins() {
        let lrs = (0..<27).map { 0.01 * pow(100, Double($0) / 26) }
        let truth = lrs.map { lr in (0..<3).map { j in RungResult.value(-abs(log(lr / 0.3)) * Double(j + 1)) } }
        let fates = HalvingScheduler(points: 27, rungs: 3, eta: 3, goal: .max).fates(truth.map { $0.map { $0 } })
        let nearest = lrs.indices.sorted { abs(log(lrs[$0] / 0.3)) < abs(log(lrs[$1] / 0.3)) }
        #expect(fates.indices.filter { fates[$0] == .finished } == nearest[..<3].sorted())
        #expect(fates.indices.filter { fates[$0] == .stopped(rung: 1) } == nearest[3..<9].sorted())
    }

    /// Nothing is promoted while the outcome could still change, and a point is promoted
    /// as soon as no remaining result can push it out.
    @Test func promotesOnlyWhenCertain() {
        let s = HalvingScheduler(points: 9, rungs: 2, eta: 3, goal: .max)
        var known = [[RungResult?]](repeating: [nil, nil], count: 9)
        // The three best so far, six unknown: nothing is certain.
        for p in 0..<3 { known[p][0] = .value(10 + Double(p)) }
        #expect(s.fates(known)[0...2].allSatisfy { $0 == .waiting(rung: 0) })
        // Seven known, point 2 (12) ahead of all: 0 ahead + 2 unknown < 3, promoted.
        for p in 3..<7 { known[p][0] = .value(Double(p)) }
        var f = s.fates(known)
        #expect(f[2] == .train(rung: 1))
        #expect(f[1] == .waiting(rung: 0))          // 1 ahead + 2 unknown = 3: not yet
        #expect(f[3] == .stopped(rung: 0))          // 3 ahead already
        known[7][0] = .value(0)
        f = s.fates(known)
        #expect(f[1] == .train(rung: 1) && f[0] == .waiting(rung: 0))
        known[8][0] = .failed
        f = s.fates(known)
        #expect(f[0] == .train(rung: 1) && f[8] == .stopped(rung: 0) && f[7] == .stopped(rung: 0))
    }

    /// Whatever order results arrive in, the promotions are synchronous halving's and no
    /// point is trained to a rung synchronous halving would not train it to: ties (broken
    /// by index), NaN and failures included.
    @Test(arguments: [(27, 3, 3), (10, 3, 4), (8, 2, 4), (5, 4, 2), (1, 3, 3)])
    func completionOrderDoesNotMatter(points: Int, eta: Int, rungs: Int) {
        var rng = MT19937(seed: UInt32(points * 100 + eta * 10 + rungs))
        let truth = (0..<points).map { _ in
            (0..<rungs).map { _ -> RungResult in
                switch rng.nextUInt32() % 10 {
                case 0: return .failed
                case 1: return .value(.nan)
                case 2, 3: return .value(0.5)                 // ties
                default: return .value(Double(rng.nextUInt32() % 1000) / 1000)
                }
            }
        }
        for goal in HalvingGoal.allCases {
            let reference = Self.synchronous(truth, eta: eta, goal: goal)
            for seed in UInt32(1)...6 {
                let run = Self.simulate(truth, eta: eta, goal: goal, seed: seed)
                #expect(run.fates == reference, "goal \(goal), order \(seed)")
                #expect(run.trained == Self.trainedBy(reference, rungs: rungs), "goal \(goal), order \(seed)")
            }
        }
    }

    /// Results of rungs a point was never promoted to (it trained further in an earlier
    /// sweep of the directory) change nothing.
    @Test func resultsBeyondAPointsRungAreIgnored() {
        var truth = (0..<9).map { p in (0..<3).map { _ in RungResult?.some(.value(Double(p))) } }
        let before = HalvingScheduler(points: 9, rungs: 3, eta: 3, goal: .max).fates(truth)
        truth[0][2] = .value(100)
        #expect(HalvingScheduler(points: 9, rungs: 3, eta: 3, goal: .max).fates(truth) == before)
    }

    @Test func sweepJSONRoundTrips() throws {
        let h = Halving(minEpochs: 3, eta: 3, metric: .valF1)
        #expect(h.json.encoded(pretty: false) == #"{"eta":3,"goal":"max","metric":"val_f1","min_epochs":3}"#)
        #expect(try Halving.read(h.json) { NNError($0) } == h)
        #expect(sweepError { _ = try Halving.read(.sortedObject(["eta": .int(1)])) { NNError($0) } }
                == "halving needs min_epochs >= 1, eta >= 2, a metric and a goal")
    }
}
