import Foundation
import Testing

@Suite struct FetchCommandTests {
    private func nonEmptyLines(_ s: String) -> [Substring] { s.split(separator: "\n") }

    @Test func vendoredMNISTVerifiesOffline() throws {
        let r = try runNN(["fetch"], cwd: packageRoot())
        #expect(r.status == 0, "\(r.stderr)")
        let lines = nonEmptyLines(r.stdout)
        #expect(lines.count == 5)
        for name in ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"] {
            #expect(lines.contains { $0.hasPrefix("\(name): ok (sha256 ") }, "\(name)")
        }
        #expect(lines.last == "mnist: all 4 files ok in data/mnist (none downloaded)")
        #expect(!r.stderr.contains("fetching"))
    }

    @Test func unknownDatasetIsOneLine() throws {
        let r = try runNN(["fetch", "--dataset", "nope"], cwd: packageRoot())
        #expect(r.status != 0)
        #expect(r.stdout.isEmpty)
        #expect(nonEmptyLines(r.stderr) == ["Error: --dataset: unknown dataset 'nope' (known: mnist, fashion-mnist)"])
    }

    @Test(arguments: [
        (["--mirror", "ftp://example.org/"], "--mirror: mirror 'ftp://example.org/': unsupported scheme 'ftp'"),
        (["--timeout", "0"], "--timeout: must be a number of seconds in (0, 86400]"),
    ])
    func badFlagsAreOneLine(args: [String], expected: String) throws {
        let r = try runNN(["fetch"] + args, cwd: packageRoot())
        #expect(r.status != 0)
        let lines = nonEmptyLines(r.stderr)
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("Error: \(expected)") == true, "\(r.stderr)")
    }

    @Test func downloadsIntoAnEmptyDirectoryFromAFileMirror() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("nn-fetch-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let source = packageRoot() + "/data/mnist"
        let r = try runNN(["fetch", "--data-dir", tmp + "/mnist", "--mirror", "file://\(source)/"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = nonEmptyLines(r.stdout)
        #expect(lines.filter { $0.hasSuffix(": missing") }.count == 4)
        #expect(lines.filter { $0.contains(": downloaded from file://\(source)/, ok (sha256 ") }.count == 4)
        #expect(lines.last == "mnist: all 4 files ok in \(tmp)/mnist (downloaded 4 from file://\(source)/)")
        #expect(r.stderr.contains("fetching train-images-idx3-ubyte.gz from file://\(source)/"))
        let copied = try FileManager.default.contentsOfDirectory(atPath: tmp + "/mnist").sorted()
        #expect(copied == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"])
    }

    /// A `kill -9` mid-download leaves `.NAME.tmp-PID-N`; the next `nn fetch` there removes
    /// it, even when every file is already ok and nothing is downloaded.
    @Test func nextFetchRemovesAKilledDownloadsTemporaryFile() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("nn-fetch-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let source = packageRoot() + "/data/mnist"
        let args = ["fetch", "--data-dir", tmp, "--mirror", "file://\(source)/"]
        #expect(try runNN(args).status == 0)
        let done = Process()   // a pid that has just ended
        done.executableURL = URL(fileURLWithPath: "/bin/true")
        try done.run()
        done.waitUntilExit()
        let leftover = "\(tmp)/.train-images-idx3-ubyte.gz.tmp-\(done.processIdentifier)-1"
        #expect(FileManager.default.createFile(atPath: leftover, contents: Data(repeating: 7, count: 1000)))
        let again = try runNN(args)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("(none downloaded)"))
        #expect(!FileManager.default.fileExists(atPath: leftover))
    }

    @Test func everyMirrorFailingIsOneLineAndLeavesNothing() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("nn-fetch-cli-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let r = try runNN(["fetch", "--data-dir", tmp, "--mirror", "file:///nonexistent-nn-mirror/", "--mirror", "http://127.0.0.1:1/"])
        #expect(r.status != 0)
        let errors = nonEmptyLines(r.stderr).filter { $0.hasPrefix("Error:") }
        #expect(errors == ["Error: train-images-idx3-ubyte.gz: all mirrors failed: file:///nonexistent-nn-mirror/ (no such file); http://127.0.0.1:1/ (cannot connect to host)"])
        #expect(!FileManager.default.fileExists(atPath: tmp))
    }

    /// A failed fetch into the default `data/mnist` of a fresh directory removes both
    /// directories it made (`data/mnist` and `data`), and leaves one that was there.
    @Test func aFailedFetchRemovesTheDirectoriesItMade() throws {
        let cwd = scratchDirectory("fetch-fresh")
        defer { try? FileManager.default.removeItem(atPath: cwd) }
        let args = ["fetch", "--mirror", "file:///nonexistent-nn-mirror/"]
        let r = try runNN(args, cwd: cwd)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(entries(cwd).isEmpty, "\(entries(cwd))")
        try FileManager.default.createDirectory(atPath: cwd + "/data", withIntermediateDirectories: true)
        #expect(try runNN(args, cwd: cwd).status == 2)
        #expect(entries(cwd) == ["data"] && entries(cwd + "/data").isEmpty)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist"),
                   "needs Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist)"))
    func fashionMNISTComesFromTheDebianPackage() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("nn-fetch-fashion-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let r = try runNN(["fetch", "--dataset", "fashion-mnist", "--data-dir", tmp])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(nonEmptyLines(r.stdout).filter { $0.contains(": downloaded from file:///usr/share/datasets/fashion-mnist/, ok") }.count == 4)
        #expect(nonEmptyLines(r.stdout).last == "fashion-mnist: all 4 files ok in \(tmp) (downloaded 4 from file:///usr/share/datasets/fashion-mnist/)")
    }
}
