import Foundation
import NNKernel
import NNFormats

/// Where a resumed training continues from: the checkpoint file and, for an interrupted
/// `nn train`, the build directory it claimed (`RunInstall`).
package struct ResumePoint: Sendable {
    var checkpoint: String
    var buildDirectory: String?

    package init(checkpoint: String, buildDirectory: String? = nil) {
        self.checkpoint = checkpoint
        self.buildDirectory = buildDirectory
    }
}

extension Run {
    /// `nn train --resume DIR [--epochs N]`. DIR is the run directory the training was
    /// meant for (its `--out`):
    ///
    /// 1. DIR's marker says `training` and DIR holds a checkpoint (a sweep point, trained in
    ///    place): it continues there.
    /// 2. A killed `nn train` left its build directory `.DIR.nn-new-PID@HOST` (a dead
    ///    process of this host) with a checkpoint beside DIR: it is claimed (renamed to this
    ///    process's build name), continued, and installed at DIR as a new run would be.
    /// 3. DIR is a complete run and `epochs` is more than it trained: the training is
    ///    extended into a new run directory (`outDir`, default the new configuration's
    ///    default directory), DIR untouched.
    ///
    /// The configuration is DIR's `config.json`; only `epochs` may change (case 3).
    package static func resume(_ dir: String, epochs: Int?, dataDir: String?, outDir: String?, force: Bool, threads: Int,
                              progress: @escaping (EpochReport) -> Void = { _ in }) throws -> TrainOutcome {
        let layout = RunLayout(dir)
        let marker = (try? RunMarker.read(dir: dir)) ?? nil
        if marker?.state == .training, FileManager.default.fileExists(atPath: layout.checkpoint) {
            let (config, recorded, _) = try readConfig(runDir: dir)
            try requireSameEpochs(epochs, config, dir)
            return try train(config: config, dataDir: dataDir ?? recorded, outDir: dir, placement: .inPlace, threads: threads,
                             resume: ResumePoint(checkpoint: layout.checkpoint), progress: progress)
        }
        if let build = interruptedBuild(of: dir) {
            let mine = RunInstall.temporaryDirectory(for: dir)
            guard rename(build, mine) == 0 else {
                throw NNError("\(build): cannot claim the interrupted run: \(String(cString: strerror(errno)))")
            }
            do {
                let (config, recorded, _) = try readConfig(runDir: mine)
                try requireSameEpochs(epochs, config, dir)
                return try train(config: config, dataDir: dataDir ?? recorded, outDir: dir, placement: .newRun(force: force),
                                 threads: threads, resume: ResumePoint(checkpoint: RunLayout(mine).checkpoint, buildDirectory: mine),
                                 progress: progress)
            } catch {
                _ = rename(mine, build)     // leave it resumable as it was
                throw error
            }
        }
        guard marker?.state == .complete, FileManager.default.fileExists(atPath: layout.checkpoint) else {
            throw NNError("\(dir): nothing to resume (no interrupted training of it with a \(RunLayout.checkpointFile), and not a complete run with one)")
        }
        var (config, recorded, _) = try readConfig(runDir: dir)
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
        if let copyDir, URL(fileURLWithPath: copyDir).standardized.path == URL(fileURLWithPath: dir).standardized.path {
            throw NNError("--out: \(dir) is the run being extended; the extension goes into a new run directory")
        }
        return try train(config: config, dataDir: dataDir ?? recorded, outDir: copyDir, placement: .newRun(force: force),
                         threads: threads, resume: ResumePoint(checkpoint: checkpoint), progress: progress)
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
