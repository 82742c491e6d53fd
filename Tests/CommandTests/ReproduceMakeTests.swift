import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNCommands
import Testing

/// `make reproduce`'s seeds through the real Makefile and the built `nn`, on a small
/// prepared slice and a 1-epoch experiment: each seed says which of how many it is before
/// it trains and how long it took (with an ETA for the rest) after; `QUIET=1` prints
/// nothing and writes the same bytes.
@Suite struct ReproduceMakeTests {
    /// Runs `make` in the package root on the seed targets (not the report: a small slice
    /// is not the notebook's test set, which `nn report --notebook` refuses). `-o` keeps
    /// make from rebuilding `nn` or re-preparing the data.
    func make(_ vars: [String], seeds: Int, out: String, data: String, experiment: String) throws -> NNRun {
        let nn = nnExecutable().path
        let targets = (0..<seeds).map { "\(out)/seed-\($0)/metrics.json" }
        return try runNN(["-s", "-o", nn, "-o", data + "/manifest.json"] + targets
                         + ["NN=\(nn)", "PREPARED=\(data)", "NOTEBOOK=\(out)", "EXPERIMENT=\(experiment)", "SEEDS=\(seeds)"] + vars,
                         cwd: packageRoot(), executable: "/usr/bin/make")
    }

    @Test func seedsSayWhichOfHowManyAndHowLong() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/make"), "make reproduce needs make")
        let root = scratchDirectory("reproduce-make")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try sweepData.get()
        try AtomicFile.write(#"{"name": "tiny", "layers": [785, 16, 1], "activations": ["relu", "sigmoid"], "epochs": 1}"#,
                             to: root + "/tiny.json")
        let r = try make([], seeds: 2, out: root + "/loud", data: data, experiment: root + "/tiny.json")
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let seedLines = lines.filter { $0.hasPrefix("[") }
        #expect(seedLines.count == 4, "\(r.stdout)")
        #expect(seedLines.first == "[1/2] seed 0: training \(root)/loud/seed-0")
        #expect(seedLines.count == 4 && seedLines[2] == "[2/2] seed 1: training \(root)/loud/seed-1")
        // After each seed: its time (m:ss); the first also an ETA for the one after it at its
        // pace (the same time, one seed left), the last none.
        let first = try #require(seedLines.dropFirst().first)
        let done = try #require(first.wholeMatch(of: /\[1\/2\] seed 0: trained in (\d+:\d\d), ETA (\d+:\d\d) for the rest at this pace/))
        #expect(done.1 == done.2)
        #expect(seedLines.last?.wholeMatch(of: /\[2\/2\] seed 1: trained in \d+:\d\d/) != nil, "\(r.stdout)")
        // Between them: the train command, its epoch line, then nn eval's output.
        let start = try #require(lines.firstIndex(of: seedLines[0]))
        #expect(lines[start + 1].hasSuffix(" train --config \(root)/tiny.json --seed 0 --data \(data) --out \(root)/loud/seed-0 --force"))
        #expect(lines[start + 2].hasPrefix("epoch 1/1 loss "))
        #expect(lines[start + 3].hasPrefix("wrote \(root)/loud/seed-0: 1 epoch, "))

        // QUIET=1: nothing on stdout, the same results.
        let quiet = try make(["QUIET=1"], seeds: 2, out: root + "/quiet", data: data, experiment: root + "/tiny.json")
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(quiet.stdout == "")
        for seed in 0..<2 {
            for file in ["metrics.json", "history.csv", "model.nnm", "predictions.csv"] {
                let (a, b) = ("\(root)/loud/seed-\(seed)/\(file)", "\(root)/quiet/seed-\(seed)/\(file)")
                #expect(FileManager.default.contents(atPath: a) != nil && FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b), "\(file)")
            }
        }
    }
}
