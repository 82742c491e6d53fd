import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands
import Testing

/// The exit-status convention of every command (0 success, 1 negative outcome, 2 error)
/// and line-buffered output, through the built binary.
@Suite struct ExitStatusTests {
    /// Every subcommand, with just enough arguments to get past "missing argument".
    static let commands: [[String]] = [
        [], ["fetch"], ["prepare"], ["train"], ["eval", "--run", "x"], ["diff", "a", "b"], ["report", "x"],
        ["sweep"], ["sweep-point", "x", "--data", "y"],
    ]

    @Test(arguments: commands)
    func unknownFlagIsStatus2(command: [String]) throws {
        let r = try runNN(command + ["--no-such-flag"])
        #expect(r.status == 2, "\(command): \(r.stderr)")
        #expect(r.stderr.hasPrefix("Error: Unknown option '--no-such-flag'"), "\(command): \(r.stderr)")
        // One line, ending with where to look (not ArgumentParser's usage block).
        let help = "nn " + (command.first.map { $0 + " " } ?? "") + "--help"
        #expect(r.stderr.hasSuffix(" (see '\(help)')\n") && r.stderr.split(separator: "\n").count == 1,
                "\(command): \(r.stderr)")
    }

    /// A bad value for every subcommand — negative numbers included, which must reach
    /// validation rather than be taken for flags — is status 2 with the message first.
    @Test(arguments: [
        (["fetch", "--timeout", "-1"], "Error: --timeout: must be a number of seconds in (0, 86400], got -1\n"),
        (["fetch", "--timeout", "1e16"], "Error: --timeout: must be a number of seconds in (0, 86400], got 1e+16\n"),
        (["prepare", "--seed", "-1"], "Error: --seed: must be in 0...4294967295, got -1\n"),
        (["prepare", "--train-size", "-5"], "Error: --train-size -5: must be at least 1\n"),
        (["train", "--lr", "-1"], "Error: --lr: must be > 0, got -1\n"),
        (["train", "--epochs", "-3"], "Error: --epochs: must be a positive integer, got -3\n"),
        (["train", "--batch-size", "-1"], "Error: --batch-size: must be >= 0 (0 = full batch), got -1\n"),
        (["train", "--threads", "-2"], "Error: --threads: must be in 1...1024, got -2\n"),
        (["train", "--threads", "3000000000"], "Error: --threads: must be in 1...1024, got 3000000000\n"),
        (["train", "--epochs", "x"], "Error: --epochs: 'x' is not an integer\n"),
        (["eval", "--run", "x", "--threshold", "-1"], "Error: --threshold: must be in (0, 1), got -1"),
        (["diff", "a", "b", "--rtol", "-1"], "Error: --rtol: must be >= 0, got -1\n"),
        (["diff", "a", "b", "--atol", "-0.5"], "Error: --atol: must be >= 0, got -0.5\n"),
        (["report"], "Error: give at least one run or sweep directory (see 'nn report --help')\n"),
        (["sweep", "--lr", "abc"], "Error: --lr: 'abc' is not a number\n"),
        (["sweep", "--jobs", "-1"], "Error: --jobs: must be >= 1, got -1\n"),
        (["sweep", "--threads", "-1"], "Error: --threads: must be in 1...1024, got -1\n"),
        (["sweep-point", "x", "--data", "y", "--threads", "-1"], "Error: --threads: must be in 1...1024, got -1\n"),
    ])
    func badValueIsStatus2(args: [String], message: String) throws {
        let r = try runNN(args)
        #expect(r.status == 2, "\(args): \(r.stderr)")
        #expect(r.stderr.hasPrefix(message), "\(args): \(r.stderr)")
    }

    /// A bad value is blamed on what set it: an experiment file's key, or the flag that
    /// overrides it (the kernel's architecture errors too, which name no flag themselves).
    @Test func badValueNamesTheFileKeyOrTheFlagThatSetIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("nn-blame-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try AtomicFile.write("{\"lr\": 0, \"layers\": [785, 16, 1], \"activations\": [\"relu\", \"relu\"]}\n", to: root + "/exp.json")
        let file = try runNN(["train", "--config", "exp.json", "--activations", "relu,sigmoid"], cwd: root)
        #expect(file.status == 2 && file.stderr == "Error: exp.json: lr: must be > 0, got 0\n", "\(file.stderr)")
        let flag = try runNN(["train", "--config", "exp.json", "--lr", "-1"], cwd: root)
        #expect(flag.status == 2 && flag.stderr == "Error: --lr: must be > 0, got -1\n", "\(flag.stderr)")
        let kernel = try runNN(["train", "--config", "exp.json", "--lr", "0.1"], cwd: root)
        #expect(kernel.status == 2 && kernel.stderr == "Error: --loss: bce needs a sigmoid output layer, but the last activation is relu\n",
                "\(kernel.stderr)")
    }

    @Test func sweepListsTakeNegativeNumbers() throws {
        let r = try runNN(["sweep", "--lr", "-1", "--dry-run"])
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("Error: point 1 of 1 (") && r.stderr.hasSuffix("--lr: must be > 0, got -1\n"), "\(r.stderr)")
    }

    @Test func diffIsZeroOneOrTwo() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("nn-exit-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try AtomicFile.write("x,y\n1,2\n", to: root + "/a.csv")
        try AtomicFile.write("x,y\n1,3\n", to: root + "/b.csv")
        #expect(try runNN(["diff", "a.csv", "a.csv"], cwd: root).status == 0)
        #expect(try runNN(["diff", "a.csv", "b.csv"], cwd: root).status == 1)
        #expect(try runNN(["diff", "a.csv", "c.csv"], cwd: root).status == 2)
        #expect(try runNN(["diff", "a.csv", "b.csv", "--atol", "1"], cwd: root).status == 0)
    }

    /// Output that cannot be written is an error (2), not a crash (FileHandle's trap, 132),
    /// a signal (SIGPIPE) or the command's own status: `/dev/full` fails every write with
    /// ENOSPC.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func unwritableOutputIsStatus2() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("nn-exit-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try AtomicFile.write("x,y\n1,2\n", to: root + "/a.csv")
        try AtomicFile.write("x,y\n1,3\n", to: root + "/b.csv")
        func run(_ args: [String], fullStdout: Bool) throws -> (status: Int32, stderr: String) {
            let p = Process()
            p.executableURL = nnExecutable()
            p.arguments = args
            p.currentDirectoryURL = URL(fileURLWithPath: root)
            let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
            let pipe = Pipe()
            p.standardOutput = fullStdout ? full : FileHandle.nullDevice
            p.standardError = fullStdout ? pipe : full
            try p.run()
            let err = pipe.fileHandleForReading
            if !fullStdout { try pipe.fileHandleForWriting.close() }
            let text = String(decoding: err.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationReason == .exit ? p.terminationStatus : 128 + p.terminationStatus, text)
        }
        for pair in [["a.csv", "a.csv"], ["a.csv", "b.csv"]] {
            let r = try run(["diff"] + pair, fullStdout: true)
            #expect(r.status == 2 && r.stderr == "Error: standard output: no space left on device\n", "\(pair): \(r)")
        }
        #expect(try run(["diff", "a.csv", "nope.csv"], fullStdout: false).status == 2)

        // A pipe whose reader has gone (`nn diff ... | head -0`): status 2, not SIGPIPE.
        let p = Process()
        p.executableURL = nnExecutable()
        p.arguments = ["diff", "a.csv", "b.csv"]
        p.currentDirectoryURL = URL(fileURLWithPath: root)
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 2)
    }

    @Test func divergingTrainingIsStatus1() throws {
        let data = try sweepData.get()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nn-exit-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try runNN(["train", "--data", data, "--out", out, "--layers", "785,16,1", "--activations", "relu,sigmoid",
                           "--epochs", "3", "--lr", "1e300", "--quiet"])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("nn train: training diverged at epoch "), "\(r.stderr)")
    }

    /// Into a pipe, `nn train` prints each epoch's line when the epoch ends. 100,000
    /// epochs take far longer than the test, so the process is still running when the
    /// first line arrives; block-buffered output would arrive only in 4096-byte blocks
    /// (about 100 epoch lines), so the first read returning less shows line buffering.
    @Test func outputIntoAPipeArrivesLineByLine() throws {
        let data = try sweepData.get()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nn-exit-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let p = Process()
        p.executableURL = nnExecutable()
        p.arguments = ["train", "--data", data, "--out", out, "--layers", "785,128,1", "--activations", "relu,sigmoid",
                       "--epochs", "100000", "--threads", "1"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer {
            // SIGKILL: a child of the test runner may start with SIGTERM blocked.
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let n = read(pipe.fileHandleForReading.fileDescriptor, &buffer, buffer.count)
        #expect(p.isRunning)
        #expect(n > 0 && n < 4096, "first read returned \(n) bytes")
        #expect(String(decoding: buffer[..<max(0, n)], as: UTF8.self).hasPrefix("epoch 1/100000 loss "))
    }
}
