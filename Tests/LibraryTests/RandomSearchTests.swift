import Foundation
import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

@Suite struct RandomSearchTests {
    func grid(_ flags: [(String, String)], file: [(key: String, values: [String])] = [], count: Int = 8, seed: UInt32 = 1) throws -> SweepGrid {
        try SweepGrid(file: file, fileSource: "exp.json", flags: flags.map { (key: $0.0, list: $0.1, source: "--" + $0.0) },
                      random: (count, seed))
    }

    @Test func distributionsParseToCanonicalText() throws {
        #expect(try SweepDistribution.parse(key: "lr", "loguniform:0.01:1", source: "--lr")?.text == "loguniform:0.01:1")
        #expect(try SweepDistribution.parse(key: "momentum", " uniform:0.5:0.990 ", source: "--grid momentum")?.text == "uniform:0.5:0.99")
        #expect(try SweepDistribution.parse(key: "epochs", "int:1:3", source: "--epochs") == .int(1, 3))
        #expect(try SweepDistribution.parse(key: "batch_size", "choice:32,64,128", source: "--batch-size") == .choice(["32", "64", "128"], separator: ","))
        #expect(try SweepDistribution.parse(key: "layers", "choice:785,16,1;785,8,1", source: "--layers")?.text == "choice:785,16,1;785,8,1")
        #expect(try SweepDistribution.parse(key: "activations", "choice:sigmoid;relu", source: "--activations")?.text == "choice:sigmoid;relu")
        #expect(try SweepDistribution.parse(key: "lr", "0.1,0.3", source: "--lr") == nil)
    }

    @Test(arguments: [
        ("lr", "loguniform:0:1", "--lr: 'loguniform:0:1': loguniform needs 0 < A"),
        ("lr", "uniform:1:0.5", "--lr: 'uniform:1:0.5': needs A < B"),
        ("lr", "uniform:0.1", "--lr: 'uniform:0.1': expected uniform:A:B"),
        ("lr", "uniform:a:1", "--lr: 'uniform:a:1': bounds must be finite numbers"),
        ("lr", "uniform:0:inf", "--lr: 'uniform:0:inf': bounds must be finite numbers"),
        ("epochs", "uniform:1:3", "--epochs: 'uniform:1:3': uniform: applies to number keys; epochs is integer (use int: or choice:)"),
        ("epochs", "int:3:1", "--epochs: 'int:3:1': needs A <= B"),
        ("epochs", "int:1.5:3", "--epochs: 'int:1.5:3': int bounds must be integers"),
        ("optimizer", "int:1:3", "--optimizer: 'int:1:3': int: applies to integer and number keys; optimizer is one of gd, sgd, momentum, adam"),
        ("optimizer", "choice:gd,rmsprop", "--optimizer: unknown value 'rmsprop' (expected one of: gd, sgd, momentum, adam)"),
        ("batch_size", "choice:", "--batch-size: empty list (give at least one value)"),
    ])
    func badDistributionsAreOneLineErrors(key: String, spec: String, expected: String) {
        let flag = "--" + key.replacingOccurrences(of: "_", with: "-")
        #expect(sweepError { _ = try SweepDistribution.parse(key: key, spec, source: flag) } == expected)
    }

    @Test func samplesStayInBoundsAndAreDeterministic() throws {
        let flags = [("lr", "loguniform:0.01:1"), ("momentum", "uniform:0.5:0.99"), ("epochs", "int:1:3"),
                     ("batch_size", "choice:32,64,128")]
        let g = try grid(flags, count: 200, seed: 7)
        #expect(g.count == 200 && g.keys == ["batch_size", "epochs", "lr", "momentum"])
        for point in g.points {
            let v = Dictionary(uniqueKeysWithValues: point.map { ($0.key, $0.value) })
            let lr = Double(v["lr"]!)!, m = Double(v["momentum"]!)!
            #expect(lr >= 0.01 && lr <= 1 && m >= 0.5 && m <= 0.99)
            #expect(["1", "2", "3"].contains(v["epochs"]!) && ["32", "64", "128"].contains(v["batch_size"]!))
            // 6 significant digits, in the key's normalised text.
            #expect(Double(String(format: "%.5e", lr)) == lr)
        }
        let lrs = g.points.map { Double($0[2].value)! }
        // Log-uniform: about half the samples below sqrt(0.01 * 1) = 0.1.
        #expect((70...130).contains(lrs.filter { $0 < 0.1 }.count))
        #expect(try grid(flags, count: 200, seed: 7).points.map { $0.map(\.value) } == g.points.map { $0.map(\.value) })
        #expect(try grid(flags, count: 200, seed: 8).points.map { $0.map(\.value) } != g.points.map { $0.map(\.value) })
    }

    /// The first draws of MT19937(1) (NumPy: RandomState(1).random_sample() = 0.417022004702574,
    /// then 0.7203244934421581): lr = exp(ln 0.01 + ln(100) * u) to 6 digits.
    @Test func samplesFollowTheGenerator() throws {
        let g = try grid([("lr", "loguniform:0.01:1")], count: 2, seed: 1)
        #expect(g.points.map { $0.map(\.value) } == [["0.0682408"], ["0.275835"]])
    }

    @Test func composesWithGridKeysSampleSlowest() throws {
        let g = try grid([("lr", "loguniform:0.01:1"), ("seed", "0,1,2")], count: 2, seed: 1)
        #expect(g.count == 6)
        #expect(g.points.map { $0.map { "\($0.key)=\($0.value)" }.joined(separator: " ") } == [
            "lr=0.0682408 seed=0", "lr=0.0682408 seed=1", "lr=0.0682408 seed=2",
            "lr=0.275835 seed=0", "lr=0.275835 seed=1", "lr=0.275835 seed=2"])
    }

    @Test func fileDistributionsAndFlagsOverridingThem() throws {
        let g = try grid([("epochs", "2")], file: [(key: "lr", values: ["loguniform:0.01:1"]), (key: "seed", values: ["0", "1"])], count: 2)
        #expect(g.random?.keys == ["lr"] && g.axes.map(\.key) == ["epochs", "seed"] && g.count == 4)
        let flagWins = try grid([("lr", "0.1,0.3"), ("epochs", "int:1:5")], file: [(key: "lr", values: ["loguniform:0.01:1"])], count: 3)
        #expect(flagWins.random?.keys == ["epochs"] && flagWins.axes.map(\.key) == ["lr"] && flagWins.count == 6)
    }

    @Test func duplicatesAreRedrawnAndATooSmallSpaceIsAnError() throws {
        let g = try grid([("batch_size", "choice:32,64,128")], count: 3)
        #expect(Set(g.points.map { $0[0].value }) == ["32", "64", "128"])
        #expect(sweepError { _ = try grid([("batch_size", "choice:32,64,128")], count: 4) }
                == "--random 4: space too small: the distributions hold at most 3 distinct points (batch_size choice:32,64,128: at most 3; reals are rounded to 6 significant digits); ask for fewer")
    }

    @Test func randomNeedsADistributionAndADistributionNeedsRandom() {
        #expect(sweepError { _ = try grid([("lr", "0.1,0.3")]) }.hasPrefix("--random 8: no key has a distribution"))
        #expect(sweepError {
            _ = try SweepGrid(file: [], fileSource: "", flags: [(key: "lr", list: "loguniform:0.01:1", source: "--lr")])
        } == "--lr: 'loguniform:0.01:1' is a distribution; it needs --random N")
    }

    @Test func sweepJSONRecordsTheSearchAndReadsItBack() throws {
        let g = try grid([("lr", "loguniform:0.01:1"), ("seed", "0,1")], count: 2, seed: 3)
        let points = g.points.enumerated().map { n, p in
            SweepPoint(id: String(format: "%012x", n), params: p.map { SweepParam(key: $0.key, value: $0.value) })
        }
        let plan = SweepPlan(name: "r", base: ExperimentConfig(), grid: g, classes: .binary, threads: 1, points: points)
        let dir = try makeTemporaryDirectory("random")
        defer { removeTree(dir) }
        try AtomicFile.write(plan.json.encoded(pretty: true), to: dir + "/sweep.json")
        let text = try String(contentsOfFile: dir + "/sweep.json", encoding: .utf8)
        #expect(text.contains("\"random\": {") && text.contains("\"lr\": \"loguniform:0.01:1\""))
        #expect(try SweepPlan.read(path: dir + "/sweep.json") == plan)
    }
}
