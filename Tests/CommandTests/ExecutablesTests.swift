import Foundation
@testable import NNCommands
import Testing

/// The `nn-<command>` executables and `nn`'s plugins (`nn foo` runs `nn-foo` from the PATH).
@Suite struct ExecutablesTests {
    /// A temporary directory holding an executable script `nn-<name>` with `body`.
    static func pluginDirectory(_ name: String, _ body: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-plugin-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = dir + "/nn-" + name
        try ("#!/bin/sh\n" + body + "\n").write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        return dir
    }

    /// This process's environment with `dir` first on the PATH.
    static func environment(pathFirst dir: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = dir + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        return environment
    }

    /// Every built-in command is an executable: Package.swift's `commandExecutables`, the
    /// `Sources/nn-*` targets (which `make install` installs) and docs/commands.md's list
    /// (`nn docs executables`, checked by DocsTablesTests) name the same ones.
    @Test func everyCommandIsAnExecutableOfItsOwn() throws {
        let executables = BuiltInCommand.allCases.map(\.executable)
        let sources = try FileManager.default.contentsOfDirectory(atPath: packageRoot() + "/Sources").filter { $0.hasPrefix("nn-") }
        #expect(sources.sorted() == executables.sorted())
        let package = try String(contentsOfFile: packageRoot() + "/Package.swift", encoding: .utf8)
        let line = try #require(package.split(separator: "\n").first { $0.hasPrefix("let commandExecutables = [") })
        #expect(line.contains(executables.map { "\"\($0.dropFirst(3))\"" }.joined(separator: ", ")), "\(line)")
        for executable in executables {
            #expect(BuiltInCommand.executablesMarkdown.contains("`\(executable)`"))
        }
    }

    @Test func pluginGetsItsArgumentsAndItsStatusIsNNs() throws {
        let dir = try Self.pluginDirectory("hello", #"printf '[%s]\n' "$@"; echo "to stderr" >&2; exit 3"#)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try runNN(["hello", "a", "b c", "--flag", ""], environment: Self.environment(pathFirst: dir))
        #expect(r.status == 3)
        #expect(r.stdout == "[a]\n[b c]\n[--flag]\n[]\n")
        #expect(r.stderr == "to stderr\n")
    }

    /// nn is replaced by the plugin (exec), so a plugin killed by signal N is nn killed by
    /// signal N: 128+N in a shell, the project's convention.
    @Test func pluginKilledBySignalIsNNKilledBySignal() throws {
        let dir = try Self.pluginDirectory("die", "kill -TERM $$")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try runNN(["-c", #""$0" die; echo "status $?""#, nnExecutable().path],
                          environment: Self.environment(pathFirst: dir), executable: "/bin/sh")
        #expect(r.stdout == "status \(128 + SIGTERM)\n", "\(r.stderr)")
    }

    @Test func unknownCommandWithoutPluginIsStatus2() throws {
        let dir = try Self.pluginDirectory("other", "exit 0")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try runNN(["no-such-command", "x"], environment: ["PATH": dir])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("Error: ") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }

    /// Built-in commands (and `help`) are never plugins, and names with a `/` never run a file.
    @Test(arguments: ["train", "help", "../x"])
    func builtInsAndPathsAreNotPlugins(name: String) throws {
        #expect(Plugin.name([name]) == nil)
        #expect(Plugin.name(["--" + name]) == nil)
        #expect(Plugin.name(["hello", name]) == "hello")
        let dir = try Self.pluginDirectory("train", "echo plugin; exit 3")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try runNN(["train", "--help"], environment: Self.environment(pathFirst: dir))
        #expect(r.status == 0 && r.stdout.contains("USAGE: nn train"), "\(r.stdout)\(r.stderr)")
    }

    @Test func helpMentionsPlugins() throws {
        let r = try runNN(["--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("nn-NAME on the PATH"))
    }

    /// Every built-in command is an executable `nn-<name>` built beside `nn`, which is that
    /// command: the same help, the same one-line errors and exit statuses.
    @Test(arguments: BuiltInCommand.allCases.map(\.name))
    func commandExecutableIsTheCommand(name: String) throws {
        let executable = nnExecutable("nn-" + name).path
        let help = try runNN(["--help"], executable: executable)
        #expect(help.status == 0, "\(help.stderr)")
        #expect(help.stdout == (try runNN([name, "--help"])).stdout)
        let bad = try runNN(["--no-such-flag"], executable: executable)
        let nnBad = try runNN([name, "--no-such-flag"])
        #expect(bad.status == 2 && nnBad.status == 2)
        #expect(bad.stderr == nnBad.stderr && bad.stderr.hasSuffix(" (see 'nn \(name) --help')\n"), "\(bad.stderr)")
    }

    /// `nn-train ARGS` is `nn train ARGS`; the hidden `sweep-point`, which `nn-sweep` runs
    /// for its points with its own executable, passes as it is.
    @Test func commandExecutableArguments() {
        #expect(BuiltInCommand.train.rootArguments(["--lr", "0.1"]) == ["train", "--lr", "0.1"])
        #expect(BuiltInCommand.sweep.rootArguments([]) == ["sweep"])
        #expect(BuiltInCommand.sweep.rootArguments(["sweep-point", "d"]) == ["sweep-point", "d"])
    }
}
