import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands
import Testing

/// `nn sweep --random`, `--submit slurm` (with a stand-in sbatch; scripts/slurm-test.sh
/// runs a real Slurm), `--status`, and `nn diff --by seed`, end to end on the small data.
@Suite struct SweepSearchCLITests {
    func scratch() -> String { scratchDirectory("search-cli") }

    func sweep(_ args: [String], cwd: String, environment: [String: String]? = nil) throws -> NNRun {
        try runNN(["sweep", "--data", try sweepData.get(), "--layers", "785,16,1", "--activations", "relu,sigmoid"] + args,
                  cwd: cwd, environment: environment)
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func randomSearchIsDeterministicResumableAndIndependentOfJobs() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let args = ["--random", "2", "--sample-seed", "1", "--lr", "loguniform:0.01:1", "--seed", "0,1", "--epochs", "1"]
        let dry = try sweep(args + ["--out", "a", "--dry-run"], cwd: root)
        #expect(dry.status == 0, "\(dry.stderr)")
        let out = dry.stdout.split(separator: "\n").map(String.init)
        #expect(out[1] == "random search: 2 samples (sample seed 1) of lr loguniform:0.01:1 x 2 grid points")
        #expect(out.filter { $0.contains("  to run  ") }.map { $0.components(separatedBy: "  ").last! } == [
            "activations=relu,sigmoid epochs=1 layers=785,16,1 lr=0.0682408 seed=0",
            "activations=relu,sigmoid epochs=1 layers=785,16,1 lr=0.0682408 seed=1",
            "activations=relu,sigmoid epochs=1 layers=785,16,1 lr=0.275835 seed=0",
            "activations=relu,sigmoid epochs=1 layers=785,16,1 lr=0.275835 seed=1"])
        let first = try sweep(args + ["--out", "a", "--jobs", "1"], cwd: root)
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try read(root + "/a/summary.csv")
        #expect(summary.hasPrefix("run_id,status,activations,epochs,layers,lr,seed,last_epoch_loss,train_loss,"))
        let again = try sweep(args + ["--out", "a"], cwd: root)
        #expect(again.status == 0 && again.stdout.components(separatedBy: " skipped ").count == 5)
        let parallel = try sweep(args + ["--out", "b", "--jobs", "2"], cwd: root)
        #expect(parallel.status == 0)
        #expect(try read(root + "/b/summary.csv") == summary)
        #expect(try runNN(["sweep", "--collect", "a"], cwd: root).status == 0)
        #expect(try read(root + "/a/summary.csv") == summary)

        // Seed-aware diff: the same sweep twice is within seed noise (exit 0).
        let same = try runNN(["diff", "a", "b", "--by", "seed"], cwd: root)
        #expect(same.status == 0, "\(same.stdout)\(same.stderr)")
        #expect(same.stdout.hasSuffix("within seed noise: all 16 comparisons between A=a and B=b (Welch's t, 95%)\n"))
    }

    @Test func badRandomSpecsAreOneLineErrors() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cases: [([String], String)] = [
            (["--random", "0", "--lr", "loguniform:0.01:1"], "Error: --random: must be >= 1, got 0"),
            (["--random", "2", "--lr", "loguniform:0:1"], "Error: --lr: 'loguniform:0:1': loguniform needs 0 < A"),
            (["--lr", "uniform:0.1:1"], "Error: --lr: 'uniform:0.1:1' is a distribution; it needs --random N"),
            (["--random", "2", "--lr", "0.1"], "Error: --random 2: no key has a distribution"),
            (["--sample-seed", "3", "--lr", "0.1"], "Error: --sample-seed: applies only to --random N"),
            (["--random", "2", "--sample-seed", "-1", "--lr", "uniform:0.1:1"], "Error: --sample-seed: must be in 0...4294967295, got -1"),
            (["--random", "2", "--grid", "momentum=uniform:x:1"], "Error: --grid momentum: 'uniform:x:1': bounds must be finite numbers"),
            (["--random", "4", "--batch-size", "choice:32,64"], "Error: --random 4: space too small: the distributions hold at most 2 distinct points"),
        ]
        for (args, expected) in cases {
            let r = try sweep(args + ["--out", "s", "--dry-run"], cwd: root)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.hasPrefix(expected), "\(args): \(r.stderr)")
        }
    }

    @Test func experimentFileDistributions() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try AtomicFile.write("""
            {"name": "rand", "layers": [785, 16, 1], "activations": ["relu", "sigmoid"],
             "grid": {"lr": "loguniform:0.01:1", "batch_size": ["choice:32,64,128"]}}
            """, to: root + "/exp.json")
        let r = try runNN(["sweep", "--config", "exp.json", "--data", try sweepData.get(), "--random", "3", "--dry-run"], cwd: root)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("random search: 3 samples (sample seed 0) of batch_size choice:32,64,128, lr loguniform:0.01:1\n"))
    }

    /// A stand-in `sbatch` on the PATH records its arguments and prints job ids.
    @Test func submitSlurmWritesThePlanAndScriptsAndSubmitsOnlyPendingPoints() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        try AtomicFile.write("""
            #!/bin/sh
            echo "$@" >> \(root)/sbatch.log
            n=$(wc -l < \(root)/sbatch.log)
            echo "$((100 + n));nntest"
            """, to: root + "/bin/sbatch")
        chmod(root + "/bin/sbatch", 0o755)
        let env = ProcessInfo.processInfo.environment.merging(["PATH": root + "/bin:/usr/bin:/bin"]) { $1 }
        let grid = ["--lr", "0.1,0.3", "--epochs", "1", "--threads", "2", "--out", "s"]
        let r = try sweep(grid + ["--submit", "slurm", "--slurm-args", "--partition=debug  --time=5"], cwd: root, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let dir = root + "/s"
        #expect(r.stdout.split(separator: "\n").map(String.init) == [
            "wrote \(dir)/slurm/plan.txt: 2 of 2 points to run",
            "submitted job array 101: 2 tasks x 2 CPU(s) (\(dir)/slurm/array.sh)",
            "submitted collect job 102: after job 101 ends (\(dir)/slurm/collect.sh)",
            "follow it with `nn sweep status \(dir)`; the summary is \(dir)/summary.csv"])
        #expect(try read(root + "/sbatch.log") == """
            --parsable --array=1-2 --partition=debug --time=5 \(dir)/slurm/array.sh
            --parsable --dependency=afterany:101 --partition=debug --time=5 \(dir)/slurm/collect.sh

            """)
        #expect(try read(dir + "/slurm/array.sh").contains("#SBATCH --cpus-per-task=2\n"))
        #expect(try read(dir + "/slurm/plan.txt").split(separator: "\n").allSatisfy { $0.contains(" sweep-point --threads 2 ") })

        // Run the first task by hand: --status shows it done, the other pending.
        let line = try read(dir + "/slurm/plan.txt").split(separator: "\n")[0]
        #expect(try runNN(["-c", String(line)], executable: "/bin/sh").status == 0)
        let status = try runNN(["sweep", "--status", "s"], cwd: root)
        #expect(status.status == 0)
        #expect(status.stdout.hasSuffix("1 pending, 0 running, 1 done, 0 failed\n"), "\(status.stdout)")
        #expect(status.stdout.contains("[1/2] done     "))

        // Re-submitting submits only the pending point.
        let again = try sweep(grid + ["--submit", "slurm"], cwd: root, environment: env)
        #expect(again.stdout.hasPrefix("wrote \(dir)/slurm/plan.txt: 1 of 2 points to run\n"))
        #expect(try read(root + "/sbatch.log").contains("--parsable --array=1-1 \(dir)/slurm/array.sh\n"))

        let noSbatch = try sweep(grid + ["--submit", "slurm"], cwd: root, environment: env.merging(["PATH": "/nonexistent"]) { $1 })
        #expect(noSbatch.status == 2)
        #expect(noSbatch.stderr == "Error: --submit slurm: sbatch not found on the PATH (run on a Slurm login node); nothing written\n")
        #expect(try sweep(grid + ["--submit", "pbs"], cwd: root).stderr == "Error: --submit: the only scheduler is slurm, got 'pbs'\n")
    }
}
