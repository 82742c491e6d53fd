import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands
import Testing

@Suite struct PrepareCommandTests {
    /// The non-empty lines a run printed on stderr.
    private func errorLines(_ r: NNRun) -> [String] {
        r.stderr.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    private func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("nn-prepare-cli-\(UUID().uuidString)").path
    }

    @Test func unknownDatasetIsOneLineError() throws {
        let out = temporaryDirectory()
        let r = try runNN(["prepare", "--dataset", "nope", "--out", out])
        #expect(r.status != 0)
        #expect(errorLines(r) == ["Error: unknown dataset 'nope' (known: mnist, fashion-mnist)"])
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func splitLargerThanThePoolIsOneLineError() throws {
        let out = temporaryDirectory()
        let r = try runNN(["prepare", "--train-size", "70000", "--test-size", "20000", "--out", out], cwd: packageRoot())
        #expect(r.status != 0)
        #expect(errorLines(r) == ["Error: --train-size 70000 + --test-size 20000 = 90000 is more than the 70000 items in the pool"])
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test(arguments: [
        (["--positive-digit", "11"], "Error: --positive-digit 11: must be a digit 0-9"),
        (["--classes", "all", "--positive-digit", "3"], "Error: --positive-digit 3: only applies to --classes binary"),
        (["--test-size", "0"], "Error: --test-size 0: must be at least 1"),
    ])
    func badFlagsAreOneLineErrors(args: [String], expected: String) throws {
        let r = try runNN(["prepare"] + args + ["--out", temporaryDirectory()])
        #expect(r.status != 0)
        #expect(errorLines(r) == [expected])
    }

    @Test func missingDataPointsToFetch() throws {
        let root = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try runNN(["prepare", "--data-dir", root + "/empty", "--out", root + "/out"])
        #expect(r.status != 0)
        #expect(errorLines(r).count == 1)
        #expect(r.stderr.contains("train-labels-idx1-ubyte.gz: no such file; run `nn fetch --dataset mnist`"))
        #expect(!FileManager.default.fileExists(atPath: root + "/out"))
    }

    @Test func preparesIntoTheDefaultDirectoryThenIsUpToDate() throws {
        // A small split of the real MNIST files, run from a scratch working directory whose
        // data/mnist links to the repository's, so the default paths are exercised.
        let cwd = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: cwd) }
        try FileManager.default.createDirectory(atPath: cwd + "/data", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: cwd + "/data/mnist", withDestinationPath: packageRoot() + "/data/mnist")
        let args = ["prepare", "--train-size", "500", "--test-size", "200", "--seed", "7", "--positive-digit", "3"]
        let first = try runNN(args, cwd: cwd)
        #expect(first.status == 0, "\(first.stderr)")
        let dir = cwd + "/results/prepared/mnist-binary3-500-200-s7"
        #expect(first.stdout.contains("prepared mnist into results/prepared/mnist-binary3-500-200-s7"))
        let data = try PreparedDataset.load(directory: dir)
        #expect(data.train.count == 500 && data.test.count == 200)
        #expect(data.target == .binary(positiveDigit: 3))
        #expect(first.stdout.contains("train: 500 images 28x28, \(data.train.labels.filter { $0 == 3 }.count) of digit 3"))
        let second = try runNN(args, cwd: cwd)
        #expect(second.status == 0)
        #expect(second.stdout == "results/prepared/mnist-binary3-500-200-s7: up to date\n")
    }

    /// A `kill -9` of `nn prepare` mid-write leaves `.NAME.tmp-PID-N` files and no manifest;
    /// the next `nn prepare` there rebuilds the directory and removes the dead process's
    /// temporary files (a live process's are left alone).
    @Test func nextPrepareRemovesAKilledPreparesTemporaryFiles() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let args = ["prepare", "--train-size", "300", "--test-size", "100",
                    "--data-dir", packageRoot() + "/data/mnist", "--out", out]
        #expect(try runNN(args).status == 0)
        // A pid that has just ended: the process `true` ran as.
        let done = Process()
        done.executableURL = URL(fileURLWithPath: "/bin/true")
        try done.run()
        done.waitUntilExit()
        let dead = "\(out)/.train-images.idx.tmp-\(done.processIdentifier)-1"
        let live = "\(out)/.test-images.idx.tmp-\(getpid())-1"
        for path in [dead, live] { #expect(FileManager.default.createFile(atPath: path, contents: Data([1, 2, 3]))) }
        let again = try runNN(args)   // up to date: the leftovers go all the same
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.hasSuffix(": up to date\n"))
        #expect(!FileManager.default.fileExists(atPath: dead))
        #expect(FileManager.default.fileExists(atPath: live))
    }

    /// `nn prepare --out` into someone else's non-empty directory (here a manifest.json
    /// that is not nn's, beside notes) refuses by name and changes nothing.
    @Test func foreignOutputDirectoryIsRefusedAndUntouched() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let files = ["manifest.json": "{\"x\": 1}\n", "notes.txt": "mine\n"]
        for (name, text) in files { try text.write(toFile: out + "/" + name, atomically: false, encoding: .utf8) }
        let r = try runNN(["prepare", "--train-size", "300", "--test-size", "100",
                           "--data-dir", packageRoot() + "/data/mnist", "--out", out])
        #expect(r.status == 2)
        #expect(errorLines(r) == ["Error: \(out): not empty and not a prepared directory written by nn (no nn manifest.json); nothing was changed, choose another --out"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["manifest.json", "notes.txt"])
        for (name, text) in files { #expect(try String(contentsOfFile: out + "/" + name, encoding: .utf8) == text) }
    }
}
