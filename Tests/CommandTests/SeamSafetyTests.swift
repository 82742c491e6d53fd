import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands
import Testing

/// Issue 17, parts 1-5 and 9: nothing lost where two features meet. A failed resume leaves
/// the interrupted build as it found it; resume refuses other data, configuration or code;
/// no output lands on a file a run, sweep or prepared directory owns; readers and writers of
/// a run exclude each other; a sweep directory keeps its grid; no leftovers after a resume
/// or a failed submit. Tiny runs (785-8-1, a 200/100 split) keep each test to seconds.
@Suite struct SeamSafetyTests {
    static let data = preparedMNIST(train: 200, test: 100, tag: "seams")
    static let otherData = preparedMNIST(train: 150, test: 100, tag: "seams")
    static let tiny = ["--layers", "785,8,1", "--activations", "relu,sigmoid", "--threads", "1", "--quiet"]
    /// A PID above any pid_max: the "killed" command of a fixture.
    static let dead = Int32.max - 1

    func scratch() -> String { scratchDirectory("seams") }

    func train(_ args: [String], cwd: String) throws -> NNRun {
        try runNN(["train", "--data", try Self.data.get()] + Self.tiny + args, cwd: cwd)
    }

    func oneLine(_ r: NNRun, _ mention: String, status: Int32 = 2, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == status, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(mention), "\(r.stderr)", sourceLocation: sourceLocation)
    }

    /// What a `nn train --out run --epochs 6` killed after its epoch-3 checkpoint leaves:
    /// the build directory `.run.nn-new-PID@HOST` of a dead process, marked `training`,
    /// with config.json (6 epochs) and the checkpoint. Made by moving a complete 3-epoch run
    /// there (the checkpoint's configuration leaves epochs out), so no kill is timed.
    func interruptedBuild(in root: String, extra: [String] = []) throws -> String {
        let r = try train(["--out", "src", "--epochs", "3"] + extra, cwd: root)
        #expect(r.status == 0, "\(r.stderr)")
        let build = root + "/.run.nn-new-\(Self.dead)@\(AtomicFile.hostTag)"
        try FileManager.default.moveItem(atPath: root + "/src", toPath: build)
        try RunMarker.write(.training, dir: build)
        try editConfig(build) { $0["epochs"] = .int(6) }
        return build
    }

    func editConfig(_ dir: String, _ change: (inout [String: JSONValue]) -> Void) throws {
        var config = try #require(try JSONValue.read(path: dir + "/config.json").dictionary)
        change(&config)
        try AtomicFile.write(JSONValue.sortedObject(config).fileText, to: dir + "/config.json")
    }

    // MARK: - 1. A failed resume leaves everything as it found it

    /// Truncated, one flipped bit, written by another network: `--resume` is a one-line
    /// error naming the checkpoint, which is still there, and the interrupted build is
    /// byte-identical (it used to be deleted). With the good checkpoint back, it resumes.
    @Test(arguments: ["truncated", "flipped", "foreign"])
    func aDamagedCheckpointIsReportedAndKept(damage: String) throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let build = try interruptedBuild(in: root)
        let checkpoint = build + "/checkpoint.nnc"
        let good = try readFileBytes(checkpoint)
        switch damage {
        case "truncated": try AtomicFile.write(Array(good.prefix(good.count / 2)), to: checkpoint)
        case "flipped":
            var b = good
            b[b.count - 100] ^= 0x10
            try AtomicFile.write(b, to: checkpoint)
        default:
            #expect(try train(["--out", "four", "--epochs", "3", "--layers", "785,4,1"], cwd: root).status == 0)
            try FileManager.default.removeItem(atPath: checkpoint)
            try FileManager.default.moveItem(atPath: root + "/four/checkpoint.nnc", toPath: checkpoint)
            try FileManager.default.removeItem(atPath: root + "/four")
        }
        let before = snapshot(build)
        let r = try runNN(["train", "--resume", "run", "--threads", "1", "--quiet"], cwd: root)
        oneLine(r, ".run.nn-new-\(Self.dead)@\(AtomicFile.hostTag)/checkpoint.nnc: ")
        if damage == "foreign" { #expect(r.stderr.contains("layers 785,4,1 in the checkpoint, 785,8,1 in config.json"), "\(r.stderr)") }
        #expect(snapshot(build) == before)
        #expect(entries(root) == [URL(fileURLWithPath: build).lastPathComponent])

        try AtomicFile.write(good, to: checkpoint)
        let resumed = try runNN(["train", "--resume", "run", "--threads", "1", "--quiet"], cwd: root)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(entries(root) == ["run"])
        #expect(try History.read(path: root + "/run/history.csv").epochs.count == 6)
    }

    /// A full disk (a file-size limit, SIGXFSZ ignored) during `--resume`: exit 2, and the
    /// interrupted build with its valid checkpoint is byte-identical (it used to be
    /// deleted); with room again the same resume succeeds.
    @Test func aFullDiskDuringResumeDeletesNothing() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let build = try interruptedBuild(in: root)
        let before = snapshot(build)
        let command = [nnExecutable().path, "train", "--resume", "run", "--threads", "1", "--quiet"].map { "'\($0)'" }.joined(separator: " ")
        let r = try runNN(["-c", "trap '' XFSZ; ulimit -f 4; exec \(command)"], cwd: root, executable: "/bin/bash")
        oneLine(r, "cannot write")
        #expect(snapshot(build) == before)
        #expect(entries(root) == [URL(fileURLWithPath: build).lastPathComponent])
        #expect(try runNN(["train", "--resume", "run", "--threads", "1", "--quiet"], cwd: root).status == 0)
        #expect(entries(root) == ["run"])
    }

    /// `nn eval` writes all its files or none: with one of them impossible to write (a
    /// directory in the way of pr.svg), an evaluation on other data changes no metrics (it
    /// used to replace predictions.csv, metrics.* and roc.svg before failing).
    @Test func aFailedEvalChangesNothing() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try train(["--out", "run", "--epochs", "3"], cwd: root).status == 0)
        #expect(try runNN(["eval", "--run", "run"], cwd: root).status == 0)
        try FileManager.default.removeItem(atPath: root + "/run/pr.svg")
        try FileManager.default.createDirectory(atPath: root + "/run/pr.svg", withIntermediateDirectories: false)
        let before = snapshot(root + "/run")
        let r = try runNN(["eval", "--run", "run", "--data", try Self.otherData.get()], cwd: root)
        #expect(r.status == 2 && r.stderr.contains("pr.svg: is a directory"), "\(r.stderr)")
        #expect(snapshot(root + "/run") == before)
    }

    // MARK: - 2. Resume continues the same experiment

    /// One refusal per kind of mismatch, each one line saying what differs (exit 2), with
    /// nothing written: other prepared data, an edited configuration, another precision or
    /// optimiser, another thread count or kernel variant.
    @Test(arguments: ["data", "config", "precision", "optimizer", "threads", "kernels"])
    func resumeRefusesAnotherExperiment(mismatch: String) throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let build = try interruptedBuild(in: root)
        var args = ["train", "--resume", "run", "--threads", "1", "--quiet"]
        var environment: [String: String]?
        let mention: String
        switch mismatch {
        case "data":
            args += ["--data", try Self.otherData.get()]
            mention = "not the data the run was trained on"
        case "config":
            try editConfig(build) { $0["lr"] = .real(0.2) }
            mention = "lr 0.3 in the checkpoint, 0.2 in config.json"
        case "precision":
            try editConfig(build) { $0["precision"] = .string("f32") }
            mention = "precision f64 in the checkpoint, f32 in config.json"
        case "optimizer":
            try editConfig(build) { $0["optimizer"] = .string("adam") }
            mention = "optimizer state of gd in the checkpoint, optimizer adam in config.json"
        case "threads":
            args[4] = "2"
            mention = "threads 1 in the checkpoint, 2 now (give --threads 1)"
        default:
            let other = Kernels.active.name == "portable" ? "avx2" : "portable"
            if other == "avx2" { return }    // a machine without AVX2 has one variant only
            environment = ProcessInfo.processInfo.environment.merging(["NN_KERNELS": other]) { $1 }
            mention = "kernels \(Kernels.active.name) in the checkpoint, portable now"
        }
        let before = snapshot(build)
        oneLine(try runNN(args, cwd: root, environment: environment), mention)
        #expect(snapshot(build) == before)
        #expect(entries(root) == [URL(fileURLWithPath: build).lastPathComponent])
    }

    /// Extending a complete run checks the data too (it used to train the new epochs on
    /// whatever --data gave), and a sweep point resumed in place likewise.
    @Test func extendingAndInPlaceResumeRefuseOtherData() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try train(["--out", "run", "--epochs", "3"], cwd: root).status == 0)
        let other = try Self.otherData.get()
        oneLine(try runNN(["train", "--resume", "run", "--epochs", "5", "--out", "longer", "--data", other], cwd: root),
                "not the data the run was trained on")
        #expect(entries(root) == ["run"])
        try RunMarker.write(.training, dir: root + "/run")     // as a sweep point killed mid-training
        let before = snapshot(root + "/run")
        oneLine(try runNN(["train", "--resume", "run", "--data", other, "--threads", "1"], cwd: root), "not the data the run was trained on")
        #expect(snapshot(root + "/run") == before)
    }

    // MARK: - 9. No leftovers

    /// A kill during the checkpoint's temporary write leaves `.checkpoint.nnc.tmp-*` in the
    /// build; the resumed, finished run holds no temporary file, and no build is left.
    @Test func resumeLeavesNoTemporaryFiles() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let build = try interruptedBuild(in: root)
        try AtomicFile.write(Array(repeating: 7, count: 4096), to: build + "/.checkpoint.nnc.tmp-\(Self.dead)-3@\(AtomicFile.hostTag)")
        let r = try runNN(["train", "--resume", "run", "--threads", "1", "--quiet"], cwd: root)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(entries(root) == ["run"])
        #expect(!entries(root + "/run").contains { $0.contains(".tmp-") }, "\(entries(root + "/run"))")
    }

    /// `--submit slurm` without sbatch writes nothing (it used to write the sweep and its
    /// scripts, then show a pending sweep in `nn runs`); an sbatch that fails leaves nothing
    /// either.
    @Test func aSubmitThatCannotHappenWritesNothing() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        let args = ["sweep", "--data", try Self.data.get(), "--lr", "0.1,0.3", "--epochs", "1", "--out", "s", "--submit", "slurm"]
        // The rest of the environment stays (LSAN_OPTIONS under make test-asan).
        let environment = ProcessInfo.processInfo.environment
        let none = try runNN(args, cwd: root, environment: environment.merging(["PATH": root + "/bin"]) { $1 })
        oneLine(none, "--submit slurm: sbatch not found on the PATH")
        #expect(entries(root) == ["bin"])
        try AtomicFile.write("#!/bin/sh\necho 'sbatch: error: invalid partition' >&2\nexit 1\n", to: root + "/bin/sbatch")
        chmod(root + "/bin/sbatch", 0o755)
        let failing = try runNN(args, cwd: root, environment: environment.merging(["PATH": root + "/bin:/usr/bin:/bin"]) { $1 })
        oneLine(failing, "invalid partition")
        #expect(entries(root) == ["bin"])
    }
}

extension SeamSafetyTests {
    // MARK: - 5. A sweep directory keeps its grid

    /// A second grid into an existing sweep (the same default name, or --out) is refused
    /// with a hint, before anything is written, for a run, a plan, a dry run and a submit;
    /// the first sweep's files stay byte-identical. The same grid (in any order) resumes.
    @Test func aSweepDirectoryKeepsItsGrid() throws {
        let root = scratch()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let base = ["sweep", "--data", try Self.data.get(), "--epochs", "2", "--layers", "785,8,1", "--activations", "relu,sigmoid"]
        let first = try runNN(base + ["--lr", "0.1,0.3"], cwd: root)
        #expect(first.status == 0, "\(first.stderr)")
        let dir = root + "/results/sweeps/notebook"
        let before = snapshot(dir)
        try FileManager.default.createDirectory(atPath: root + "/bin", withIntermediateDirectories: true)
        try AtomicFile.write("#!/bin/sh\necho 7\n", to: root + "/bin/sbatch")
        chmod(root + "/bin/sbatch", 0o755)
        let env = ProcessInfo.processInfo.environment.merging(["PATH": root + "/bin:/usr/bin:/bin"]) { $1 }
        for extra in [[], ["--out", "results/sweeps/notebook"], ["--plan", "plan.txt"], ["--dry-run"], ["--submit", "slurm"]] {
            let r = try runNN(base + ["--lr", "0.5"] + extra, cwd: root, environment: env)
            oneLine(r, "holds a sweep of another grid (2 points; this one leaves out 2 of them and adds 1); give the new grid its own --name")
            #expect(snapshot(dir) == before, "\(extra)")
        }
        #expect(entries(root) == ["bin", "results"])
        let again = try runNN(base + ["--lr", "0.3,0.1"], cwd: root)
        #expect(again.status == 0 && again.stdout.components(separatedBy: " skipped ").count == 3, "\(again.stdout)\(again.stderr)")
        let named = try runNN(base + ["--lr", "0.5", "--name", "wider"], cwd: root)
        #expect(named.status == 0, "\(named.stderr)")
        #expect(entries(root + "/results/sweeps") == ["notebook", "wider"])
    }
}
