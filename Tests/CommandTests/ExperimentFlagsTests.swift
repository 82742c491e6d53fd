import Foundation
import Testing
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
    /// Every flagged key of the table has exactly one option, and every option is a key.
    @Test func oneOptionPerFlaggedKey() throws {
        let flags = try ExperimentFlags.parse([])
        let options = Swift.Mirror(reflecting: flags).children.compactMap { $0.label.map { ExperimentFlags.key(property: String($0.dropFirst())) } }
        #expect(options.sorted() == ExperimentConfig.flagKeys.map(\.name).sorted())
        #expect(Set(options).count == options.count)
    }

    /// Each flag given its key's default is read back as (key, value, flag) and resolves
    /// to the defaults.
    @Test func everyFlagReachesItsKey() throws {
        let keys = ExperimentConfig.flagKeys
        let flags = try ExperimentFlags.parse(keys.flatMap { [$0.flag!, $0.defaultText] })
        let given = flags.given
        #expect(given.map(\.key).sorted() == keys.map(\.name).sorted())
        for g in given {
            let entry = try #require(keys.first { $0.name == g.key })
            #expect(g.value == entry.defaultText && g.source == entry.flag)
        }
        #expect(try ExperimentConfig.resolve(file: nil, settings: given) == ExperimentConfig())
    }

    /// `nn train --help` and `nn sweep --help` show every flag with the table's help and
    /// default.
    @Test(arguments: ["train", "sweep"])
    func helpShowsTheTable(command: String) throws {
        let help = try runNN([command, "--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for k in ExperimentConfig.flagKeys {
            #expect(help.contains(k.flag! + " <"), "\(command): \(k.flag!)")
            #expect(help.contains("default: \(k.defaultText))"), "\(command): \(k.name)")
        }
    }

    /// A bad value is the table's one-line error in both commands.
    @Test func badValuesAreTheSameErrorInBothCommands() throws {
        for command in ["train", "sweep"] {
            let r = try runNN([command, "--precision", "f16"])
            #expect(r.status == 2 && r.stderr == "Error: --precision: unknown value 'f16' (expected one of: f64, f32)\n", "\(command): \(r.stderr)")
        }
    }
}
