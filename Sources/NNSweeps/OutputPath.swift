import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

/// Outputs never land on inputs: every path a command is told to write (`--out`, `--plan`)
/// is checked, before any work, against the files the run, sweep and prepared directories
/// around it own (`RunLayout.owns`, `SweepDirectory.owns`, `PreparedLayout.owns`), whatever
/// way it is written: relative or absolute, through symbolic links or with `..` (the path
/// is resolved as the file system will resolve it when the file is written). It sits with
/// the sweeps because it knows all three layouts.
package enum OutputPath {
    /// What a path would write onto: the directory kind, its path and the owned file.
    struct Owner: Equatable, Sendable {
        var kind: String
        var directory: String
        var file: String
    }

    /// Throws a one-line error naming `flag` and `path` when `path`, a file or directory
    /// to be written, is (or is inside) something a run, sweep or prepared directory owns.
    /// A symbolic link as the last component of a file is replaced by the write, not
    /// followed (`AtomicFile`); a directory's is followed (`directory`).
    package static func check(_ path: String, flag: String, directory: Bool = false) throws {
        if let owner = owner(of: resolve(path, followingLast: directory)) {
            throw NNError("\(flag): \(path) is \(owner.file) of the \(owner.kind) directory \(owner.directory); not writing there (choose a path outside it)")
        }
    }

    /// Checks the directory `dir` that receives `files` (as `nn report --out DIR` does):
    /// `dir` itself, then each file in it, unless `dir` is one of `own` (the directories
    /// whose own report it is, written there by default).
    package static func check(directory dir: String, receiving files: [String], flag: String, own: [String] = []) throws {
        try check(dir, flag: flag, directory: true)
        let resolved = resolve(dir, followingLast: true)
        if own.contains(where: { resolve($0, followingLast: true) == resolved }) { return }
        for file in files {
            if let owner = owner(of: FilePath.join(resolved, file)) {
                throw NNError("\(flag): \(dir) is the \(owner.kind) directory \(owner.directory), which owns \(owner.file); not writing there (choose another directory)")
            }
        }
    }

    /// Throws when the file `path` is one of `inputs` (after resolving both).
    package static func check(_ path: String, flag: String, notAmong inputs: [String]) throws {
        let resolved = resolve(path, followingLast: true)
        if let input = inputs.first(where: { resolve($0, followingLast: true) == resolved }) {
            throw NNError("\(flag): \(path) is also an input (\(input)); not writing over it")
        }
    }

    /// Each directory kind: its name, how to recognise one, and which paths below it it owns.
    static let layouts: [(kind: String, isKind: @Sendable (String) -> Bool, owns: @Sendable ([String]) -> Bool)] = [
        ("run", RunLayout.isRun, RunLayout.owns), ("sweep", SweepDirectory.isSweep, SweepDirectory.owns),
        ("prepared data", PreparedLayout.isPrepared, PreparedLayout.owns),
    ]

    /// The run, sweep or prepared directory that owns the absolute, resolved `path`, if any:
    /// the nearest such directory above it whose layout claims the rest of the path.
    static func owner(of path: String) -> Owner? {
        var components = path.split(separator: "/").map(String.init)
        var relative: [String] = []
        while let last = components.popLast() {
            relative.insert(last, at: 0)
            let dir = "/" + components.joined(separator: "/")
            for (kind, isKind, owns) in layouts where owns(relative) && isKind(dir) {
                return Owner(kind: kind, directory: dir, file: relative.joined(separator: "/"))
            }
        }
        return nil
    }

    /// The absolute path the file system reaches for `path`: its nearest existing ancestor
    /// through `realpath(3)` (symbolic links and `..` resolved), then the components that do
    /// not exist yet (`..` among them applied as written, as `mkdir -p` would). The last
    /// component is resolved only when `followingLast`.
    static func resolve(_ path: String, followingLast: Bool) -> String {
        let absolute = path.hasPrefix("/") ? path : FilePath.join(FileManager.default.currentDirectoryPath, path)
        var head = absolute.split(separator: "/").map(String.init)
        var rest: [String] = []
        if !followingLast, let last = head.popLast() { rest = [last] }
        while true {
            let prefix = "/" + head.joined(separator: "/")
            if let real = realpath(prefix, nil) {
                defer { free(real) }
                var parts = String(cString: real).split(separator: "/").map(String.init)
                for c in rest where c != "." && !c.isEmpty {
                    if c == ".." { _ = parts.popLast() } else { parts.append(c) }
                }
                return "/" + parts.joined(separator: "/")
            }
            guard let last = head.popLast() else { return absolute }
            rest.insert(last, at: 0)
        }
    }
}
