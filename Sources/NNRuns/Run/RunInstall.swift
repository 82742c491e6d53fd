import Foundation
import NNBase
import NNKernel
import NNFormats

/// How `nn train` puts a run in place without ever destroying a result.
///
/// The run is built in a sibling temporary directory `.<name>.nn-new-<pid>@<host>` and renamed
/// to its final name only when training ends (complete, or diverged into a fresh
/// directory). A directory that holds a run is replaced only with `--force`, by
///
///     1. rename final -> .<name>.nn-old-<pid>@<host>     (park the old run)
///     2. rename .<name>.nn-new-<pid>@<host> -> final     (install the new one)
///     3. remove .<name>.nn-old-<pid>@<host>
///
/// Crash windows and how the next `nn train` into the same parent recovers (`recover`,
/// which only touches leftovers of dead processes of this host): killed before 1 (mid-training, or a
/// full disk) leaves the old run untouched plus a `nn-new` directory, which is removed;
/// between 1 and 2 the final name is missing and `nn-old` is renamed back (the old run
/// returns byte for byte); between 2 and 3 (or during 3) the new run is in place and the
/// parked `nn-old` is removed. A diverged retraining over an existing run is discarded
/// and the old run kept. (A full disk or any error before step 1 removes `nn-new` at
/// once.) Of two commands training into one directory at once, the second to finish
/// fails unless it has `--force`, and then it wins. Step 1 takes the old run's `RunLock`
/// exclusively: it waits for the commands reading the old run to finish.
enum RunInstall {
    /// What is at a run directory's path.
    enum Existing: Equatable, Sendable {
        case nothing                   // absent, or an empty directory
        case run(RunMarker.State?)     // nn's run (nil: from before markers)
    }

    /// Recovers leftovers in `dir`'s parent, then checks that a new run may go to `dir`:
    /// refuses a file, a non-empty directory that is not nn's, and (without `force`) a run.
    /// `restarting`: a training from the start, which discards interrupted builds of `dir`
    /// (a resumed one keeps them until it is installed).
    static func prepare(_ dir: String, force: Bool, restarting: Bool = true) throws -> Existing {
        recover(parent: parent(of: dir), restarting: restarting ? URL(fileURLWithPath: dir).lastPathComponent : nil)
        let existing = try inspect(dir)
        if case .run(let state) = existing, !force {
            let what = switch state {
            case .complete?: "a complete run"
            case .diverged?: "a diverged run"
            case .training?: "an incomplete run"
            case nil: "a run (written before \(RunLayout.markerFile) markers)"
            }
            throw NNError("\(dir): already holds \(what); pass --force to replace it (the old run stays until the new one is complete)")
        }
        return existing
    }

    static func inspect(_ dir: String) throws -> Existing {
        // A symbolic link would be replaced by the run, not followed: refuse it up front
        // rather than fail (and lose the training) at the rename.
        var st = stat()
        if lstat(dir, &st) == 0, st.st_mode & S_IFMT == S_IFLNK {
            throw NNError("\(dir): is a symbolic link; give the directory it points to as --out")
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) else { return .nothing }
        guard isDir.boolValue else { throw NNError("\(dir): exists and is not a directory; choose another --out") }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        if contents.isEmpty { return .nothing }
        if let marker = try RunMarker.read(dir: dir) { return .run(marker.state) }
        // A run from before markers: config.json and history.csv, and only run files.
        if contents.contains(RunLayout.configFile), contents.contains(RunLayout.historyFile), contents.allSatisfy({
            RunLayout.legacyFiles.contains($0) || $0.hasSuffix(".svg") || AtomicFile.leftover($0)?.kind == "tmp"
        }) {
            return .run(nil)
        }
        throw NNError("\(dir): not empty and not a run directory written by nn (no \(RunLayout.markerFile)); nothing was changed, choose another --out")
    }

    /// The directory a new run for `dir` is built in.
    static func temporaryDirectory(for dir: String) -> String {
        sibling(dir, kind: "nn-new")
    }

    /// Moves the finished run in `tmp` to `dir` (see the type's description). Only when
    /// `replacing` (the caller checked, with --force, that `dir` held a run) is a
    /// non-empty `dir` moved aside; otherwise a run another command put there meanwhile
    /// is an error, and is kept.
    static func install(_ tmp: String, at dir: String, replacing: Bool) throws {
        if rename(tmp, dir) == 0 { return }          // `dir` absent or an empty directory
        guard errno == ENOTEMPTY || errno == EEXIST else {
            throw NNError("\(dir): cannot install the new run: \(String(cString: strerror(errno)))")
        }
        guard replacing else {
            throw NNError("\(dir): another command wrote a run there while this one trained; kept it (pass --force to replace it)")
        }
        // Readers of the old run (`nn eval`, `predict`, `export`, `report`, an extension)
        // hold it shared: wait until they are done, so none of them mixes the two runs.
        let lock = try RunLock(dir, .exclusive, waiting: "nn train: \(dir) is being read by another nn command; waiting for it to finish before replacing the run")
        defer { withExtendedLifetime(lock) {} }
        // What is there now, not what was there when training started: someone may have
        // put another directory at `dir` meanwhile; only a run is ever moved aside.
        guard case .run = try inspect(dir) else {
            throw NNError("\(dir): no longer holds a run; not replacing what is there now")
        }
        let old = sibling(dir, kind: "nn-old")
        guard rename(dir, old) == 0 else { throw NNError("\(dir): cannot move the old run aside: \(String(cString: strerror(errno)))") }
        guard rename(tmp, dir) == 0 else {
            let err = String(cString: strerror(errno))
            _ = rename(old, dir)
            throw NNError("\(dir): cannot install the new run: \(err)")
        }
        try? FileManager.default.removeItem(atPath: old)
    }

    /// Cleans `parent` after killed commands (dead PIDs of this host only): stale temporary files,
    /// `nn-new` run directories, and `nn-old` ones (renamed back when their run's name is
    /// missing, else removed). An `nn-new` directory holding a checkpoint is kept for `nn
    /// train --resume` (`Run.resume`) unless it is the build of `restarting`, the run a new
    /// training (without --resume) starts over.
    static func recover(parent: String, restarting: String? = nil) {
        AtomicFile.removeStaleTemporaries(in: parent)
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] {
            guard let l = AtomicFile.leftover(entry), l.kind != "tmp", AtomicFile.isStale(l) else { continue }
            let path = FilePath.join(parent, entry), final = FilePath.join(parent, l.name)
            var st = stat()
            guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { continue }
            if l.kind == "nn-old", !FileManager.default.fileExists(atPath: final), rename(path, final) == 0 { continue }
            if l.kind == "nn-new", l.name != restarting, FileManager.default.fileExists(atPath: RunLayout(path).checkpoint) { continue }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// True when a live command of this host is replacing the run at `dir` (its old run
    /// parked as `.NAME.nn-old-PID@HOST`).
    static func isReplacing(_ dir: String) -> Bool {
        let name = URL(fileURLWithPath: dir).lastPathComponent
        return ((try? FileManager.default.contentsOfDirectory(atPath: parent(of: dir))) ?? []).contains { entry in
            guard let l = AtomicFile.leftover(entry) else { return false }
            return l.kind == "nn-old" && l.name == name && !AtomicFile.isStale(l)
        }
    }

    static func parent(of dir: String) -> String {
        URL(fileURLWithPath: dir).deletingLastPathComponent().path
    }

    static func sibling(_ dir: String, kind: String) -> String {
        let name = URL(fileURLWithPath: dir).lastPathComponent
        return FilePath.join(parent(of: dir), ".\(name).\(kind)-\(getpid())@\(AtomicFile.hostTag)")
    }
}
