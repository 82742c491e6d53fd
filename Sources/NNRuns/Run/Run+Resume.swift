import Foundation
import NNBase
import NNKernel
import NNFormats

/// Where a resumed training continues from: the checkpoint file (only read, never changed
/// or removed by the resumed training) and the manifest SHA-256 of the data the run was
/// trained on (nil: not checked).
package struct ResumePoint: Sendable {
    var checkpoint: String
    var manifestSHA256: String? = nil

    package init(checkpoint: String, manifestSHA256: String? = nil) {
        self.checkpoint = checkpoint
        self.manifestSHA256 = manifestSHA256
    }
}

extension Run {
    /// `nn train --resume DIR [--epochs N]`. DIR is the run directory the training was
    /// meant for (its `--out`):
    ///
    /// 1. DIR's marker says `training` and DIR holds a checkpoint (a sweep point, trained in
    ///    place): it continues there (DIR locked exclusively; busy if a sweep runs it).
    /// 2. A killed `nn train` left its build directory `.DIR.nn-new-PID@HOST` (a dead
    ///    process of this host) with a checkpoint beside DIR: locked exclusively (a second
    ///    resume of it is refused as busy), its config.json and checkpoint are read where
    ///    they are, and the training continues in a new build directory of this process,
    ///    installed at DIR as a new run would be. Only then are the interrupted builds of
    ///    DIR removed: a resume that fails (a damaged checkpoint, other data, a full disk)
    ///    leaves the interrupted build exactly as it was, still resumable.
    /// 3. DIR is a complete run and `epochs` is more than it trained: the training is
    ///    extended into a new run directory (`outDir`, default the new configuration's
    ///    default directory), DIR untouched (locked shared while it is read).
    ///
    /// The configuration is DIR's `config.json`; only `epochs` may change (case 3). The
    /// data (its manifest), the configuration and the code path (`CodePath`)
    /// must be the checkpoint's, or the resume is refused saying what differs
    /// (`checkResume`), before anything is written.
    package static func resume(_ dir: String, epochs: Int?, dataDir: String?, outDir: String?, force: Bool, threads: Int,
                              progress: @escaping (EpochReport) -> Void = { _ in }) throws -> TrainOutcome {
        let layout = RunLayout(dir)
        let marker = (try? RunMarker.read(dir: dir)) ?? nil
        if marker?.state == .training, FileManager.default.fileExists(atPath: layout.checkpoint) {
            let lock = try RunLock(dir, .exclusive)
            defer { withExtendedLifetime(lock) {} }
            let (config, recorded, sha) = try readConfig(runDir: dir)
            try requireSameEpochs(epochs, config, dir)
            return try train(config: config, dataDir: dataDir ?? recorded, outDir: dir, placement: .inPlace, threads: threads,
                             resume: ResumePoint(checkpoint: layout.checkpoint, manifestSHA256: sha), progress: progress)
        }
        if let build = interruptedBuild(of: dir) {
            let lock = try RunLock(build, .exclusive)
            defer { withExtendedLifetime(lock) {} }
            let (config, recorded, sha) = try readConfig(runDir: build)
            try requireSameEpochs(epochs, config, dir)
            let outcome = try train(config: config, dataDir: dataDir ?? recorded, outDir: dir, placement: .newRun(force: force),
                                    threads: threads, resume: ResumePoint(checkpoint: RunLayout(build).checkpoint, manifestSHA256: sha),
                                    progress: progress)
            // Installed: the interrupted builds of DIR (temporary files and all) are superseded.
            if !outcome.previousKept {
                RunInstall.recover(parent: RunInstall.parent(of: dir), restarting: URL(fileURLWithPath: dir).lastPathComponent)
            }
            return outcome
        }
        guard marker?.state == .complete, FileManager.default.fileExists(atPath: layout.checkpoint) else {
            throw NNError("\(dir): nothing to resume (no interrupted training of it with a \(RunLayout.checkpointFile), and not a complete run with one)")
        }
        let lock = try RunLock(dir, .shared, waiting: "nn train: \(dir) is being replaced by another nn command; waiting for it to finish")
        defer { withExtendedLifetime(lock) {} }
        var (config, recorded, sha) = try readConfig(runDir: dir)
        let done = try History.read(path: layout.history).epochs.count
        guard let epochs, epochs > done else {
            throw NNError("\(dir): the run is complete after \(done) epochs; give --epochs N with N > \(done) to extend it into a new run")
        }
        if let best = try? JSONValue.read(path: layout.best), best["stopped_early"] == .bool(true) {
            throw NNError("\(dir): the run stopped early at epoch \(done); there is nothing to extend")
        }
        let checkpoint = layout.checkpoint
        config.epochs = epochs
        let copyDir = outDir
        if let copyDir, URL(fileURLWithPath: copyDir).resolvingSymlinksInPath().path == URL(fileURLWithPath: dir).resolvingSymlinksInPath().path {
            throw NNError("--out: \(dir) is the run being extended; the extension goes into a new run directory")
        }
        return try train(config: config, dataDir: dataDir ?? recorded, outDir: copyDir, placement: .newRun(force: force),
                         threads: threads, resume: ResumePoint(checkpoint: checkpoint, manifestSHA256: sha), progress: progress)
    }

    static func requireSameEpochs(_ epochs: Int?, _ config: ExperimentConfig, _ dir: String) throws {
        if let epochs, epochs != config.epochs {
            throw NNError("--epochs: \(dir) is an interrupted run of \(config.epochs) epochs; resume it first, then extend it with --epochs")
        }
    }

    /// The build directory a killed `nn train` left for `dir` (`.NAME.nn-new-PID@HOST` of a
    /// dead process of this host, holding a checkpoint); the latest checkpoint if several.
    static func interruptedBuild(of dir: String) -> String? {
        let parent = RunInstall.parent(of: dir), name = URL(fileURLWithPath: dir).lastPathComponent
        var best: (path: String, time: Date)?
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] {
            guard let l = AtomicFile.leftover(entry), l.kind == "nn-new", l.name == name, AtomicFile.isStale(l) else { continue }
            let path = FilePath.join(parent, entry)
            guard FileManager.default.fileExists(atPath: RunLayout(path).checkpoint) else { continue }
            let attributes = try? FileManager.default.attributesOfItem(atPath: RunLayout(path).checkpoint)
            let time = attributes?[.modificationDate] as? Date ?? .distantPast
            if best == nil || time > best!.time { best = (path, time) }
        }
        return best?.path
    }
}
