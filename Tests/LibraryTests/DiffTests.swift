import Foundation
import Testing
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

@Suite struct DiffTests {
    /// Two copies of a run directory, `a` and `b`, under a fresh directory.
    func twoRuns(_ tag: String, bF1: Double = 0.75, bSeconds: Double = 1.5) throws -> (root: String, a: String, b: String) {
        let root = try ResultFixture.directory(tag)
        try ResultFixture.run(at: root + "/a")
        try ResultFixture.run(at: root + "/b", f1: bF1, seconds: bSeconds)
        return (root, root + "/a", root + "/b")
    }

    @Test func equalRunsIgnoreTiming() throws {
        let t = try twoRuns("diff-equal", bSeconds: 99)
        defer { try? FileManager.default.removeItem(atPath: t.root) }
        let r = try ResultDiff.compare(paths: t.a, t.b)
        #expect(r.equal)
        #expect(r.lines.isEmpty)
        // config (9 fields) + metrics (11) + final_loss + history_epochs
        #expect(r.compared == 22)
    }

    @Test func changedMetricIsReportedWithDeltas() throws {
        let t = try twoRuns("diff-metric", bF1: 0.7500001)
        defer { try? FileManager.default.removeItem(atPath: t.root) }
        let r = try ResultDiff.compare(paths: t.a, t.b)
        #expect(!r.equal)
        #expect(r.differing == 1)
        let line = try #require(r.lines.first)
        #expect(line.field == "f1" && line.a?.text == "0.75" && line.b?.text == "0.7500001" && line.status == .differs)
        #expect(abs((line.absDelta ?? 0) - 1e-7) < 1e-12)
        #expect(abs((line.relDelta ?? 0) - 1e-7 / 0.7500001) < 1e-12)
        let table = DiffFormat.table.render(r)
        #expect(table.contains("f1") && table.contains("1 of 22 fields differ"))
    }

    @Test func withinToleranceIsEqual() throws {
        let t = try twoRuns("diff-tol", bF1: 0.7500001)
        defer { try? FileManager.default.removeItem(atPath: t.root) }
        #expect(try ResultDiff.compare(paths: t.a, t.b, options: DiffOptions(rtol: 1e-6)).equal)
        #expect(try ResultDiff.compare(paths: t.a, t.b, options: DiffOptions(atol: 2e-7)).equal)
        #expect(try !ResultDiff.compare(paths: t.a, t.b, options: DiffOptions(rtol: 1e-8, atol: 1e-8)).equal)
        let all = try ResultDiff.compare(paths: t.a, t.b, options: DiffOptions(rtol: 1e-6, all: true))
        #expect(all.lines.count == 22 && all.lines.allSatisfy { $0.status == .equal })
    }

    @Test func toleranceRule() {
        func eq(_ a: String, _ b: String, rtol: Double = 0, atol: Double = 0) -> Bool {
            ResultDiff.values(FieldValue(a), FieldValue(b), rtol: rtol, atol: atol).equal
        }
        #expect(eq("0.1", "0.10"))
        #expect(eq("nan", "nan"))
        #expect(!eq("1", "1.5", atol: 0.4))
        #expect(eq("1", "1.5", atol: 0.5))
        #expect(eq("1", "2", rtol: 0.5))   // |1-2| <= 0.5 * |2|
        #expect(!eq("2", "1", rtol: 0.5))  // |2-1| >  0.5 * |1|: relative to B
        #expect(!eq("f64", "f32"))
        #expect(ResultDiff.values(FieldValue("1"), FieldValue("0"), rtol: 0, atol: 0).rel == .infinity)
    }

    @Test func missingPathAndForeignDirectoryAreErrors() throws {
        let t = try twoRuns("diff-missing")
        defer { try? FileManager.default.removeItem(atPath: t.root) }
        #expect(throws: NNError("\(t.root)/nope: no such file or directory")) { try ResultDiff.compare(paths: t.a, t.root + "/nope") }
        try AtomicFile.createDirectory(t.root + "/empty")
        #expect(throws: NNError("\(t.root)/empty: not a run or sweep directory (no summary.csv, config.json, history.csv or metrics.json)")) {
            try ResultDiff.compare(paths: t.root + "/empty", t.a)
        }
        try AtomicFile.write("{\"a\": ", to: t.root + "/bad.json")
        #expect(throws: NNError.self) { try ResultDiff.compare(paths: t.root + "/bad.json", t.a + "/metrics.json") }
    }

    @Test func differentColumnsAreAnErrorNamingTheFile() throws {
        let root = try ResultFixture.directory("diff-columns")
        defer { try? FileManager.default.removeItem(atPath: root) }
        try AtomicFile.write("run_id,x,y\n1,2,3\n", to: root + "/a.csv")
        try AtomicFile.write("run_id,x,z\n1,2,3\n", to: root + "/b.csv")
        #expect(throws: NNError("\(root)/b.csv: columns differ from \(root)/a.csv: lacks y; has extra z")) {
            try ResultDiff.compare(paths: root + "/a.csv", root + "/b.csv")
        }
    }

    @Test func metricsCSVAndMetricsJSONAreOneRecordEach() throws {
        let t = try twoRuns("diff-records", bF1: 0.8)
        defer { try? FileManager.default.removeItem(atPath: t.root) }
        #expect(try ResultDiff.compare(paths: t.a + "/metrics.csv", t.a + "/metrics.json").equal)
        let r = try ResultDiff.compare(paths: t.a + "/metrics.csv", t.b + "/metrics.json")
        #expect(r.lines.map(\.field) == ["f1"])
        #expect(throws: NNError.self) { try ResultDiff.compare(paths: t.a + "/metrics.csv", t.a + "/predictions.csv") }
    }

    @Test func sweepsJoinOnParameterColumns() throws {
        let root = try ResultFixture.directory("diff-sweep")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let points = ResultFixture.grid()
        try ResultFixture.sweep(at: root + "/a", points: points)
        // Same grid, rows in another order (and therefore other run_ids).
        let shuffled = [3, 0, 6, 1, 7, 2, 5, 4]
        try ResultFixture.sweep(at: root + "/b", points: shuffled.map { points[$0] })
        let byParams = try ResultDiff.compare(paths: root + "/a", root + "/b")
        // Only the run ids differ (no point keeps its position).
        #expect(byParams.lines.map(\.field) == Array(repeating: "run_id", count: 8))
        // Joined by position instead, the metrics would not line up.
        let byRow = try ResultDiff.compare(paths: root + "/a/summary.csv", root + "/b/summary.csv", options: DiffOptions(key: ["run_id"]))
        #expect(byRow.lines.contains { $0.field == "f1" })

        var changed = points
        changed[2].f1 = 0.9
        try ResultFixture.sweep(at: root + "/c", points: changed)
        let r = try ResultDiff.compare(paths: root + "/a", root + "/c")
        #expect(r.lines.count == 1)
        let line = try #require(r.lines.first)
        #expect(line.key == "lr=0.1 epochs=3 seed=0 layers=785,20,1 batch_size=0 optimizer=gd")
        #expect(line.field == "f1" && line.b?.text == "0.9")
    }

    @Test func rowsOnOneSideOnlyAreDifferences() throws {
        let root = try ResultFixture.directory("diff-rows")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let points = ResultFixture.grid(lrs: [0.1, 0.3], seeds: [0])
        try ResultFixture.sweep(at: root + "/a", points: points)
        try ResultFixture.sweep(at: root + "/b", points: points + ResultFixture.grid(lrs: [1], seeds: [0]))
        let r = try ResultDiff.compare(paths: root + "/a", root + "/b")
        let extra = r.lines.filter { $0.status == .onlyB }
        #expect(extra.count == 12)  // 18 columns minus the 6 parameter (key) columns
        #expect(extra.allSatisfy { $0.key.hasPrefix("lr=1 ") && $0.a == nil })
    }

    @Test func csvJsonAndMarkdownOutputParseBack() throws {
        let t = try twoRuns("diff-formats", bF1: 0.7500001)
        defer { try? FileManager.default.removeItem(atPath: t.root) }
        try AtomicFile.write("{\"f1\": 0.7}", to: t.root + "/x.json")
        try AtomicFile.write("{\"f1\": 0.7, \"note\": \"a|b,\\\"c\\\"\"}", to: t.root + "/y.json")
        let r = try ResultDiff.compare(paths: t.root + "/x.json", t.root + "/y.json")
        #expect(r.lines.count == 1 && r.lines[0].status == .onlyB)

        let csv = try CSVTable.parse(DiffFormat.csv.render(r), name: "out")
        #expect(csv.header == ["key", "field", "a", "b", "abs_delta", "rel_delta", "status"])
        #expect(csv.rows == [["-", "note", "", "a|b,\"c\"", "", "", "only-b"]])

        let json = try JSONValue.parse(DiffFormat.json.render(r), name: "out")
        #expect(json["equal"] == .bool(false))
        #expect(json["differing"] == .number("1"))
        guard case .array(let lines)? = json["lines"] else { Issue.record("no lines array"); return }
        #expect(lines.first?["b"] == .string("a|b,\"c\""))
        #expect(lines.first?["a"] == .null)

        let md = DiffFormat.md.render(r).split(separator: "\n").map(String.init)
        #expect(md[0] == "| key | field | A | B | abs delta | rel delta | status |")
        #expect(md[2] == "| - | note | (absent) | a\\|b,\"c\" |  |  | only-b |")

        let numeric = try ResultDiff.compare(paths: t.a, t.b)
        let row = try CSVTable.parse(DiffFormat.csv.render(numeric), name: "out").rows[0]
        #expect(row[1] == "f1" && Double(row[4]).map { abs($0 - 1e-7) < 1e-12 } == true)
    }

    /// The table and Markdown show numbers with the digits that matter (issue 19: diff
    /// values printed 17 digits); csv and json keep every digit.
    @Test func tablesShowTheDigitsThatMatter() throws {
        let root = try ResultFixture.directory("diff-digits")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (x, y) = (root + "/x.json", root + "/y.json")
        for (path, text) in [(x, #"{"f1": 0.123456789, "auc": 0.950951, "tp": 1234567}"#), (y, #"{"f1": 0.2, "auc": 0.950952, "tp": 1234568}"#)] {
            try AtomicFile.write(text, to: path)
        }
        let r = try ResultDiff.compare(paths: x, y)
        let md = DiffFormat.md.render(r).split(separator: "\n").map(String.init)
        #expect(md[2...4].sorted() == [
            "| - | auc | 0.950951 | 0.950952 | 1e-06 | 1.0516e-06 | differs |",   // 5 digits would show both as 0.95095
            "| - | f1 | 0.12346 | 0.2 | 0.076543 | 0.38272 | differs |",
            "| - | tp | 1234567 | 1234568 | 1 | 8.1e-07 | differs |",             // integers in full
        ], "\(md)")
        #expect(ReportTables.display(FieldValue("0.30000000000000004"), FieldValue("0.3")) == ("0.30000000000000004", "0.3"))
        let table = DiffFormat.table.render(r)
        #expect(table.contains("0.12346") && !table.contains("0.123456789"))
        let csv = try CSVTable.parse(DiffFormat.csv.render(r), name: "out")
        #expect(csv.rows.contains { $0[2] == "0.123456789" })
    }
}
