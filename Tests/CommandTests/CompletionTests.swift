import Foundation
import TestSupport
import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands

/// The bash completion script `nn --generate-completion-script bash` prints, run by a real
/// bash: option values that are a closed set complete to that set (every such key of the
/// experiment-key table, in `nn train` and `nn sweep`), and paths complete to files of the
/// right kind.
@Suite struct CompletionTests {
    /// What bash's completion offers for the command line `words` (the last word is the one
    /// being completed), run in `cwd` with the script `scratch()` wrote there.
    func complete(_ words: [String], cwd: String) throws -> [String] {
        let quoted = words.map { "'" + $0 + "'" }.joined(separator: " ")
        let driver = """
            source ./nn.bash
            COMP_WORDS=(\(quoted)); COMP_CWORD=\(words.count - 1)
            COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
            _nn nn "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let r = try runNN(["-c", driver], cwd: cwd, executable: "/bin/bash")
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout.split(separator: "\n").map(String.init).sorted()
    }

    /// A fresh directory with the bash completion script (`nn.bash`) and a few files and
    /// directories to complete.
    func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-completion-\(UUID().uuidString)").path
        let script = try runNN(["--generate-completion-script", "bash"])
        #expect(script.status == 0)
        try FileManager.default.createDirectory(atPath: dir + "/experiments", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/runs", withIntermediateDirectories: true)
        for file in ["experiments/a.json", "experiments/b.txt", "rx.txt"] {
            try "".write(toFile: dir + "/" + file, atomically: true, encoding: .utf8)
        }
        try script.stdout.write(toFile: dir + "/nn.bash", atomically: true, encoding: .utf8)
        return dir
    }

    /// Each flagged key whose values are a closed set (or true/false) completes to exactly
    /// those values, after `nn train`.
    @Test func keyChoicesComplete() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let keys = ExperimentConfig.flagKeys.filter { $0.completions != nil }
        #expect(keys.contains { $0.name == "optimizer" } && keys.contains { $0.name == "keep_best" })
        for key in keys {
            for command in ["train"] {   // nn sweep takes the same flags, hidden from its short help and completion
                #expect(try complete(["nn", command, key.flag!, ""], cwd: dir) == key.completions!.sorted(), "\(command) \(key.flag!)")
            }
        }
    }

    /// `--config` offers JSON files (and directories), `--run` directories only, and a
    /// closed-set option of a command its values.
    @Test func pathsAndChoicesComplete() throws {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(try complete(["nn", "train", "--config", "experiments/"], cwd: dir) == ["experiments/a.json"])
        #expect(try complete(["nn", "eval", "--run", "r"], cwd: dir) == ["runs"])
        #expect(try complete(["nn", "runs", "--format", ""], cwd: dir) == RunsFormat.allCases.map(\.rawValue).sorted())
        #expect(try complete(["nn", "prepare", "--classes", ""], cwd: dir) == ["all", "binary"])
        #expect(try complete(["nn", "sweep", "--config", "experiments/"], cwd: dir) == ["experiments/a.json"])
        #expect(try complete(["nn", "sweep", "status", "r"], cwd: dir) == ["runs"])
        #expect(try complete(["nn", "sweep", "--goal", ""], cwd: dir) == ["max", "min"])
    }
}
