import Foundation
import TestSupport
import Testing
import ArgumentParser
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands

/// `ExperimentFlags`, the options `nn train` and `nn sweep` share, against the table of
/// experiment keys: one option per flagged key, named after it, with its help and default.
@Suite struct ExperimentFlagsTests {
    /// Every flagged key of the table has exactly one named option, in table order, and
    /// every option property sets a key (`named` lists them all).
    @Test func oneOptionPerFlaggedKey() throws {
        #expect(ExperimentFlags.named.map(\.key) == ExperimentConfig.flagKeys.map(\.name))
        let properties = Swift.Mirror(reflecting: try ExperimentFlags.parse([])).children.filter { $0.value is Option<String?> }
        #expect(properties.count == ExperimentFlags.named.count)
    }

    /// Each flag given its key's default is read back as (key, value, flag) and resolves
    /// to the defaults.
    @Test func everyFlagReachesItsKey() throws {
        let keys = ExperimentConfig.flagKeys
        let flags = try ExperimentFlags.parse(keys.flatMap { [$0.flag!, $0.defaultText] })
        let given = try flags.given
        #expect(given.map(\.key) == keys.map(\.name))
        for g in given {
            let entry = try #require(keys.first { $0.name == g.key })
            #expect(g.value == entry.defaultText && g.source == entry.flag)
        }
        // An optimizer's own keys are errors for another optimizer (`unusedOptimizerKeys...`).
        #expect(try ExperimentConfig.resolve(file: nil, settings: given.filter { g in keys.first { $0.name == g.key }?.usedBy == nil })
                == ExperimentConfig())
    }

    /// Every key `nn keys` lists can be set: `--set KEY=VALUE` reaches it (a value other
    /// than the default where the key has one), so a key added to the table without a way
    /// to set it fails here.
    @Test func everyKeyCanBeSet() throws {
        for k in ExperimentConfig.table {
            let other = (k.choices ?? []).first { $0 != k.defaultText } ?? k.defaultText
            let given = try ExperimentFlags.parse(["--set", "\(k.name)=\(other)"]).given
            #expect(given.count == 1 && given[0].key == k.name && given[0].source == "--set \(k.name)")
            var c = ExperimentConfig()
            try c.set(k.name, other, source: given[0].source)
            #expect(k.text(c) == other, "\(k.name)")
        }
        #expect(throws: NNError.self) { try ExperimentFlags.parse(["--set", "bogus=1"]).given }
        #expect(throws: NNError.self) { try ExperimentFlags.parse(["--set", "lr"]).given }
        #expect(throws: NNError.self) { try ExperimentFlags.parse(["--set", "lr=0.1", "--lr", "0.2"]).given }
    }

    /// A true/false key's flag alone means true; a value after it still works.
    @Test func booleanFlagsStandAlone() throws {
        let args = ExperimentFlags.booleanFlagArguments(["--keep-best", "--early-stopping", "false", "--lr", "1", "--early-stopping"])
        #expect(args == ["--keep-best=true", "--early-stopping", "false", "--lr", "1", "--early-stopping=true"])
        #expect(ExperimentFlags.booleanFlagArguments(["--", "--keep-best"]) == ["--", "--keep-best"])
    }

    /// `nn train --help` and `nn sweep --help` show every flag with the table's help and
    /// default.
    /// (`nn sweep --help` keeps to a screen: its key flags are under `--help-hidden`.)
    @Test(arguments: [["train", "--help"], ["sweep", "--help-hidden"]])
    func helpShowsTheTable(arguments: [String]) throws {
        let command = arguments[0]
        let help = try runNN(arguments).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for k in ExperimentConfig.flagKeys {
            #expect(help.contains(k.flag! + " <"), "\(command): \(k.flag!)")
            #expect(help.contains("default: \(k.defaultText))"), "\(command): \(k.name)")
        }
    }

    /// `nn train --set`, a bare boolean flag and a named flag for a key that had none reach
    /// config.json; `nn sweep --set KEY=V1,V2` sweeps the key; a bad key is one line.
    @Test func setReachesTheRun() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("nn-set-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = try preparedMNIST(train: 200, test: 100, tag: "set").get()
        let r = try runNN(["train", "--data", data, "--out", "r", "--epochs", "2", "--layers", "785,4,1", "--activations", "relu,sigmoid",
                           "--optimizer", "adam", "--set", "beta2=0.99", "--beta1", "0.8", "--val-size", "50",
                           "--keep-best", "--early-stopping", "--threads", "1", "--quiet"], cwd: root)
        #expect(r.status == 0, "\(r.stderr)")
        let config = try String(contentsOfFile: root + "/r/config.json", encoding: .utf8)
        for field in ["\"beta2\": 0.99", "\"beta1\": 0.8", "\"keep_best\": true", "\"early_stopping\": true"] {
            #expect(config.contains(field), "\(field)")
        }
        let sweep = try runNN(["sweep", "--data", data, "--set", "momentum=0.5,0.9", "--optimizer", "momentum", "--dry-run"], cwd: root)
        #expect(sweep.status == 0 && sweep.stdout.contains("momentum=0.5") && sweep.stdout.contains("momentum=0.9"), "\(sweep.stdout)\(sweep.stderr)")
        let bad = try runNN(["train", "--set", "momentun=0.5"], cwd: root)
        #expect(bad.status == 2 && bad.stderr.hasPrefix("Error: --set: unknown key 'momentun'"), "\(bad.stderr)")
    }

    /// An unknown command suggests the nearest one instead of blaming its options.
    @Test func unknownCommandSuggestsTheNearest() throws {
        let r = try runNN(["trian", "--epochs", "2"])
        #expect(r.status == 2 && r.stderr == "Error: unknown command 'trian' (did you mean 'train'?)\n", "\(r.stderr)")
        let far = try runNN(["zzzzzz"])
        #expect(far.status == 2 && far.stderr.contains("unknown command 'zzzzzz' (commands: fetch,"), "\(far.stderr)")
    }

    /// `nn help NAME` with a typo is the same error as `nn NAME` (not the top-level help,
    /// status 0); `nn help train` is still train's help.
    @Test func helpOfAnUnknownCommandSuggestsTheNearest() throws {
        let r = try runNN(["help", "trian"])
        #expect(r.status == 2 && r.stdout.isEmpty && r.stderr == "Error: unknown command 'trian' (did you mean 'train'?)\n", "\(r.stderr)")
        let ok = try runNN(["help", "train"])
        #expect(ok.status == 0 && ok.stdout.contains("USAGE: nn train"), "\(ok.stderr)")
    }

    /// An unknown option suggests the command's nearest one, hidden ones (nn sweep's
    /// experiment keys) included, preferring one that differs by a short end.
    @Test func unknownOptionSuggestsTheNearestOfTheCommand() throws {
        let cases: [([String], String)] = [
            (["sweep", "--lrs", "0.1"], "Error: Unknown option '--lrs'. Did you mean '--lr'? (see 'nn sweep --help')\n"),
            (["train", "--eopchs", "1"], "Error: Unknown option '--eopchs'. Did you mean '--epochs'? (see 'nn train --help')\n"),
            (["runs", "--column", "id"], "Error: Unknown option '--column'. Did you mean '--columns'? (see 'nn runs --help')\n"),
            (["train", "--zzzzzzzz"], "Error: Unknown option '--zzzzzzzz' (see 'nn train --help')\n"),
        ]
        for (args, expected) in cases {
            let r = try runNN(args)
            #expect(r.status == 2 && r.stderr == expected, "\(args): \(r.stderr)")
        }
        #expect(NN.nearestOption("lrs", among: ["out", "lr", "layers"]) == "lr")
        #expect(NN.nearestOption("data-dir", among: ["data", "out"]) == nil)
    }

    /// The option list comes from ArgumentParser's public help screen, hidden options
    /// included (sweep's experiment keys), and no command uses ArgumentParser's
    /// underscored internals (`_dumpHelp`, `_commandName`: issue 18).
    @Test func optionListsUsePublicArgumentParser() throws {
        let sweep = NN.longOptions(of: NN.command(named: ["sweep"]))
        #expect(["lr", "out", "quiet", "dry-run", "epochs", "momentum"].allSatisfy(sweep.contains), "\(sweep)")
        #expect(NN.longOptions(of: NN.command(named: ["runs"])).contains("columns"))
        let files = try FileManager.default.subpathsOfDirectory(atPath: packageRoot() + "/Sources").filter { $0.hasSuffix(".swift") }
        for file in files {
            let text = try String(contentsOfFile: packageRoot() + "/Sources/" + file, encoding: .utf8)
            #expect(text.range(of: #"\._[a-z][A-Za-z]+\("#, options: .regularExpression) == nil
                    && text.range(of: #"\b_(dumpHelp|commandName|errorLabel)\b"#, options: .regularExpression) == nil, "\(file)")
        }
    }

    /// A key given on the command line that the chosen optimizer does not use is a
    /// one-line error naming the flag (it would change the run id, not the training);
    /// their ranges are checked whatever the optimizer; an experiment file may set them.
    @Test func unusedOptimizerKeysAreErrors() throws {
        let root = scratchDirectory("unused-keys")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cases: [([String], String)] = [
            (["train", "--momentum", "1.5"], "Error: --momentum: not used by optimizer gd (it is used by momentum)\n"),
            (["train", "--set", "lr=0.2", "--set", "momentum=0.8"], "Error: --set momentum: not used by optimizer gd (it is used by momentum)\n"),
            (["train", "--optimizer", "sgd", "--beta1", "0.5"], "Error: --beta1: not used by optimizer sgd (it is used by adam)\n"),
            (["train", "--optimizer", "momentum", "--momentum", "1.5"], "Error: --momentum: must be in [0, 1), got 1.5\n"),
            (["train", "--optimizer", "adam", "--beta1", "1"], "Error: --beta1: must be in [0, 1), got 1.0\n"),
            (["train", "--optimizer", "adam", "--adam-epsilon", "0"], "Error: --adam-epsilon: must be > 0, got 0\n"),
            (["sweep", "--set", "momentum=0.5,0.9", "--epochs", "1", "--dry-run"],
             "Error: --set momentum: not used by optimizer gd (it is used by momentum)\n"),
            (["sweep", "--optimizer", "gd,sgd", "--grid", "momentum=0.5", "--dry-run"],
             "Error: --grid momentum: not used by optimizer gd or sgd (it is used by momentum)\n"),
        ]
        for (args, expected) in cases {
            let r = try runNN(args, cwd: root)
            #expect(r.status == 2 && r.stderr == expected && r.stdout.isEmpty, "\(args): \(r.stderr)")
        }
        #expect(entries(root).isEmpty, "nothing written")
        // A file's value out of range is wrong whatever the optimizer; in range it is accepted.
        try #"{"momentum": -0.5}"#.write(toFile: root + "/bad.json", atomically: true, encoding: .utf8)
        let bad = try runNN(["train", "--config", "bad.json"], cwd: root)
        #expect(bad.status == 2 && bad.stderr == "Error: bad.json: momentum: must be in [0, 1), got -0.5\n", "\(bad.stderr)")
        let data = try preparedMNIST(train: 200, test: 100, tag: "set").get()
        try #"{"momentum": 0.5}"#.write(toFile: root + "/shared.json", atomically: true, encoding: .utf8)
        let file = try runNN(["train", "--config", "shared.json", "--data", data, "--out", "f", "--quiet"] + RunMetaCLITests.tiny, cwd: root)
        #expect(file.status == 0, "\(file.stderr)")
        // A sweep that varies the optimizer takes a key one of its optimizers uses.
        let mixed = try runNN(["sweep", "--data", data, "--optimizer", "gd,momentum", "--momentum", "0.5", "--out", "s", "--dry-run"], cwd: root)
        #expect(mixed.status == 0 && mixed.stdout.contains("optimizer=momentum"), "\(mixed.stdout)\(mixed.stderr)")
    }

    /// A layers/activations mismatch blames the flag given, with what to do.
    @Test func layersWithoutActivationsBlameLayers() throws {
        let root = scratchDirectory("layers-blame")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try runNN(["train", "--layers", "785,10"], cwd: root)
        #expect(r.status == 2 && r.stderr == "Error: --layers: 1 layer after the input needs 1 activation, but activations has 5; "
                + "give --activations with 1 value\n", "\(r.stderr)")
        let both = try runNN(["train", "--layers", "785,10,1", "--activations", "sigmoid"], cwd: root)
        #expect(both.status == 2 && both.stderr == "Error: --activations: 2 layers need 2 activations, got 1\n", "\(both.stderr)")
        let sweep = try runNN(["sweep", "--layers", "785,10", "--dry-run"], cwd: root)
        #expect(sweep.status == 2 && sweep.stderr.contains(": --layers: 1 layer after the input needs 1 activation"), "\(sweep.stderr)")
    }

    /// A bad value is the table's one-line error in both commands.
    @Test func badValuesAreTheSameErrorInBothCommands() throws {
        for command in ["train", "sweep"] {
            let r = try runNN([command, "--precision", "f16"])
            #expect(r.status == 2 && r.stderr == "Error: --precision: unknown value 'f16' (expected one of: f64, f32)\n", "\(command): \(r.stderr)")
        }
    }
}
