import Foundation
import NNKernel
import NNFormats

/// The version of nn (`nn --version`), recorded in every run's `provenance.json`.
package enum NNVersion {
    package static let current = "0.1.0"
}

/// Where a result came from: `provenance.json`, written into every run directory by `nn
/// train` (and `nn sweep-point`) and into a sweep directory by `nn sweep`. It holds what
/// changes from one invocation to the next, so it is kept out of the byte-identical files
/// (config.json, history.csv, model.nnm, metrics.*, predictions.csv, summary.csv) and,
/// like timing.json, `nn diff` never compares it. Members (sorted):
///
///     command_line       the arguments of the command, executable first
///     format             "nn-provenance"
///     git_commit         `git rev-parse HEAD` of the working directory's repository, or null
///                        (no git, not in a repository, or git took longer than 2 s)
///     git_dirty          whether `git status --porcelain` lists anything, or null likewise
///     hostname           the machine's host name
///     nn_version         `NNVersion.current`
///     started            when the run (or sweep) started, ISO 8601 UTC to the second
///     working_directory  the directory the command ran in
package enum Provenance {
    package static let file = "provenance.json"
    static let format = "nn-provenance"
    /// How long each git command may take before it is given up (and the fields are null).
    static let gitTimeout = 2.0

    /// The command line recorded instead of this process's own: a sweep worker
    /// (`SweepWorker`) sets each point's `nn sweep-point` command while it runs the point.
    package nonisolated(unsafe) static var commandLine: [String]?

    /// The provenance record of this process, started at `started`.
    static func document(started: Date = Date(), arguments: [String] = commandLine ?? CommandLine.arguments) -> JSONValue {
        let commit = git(["rev-parse", "HEAD"]).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .flatMap { $0.isEmpty ? nil : $0 }
        let status = commit == nil ? nil : git(["status", "--porcelain"])
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return .sortedObject([
            "format": .string(format),
            "nn_version": .string(NNVersion.current),
            "git_commit": commit.map(JSONValue.string) ?? .null,
            "git_dirty": status.map { .bool(!$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty) } ?? .null,
            "started": .string(formatter.string(from: started)),
            "hostname": .string(hostname()),
            "command_line": .array(arguments.map(JSONValue.string)),
            "working_directory": .string(FileManager.default.currentDirectoryPath),
        ])
    }

    /// Writes the record to `path` (a run's or sweep's `provenance.json`), atomically.
    package static func write(to path: String, started: Date = Date()) throws {
        try AtomicFile.write(document(started: started).fileText, to: path)
    }

    /// The standard output of `git ARGS` run in the working directory, or nil when git is
    /// missing, fails (not a repository), or takes longer than `gitTimeout`.
    static func git(_ arguments: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git"] + arguments
        var env = ProcessInfo.processInfo.environment
        env["GIT_OPTIONAL_LOCKS"] = "0"        // git status must not take the index lock
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in exited.signal() }
        do { try p.run() } catch { return nil }
        // Read while git runs (a long `git status` would otherwise fill the pipe and stall).
        let output = OutputBox()
        let reader = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            output.data = out.fileHandleForReading.readDataToEndOfFile()
            reader.signal()
        }
        if exited.wait(timeout: .now() + gitTimeout) == .timedOut {
            p.terminate()
            _ = exited.wait(timeout: .now() + 1)
            return nil
        }
        guard reader.wait(timeout: .now() + 1) == .success, p.terminationStatus == 0 else { return nil }
        return String(decoding: output.data, as: UTF8.self)
    }

    private final class OutputBox: @unchecked Sendable {
        var data = Data()
    }

    static func hostname() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count - 1) == 0 else { return "" }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
