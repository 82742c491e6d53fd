import Foundation
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import TestSupport
import Testing

/// Issue 17, parts 6-8, end to end through the real executable: readers bounded the same
/// way, input-driven loops bounded, strict types, byte-order marks. Each input is made
/// here, small; each test failed before the change it covers.
@Suite(.serialized) struct BoundedInputCLITests {
    static let tmp = scratchDirectory("bounded")
    /// A tiny run (785,4,1, one epoch on 100 MNIST images) to predict with; made once.
    static let run: Result<String, NNError> = {
        preparedMNIST(train: 100, test: 50, tag: "bounded").flatMap { data in
            let out = tmp + "/run"
            let r = try? runNN(["train", "--data", data, "--layers", "785,4,1", "--activations", "relu,sigmoid",
                                "--epochs", "1", "--out", out, "--quiet"])
            return r?.status == 0 ? .success(out) : .failure(NNError("nn train failed: \(r?.stderr ?? "did not start")"))
        }
    }()

    func errorLines(_ r: NNRun) -> [String] { r.stderr.split(separator: "\n").map(String.init) }

    /// `nn predict` with `input` on standard input.
    func predictStandardInput(_ run: String, _ input: [UInt8]) throws -> NNRun {
        let file = Self.tmp + "/stdin-\(UUID().uuidString).csv"
        try AtomicFile.write(input, to: file)
        return try runNN(["-c", "exec \"$0\" predict --run \"$1\" - < \"$2\"", nnExecutable().path, run, file],
                         executable: "/bin/sh")
    }

    /// Why: a 291 KB gzip'd IDX claiming 10,000,000 images made `nn predict` inflate ~300 MB
    /// (558 MB RSS) before its error. Now its header is refused: a gzip file of its size
    /// cannot hold what it claims.
    @Test func predictRefusesAnIDXClaimingMoreThanItsFileCanHold() throws {
        let run = try Self.run.get()
        let path = Self.tmp + "/claims-10M.idx.gz"
        let header = IDXArray(u8: [], shape: [10_000_000, 28, 28]).encoded()
        try AtomicFile.write(try GzipWriter.compress(header + [UInt8](repeating: 0, count: 2 << 20)), to: path)
        let r = try runNN(["predict", "--run", run, path])
        #expect(r.status == 2 && r.stdout.isEmpty)
        let lines = errorLines(r)
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.hasPrefix("Error: \(path): IDX header of u8 of shape [10000000, 28, 28] declares 7840000016 bytes, but a gzip file of ") == true, "\(lines)")
        #expect(lines.first?.hasSuffix("; the file is truncated, damaged or hostile") == true)
    }

    /// Why: stdin CSV whose first row starts with a UTF-8 byte-order mark lost that row
    /// (taken for a header; exit 0, indices shifted). Now the mark is skipped.
    @Test func predictKeepsTheFirstRowAfterAByteOrderMark() throws {
        let run = try Self.run.get()
        let row = (0..<784).map { String($0 % 256) }.joined(separator: ",")
        let plain = try predictStandardInput(run, Array("\(row)\n\(row)\n".utf8))
        let marked = try predictStandardInput(run, ByteOrderMark.utf8 + Array("\(row)\n\(row)\n".utf8))
        #expect(plain.status == 0 && marked.status == 0, "\(marked.stderr)")
        #expect(marked.stdout.split(separator: "\n").count == 3)   // header + 2 rows
        #expect(marked.stdout == plain.stdout)
    }

    /// Why: `nn diff` of a 3-million-row CSV held every cell as an object (4.9 GB, 84 s),
    /// and a sweep directory's `summary.csv` of that size was read with no bound at all.
    /// Now a file of more than `ResultTable.maxFields` fields is refused while it is parsed,
    /// given as a CSV file or as the sweep directory holding it (one ~13 MB file, written once).
    @Test func diffRefusesACSVOrSweepOfMoreFieldsThanItHolds() throws {
        let sweep = Self.tmp + "/bigsweep", small = Self.tmp + "/small.csv"
        try FileManager.default.createDirectory(atPath: sweep, withIntermediateDirectories: true)
        let big = SweepDirectory(sweep).summary
        let rows = ResultTable.maxFields / 3 + 1
        var text = "run_id,status,lr\n"
        text.reserveCapacity(rows * 20)
        for i in 0..<rows { text += "\(String(format: "%012x", i)),ok,0.5\n" }
        try AtomicFile.write(Array(text.utf8), to: big)
        try AtomicFile.write(Array("run_id,status,lr\n000000000000,ok,0.5\n".utf8), to: small)
        for a in [big, sweep] {
            let r = try runNN(["diff", a, small])
            #expect(r.status == 2 && r.stdout.isEmpty)
            #expect(errorLines(r) == ["Error: \(big): more than \(ResultTable.maxFields) fields by line \(rows); nn diff holds both sources in memory and compares at most \(ResultTable.maxFields) fields per file; compare a smaller extract"])
        }
    }

    /// Why: `--random 1000000000 --lr loguniform:0.01:1 --dry-run` ran past 4 minutes with
    /// memory growing; about 1.8 million distinct values exist. Now: the documented "space
    /// too small" error, before any draw.
    @Test func randomSearchLargerThanItsSpaceFailsAtOnce() throws {
        let data = try preparedMNIST(train: 100, test: 50, tag: "bounded").get()
        let r = try runNN(["sweep", "--random", "1000000000", "--lr", "loguniform:0.01:1", "--dry-run", "--data", data,
                           "--name", "space"], cwd: Self.tmp)
        #expect(r.status == 2 && r.stdout.isEmpty)
        #expect(errorLines(r) == ["Error: --random 1000000000: space too small: the distributions hold at most 1800004 distinct points (lr loguniform:0.01:1: at most 1800004; reals are rounded to 6 significant digits); ask for fewer"])
    }

    /// Why: a sweep of up to 1,000,000 points was allowed, about 19 minutes of `--dry-run`
    /// planning alone. Now one point past `SweepGrid.maxPoints` fails at once, from a random
    /// search or from a grid (11 seeds x 9091 lr values = 100,001), and nothing is written.
    @Test func aSweepOneBeyondTheCapFailsAtOnce() throws {
        #expect(SweepGrid.maxPoints == 100_000)
        let data = try preparedMNIST(train: 100, test: 50, tag: "bounded").get()
        let lrs = (1...9091).map { "0.\(10000 + $0)" }.joined(separator: ",")
        let seeds = (1...11).map(String.init).joined(separator: ",")
        for (args, message) in [
            (["--random", "100001", "--lr", "loguniform:0.01:1"], "--random 100001: more than the 100000 points a sweep may have; ask for fewer"),
            (["--seed", seeds, "--lr", lrs], "grid: 9091 lr x 11 seed is more than the 100000 points a sweep may have; sweep fewer values"),
        ] {
            let r = try runNN(["sweep"] + args + ["--dry-run", "--data", data, "--name", "cap"], cwd: Self.tmp)
            #expect(r.status == 2 && r.stdout.isEmpty)
            #expect(errorLines(r) == ["Error: \(message)"])
        }
        #expect(!FileManager.default.fileExists(atPath: Self.tmp + "/results/sweeps/cap"))
    }

    /// Why: experiment JSON `{"lr": "0x10"}` trained with lr 16; `"epochs": "1"`,
    /// `"layers": "785,20,1"` and `"name": 123` were coerced. Now each is an error naming
    /// the file and the key, before any work.
    @Test(arguments: [
        (#"{"lr": "0x10"}"#, #"lr: "0x10" is a string, but lr takes a number"#),
        (#"{"epochs": "1"}"#, #"epochs: "1" is a string, but epochs takes a number"#),
        (#"{"layers": "785,20,1"}"#, #"layers: "785,20,1" is a string, but layers takes a list of numbers"#),
        (#"{"name": 123}"#, "name: 123 is a number, but name takes a string"),
    ])
    func experimentFileStringsWhereNumbersBelongAreErrors(json: String, message: String) throws {
        let file = Self.tmp + "/exp-\(UUID().uuidString).json"
        try AtomicFile.write(Array(json.utf8), to: file)
        let out = Self.tmp + "/never-\(UUID().uuidString)"
        // `--data` names no directory: refused first, were the file accepted (no training).
        let r = try runNN(["train", "--config", file, "--data", Self.tmp + "/no-data", "--out", out])
        #expect(r.status == 2)
        #expect(errorLines(r) == ["Error: \(file): \(message)"])
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// Why: flags read numbers with Swift's `Double(_:)`, so `--lr 0x10` was 16 and
    /// `--rtol 0x10` 16. Now every number flag takes decimal numbers only.
    @Test(arguments: [
        (["train", "--lr", "0x10"], "Error: --lr: '0x10' is not a number"),
        (["diff", "--rtol", "0x10", "a.csv", "b.csv"], "Error: The value '0x10' is invalid for '--rtol <rtol>': '0x10' is not a number (decimal, e.g. 0.5 or 1e-3) (see 'nn diff --help')"),
        (["predict", "--threshold", "0x0.8", "--run", "r", "-"], "Error: The value '0x0.8' is invalid for '--threshold <threshold>': '0x0.8' is not a number (decimal, e.g. 0.5 or 1e-3) (see 'nn predict --help')"),
    ])
    func numberFlagsAreDecimal(args: [String], message: String) throws {
        let r = try runNN(args + (args[0] == "train" ? ["--data", Self.tmp + "/no-data", "--out", Self.tmp + "/never"] : []), cwd: Self.tmp)
        #expect(r.status == 2)
        #expect(errorLines(r) == [message])
    }
}
