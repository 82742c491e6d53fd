import ArgumentParser
import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

extension HalvingMetric: ExpressibleByArgument {}
extension HalvingGoal: ExpressibleByArgument {}

/// `nn sweep`: the cartesian product of a grid (or a random search) over a base
/// experiment, one run directory per point, one `summary.csv`; with `--halving`,
/// successive halving. The other modes are subcommands sharing `SweepOptions`:
/// `nn sweep plan FILE`, `submit slurm`, `collect DIR`, `status DIR` (the older
/// `--plan FILE`, `--submit slurm`, `--collect DIR`, `--status DIR` still work, hidden).
/// See `SweepGrid` (lists), `SweepPlan` (run ids, sweep.json), `SweepSummary`
/// (summary.csv), `SweepRunner`, `SweepProgress` (the lines printed). docs/sweep-modes.md
/// has the whole story.
///
/// Exit status: 0 every point ok; 1 some point failed (or, after `collect`, has not
/// run); 2 bad input or any other error (nothing run, nothing computed removed).
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train and evaluate every point of a grid; write one summary.csv.",
        discussion: """
        Any experiment key is a list: --lr 0.1,0.3, --set KEY=V1,V2 (`nn keys`; all \
        flags: --help-hidden). Points: the cartesian product, or --random N samples \
        (--lr loguniform:0.01:1). Re-running skips complete points. Exit status: 0 all \
        ok, 1 some point failed, 2 error. More: docs/sweep-modes.md.

        Examples:
          nn sweep --lr 0.1,0.3 --epochs 2
          nn sweep --lr loguniform:0.01:1 --random 8 --val-size 5000
          nn sweep --lr 0.03,0.1,0.3,1 --val-size 5000 --halving --min-epochs 2
          nn sweep plan points.txt --lr 0.1,0.3 && parallel -j 2 < points.txt
        """,
        subcommands: [SweepPlanCommand.self, SweepSubmitCommand.self, SweepCollectCommand.self, SweepStatusCommand.self]
    )

    @OptionGroup var options: SweepOptions

    @Flag(help: "Successive halving (docs/sweep-modes.md).")
    var halving = false

    @Option(name: .customLong("min-epochs"), parsing: .unconditional, help: ArgumentHelp("Halving: epochs of rung 0 (default 1).", valueName: "N"))
    var minEpochs: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Halving: keep the best 1/eta (default 3).", valueName: "N"))
    var eta: Int?

    @Option(help: "Halving: the ranking column (default: monitor).")
    var metric: HalvingMetric?

    @Option(help: "Halving: min or max (default: min for losses).")
    var goal: HalvingGoal?

    @Flag(name: .customLong("dry-run"), help: "Print the points and commands; train nothing. Prepares the data first when it is missing (the run ids depend on it).")
    var dryRun = false

    // The modes' older spellings (hidden): `nn sweep plan FILE` and the others replace them.
    @Option(help: .hidden) var plan: String?
    @Option(help: .hidden) var collect: String?
    @Option(help: .hidden) var submit: String?
    @Option(name: .customLong("slurm-args"), parsing: .unconditional, help: .hidden) var slurmArgs: String?
    @Option(help: .hidden) var status: String?
    @Option(help: .hidden) var executable: String?

    func validate() throws {
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
            let given = try options.definitionFlags() + (halving ? ["--halving"] : [])
            if let first = given.first {
                throw NNError("\(collect != nil ? "--collect" : "--status"): reads the sweep's own sweep.json; \(first) does not apply")
            }
        } else {
            try options.check()
        }
    }

    func run() throws {
        if let status { return try SweepStatusCommand.show(status) }
        if let collect { return try SweepCollectCommand.collect(collect, quiet: options.quiet) }
        if let out = options.out { try OutputPath.check(out, flag: "--out", directory: true) }
        if let plan { try OutputPath.check(plan, flag: "--plan") }
        var setup = try options.setup()
        if halving { try setup.useHalving(minEpochs: minEpochs ?? 1, eta: eta ?? 3, metric: metric, goal: goal) }
        let runner = options.runner(setup, executable: executable)
        if dryRun {
            if FileManager.default.fileExists(atPath: runner.dir) {
                try SweepDirectory(runner.dir).checkOurs(creating: true)
                try SweepDirectory(runner.dir).checkSamePoints(setup.plan)
            }
            print(runner.dryRunText(jobs: options.effectiveJobs), terminator: "")
            return
        }
        if submit != nil { return try SweepSubmitCommand.submit(runner, options: options, slurmArgs: slurmArgs) }
        if let plan { return try SweepPlanCommand.write(runner, points: setup.points.count, to: plan, options: options) }

        let counts = try options.keepingNotes(dir: runner.dir) { try run(runner, options: options) }
        try Self.finish(dir: runner.dir, counts: counts, quiet: options.quiet)
    }

    /// Runs every point of `runner` with progress lines (or a status line on a terminal).
    private func run(_ runner: SweepRunner, options: SweepOptions) throws -> SweepSummary.Counts {
        let progress = SweepProgress(runner: runner, jobs: options.effectiveJobs)
        let quiet = options.quiet
        let terminal = !quiet && isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1
        if !quiet { print(progress.header) }
        let counts = try runner.run(jobs: options.effectiveJobs) { e in
            let line = progress.line(for: e)
            if quiet { return }
            if terminal { Console.err("\r\u{1B}[K") }
            print(line)
            if terminal { Console.err(progress.statusLine) }
        }
        if terminal { Console.err("\r\u{1B}[K") }
        return counts
    }

    /// Prints how the sweep ended (`SweepRunner.finish`); exits 1 when a point is not ok.
    static func finish(dir: String, counts: SweepSummary.Counts, quiet: Bool) throws {
        let ending = SweepRunner.finish(dir: dir, counts: counts)
        if let warning = ending.reportWarning { Console.err("warning: \(warning)\n") }
        print(quiet ? dir : ending.summary)
        if let notOk = ending.notOk { throw NegativeOutcome.pointsNotOk.exit(notOk) }
    }
}

/// What defines a sweep, shared by `nn sweep` and `nn sweep plan|submit`: the base
/// experiment, the lists, where it goes, how it runs.
struct SweepOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "Base experiment file (default: experiments/notebook.json).",
            completion: .file(extensions: ["json"]))
    var config: String?

    @Option(help: "Sweep name (default: the base experiment's).")
    var name: String?

    @Option(help: "Sweep directory (default: results/sweeps/<name>).", completion: .directory)
    var out: String?

    @Option(help: "Prepared data directory (default: nn prepare's).", completion: .directory)
    var data: String?

    @OptionGroup(title: "Experiment keys, each a list of values to sweep", visibility: .hidden)
    var keys: ExperimentFlags

    @Option(name: .customLong("grid"), help: ArgumentHelp("Any key's list: key=v1,v2 (as --set).", valueName: "key=values"))
    var grid: [String] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("Random search: N samples of the distributions.", valueName: "N"))
    var random: Int?

    @Option(name: .customLong("sample-seed"), parsing: .unconditional, help: ArgumentHelp("Seed of --random's samples (default 0).", valueName: "S"))
    var sampleSeed: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Points at once (default: cores / --threads).", valueName: "N"))
    var jobs: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Threads per point.", valueName: "N"))
    var threads = 1

    @OptionGroup(title: "Notes (meta.json; the points inherit them)")
    var meta: MetaOptions

    @Flag(name: [.short, .long], help: "Print only where the results went (and errors).")
    var quiet = false

    /// `--jobs`, or as many points at once as the cores hold at `--threads` each (results
    /// do not depend on it: every point runs with exactly `--threads` threads).
    var effectiveJobs: Int { jobs ?? max(1, ProcessInfo.processInfo.activeProcessorCount / threads) }

    /// Checks the flags (one-line errors naming the flag).
    func check() throws {
        if let jobs, jobs < 1 { throw NNError("--jobs: must be >= 1, got \(jobs)") }
        if let random, random < 1 { throw NNError("--random: must be >= 1, got \(random)") }
        if let sampleSeed {
            if random == nil { throw NNError("--sample-seed: applies only to --random N") }
            if UInt32(exactly: sampleSeed) == nil { throw NNError("--sample-seed: must be in 0...4294967295, got \(sampleSeed)") }
        }
        try validateThreads(threads)
        _ = try meta.meta(name: nil)
        if let name { try ExperimentConfig.validateName(name, source: "--name") }
    }

    /// The flags given that define a sweep (which `collect` and `status` do not take).
    func definitionFlags() throws -> [String] {
        try keys.given.map(\.source) + (grid.isEmpty ? [] : ["--grid"]) + (config == nil ? [] : ["--config"])
            + (data == nil ? [] : ["--data"]) + (random == nil ? [] : ["--random"])
    }

    /// The sweep the flags ask for (`SweepSetup.resolve`).
    func setup() throws -> SweepSetup {
        try SweepSetup.resolve(config: config, name: name, dataDirectory: data, lists: try keys.given,
                               assignments: grid, threads: threads, random: random.map { ($0, UInt32(sampleSeed ?? 0)) })
    }

    /// The runner of `setup` in `--out` (default results/sweeps/<name>).
    func runner(_ setup: SweepSetup, executable: String?) -> SweepRunner {
        SweepRunner(setup: setup, dir: out ?? "results/sweeps/\(setup.plan.name)", executable: executable ?? SweepRunner.currentExecutable())
    }

    /// Runs `body` (the sweep, its plan or its submission), then merges `--tag` and
    /// `--note` into the sweep's `meta.json` (`RunMeta.merge`). A `meta.json` that cannot be
    /// read is an error before `body` runs (so a sweep never ends on it); when the sweep
    /// directory was there before and the notes changed, one line says so (not with --quiet).
    func keepingNotes<T>(dir: String, _ body: () throws -> T) throws -> T {
        let notes = try meta.meta(name: nil)
        let existed = FileManager.default.fileExists(atPath: dir)
        if !notes.isEmpty { _ = try RunMeta.read(dir: dir) }
        let result = try body()
        let changes = try notes.merge(into: dir)
        if existed && !changes.isEmpty && !quiet { print(RunMeta.updatedLine(dir: dir, changes: changes)) }
        return result
    }
}

/// `nn sweep plan FILE`: the sweep's setup and one command per point in FILE.
struct SweepPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Write the sweep directory and one `nn sweep-point` command per point to FILE; run nothing.",
        discussion: """
        Run the lines with any runner (GNU parallel, xargs -P, a Slurm array), then \
        `nn sweep collect DIR` writes summary.csv. Not for --halving.

        Examples:
          nn sweep plan points.txt --lr 0.1,0.3 --epochs 2
          parallel -j 2 < points.txt && nn sweep collect results/sweeps/notebook
        """
    )

    @Argument(help: "The plan file to write.", completion: .file())
    var file: String

    @OptionGroup var options: SweepOptions

    @Option(help: "The nn executable named in the commands (default: this one, absolute path).", completion: .file())
    var executable: String?

    func validate() throws { try options.check() }

    func run() throws {
        if let out = options.out { try OutputPath.check(out, flag: "--out", directory: true) }
        try OutputPath.check(file, flag: "plan FILE")
        let setup = try options.setup()
        try Self.write(options.runner(setup, executable: executable), points: setup.points.count, to: file, options: options)
    }

    static func write(_ runner: SweepRunner, points: Int, to plan: String, options: SweepOptions) throws {
        try options.keepingNotes(dir: runner.dir) { try runner.writePlan(to: plan) }
        if options.quiet { return print(plan) }
        print("wrote \(plan): \(NumberText.count(points, "command")), one per point of \(runner.dir)")
        print("run them with e.g. `parallel -j \(options.effectiveJobs) < \(plan)`, then `nn sweep collect \(runner.dir)`")
    }
}

/// `nn sweep submit slurm`: the pending points as a Slurm job array, then a collect job.
struct SweepSubmitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit the points not complete as a Slurm job array and a job that collects the summary.",
        discussion: """
        Each task runs `nn sweep-point` with --cpus-per-task = --threads. Follow it with \
        `nn sweep status DIR`.

        Examples:
          nn sweep submit slurm --lr 0.1,0.3 --epochs 40
          nn sweep submit slurm --lr 0.1,0.3 --slurm-args "--partition=short --time=1:00:00"
        """
    )

    @Argument(help: "The scheduler: slurm.", completion: .list(["slurm"]))
    var scheduler: String

    @OptionGroup var options: SweepOptions

    @Option(name: .customLong("slurm-args"), parsing: .unconditional, help: ArgumentHelp("Extra sbatch options for both jobs, split at blanks.", valueName: "ARGS"))
    var slurmArgs: String?

    @Option(help: "The nn executable the jobs run (default: this one, absolute path).", completion: .file())
    var executable: String?

    func validate() throws {
        if scheduler != "slurm" { throw NNError("submit: the only scheduler is slurm, got '\(scheduler)'") }
        try options.check()
    }

    func run() throws {
        if let out = options.out { try OutputPath.check(out, flag: "--out", directory: true) }
        try Self.submit(options.runner(try options.setup(), executable: executable), options: options, slurmArgs: slurmArgs)
    }

    /// Submits the array and the collect job, prints their ids.
    static func submit(_ runner: SweepRunner, options: SweepOptions, slurmArgs: String?) throws {
        let jobs = try options.keepingNotes(dir: runner.dir) { try runner.submitSlurm(arguments: SweepRunner.slurmArguments(slurmArgs ?? "")) }
        guard let array = jobs.arrayID, let collect = jobs.collectID else {
            print("\(runner.dir): all \(NumberText.count(jobs.total, "point")) complete; nothing submitted (`nn sweep collect \(runner.dir)` writes the summary)")
            return
        }
        print("wrote \(jobs.directory)/plan.txt: \(jobs.pending) of \(NumberText.count(jobs.total, "point")) to run")
        print("submitted job array \(array): \(jobs.pending) tasks x \(options.threads) CPU(s) (\(jobs.directory)/array.sh)")
        print("submitted collect job \(collect): after job \(array) ends (\(jobs.directory)/collect.sh)")
        print("follow it with `nn sweep status \(runner.dir)`; the summary is \(SweepDirectory(runner.dir).summary)")
    }
}

/// `nn sweep collect DIR`: summary.csv and report of a sweep whose points ran elsewhere.
struct SweepCollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Write summary.csv (and report) of an existing sweep directory, e.g. after a plan ran.",
        discussion: """
        Exit status: 0 all points ok, 1 some point failed or has not run, 2 error.

        Examples:
          nn sweep collect results/sweeps/notebook
        """
    )

    @Argument(help: "The sweep directory.", completion: .directory)
    var dir: String

    @Flag(name: [.short, .long], help: "Print only where the results went (and errors).")
    var quiet = false

    func run() throws { try Self.collect(dir, quiet: quiet) }

    static func collect(_ dir: String, quiet: Bool) throws {
        let (_, counts) = try SweepRunner.collect(dir: dir)
        try SweepCommand.finish(dir: SweepSetup.absolutePath(dir), counts: counts, quiet: quiet)
    }
}

/// `nn sweep status DIR`: each point's state.
struct SweepStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Print each point's state (pending, running, done, failed) from the sweep's run directories.",
        discussion: """
        Examples:
          nn sweep status results/sweeps/notebook
        """
    )

    @Argument(help: "The sweep directory.", completion: .directory)
    var dir: String

    func run() throws { try Self.show(dir) }

    static func show(_ dir: String) throws {
        print(try SweepStatus(reading: SweepDirectory(SweepSetup.absolutePath(dir))).text, terminator: "")
    }
}

/// `nn sweep-point RUNDIR`: one point of a sweep (hidden; the command of every line of a
/// `nn sweep --plan` file). Exit status: 0 ok or already complete, 1 the point failed
/// (recorded in its status.json), 2 it could not run (not a point directory, busy, other
/// data). `nn sweep-point --worker` runs such commands read from standard input, one
/// after another in one process (`SweepWorker`): how `nn sweep` runs its points.
struct SweepPointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep-point",
        abstract: "Train and evaluate one point of a sweep in its run directory (used by nn sweep and its plan files).",
        shouldDisplay: false
    )

    @Argument(help: "The point's run directory (holds point.json).")
    var runDir: String?

    @Option(help: "Prepared data directory.")
    var data: String?

    @Option(parsing: .unconditional, help: "BLAS and element-wise threads.")
    var threads = 1

    @Option(parsing: .unconditional, help: "Successive halving: train the point to this many epochs only (a rung), continuing from its checkpoint.")
    var epochs: Int?

    @Flag(help: "Serve points: read their sweep-point arguments from standard input (JSON lines, as nn sweep sends them), keeping the data loaded between them.")
    var worker = false

    func validate() throws {
        try validateThreads(threads)
        if let epochs, epochs < 1 { throw NNError("--epochs: must be >= 1, got \(epochs)") }
        if worker {
            if runDir != nil || data != nil || epochs != nil { throw NNError("--worker: takes its points from standard input, not RUNDIR, --data or --epochs") }
        } else {
            if runDir == nil { throw ValidationError("Missing expected argument '<run-dir>'") }
            if data == nil { throw ValidationError("Missing expected argument '--data <data>'") }
        }
    }

    func run() throws {
        // A sweep that launched this point ignores SIGINT/SIGTERM/SIGHUP (it handles them on a
        // dispatch source), and ignored signals are inherited across exec: restore the
        // defaults so that the sweep can stop this point.
        for signo in [SIGINT, SIGTERM, SIGHUP] { signal(signo, SIG_DFL) }
        SweepChild.dieWithParent()
        if worker {
            SweepWorker.serve { arguments, inputs in
                do {
                    let point = try SweepPointCommand.parse(arguments)
                    guard !point.worker else { throw NNError("--worker: not in a worker's request") }
                    try point.runPoint(inputs: inputs)
                    return 0
                } catch let code as ExitCode {
                    return code.rawValue
                } catch {
                    Console.err(NN.oneLine(NN.fullMessage(for: error)) + "\n")
                    return 2
                }
            }
            return
        }
        try runPoint(inputs: nil)
    }

    /// The point's run: prints its outcome; a failed point is a negative outcome (status 1).
    func runPoint(inputs: RunInputs?) throws {
        guard let runDir, let data else { throw NNError("sweep-point: needs RUNDIR and --data") }
        switch try SweepPointRunner.run(runDir: runDir, dataDir: data, threads: threads, epochs: epochs, inputs: inputs) {
        case .skipped: print("skipped \(runDir) (complete)")
        case .ok(let loss): print("ok \(runDir): final loss \(NumberText.real(loss))")
        case .failed(let error):
            throw NegativeOutcome.pointFailed.exit("failed \(runDir): \(error)")
        }
    }
}
