import Foundation
import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// `ExperimentConfig.table` is the one description of the experiment keys: these tests
/// walk it and check that every key reaches every place derived from it (experiment files,
/// `config.json`, sweep grids; docs/experiments.md's copy: `DocsTablesTests`), so a new hyperparameter is one entry.
@Suite struct ExperimentKeysTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Each stored property of `ExperimentConfig` is exactly one key, with help.
    @Test func everyPropertyIsOneEntry() {
        let table = ExperimentConfig.table
        #expect(Set(table.map(\.name)).count == table.count)
        #expect(Swift.Mirror(reflecting: ExperimentConfig()).children.count == table.count)
        #expect(ExperimentConfig.keys == table.map(\.name).sorted())
        for k in table {
            #expect(!k.help.isEmpty && !k.help.hasSuffix("."), "\(k.name): help")
            #expect(k.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(k.name): snake_case")
        }
    }

    /// For every key: its default's text parses back to the default, an experiment file
    /// that sets only that key loads to the defaults, `config.json` writes it, and a sweep
    /// (unless it is a label) takes it as a grid key with the default as its one value.
    @Test(arguments: ExperimentConfig.table.map(\.name))
    func everyKeyReachesEveryUse(key: String) throws {
        let entry = try ExperimentConfig.entry(key, source: "test")
        let defaults = ExperimentConfig()
        var c = defaults
        try c.set(key, entry.defaultText, source: "test")
        #expect(c == defaults)
        #expect(entry.text(c) == entry.defaultText)

        let json = defaults.jsonObject()
        // Keys added after runs existed are left out of config.json at their default.
        #expect(json[key] == (entry.omittedAtDefault ? nil : entry.json(defaults)))
        var fromFile = ExperimentConfig()
        try fromFile.apply(json: [key: entry.json(defaults)], source: "test.json")
        #expect(fromFile == defaults)

        if entry.sweepable {
            let grid = try SweepGrid(file: [], fileSource: "", flags: [(key, entry.defaultText, "--grid \(key)")])
            #expect(grid.keys == [key] && grid.points.count == 1)
            #expect(SweepGrid.listValuedKeys.contains(key) == entry.isList)
            #expect(SweepGrid.dataKeys.contains(key) == entry.selectsData)
        } else {
            #expect(throws: NNError.self) { try SweepGrid.checkKey(key, source: "--grid \(key)") }
        }
        #expect(ExperimentConfig.markdownTable.contains("| `\(key)` |"))
    }

    /// The whole config survives being written as JSON and read back, for the defaults and
    /// a config that changes every non-label key.
    @Test func configJSONRoundTrips() throws {
        var other = ExperimentConfig()
        for (key, value) in [("classes", "all"), ("positive_digit", "3"), ("layers", "785,10"), ("activations", "softmax"),
                             ("loss", "cce"), ("gradient", "stable"), ("init", "he"), ("optimizer", "adam"), ("lr", "0.01"),
                             ("epochs", "2"), ("batch_size", "64"), ("momentum", "0.5"), ("beta1", "0.8"), ("beta2", "0.99"),
                             ("adam_epsilon", "1e-7"), ("precision", "f32"), ("seed", "7"), ("threshold", "0.25"),
                             ("dataset", "fashion-mnist"), ("train_size", "100"), ("test_size", "50"), ("split_seed", "1"),
                             ("bias_column", "false"), ("description", " spaced ")] {
            try other.set(key, value, source: "test")
        }
        for config in [ExperimentConfig(), other] {
            let text = JSONValue.sortedObject(config.jsonObject()).fileText
            let path = FileManager.default.temporaryDirectory.path + "/nn-keys-\(getpid()).json"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(try ExperimentConfig.load(path: path).0 == config)
        }
        #expect(other.description == " spaced ")
    }

    /// Closed sets are enums: a value outside the set is a one-line error listing it.
    @Test func closedSetsListTheirValues() {
        var c = ExperimentConfig()
        #expect(throws: NNError("--precision: unknown value 'f16' (expected one of: f64, f32)")) {
            try c.set("precision", "f16", source: "--precision")
        }
        #expect(throws: NNError("x.json: classes: unknown value 'some' (expected one of: binary, all)")) {
            try c.set("classes", "some", source: "x.json: classes")
        }
        #expect(ExperimentConfig.flagHelp("precision").contains("one of f64, f32; default: f64"))
    }

    /// The pins of the sweep's key sets, derived from the table.
    @Test func sweepKeySetsComeFromTheTable() {
        #expect(RunID.labelKeys == ["name", "description"])
        #expect(SweepGrid.listValuedKeys == ["layers", "activations"])
        #expect(SweepGrid.dataKeys == ["dataset", "classes", "positive_digit", "train_size", "test_size", "split_seed"])
    }
}
