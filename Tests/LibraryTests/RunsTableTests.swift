import Foundation
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import Testing

/// `nn runs`' table over small run and sweep directories built here (`ResultFixture`).
@Suite struct RunsTableTests {
    /// Three runs under `root/runs/<id>`: (lr, seed, f1) = (0.1, 0, 0.6), (0.3, 0, 0.8), (1, 0, 0.7).
    static func threeRuns(_ root: String) throws {
        for (i, (lr, f1)) in [(0.1, 0.6), (0.3, 0.8), (1.0, 0.7)].enumerated() {
            let dir = "\(root)/runs/notebook/\(String(format: "%012x", i))"
            try ResultFixture.run(at: dir, lr: lr, f1: f1)
            try RunMarker.write(.complete, dir: dir)
        }
    }

    static func table(_ root: String, _ query: RunsQuery = RunsQuery()) throws -> RunsTable {
        try RunsTable.build(paths: [root], query: query)
    }

    static func column(_ t: RunsTable, _ name: String) -> [String] {
        guard let i = t.header.firstIndex(of: name) else { return [] }
        return t.rows.map { $0[i] }
    }

    @Test func onlyTheParametersThatDifferAreColumns() throws {
        let root = try ResultFixture.directory("runs-columns")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.threeRuns(root)
        let t = try Self.table(root)
        #expect(t.header == ["best", "name", "id", "status", "lr", "last_epoch_loss", "accuracy", "precision", "recall", "f1", "path"])
        #expect(Self.column(t, "name") == ["notebook", "notebook", "notebook"])
        #expect(Self.column(t, "status") == ["complete", "complete", "complete"])
        #expect(Self.column(t, "path").allSatisfy { $0.hasPrefix(root + "/runs/notebook/0000000000") })
    }

    /// When the terminal table is too narrow for every differing parameter, the ones with
    /// the most distinct values stay (here `lr`, then `epochs`), not the first alphabetically.
    @Test func aNarrowTableKeepsTheParametersThatTellMostRunsApart() {
        let lrs = ["0.01", "0.03", "0.1", "0.3", "1", "1000"]
        let rows = lrs.enumerated().map { i, lr in
            RunsRow(name: "notebook", id: String(format: "%012x", i), status: "complete", path: "r/\(i)",
                    params: ["batch_size": i == 0 ? "32" : "0", "epochs": String(1 + i % 3), "lr": lr,
                             "optimizer": i == 0 ? "adam" : "gd", "val_size": i < 3 ? "500" : "0"],
                    results: ["average_precision": "0.\(i)"])
        }
        let params = RunsTable.differingParameters(rows)
        #expect(params == ["batch_size", "epochs", "lr", "optimizer", "val_size"])
        let wide = RunsTable.compactColumns(rows, tags: [], params: params, metrics: ["average_precision"], timing: [], best: [])
        #expect(wide.filter(params.contains) == params)
        let narrow = RunsTable.compactColumns(rows, tags: [], params: params, metrics: ["average_precision"], timing: [], best: [],
                                              width: 75)
        #expect(narrow.filter(params.contains) == ["epochs", "lr"])
    }

    /// The same point in two sweeps is one id on two rows: the terminal table adds `where`
    /// (the path without what every row shares) so the rows differ; with every id listed
    /// once there is no such column.
    @Test func aRunIdListedTwiceSaysWhereEachIs() throws {
        func row(_ id: String, _ path: String, _ lr: String) -> RunsRow {
            RunsRow(name: "notebook", id: id, status: "complete", path: path,
                    params: ["lr": lr], results: ["average_precision": lr == "0.3" ? "0.07" : "0.08"])
        }
        let twice = [row("0418655b42ba", "results/sweeps/a/runs/0418655b42ba", "0.1"),
                     row("607244c4638f", "results/sweeps/a/runs/607244c4638f", "0.3"),
                     row("607244c4638f", "results/sweeps/b/runs/607244c4638f", "0.3")]
        let table = try RunsTable.build(rows: twice, warnings: [], query: RunsQuery(compact: true))
        #expect(Array(table.header.prefix(4)) == ["best", "name", "id", "where"])
        #expect(Set(table.rows).count == 3)
        #expect(table.rows.map { $0[3] } == ["a", "a", "b"])
        let once = try RunsTable.build(rows: Array(twice.prefix(2)), warnings: [], query: RunsQuery(compact: true))
        #expect(!once.header.contains("where"))
        // Runs trained with --out and sweep points together, each with its shortest place.
        let mixed = [row("607244c4638f", "./results/a", "0.3"), row("607244c4638f", "./results/b", "0.3"),
                     row("aa", "./results/runs/notebook/aa", "0.1"), row("bb", "./results/sweeps/lr/runs/bb", "0.1")]
        #expect(RunsTable.places(mixed) == ["a", "b", "runs/notebook", "sweeps/lr"])
        #expect(try RunsTable.build(rows: mixed, warnings: [], query: RunsQuery()).header.contains("where") == false)
    }

    @Test func theTerminalTableGivesDurationsTheirUnit() {
        #expect(RunsTable.compactTiming("duration", "8.4") == "8.4s")
        #expect(RunsTable.compactTiming("duration", "75") == "1:15")
        #expect(RunsTable.compactTiming("duration", "3725.2") == "1:02:05")
        #expect(RunsTable.compactTiming("started", "2026-12-07T15:45:27Z") == "12-07 15:45")
        #expect(RunsTable.compactTiming("lr", "0.3") == "0.3")
    }

    @Test func sortsByTheRankingMetricBestFirstAndMarksTheBest() throws {
        let root = try ResultFixture.directory("runs-sort")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.threeRuns(root)
        let byF1 = RunsQuery(rankBy: "f1")
        let t = try Self.table(root, byF1)
        #expect(Self.column(t, "f1") == ["0.8", "0.7", "0.6"])
        #expect(Self.column(t, "best") == ["*", "", ""])
        #expect(t.best == [true, false, false])
        #expect(t.ranking.hasPrefix("ranked by f1 (higher is better) per data set; ties: lower last_epoch_loss, then path; only complete runs"))
        #expect(t.ranking == Ranking.statement([Ranking(metric: "f1")]))   // the sentence every table prints
        // Other keys: parameters ascending unless signed or flipped; the best mark stays.
        #expect(Self.column(try Self.table(root, RunsQuery(sort: "lr")), "lr") == ["0.1", "0.3", "1.0"])
        #expect(Self.column(try Self.table(root, RunsQuery(sort: "-lr")), "lr") == ["1.0", "0.3", "0.1"])
        #expect(Self.column(try Self.table(root, RunsQuery(sort: "+f1")), "f1") == ["0.6", "0.7", "0.8"])
        let asc = try Self.table(root, RunsQuery(ascending: true, rankBy: "f1"))
        #expect(Self.column(asc, "f1") == ["0.6", "0.7", "0.8"])
        #expect(Self.column(asc, "best") == ["", "", "*"])
        // Natural directions: metrics best first (the metric precision too), losses and
        // parameters ascending.
        for (key, descending) in [("precision", true), ("recall", true), ("last_epoch_loss", false), ("dtype", false),
                                  ("seed", false), ("name", false), ("best_val_loss", false), ("val_f1", true)] {
            #expect(try RunsTable.sortOrder(RunsQuery(sort: key), primary: "f1", check: { _, _ in }).1 == descending, "\(key)")
        }
        // Runs tied on the metric: exactly one is best, by the stated tie-break (lower
        // last_epoch_loss, then path).
        try AtomicFile.write("{\"accuracy\": 0.9, \"f1\": 0.8}", to: root + "/runs/notebook/000000000000/metrics.json")
        let tied = try Self.table(root, byF1)
        #expect(Self.column(tied, "best") == ["*", "", ""])
        #expect(Self.column(tied, "path")[0].hasSuffix("000000000000"))
        try AtomicFile.write("epoch,loss\n1,0.6\n2,0.2\n", to: root + "/runs/notebook/000000000001/history.csv")
        #expect(Self.column(try Self.table(root, byF1), "path")[0].hasSuffix("000000000001"))
        #expect(throws: NNError.self) { try Self.table(root, RunsQuery(sort: "bogus")) }
        #expect(throws: NNError.self) { try Self.table(root, RunsQuery(sort: "-")) }
        #expect(throws: NNError.self) { try Self.table(root, RunsQuery(rankBy: "bogus")) }
    }

    /// The one ranking rule: the default metric cannot crown a degenerate model, rows rank
    /// only within their data, rows not complete (or without a finite value) never rank,
    /// and exactly one row per group is best.
    @Test func oneRankingRule() throws {
        // Default metric: val_loss only when every rankable row has one; else AP (binary) or accuracy.
        #expect(Ranking.choose(task: "binary", rows: [["val_loss": "0.2", "average_precision": "0.5"], ["val_loss": "0.3"]]).metric == "val_loss")
        #expect(Ranking.choose(task: "binary", rows: [["val_loss": "0.2", "average_precision": "0.5"], ["average_precision": "0.3"]]) == Ranking(metric: "average_precision", goal: .max))
        #expect(Ranking.choose(task: "all", rows: [["accuracy": "0.9"]]).metric == "accuracy")
        #expect(Ranking.choose(task: "binary", rows: [["f1": "0.9", "accuracy": "0.9"]]).metric == "accuracy")
        #expect(Ranking.choose(task: "binary", rows: [], rankBy: "f1", goal: .min) == Ranking(metric: "f1", goal: .min, chosen: true))
        #expect(Ranking(metric: "train_loss").goal == .min)
        // A degenerate model (predicts "not an 8" everywhere: F1 0, accuracy 0.9, AP 0.1)
        // against a real one: F1 would tie at 0 for short runs; AP ranks the real one first.
        let rule = Ranking.choose(task: "binary", rows: [["average_precision": "0.1"], ["average_precision": "0.6"]])
        let e = { (group: String, complete: Bool, value: String?, loss: String?, path: String) in
            Ranking.Entry(group: group, complete: complete, value: value, loss: loss, path: path) }
        #expect(rule.ranks([e("d", true, "0.1", "0.3", "a"), e("d", true, "0.6", "0.3", "b")]) == [2, 1])
        // Groups rank apart; a diverged/failed row (not complete) and a NaN never rank; ties: loss, then tie text.
        let ranks = rule.ranks([e("small", true, "0.9", "0.5", "a"), e("large", true, "0.5", "0.5", "b"), e("large", false, "0.99", "0.1", "c"),
                                e("large", true, "nan", "0.1", "d"), e("large", true, "0.5", "0.4", "e"), e("large", true, "0.5", "0.4", "f")])
        #expect(ranks == [1, 3, nil, nil, 1, 2])
        // Halving compares with the same rule (NaN last, then equal values).
        #expect(Ranking.ahead(1, .nan, lowerIsBetter: true) == true && Ranking.ahead(.nan, 1, lowerIsBetter: false) == false)
        #expect(Ranking.ahead(2, 2, lowerIsBetter: true) == nil && Ranking.ahead(2, 3, lowerIsBetter: false) == false)
    }

    /// Runs on different test sets (data) each get their own best.
    @Test func runsRankOnlyWithinTheirData() throws {
        let root = try ResultFixture.directory("runs-data")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.threeRuns(root)
        let other = root + "/runs/notebook/000000000000/config.json"
        let text = try String(contentsOfFile: other, encoding: .utf8).replacingOccurrences(of: "0f3a", with: "9999")
        try AtomicFile.write(text, to: other)
        let t = try Self.table(root, RunsQuery(rankBy: "f1"))
        #expect(Self.column(t, "best") == ["*", "", "*"])
        #expect(Self.column(t, "f1") == ["0.8", "0.7", "0.6"])
    }

    @Test func filtersOnParametersMetricsAndStatus() throws {
        let root = try ResultFixture.directory("runs-filter")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.threeRuns(root)
        #expect(Self.column(try Self.table(root, RunsQuery(filters: ["lr=0.30"])), "f1") == ["0.8"])
        #expect(Self.column(try Self.table(root, RunsQuery(filters: ["f1>=0.7"])), "f1") == ["0.8", "0.7"])
        #expect(Self.column(try Self.table(root, RunsQuery(filters: ["f1>0.6", "lr!=0.3"])), "f1") == ["0.7"])
        // A parameter that is the same everywhere (so no column) still filters.
        #expect(try Self.table(root, RunsQuery(filters: ["seed=0", "status=complete"])).rows.count == 3)
        #expect(try Self.table(root, RunsQuery(filters: ["seed=1"])).rows.isEmpty)
        #expect(throws: NNError.self) { try Self.table(root, RunsQuery(filters: ["nokey=1"])) }
        for bad in ["lr", "=1", "lr!1", "f1>high"] {
            #expect(throws: NNError.self, "\(bad)") { try Self.table(root, RunsQuery(filters: [bad])) }
        }
    }

    /// `note`, `duration` and `where` are columns of every run: `--columns` takes them
    /// when no run has a value (an empty column), the error for an unknown column lists
    /// them, and a note sorts ascending like the other text columns.
    @Test func everyKnownColumnIsAcceptedAndNotesSortAscending() throws {
        let root = try ResultFixture.directory("runs-known-columns")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.threeRuns(root)
        let empty = try Self.table(root, RunsQuery(columns: ["id", "note", "duration", "where"]))
        #expect(empty.header == ["best", "id", "note", "duration", "where"])
        #expect(Self.column(empty, "note") == ["", "", ""])
        do {
            _ = try Self.table(root, RunsQuery(columns: ["nokey"]))
            Issue.record("--columns nokey was accepted")
        } catch let error as NNError {
            for known in ["note", "duration", "where", "started", "lr"] {
                #expect(error.message.contains(known), "\(error.message)")
            }
        }
        for (i, note) in ["beta", "alpha", "gamma"].enumerated() {
            try RunMeta(note: note).write(dir: "\(root)/runs/notebook/\(String(format: "%012x", i))")
        }
        #expect(Self.column(try Self.table(root, RunsQuery(sort: "note", columns: ["note"])), "note") == ["alpha", "beta", "gamma"])
        #expect(Self.column(try Self.table(root, RunsQuery(sort: "-note", columns: ["note"])), "note") == ["gamma", "beta", "alpha"])
    }

    @Test func formats() throws {
        let root = try ResultFixture.directory("runs-formats")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.threeRuns(root)
        let t = try Self.table(root, RunsQuery(rankBy: "f1"))
        let csv = try CSVTable.parse(t.render(.csv), name: "csv")
        #expect(csv.header == t.header)
        #expect(csv.rows[0][0] == "*" && csv.rows[0][csv.column("f1")!] == "0.8")
        let json = try JSONValue.parse(t.render(.json), name: "json")
        #expect(json.elements?.count == 3)
        #expect(json.elements?[0]["best"] == .bool(true))
        #expect(json.elements?[1]["best"] == .bool(false))
        #expect(json.elements?[0]["f1"] == .number("0.8"))
        #expect(json.elements?[0]["lr"] == .number("0.3"))
        #expect(json.elements?[0]["id"] == .string("000000000001"))
        let md = t.render(.md).split(separator: "\n")
        #expect(md[0].hasPrefix("| best | name | id | status | lr |"))
        #expect(md[2].hasPrefix("| * | notebook | 000000000001 | complete | 0.3 |"))
        let text = t.render(.table).split(separator: "\n")
        #expect(text.count == 4)
        #expect(text[1].hasPrefix("*     notebook  000000000001  complete  0.3"))
        // Results are rounded for reading in table and md, never in csv and json.
        #expect(RunsTable.roundedForReading("0.66254041038148") == "0.66254")
        #expect(RunsTable.roundedForReading("963") == "963")
        #expect(RunsTable.roundedForReading("nan") == "nan")
        #expect(RunsTable.roundedForReading("1.23456789e-05") == "1.2346e-05")
        #expect(RunsTable.roundedForReading("0.30000000000000004") == "0.3")
    }

    @Test func incompleteDivergedTrainingAndSweepPointsAreListedWithTheirStatus() throws {
        let root = try ResultFixture.directory("runs-status")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.threeRuns(root)
        let diverged = root + "/runs/notebook/00000000000d", training = root + "/runs/notebook/00000000000e"
        let unevaluated = root + "/runs/notebook/00000000000f"
        for dir in [diverged, training, unevaluated] {
            try ResultFixture.run(at: dir, lr: 5)
            try FileManager.default.removeItem(atPath: dir + "/metrics.json")
        }
        try AtomicFile.write("epoch,loss\n1,0.7\n2,nan\n", to: diverged + "/history.csv")
        try RunMarker.write(.diverged, error: "loss is nan", dir: diverged)
        try RunMarker.write(.training, dir: training)
        // A sweep: one point ok, one failed, one not run yet.
        let sweep = root + "/sweeps/grid"
        try ResultFixture.sweep(at: sweep, points: [.init(lr: 0.1, seed: 0, f1: 0.9), .init(lr: 0.3, seed: 0, f1: 0, status: "failed")])
        try AtomicFile.write("{\"error\": \"diverged\", \"status\": \"failed\"}", to: sweep + "/runs/000000000001/status.json")
        try AtomicFile.write("{\"lr\": 0.5, \"name\": \"grid\"}", to: sweep + "/runs/000000000002/point.json")
        try AtomicFile.write("{\"name\": \"grid\", \"points\": [{\"id\": \"000000000000\"}, {\"id\": \"000000000001\"}, {\"id\": \"000000000002\"}]}",
                             to: sweep + "/sweep.json")
        let t = try Self.table(root, RunsQuery(sort: "path"))
        let status = Dictionary(uniqueKeysWithValues: zip(Self.column(t, "path"), Self.column(t, "status")))
        #expect(status[diverged] == "diverged")
        #expect(status[training] == "training")
        #expect(status[unevaluated] == "incomplete")
        #expect(status[sweep + "/runs/000000000000"] == "complete")
        #expect(status[sweep + "/runs/000000000001"] == "failed")
        #expect(status[sweep + "/runs/000000000002"] == "pending")
        #expect(t.rows.count == 9)
        // The sweep point with f1 0.9 is the best; only complete runs can be.
        #expect(t.rows.filter { $0[0] == "*" }.map { $0[t.header.firstIndex(of: "path")!] } == [sweep + "/runs/000000000000"])
        #expect(Self.column(t, "last_epoch_loss")[Self.column(t, "path").firstIndex(of: diverged)!] == "nan")
        #expect(t.warnings.isEmpty)
    }

    @Test func aBrokenConfigIsOneWarningAndTheRunIsStillListed() throws {
        let root = try ResultFixture.directory("runs-broken")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.threeRuns(root)
        let broken = root + "/runs/notebook/000000000001"
        try AtomicFile.write("{\"lr\": 0.3,", to: broken + "/config.json")
        try AtomicFile.write("not a marker", to: root + "/runs/notebook/000000000002/.nn-run")
        let t = try Self.table(root)
        #expect(t.rows.count == 3)
        #expect(t.warnings.count == 2)
        #expect(t.warnings.allSatisfy { !$0.contains("\n") })
        #expect(t.warnings.contains { $0.hasPrefix(broken + "/config.json: invalid JSON") && $0.hasSuffix("listed without its parameters") })
        #expect(throws: NNError("\(root)/nothing: no such directory")) { try Self.table(root + "/nothing") }
    }

    @Test func validationColumnsFromHistoryRankTheRuns() throws {
        let root = try ResultFixture.directory("runs-val")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.threeRuns(root)
        // The test-best run (f1 0.8) has the worst validation loss: runs rank by val_loss
        // (every run has one), chosen without the test set.
        for (i, vals) in [[0.40, 0.7], [0.60, 0.3], [0.45, 0.65]].enumerated() {
            let history = "epoch,loss,val_loss,val_f1\n1,0.6,0.5,\(vals[1])\n2,0.5,\(vals[0]),\(vals[1])\n"
            try AtomicFile.write(history, to: "\(root)/runs/notebook/\(String(format: "%012x", i))/history.csv")
        }
        let t = try Self.table(root)
        #expect(t.ranking.hasPrefix("ranked by val_loss (lower is better)"))
        #expect(t.header.contains("val_f1") && t.header.contains("best_val_f1") && t.header.contains("best_val_loss"))
        #expect(Self.column(t, "val_loss") == ["0.4", "0.45", "0.6"])
        #expect(Self.column(t, "best_val_loss") == ["0.4", "0.45", "0.5"])
        #expect(Self.column(t, "best") == ["*", "", ""])
        #expect(Self.column(t, "f1") == ["0.6", "0.7", "0.8"])
    }

    @Test func aRunOutsideARunIDDirectoryGetsItsComputedID() throws {
        let root = try ResultFixture.directory("runs-id")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dir = root + "/seed-0"
        var config = ExperimentConfig()
        config.epochs = 2
        let json = config.jsonObject(extra: ["data": .sortedObject(["manifest_sha256": .string("ab"), "directory": .string("d")])])
        try AtomicFile.write(JSONValue.sortedObject(json).fileText, to: dir + "/config.json")
        let t = try Self.table(root)
        #expect(Self.column(t, "id") == [RunID.of(config: config, manifestSHA256: "ab")])
        #expect(Self.column(t, "status") == ["incomplete"])
        #expect(!t.header.contains("data.directory"))
    }
}
