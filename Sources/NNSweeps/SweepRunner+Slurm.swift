import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

/// `nn sweep ... --submit slurm`: the sweep's pending points as one Slurm job array, and
/// a job that collects the summary when the array has ended.
///
/// Writes the sweep directory's setup (as `--plan` does) and, in `DIR/slurm/`:
///
///     plan.txt     one `nn sweep-point` command per point that is not complete (failed
///                  points are retried), in point order
///     array.sh     the array's batch script: task k runs line k of plan.txt
///                  (`--cpus-per-task` = the sweep's threads; output in point-<job>_<k>.out)
///     collect.sh   `nn sweep --collect DIR` (output in collect-<job>.out)
///
/// then runs `sbatch --parsable --array=1-K [args] array.sh` and `sbatch --parsable
/// --dependency=afterany:<array id> [args] collect.sh` (`args`: `--slurm-args`, split at
/// blanks). Re-submitting after a failure submits only what is still not complete.
/// Every path in the scripts is absolute, so the jobs run from any directory of a
/// cluster that shares the file system.
extension SweepRunner {
    package struct SlurmJobs: Equatable, Sendable {
        package var pending: Int
        package var total: Int
        /// nil when no point was pending (nothing was submitted).
        package var arrayID: String?
        package var collectID: String?
        package var directory: String
    }

    package func submitSlurm(sbatch: String = "sbatch", arguments: [String]) throws -> SlurmJobs {
        // Nothing is written unless it can be submitted, and what this command made is
        // removed again when the submission fails.
        guard Self.findExecutable(sbatch) != nil else {
            throw NNError("--submit slurm: \(sbatch) not found on the PATH (run on a Slurm login node); nothing written")
        }
        let slurm = SweepDirectory(dir).slurm
        let made = [dir, slurm].first { !FileManager.default.fileExists(atPath: $0) }
        let pending: [ResolvedPoint]
        do {
            let lock = try SweepLock(dir, creating: true)
            defer { withExtendedLifetime(lock) {} }
            try SweepDirectory(dir).checkOurs(creating: true)
            try SweepDirectory(dir).writeSetup(setup)
            pending = setup.points.filter { SweepDirectory(dir).state(of: $0.point.id) != .complete }
            try AtomicFile.createDirectory(slurm)
            let plan = FilePath.join(slurm, "plan.txt")
            try AtomicFile.write(pending.map { command($0).map(Self.shellQuote).joined(separator: " ") + "\n" }.joined(), to: plan)
            try AtomicFile.write(arrayScript(planPath: plan, slurm: slurm), to: FilePath.join(slurm, "array.sh"))
            try AtomicFile.write(collectScript(slurm: slurm), to: FilePath.join(slurm, "collect.sh"))
        }
        var jobs = SlurmJobs(pending: pending.count, total: setup.points.count, directory: slurm)
        guard !pending.isEmpty else { return jobs }
        let array: String
        do {
            array = try Self.sbatch(sbatch, ["--parsable", "--array=1-\(pending.count)"] + arguments + [FilePath.join(slurm, "array.sh")])
        } catch {
            if let made { try? FileManager.default.removeItem(atPath: made) }
            throw error
        }
        jobs.arrayID = array
        jobs.collectID = try Self.sbatch(sbatch, ["--parsable", "--dependency=afterany:\(array)"] + arguments + [FilePath.join(slurm, "collect.sh")])
        return jobs
    }

    private func arrayScript(planPath: String, slurm: String) -> String {
        """
        #!/bin/bash
        #SBATCH --job-name=nn-sweep-\(plan.name)
        #SBATCH --cpus-per-task=\(plan.threads)
        #SBATCH --output=\(FilePath.join(slurm, "point-%A_%a.out"))
        # Written by `nn sweep --submit slurm`: array task k runs line k of plan.txt, one
        # point of \(dir) (a complete point is skipped).
        set -euo pipefail
        line=$(sed -n "${SLURM_ARRAY_TASK_ID}p" \(Self.shellQuote(planPath)))
        if [ -z "$line" ]; then echo "nn: no line $SLURM_ARRAY_TASK_ID in \(planPath)" >&2; exit 2; fi
        eval "$line"

        """
    }

    private func collectScript(slurm: String) -> String {
        """
        #!/bin/bash
        #SBATCH --job-name=nn-collect-\(plan.name)
        #SBATCH --cpus-per-task=1
        #SBATCH --output=\(FilePath.join(slurm, "collect-%j.out"))
        # Written by `nn sweep --submit slurm`: the summary of \(dir) once the array has ended.
        exec \(Self.shellQuote(executable)) sweep --collect \(Self.shellQuote(dir))

        """
    }

    /// Runs `sbatch ARGS` and returns the job id it prints (`--parsable`: `ID[;cluster]`);
    /// a failure is a one-line error with sbatch's last line of standard error.
    static func sbatch(_ sbatch: String, _ arguments: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [sbatch] + arguments
        let out = Pipe(), err = Pipe()
        (p.standardOutput, p.standardError, p.standardInput) = (out, err, FileHandle.nullDevice)
        do { try p.run() } catch { throw NNError("--submit slurm: cannot start \(sbatch): \(error.localizedDescription)") }
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let last = stderr.split(separator: "\n").last.map(String.init) ?? ""
        if p.terminationStatus == 127 { throw NNError("--submit slurm: \(sbatch) not found on the PATH (run on a Slurm login node)") }
        guard p.terminationStatus == 0 else {
            throw NNError("--submit slurm: \(sbatch) exited with status \(p.terminationStatus)\(last.isEmpty ? "" : ": \(last)")")
        }
        let id = stdout.split(separator: "\n").last.map { String($0.split(separator: ";").first ?? "") } ?? ""
        guard !id.isEmpty, id.allSatisfy(\.isNumber) else { throw NNError("--submit slurm: \(sbatch) printed no job id ('\(stdout.trimmingCharacters(in: .whitespacesAndNewlines))')") }
        return id
    }

    /// The path of the executable `program` (a path, or a name looked up on the PATH), if any.
    static func findExecutable(_ program: String) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { FilePath.join(String($0), program) }.first { access($0, X_OK) == 0 && FilePath.exists($0) }
    }

    /// `--slurm-args` split at blanks (no quoting: give each sbatch option as one word,
    /// e.g. `--partition=long --time=1:00:00`).
    package static func slurmArguments(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
    }
}
