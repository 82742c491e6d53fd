import Foundation
import Testing
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// The message of the NNError `body` throws ("" when it throws nothing).
func sweepError(_ body: () throws -> Void) -> String {
    do { try body() } catch let e as NNError { return e.message } catch { return "\(error)" }
    return ""
}

@Suite struct SweepGridTests {
    @Test func listsAreSplitCheckedAndNormalized() throws {
        #expect(try SweepGrid.parseList(key: "lr", "0.1, 0.30,1e3", source: "--lr") == ["0.1", "0.3", "1000.0"])
        #expect(try SweepGrid.parseList(key: "epochs", "20,40", source: "--epochs") == ["20", "40"])
        #expect(try SweepGrid.parseList(key: "layers", "785,395,200,100,20,1;785, 100,1", source: "--layers")
                == ["785,395,200,100,20,1", "785,100,1"])
        #expect(try SweepGrid.parseList(key: "activations", "relu,sigmoid", source: "--activations") == ["relu,sigmoid"])
        #expect(try SweepGrid.parseList(key: "precision", "f32,f64", source: "--precision") == ["f32", "f64"])
    }

    @Test(arguments: [
        ("lr", "0.1,,x", "--lr: '0.1,,x' has an empty item"),
        ("lr", "0.1,x", "--lr: 'x' is not a number"),
        ("lr", "", "--lr: empty list (give at least one value)"),
        ("lr", "  ", "--lr: empty list (give at least one value)"),
        ("lr", "0.1,", "--lr: '0.1,' has an empty item"),
        ("lr", "0.1,0.10", "--lr: '0.1,0.10' names the value 0.1 twice ('0.1' and '0.10')"),
        ("epochs", "2.5", "--epochs: '2.5' is not an integer"),
        ("layers", "785,16,1;;785,1", "--layers: '785,16,1;;785,1' has an empty item"),
        ("layers", "785,,1", "--layers: '785,,1' has an empty item"),
        ("optimizer", "gd,rmsprop", "--optimizer: unknown value 'rmsprop' (expected one of: gd, sgd, momentum, adam)"),
    ])
    func badListsAreOneLineErrors(key: String, list: String, expected: String) {
        #expect(sweepError { _ = try SweepGrid.parseList(key: key, list, source: "--\(key)") } == expected)
    }

    @Test func genericAssignments() throws {
        let (key, list) = try SweepGrid.splitAssignment("momentum=0.5,0.9")
        #expect(key == "momentum" && list == "0.5,0.9")
        #expect(sweepError { _ = try SweepGrid.splitAssignment("momentum") }
                == "--grid 'momentum': expected key=value1,value2 (e.g. lr=0.1,0.3)")
        #expect(sweepError { _ = try SweepGrid.splitAssignment("=1,2") } == "--grid '=1,2': expected key=value1,value2 (e.g. lr=0.1,0.3)")
        #expect(sweepError { _ = try SweepGrid.splitAssignment("foo=1,2") }.hasPrefix("--grid foo: unknown grid key 'foo' (known: activations, "))
        #expect(sweepError { _ = try SweepGrid.splitAssignment("name=a,b") } == "--grid name: 'name' is a label, not a parameter; it cannot be swept")
    }

    @Test func flagsOverrideTheFileAndAxesTakeTheCanonicalOrder() throws {
        let grid = try SweepGrid(
            file: [(key: "lr", values: ["0.5", "0.7"]), (key: "seed", values: ["3", "4"])], fileSource: "exp.json",
            flags: [(key: "lr", list: "0.1,0.3", source: "--lr"), (key: "epochs", list: "20,40", source: "--epochs")])
        #expect(grid.axes == [SweepGrid.Axis(key: "epochs", values: ["20", "40"]),
                              SweepGrid.Axis(key: "lr", values: ["0.1", "0.3"]),
                              SweepGrid.Axis(key: "seed", values: ["3", "4"])])
        #expect(grid.count == 8)
        #expect(sweepError {
            _ = try SweepGrid(file: [], fileSource: "", flags: [(key: "lr", list: "0.1", source: "--lr"),
                                                                (key: "lr", list: "0.2", source: "--grid lr")])
        } == "--grid lr: key 'lr' is already given by --lr")
        #expect(sweepError { _ = try SweepGrid(file: [(key: "lr", values: ["x"])], fileSource: "exp.json", flags: []) }
                == "exp.json: grid lr: 'x' is not a number")
        #expect(sweepError { _ = try SweepGrid(file: [(key: "bogus", values: ["1"])], fileSource: "exp.json", flags: []) }
            .hasPrefix("exp.json: grid bogus: unknown grid key 'bogus'"))
    }

    @Test func cartesianProductFirstAxisSlowest() throws {
        let grid = try SweepGrid(file: [], fileSource: "", flags: [
            (key: "seed", list: "0,1", source: "--seed"), (key: "epochs", list: "2,3", source: "--epochs"),
            (key: "lr", list: "0.3,0.1", source: "--lr"),
        ])
        let points = grid.points.map { $0.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
        #expect(points == [
            "epochs=2 lr=0.3 seed=0", "epochs=2 lr=0.3 seed=1", "epochs=2 lr=0.1 seed=0", "epochs=2 lr=0.1 seed=1",
            "epochs=3 lr=0.3 seed=0", "epochs=3 lr=0.3 seed=1", "epochs=3 lr=0.1 seed=0", "epochs=3 lr=0.1 seed=1",
        ])
        let empty = SweepGrid()
        #expect(empty.count == 1 && empty.points.count == 1 && empty.points[0].isEmpty)
    }
}

@Suite struct SweepPlanTests {
    static let zeros = String(repeating: "0", count: 64)

    /// Pinned: run ids must not change between versions or machines. The value was
    /// checked independently: SHA-256 of Python's `json.dumps(config, sort_keys=True,
    /// separators=(",", ":"))` of the notebook config without name/description plus
    /// `data_manifest_sha256`.
    @Test func runIDIsStable() {
        #expect(RunID.of(config: ExperimentConfig(), manifestSHA256: Self.zeros) == "22fe68d94560")
    }

    @Test func runIDDependsOnParametersAndDataNotLabels() throws {
        let base = ExperimentConfig()
        let id = RunID.of(config: base, manifestSHA256: Self.zeros)
        var relabelled = base
        relabelled.name = "other"
        relabelled.description = "words"
        #expect(RunID.of(config: relabelled, manifestSHA256: Self.zeros) == id)
        var faster = base
        try faster.set("lr", "0.30000000000000004", source: "test")
        #expect(RunID.of(config: faster, manifestSHA256: Self.zeros) != id)
        #expect(RunID.of(config: base, manifestSHA256: String(repeating: "1", count: 64)) != id)
        #expect(id.count == 12 && id.allSatisfy(\.isHexDigit))
    }

    func samplePlan() throws -> SweepPlan {
        let grid = try SweepGrid(file: [], fileSource: "", flags: [
            (key: "layers", list: "785,16,1;785,8,1", source: "--layers"), (key: "precision", list: "f32", source: "--precision"),
        ])
        var base = ExperimentConfig()
        base.activations = [.relu, .sigmoid]
        base.description = "a \"quoted\" description"
        let points = grid.points.enumerated().map { n, values in
            SweepPoint(id: String(format: "%012x", n + 1), params: values.map { SweepParam(key: $0.key, value: $0.value) })
        }
        return SweepPlan(name: "demo", base: base, grid: grid, classes: .binary, threads: 2, points: points)
    }

    @Test func sweepJSONRoundTrips() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-sweep-plan-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let plan = try samplePlan()
        try AtomicFile.write(plan.json.fileText, to: dir + "/sweep.json")
        #expect(try SweepPlan.read(path: dir + "/sweep.json") == plan)
        let text = plan.json.encoded(pretty: false)
        #expect(text.hasPrefix(#"{"format":"nn-sweep","format_version":1,"name":"demo","classes":"binary","threads":2,"grid":{"layers":["785,16,1","785,8,1"],"precision":["f32"]},"points":[{"id":"000000000001","params":{"layers":"785,16,1","precision":"f32"}}"#))
    }

    @Test func foreignSweepFilesAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-sweep-plan-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write("{\"name\": \"x\"}\n", to: dir + "/a.json")
        #expect(sweepError { _ = try SweepPlan.read(path: dir + "/a.json") }
                == "\(dir)/a.json: not a sweep file written by nn sweep (no \"format\": \"nn-sweep\")")
        var doc = try samplePlan().json.encoded()
        doc = doc.replacingOccurrences(of: "\"id\": \"000000000002\"", with: "\"id\": \"zz\"")
        try AtomicFile.write(doc, to: dir + "/b.json")
        #expect(sweepError { _ = try SweepPlan.read(path: dir + "/b.json") }
                == "\(dir)/b.json: not a sweep file written by nn sweep (point 2 has no id or params)")
    }

    @Test func shellQuoting() {
        #expect(SweepRunner.shellQuote("/opt/nn/bin/nn") == "/opt/nn/bin/nn")
        #expect(SweepRunner.shellQuote("/tmp/my runs") == "'/tmp/my runs'")
        #expect(SweepRunner.shellQuote("it's") == "'it'\\''s'")
        #expect(SweepRunner.shellQuote("") == "''")
        #expect(SweepRunner.shellQuote("$HOME;rm") == "'$HOME;rm'")
        #expect(SweepRunner.looksLikePlan("/x/nn sweep-point --threads 1 --data /d /s/runs/a\n/x/nn sweep-point --threads 1 --data /d /s/runs/b\n"))
        #expect(SweepRunner.looksLikePlan(""))
        #expect(!SweepRunner.looksLikePlan("echo hello\n"))
    }
}

@Suite struct SweepSummaryTests {
    /// A sweep directory with three points over lr: one complete, one failed, one not run.
    func fixture() throws -> (dir: String, plan: SweepPlan) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-sweep-table-\(UUID().uuidString)").path
        let sha = String(repeating: "a", count: 64)
        let grid = try SweepGrid(file: [], fileSource: "", flags: [
            (key: "lr", list: "0.1,0.3,1000", source: "--lr"), (key: "precision", list: "f32", source: "--precision"),
            (key: "layers", list: "785,16,1", source: "--layers"),
        ])
        var points: [SweepPoint] = []
        for values in grid.points {
            var c = ExperimentConfig()
            for (k, v) in values { try c.set(k, v, source: "test") }
            let id = RunID.of(config: c, manifestSHA256: sha)
            points.append(SweepPoint(id: id, params: values.map { SweepParam(key: $0.key, value: $0.value) }))
            let run = SweepDirectory(dir).run(id).directory
            switch c.lr {
            case 0.1:   // complete: config.json as nn train writes it, history, metrics
                let config = c.jsonObject(extra: ["data": .sortedObject(["directory": .string("/d"), "manifest_sha256": .string(sha)])])
                try AtomicFile.write(JSONValue.sortedObject(config).fileText, to: RunLayout(run).config)
                try AtomicFile.write("epoch,loss\n1,0.7\n2,0.25\n", to: RunLayout(run).history)
                try AtomicFile.write("""
                    {"accuracy": 0.9, "f1": 0.5, "fn": 3, "fp": 1, "positives": 4, "precision": 1, "recall": 0.25,
                     "samples": 20, "threshold": 0.5, "tn": 15, "tp": 1}
                    """, to: RunLayout(run).metricsJSON)
            case 1000:
                try SweepDirectory.recordFailure(runDir: run, error: "training diverged at epoch 3: loss is NaN")
            default:
                break
            }
        }
        return (dir, SweepPlan(name: "t", base: ExperimentConfig(), grid: grid, classes: .binary, threads: 1, points: points))
    }

    @Test func summaryRowsStatusesAndFormatting() throws {
        let (dir, plan) = try fixture()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let counts = try SweepDirectory(dir).writeSummary(plan)
        #expect(counts == SweepSummary.Counts(ok: 1, failed: 1, pending: 1))
        let ids = plan.points.map(\.id)
        let text = try String(contentsOfFile: dir + "/summary.csv", encoding: .utf8)
        #expect(text == """
            run_id,status,layers,lr,dtype,last_epoch_loss,train_loss,accuracy,precision,recall,f1,roc_auc,average_precision,tp,fp,fn,tn,error
            \(ids[0]),ok,"785,16,1",0.1,f32,0.25,,0.9,1.0,0.25,0.5,,,1,1,3,15,
            \(ids[1]),pending,"785,16,1",0.3,f32,,,,,,,,,,,,,
            \(ids[2]),failed,"785,16,1",1000.0,f32,,,,,,,,,,,,,training diverged at epoch 3: loss is NaN

            """)
        // (This metrics.json predates train_loss and the AUCs: their cells are empty.)
        // The results readers split parameters from metrics at last_epoch_loss.
        let summary = try SweepDirectory(dir).readSummary()
        #expect(summary.parameterColumns == ["layers", "lr", "dtype"])
        #expect(summary.okRows.count == 1)
        // Only lr differs between the points; layers and dtype hold one value each.
        #expect(summary.parameters.varying == ["lr"])
        #expect(summary.parameters.fixed.map { "\($0.column)=\($0.value)" } == ["layers=785,16,1", "dtype=f32"])
        // summary.csv is a results table, never a ranking: no rank or best column (which
        // point is best is Ranking's call where it is shown), so its bytes are results only.
        #expect(summary.table.header.allSatisfy { !["rank", "best", "is_best"].contains($0) })
    }

    @Test func staleRunDirectoriesAreNotComplete() throws {
        let (dir, plan) = try fixture()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = SweepDirectory(dir).run(plan.points[0].id).directory
        #expect(SweepDirectory.state(runDir: first, id: plan.points[0].id) == .complete)
        // The same files under another point's id: config.json does not resolve to it.
        #expect(SweepDirectory.state(runDir: first, id: plan.points[1].id) == .pending)
        try FileManager.default.removeItem(atPath: RunLayout(first).metricsJSON)
        #expect(SweepDirectory.state(runDir: first, id: plan.points[0].id) == .pending)
    }

    /// `status.json` is written and read by the directory type alone: a point's failure
    /// (and, for a halving step, the epochs it was for) round-trips, and its bytes are the
    /// sorted members.
    @Test func failuresRoundTripThroughStatusJSON() throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("nn-sweep-status-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: run) }
        #expect(SweepDirectory.failure(runDir: run) == nil)
        try SweepDirectory.recordFailure(runDir: run, error: "boom")
        #expect(try String(contentsOfFile: RunLayout(run).status, encoding: .utf8)
                == JSONValue.sortedObject(["error": .string("boom"), "status": .string("failed")]).fileText)
        #expect(SweepDirectory.failure(runDir: run)?.error == "boom" && SweepDirectory.failure(runDir: run)?.epochs == nil)
        #expect(SweepDirectory.state(runDir: run, id: "000000000000") == .failed(error: "boom"))
        try SweepDirectory.recordFailure(runDir: run, error: "diverged", epochs: 4)
        #expect(SweepDirectory.failure(runDir: run)?.error == "diverged" && SweepDirectory.failure(runDir: run)?.epochs == 4)
    }

    @Test func tenClassMetricColumns() {
        #expect(SweepSummary.metricColumns(classes: .all)
                == ["train_loss", "accuracy", "macro_precision", "macro_recall", "macro_f1", "micro_f1", "macro_roc_auc"])
        #expect(SweepSummary.column(forKey: "precision") == "dtype")
        #expect(SweepSummary.column(forKey: "lr") == "lr")
    }

    @Test func directoriesThatAreNotOursAreRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-sweep-ours-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try SweepDirectory(dir).checkOurs(creating: true)              // absent: fine to create
        try AtomicFile.createDirectory(dir)
        try SweepDirectory(dir).checkOurs(creating: true)              // empty: fine
        #expect(sweepError { try SweepDirectory(dir).checkOurs(creating: false) }
                == "\(dir): not a sweep directory (no sweep.json written by nn sweep)")
        try AtomicFile.write("x\n", to: dir + "/notes.txt")
        #expect(sweepError { try SweepDirectory(dir).checkOurs(creating: true) }
                == "\(dir): not a sweep directory (no sweep.json written by nn sweep); choose another --name or --out")
    }
}
