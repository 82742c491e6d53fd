import ArgumentParser
import Foundation
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

extension HalvingMetric: ExpressibleByArgument {}
extension HalvingGoal: ExpressibleByArgument {}

/// `nn sweep`: the cartesian product of a grid over a base experiment, one run directory
/// per point, one `summary.csv`. See `SweepGrid` (lists), `SweepPlan` (run ids,
/// sweep.json), `SweepFiles` (layout), `SweepTable` (summary.csv), `SweepRunner`.
///
/// Exit status: 0 every point ok; 1 some point failed (or, after `--collect`, has not
/// run); 2 bad input or any other error (nothing run, nothing computed removed).
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train and evaluate every point of a grid; write one summary.csv.",
        discussion: """
        Lists: --lr 0.1,0.3 --epochs 20,40 --layers "785,395,200,100,20,1;785,100,1" \
        (';' separates values of the list-valued keys layers and activations, ',' the \
        others); --grid key=v1,v2 for any other experiment key. The lists override the \
        base experiment file's "grid" section key by key. Points: the cartesian product, \
        keys in alphabetical order (first key slowest), values in the order given.

        Random search: --random N --sample-seed S samples N points of the keys given a \
        distribution instead of a list: uniform:A:B, loguniform:A:B, int:A:B, \
        choice:V1,V2 (as a flag's value, --grid key=..., or the file's grid section), \
        reals rounded to 6 significant digits; the same S gives the same points. Other \
        keys' lists multiply them (sample slowest).

        Successive halving: --halving --min-epochs R --eta 3 --metric val_f1 --goal max \
        trains every point to rung 0 (R epochs); of the n points of a rung the best \
        floor(n/eta) (at least 1) by the metric at the rung's last epoch go on to the next \
        rung (R*eta, R*eta^2, ..., and last the experiment's epochs), continuing from their \
        checkpoints (bit-exact); the others stop there and keep their runs. Ties go to the \
        earlier point; a failed point ranks last. A point goes on as soon as it is \
        certain to be among the best, whatever the results still to come, so --jobs \
        keeps workers busy while the promotions stay those of synchronous halving: the \
        same points and files for any --jobs and any re-run. summary.csv gains rung and \
        stopped_at. Validation metrics need --val-size; --plan and --submit do not apply.

        Writes results/sweeps/<name>/: sweep.json, summary.csv, timing.json, report.md, \
        runs/<run id>/, logs/<run id>.log (a point's standard error, kept unless it \
        ended ok). Re-running skips complete points and retries failed ones; a second \
        sweep of the same directory waits until the first is done. \
        Every point runs `nn sweep-point` with --threads threads (default 1, whatever \
        --jobs is, so results do not depend on --jobs); --jobs defaults to the cores \
        divided by --threads, so a sweep uses the whole machine. --plan FILE writes those commands, \
        one per line, for `parallel -j N < FILE`, `xargs -P` or a Slurm array; \
        --collect DIR then writes the summary. --submit slurm submits the points that are \
        not complete as a Slurm job array (--cpus-per-task = --threads) and a job that \
        collects the summary after it; --status DIR shows pending/running/done/failed.

        Exit status: 0 all points ok, 1 some point failed, 2 bad input or error.
        """
    )

    @Option(name: .customLong("config"), help: "Base experiment file (default: experiments/notebook.json if present, else the notebook's built-in values).",
            completion: .file(extensions: ["json"]))
    var config: String?

    @Option(help: "Sweep name (default: the base experiment's name).")
    var name: String?

    @Option(help: "Sweep directory (default: results/sweeps/<name>).", completion: .directory)
    var out: String?

    @Option(help: "Prepared data directory for every point (default: the one `nn prepare` writes for each point's data keys).",
            completion: .directory)
    var data: String?

    @OptionGroup(title: "Experiment keys, each a list of values to sweep (',' between values, ';' for layers and activations)")
    var keys: ExperimentFlags

    @Option(name: .customLong("grid"), help: ArgumentHelp("Any experiment key: key=v1,v2 (repeatable).", valueName: "key=values"))
    var grid: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("Random search: N samples of the keys given a distribution (--lr loguniform:0.01:1, --batch-size choice:32,64,128, --grid key=uniform:A:B or int:A:B), times the grid of the other keys.", valueName: "N"))
    var random: Int?

    @Option(name: .customLong("sample-seed"), parsing: .unconditional, help: "Seed of --random's sampling (0 to 4294967295; default 0): the same seed gives the same points and run ids.")
    var sampleSeed: Int?

    @Flag(help: "Successive halving: stop the worse points early at rungs of --min-epochs * --eta^k epochs.")
    var halving = false

    @Option(name: .customLong("min-epochs"), parsing: .unconditional, help: "Halving: epochs of the first rung (>= 1, less than the experiment's epochs; default 1).")
    var minEpochs: Int?

    @Option(parsing: .unconditional, help: "Halving: each rung keeps the best 1/eta of the points and trains eta times as many epochs (>= 2; default 3).")
    var eta: Int?

    @Option(help: "Halving: history.csv column that ranks the points at each rung (default: the experiment's monitor, val_loss unless set).")
    var metric: HalvingMetric?

    @Option(help: "Halving: whether a lower (min) or higher (max) --metric is better (default: min for the losses, else max).")
    var goal: HalvingGoal?

    @Option(parsing: .unconditional, help: "Points run at once (child processes; default: cores / --threads, at least 1).")
    var jobs: Int?

    /// `--jobs`, or as many points at once as the cores hold at `--threads` each (results
    /// do not depend on it: every point runs with exactly `--threads` threads).
    var effectiveJobs: Int { jobs ?? max(1, ProcessInfo.processInfo.activeProcessorCount / threads) }

    @Option(parsing: .unconditional, help: "BLAS and element-wise threads of every point (results depend on it in the last bits).")
    var threads = 1

    @Flag(name: .customLong("dry-run"), help: "Print the points, their state and commands; run and write nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Write the per-point commands to FILE (and the sweep directory's setup) instead of running them.", valueName: "FILE"), completion: .file())
    var plan: String?

    @Option(help: ArgumentHelp("Write summary.csv (and report) of an existing sweep directory, e.g. after a plan ran.", valueName: "DIR"), completion: .directory)
    var collect: String?

    @Option(help: ArgumentHelp("Submit the pending points to a scheduler: slurm (a job array of `nn sweep-point` tasks, then a job that collects the summary).", valueName: "slurm"),
            completion: .list(["slurm"]))
    var submit: String?

    @Option(name: .customLong("slurm-args"), parsing: .unconditional, help: ArgumentHelp("Extra sbatch options for both jobs, split at blanks (e.g. \"--partition=short --time=1:00:00\").", valueName: "ARGS"))
    var slurmArgs: String?

    @Option(help: ArgumentHelp("Print each point's state (pending, running, done, failed) from the run directories of the sweep in DIR.", valueName: "DIR"),
            completion: .directory)
    var status: String?

    @Option(help: "The nn executable named in --plan commands (default: this one, absolute path).", completion: .file())
    var executable: String?

    func validate() throws {
        if let jobs, jobs < 1 { throw NNError("--jobs: must be >= 1, got \(jobs)") }
        if let random, random < 1 { throw NNError("--random: must be >= 1, got \(random)") }
        if let sampleSeed {
            if random == nil { throw NNError("--sample-seed: applies only to --random N") }
            if UInt32(exactly: sampleSeed) == nil { throw NNError("--sample-seed: must be in 0...4294967295, got \(sampleSeed)") }
        }
        try validateThreads(threads)
        if let name { try ExperimentConfig.validateName(name, source: "--name") }
        let modes = [dryRun ? "--dry-run" : nil, plan.map { _ in "--plan" }, collect.map { _ in "--collect" },
                     submit.map { _ in "--submit" }, status.map { _ in "--status" }].compactMap { $0 }
        if modes.count > 1 { throw NNError("\(modes.joined(separator: ", ")): choose one") }
        if executable != nil && plan == nil && !dryRun && submit == nil { throw NNError("--executable: applies only to --plan, --submit and --dry-run") }
        if let submit, submit != "slurm" { throw NNError("--submit: the only scheduler is slurm, got '\(submit)'") }
        if slurmArgs != nil && submit == nil { throw NNError("--slurm-args: applies only to --submit slurm") }
        let halvingFlags = [minEpochs.map { _ in "--min-epochs" }, eta.map { _ in "--eta" }, metric.map { _ in "--metric" },
                            goal.map { _ in "--goal" }].compactMap { $0 }
        if !halving, let first = halvingFlags.first { throw NNError("\(first): applies only to --halving") }
        if let minEpochs, minEpochs < 1 { throw NNError("--min-epochs: must be >= 1, got \(minEpochs)") }
        if let eta, eta < 2 { throw NNError("--eta: must be >= 2, got \(eta)") }
        if halving, let mode = plan.map({ _ in "--plan" }) ?? submit.map({ _ in "--submit" }) {
            throw NNError("--halving: cannot be combined with \(mode) (the promotions are decided as results come in; run nn sweep --halving)")
        }
        if collect != nil || status != nil {
            let given = keys.given.map(\.source) + (halving ? ["--halving"] : []) + (grid.isEmpty ? [] : ["--grid"])
                + (config == nil ? [] : ["--config"]) + (data == nil ? [] : ["--data"]) + (random == nil ? [] : ["--random"])
            if let first = given.first {
                throw NNError("\(collect != nil ? "--collect" : "--status"): reads the sweep's own sweep.json; \(first) does not apply")
            }
        }
    }

    func run() throws {
        if let status {
            print(try SweepStatus.text(dir: SweepSetup.absolutePath(status)), terminator: "")
            return
        }
        if let collect {
            let (_, counts) = try SweepRunner.collect(dir: collect)
            try finish(dir: SweepSetup.absolutePath(collect), counts: counts)
            return
        }
        var setup = try SweepSetup.resolve(config: config, name: name, dataDirectory: data, lists: keys.given,
                                           assignments: grid, threads: threads,
                                           random: random.map { ($0, UInt32(sampleSeed ?? 0)) })
        if halving { try setup.useHalving(minEpochs: minEpochs ?? 1, eta: eta ?? 3, metric: metric, goal: goal) }
        let dir = out ?? "results/sweeps/\(setup.plan.name)"
        let runner = SweepRunner(setup: setup, dir: dir, executable: executable ?? SweepRunner.currentExecutable())
        if dryRun {
            if FileManager.default.fileExists(atPath: dir) { try SweepFiles.checkOurs(dir, creating: true) }
            print(runner.dryRunText(jobs: effectiveJobs), terminator: "")
            return
        }
        if submit != nil {
            try submitSlurm(runner)
            return
        }
        if let plan {
            try runner.writePlan(to: plan)
            print("wrote \(plan): \(setup.points.count) commands, one per point of \(runner.dir)")
            print("run them with e.g. `parallel -j \(effectiveJobs) < \(plan)`, then `nn sweep --collect \(dir)`")
            return
        }
        let total = setup.points.count
        let width = String(total).count
        let counts = try runner.run(jobs: effectiveJobs) { e in
            let n = String(e.index + 1)
            var line = e.rung.map { "[rung \($0)] " } ?? "[\(String(repeating: " ", count: width - n.count))\(n)/\(total)] "
            switch (e.ran, e.state) {
            case (false, _): line += "skipped  \(e.point.id)  \(e.point.label)  (complete)"
            case (true, .complete): line += "ok       \(e.point.id)  \(e.point.label)  \(String(format: "%.1f s", e.seconds))"
            case (true, .failed(let error)):
                line += "failed   \(e.point.id)  \(e.point.label)  \(String(format: "%.1f s", e.seconds)): \(error)"
            case (true, .pending):
                line += "not run  \(e.point.id)  \(e.point.label): \(e.message ?? "no result")"
            }
            print(line)
        }
        try finish(dir: runner.dir, counts: counts)
    }

    /// `--submit slurm`: submits the array and the collect job, prints their ids.
    private func submitSlurm(_ runner: SweepRunner) throws {
        let jobs = try runner.submitSlurm(arguments: SweepRunner.slurmArguments(slurmArgs ?? ""))
        guard let array = jobs.arrayID, let collect = jobs.collectID else {
            print("\(runner.dir): all \(jobs.total) points complete; nothing submitted (`nn sweep --collect \(runner.dir)` writes the summary)")
            return
        }
        print("wrote \(jobs.directory)/plan.txt: \(jobs.pending) of \(jobs.total) points to run")
        print("submitted job array \(array): \(jobs.pending) tasks x \(threads) CPU(s) (\(jobs.directory)/array.sh)")
        print("submitted collect job \(collect): after job \(array) ends (\(jobs.directory)/collect.sh)")
        print("follow it with `nn sweep --status \(runner.dir)`; the summary is \(runner.dir)/summary.csv")
    }

    /// Prints how the sweep ended (`SweepRunner.finish`); exits 1 when a point is not ok.
    private func finish(dir: String, counts: SweepTable.Counts) throws {
        let ending = SweepRunner.finish(dir: dir, counts: counts)
        if let warning = ending.reportWarning { Console.err("warning: \(warning)\n") }
        print(ending.summary)
        if let notOk = ending.notOk { throw negativeOutcome(notOk) }
    }
}

/// `nn sweep-point RUNDIR`: one point of a sweep (hidden; the command of every line of a
/// `nn sweep --plan` file). Exit status: 0 ok or already complete, 1 the point failed
/// (recorded in its status.json), 2 it could not run (not a point directory, busy, other
/// data).
struct SweepPointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep-point",
        abstract: "Train and evaluate one point of a sweep in its run directory (used by nn sweep and its plan files).",
        shouldDisplay: false
    )

    @Argument(help: "The point's run directory (holds point.json).")
    var runDir: String

    @Option(help: "Prepared data directory.")
    var data: String

    @Option(parsing: .unconditional, help: "BLAS and element-wise threads.")
    var threads = 1

    @Option(parsing: .unconditional, help: "Successive halving: train the point to this many epochs only (a rung), continuing from its checkpoint.")
    var epochs: Int?

    func validate() throws {
        try validateThreads(threads)
        if let epochs, epochs < 1 { throw NNError("--epochs: must be >= 1, got \(epochs)") }
    }

    func run() throws {
        // A sweep that launched this point ignores SIGINT/SIGTERM/SIGHUP (it handles them on a
        // dispatch source), and ignored signals are inherited across exec: restore the
        // defaults so that the sweep can stop this point.
        for signo in [SIGINT, SIGTERM, SIGHUP] { signal(signo, SIG_DFL) }
        SweepChild.dieWithParent()
        switch try SweepPointRunner.run(runDir: runDir, dataDir: data, threads: threads, epochs: epochs) {
        case .skipped: print("skipped \(runDir) (complete)")
        case .ok(let loss): print("ok \(runDir): final loss \(NumberText.real(loss))")
        case .failed(let error):
            throw negativeOutcome("failed \(runDir): \(error)")
        }
    }
}
