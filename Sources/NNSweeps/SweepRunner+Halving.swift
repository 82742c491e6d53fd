import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

extension SweepRunner {
    /// Point `p`'s command for one rung: `nn sweep-point --epochs R ...` (`SweepPointRunner.runToRung`).
    func command(_ p: ResolvedPoint, epochs: Int) -> [String] {
        let c = command(p)
        return [c[0], c[1], "--epochs", String(epochs)] + c.dropFirst(2)
    }

    /// Refuses to run or plan a sweep in `dir` whose `sweep.json` has other halving
    /// settings (or halving where this sweep has none, or none where it has), so that
    /// points stopped early are never retrained, nor finished points mistaken for stopped.
    func checkSameHalving() throws {
        let path = SweepDirectory(dir).plan
        guard FileManager.default.fileExists(atPath: path) else { return }
        let old = try SweepPlan.read(path: path).halving
        guard old != plan.halving else { return }
        func describe(_ h: Halving?) -> String {
            h.map { "--halving --min-epochs \($0.minEpochs) --eta \($0.eta) --metric \($0.metric.rawValue) --goal \($0.goal.rawValue)" }
                ?? "no --halving"
        }
        throw NNError("\(dir): is a sweep with \(describe(old)), not \(describe(plan.halving)); give the same settings or another --out")
    }

    /// Runs a successive-halving sweep (`Halving`) with at most `jobs` child processes:
    /// each job trains one point to one rung (`command(_:epochs:)`), and after each the
    /// results known so far decide which points go on (`HalvingScheduler`); promoted
    /// points are started before new points of rung 0, higher rungs first, then in point
    /// order. The promotions, and so every results file, do not depend on `jobs` or on
    /// the order in which jobs end. Resumable like a grid: what the run directories
    /// already hold is not trained again, and a point that failed is retried.
    /// `summary.csv` is rewritten after every job.
    func runHalving(_ halving: Halving, jobs: Int, progress: (Event) -> Void) throws -> SweepSummary.Counts {
        let start = DispatchTime.now().uptimeNanoseconds
        let (lock, cache) = try beginRun()
        defer { withExtendedLifetime(lock) {} }

        let rungs = halving.rungs(epochs: Halving.fullEpochs(plan))
        let scheduler = HalvingScheduler(points: setup.points.count, rungs: rungs.count, eta: halving.eta, goal: halving.goal)
        func read(_ n: Int) -> Halving.PointState {
            halving.state(runDir: SweepDirectory(dir).run(setup.points[n].point.id).directory, id: setup.points[n].point.id, rungs: rungs)
        }
        var states = setup.points.indices.map(read)
        for n in states.indices where states[n].failure != nil {     // retried: the failure is forgotten
            states[n].results = states[n].results.map { $0 == .failed ? nil : $0 }
        }
        for (n, fate) in scheduler.fates(states.map(\.results)).enumerated() {
            guard let need = Halving.neededEpochs(fate, results: states[n].results, rungs: rungs),
                  let done = states[n].completeEpochs, done >= need else { continue }
            if fate.isSettled {
                progress(Event(index: n, point: setup.points[n].point, state: .complete, ran: false, seconds: 0, message: nil,
                               rung: rungs.firstIndex(of: need)))
            }
        }

        let children = SweepChildren(sweepDirectory: dir)
        defer { children.close() }
        var seconds = [Double](repeating: 0, count: setup.points.count)
        var ran = Set<Int>()
        var inFlight: [Int: Int] = [:]       // point -> rung index
        var attempted = Set<[Int]>()         // [point, rung] launched by this run
        while true {
            let fates = scheduler.fates(states.map(\.results))
            var todo: [(rung: Int, point: Int)] = []
            for (n, fate) in fates.enumerated() where inFlight[n] == nil {
                guard let need = Halving.neededEpochs(fate, results: states[n].results, rungs: rungs) else { continue }
                if let done = states[n].completeEpochs, done >= need { continue }
                todo.append((rungs.firstIndex(of: need) ?? 0, n))
            }
            todo.sort { $0.rung != $1.rung ? $0.rung > $1.rung : $0.point < $1.point }
            var changed = false
            for job in todo where children.running < max(1, jobs) {
                if attempted.contains([job.point, job.rung]) {
                    states[job.point].results[job.rung] = .failed      // ran once this time already: never loop
                    changed = true
                    continue
                }
                attempted.insert([job.point, job.rung])
                let p = setup.points[job.point]
                try children.launch(index: job.point, name: p.point.id, arguments: command(p, epochs: rungs[job.rung]))
                inFlight[job.point] = job.rung
            }
            if children.running == 0 {
                if changed { continue }
                break
            }

            let done = children.next()
            let n = done.index, p = setup.points[n], rung = inFlight.removeValue(forKey: n) ?? 0
            let runDir = SweepDirectory(dir).run(p.point.id).directory
            var message: String?
            if done.signal != nil || ![0, 1].contains(done.status) {
                message = done.stderr.split(separator: "\n").last.map(String.init) ?? "exited with status \(done.status)"
            }
            try children.exclusive {
                var state = read(n)
                let reached = state.completeEpochs.map { $0 >= rungs[rung] } ?? false
                if !reached && state.results[rung] != .failed {
                    // It could not run the point (killed, or a setup error): recorded as a failure there.
                    let error = done.signal.map { "nn sweep-point was killed by signal \($0)" } ?? message ?? "no evaluated run"
                    try SweepDirectory.recordFailure(runDir: runDir, error: error, epochs: rungs[rung])
                    state = read(n)
                }
                states[n] = state
                try SweepDirectory(dir).writeSummary(plan, cache: cache)
            }
            seconds[n] += done.seconds
            ran.insert(n)
            let outcome: SweepDirectory.PointState = states[n].failure.map { .failed(error: $0) }
                ?? (states[n].results[rung] == nil ? .pending : .complete)
            progress(Event(index: n, point: p.point, state: outcome, ran: true, seconds: done.seconds, message: message, rung: rung))
        }
        return try endRun(children: children, cache: cache, jobs: jobs, start: start, ran: ran, seconds: seconds)
    }
}

extension SweepRunner {
    /// `--dry-run` of a halving sweep: the rungs and how many points each holds, then per
    /// point where its run directory stands and the command of its next job, if any.
    func halvingDryRunText(_ halving: Halving) -> String {
        let rungs = halving.rungs(epochs: Halving.fullEpochs(plan))
        var lines = [halving.summary(points: plan.points.count, epochs: rungs[rungs.count - 1])]
        let states = setup.points.map { halving.state(runDir: SweepDirectory(dir).run($0.point.id).directory, id: $0.point.id, rungs: rungs) }
        let fates = HalvingScheduler(points: plan.points.count, rungs: rungs.count, eta: halving.eta, goal: halving.goal)
            .fates(states.map(\.results))
        for (n, p) in setup.points.enumerated() {
            let state: String
            switch fates[n] {
            case .train(let j): state = "to train to rung \(j) (\(NumberText.count(rungs[j], "epoch")))"
            case .waiting(let j): state = "rung \(j) done, not decided yet"
            case .stopped(let j): state = states[n].results[j] == .failed ? "failed at rung \(j) (retry)" : "stopped at rung \(j) (\(NumberText.count(rungs[j], "epoch")))"
            case .finished: state = "trained all \(NumberText.count(rungs[rungs.count - 1], "epoch"))"
            }
            lines.append("\(n + 1)/\(plan.points.count)  \(p.point.id)  \(state)  \(p.point.label)")
            if let need = Halving.neededEpochs(fates[n], results: states[n].results, rungs: rungs),
               !(states[n].completeEpochs.map { $0 >= need } ?? false) {
                lines.append("    " + command(p, epochs: need).map(Self.shellQuote).joined(separator: " "))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
