import Foundation
import Testing
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

@Suite struct NotebookComparisonTests {
    /// Writes a run whose metrics are the given binary counts on a test set.
    func run(_ dir: String, tp: Int, fp: Int, fn: Int, tn: Int) throws {
        try ResultFixture.run(at: dir)
        let m = Metrics.Binary(tp: tp, fp: fp, fn: fn, tn: tn, threshold: 0.5)
        let body = m.scalars.map { "\"\($0.0)\": \($0.1.text)" }.joined(separator: ", ")
        try AtomicFile.write("{" + body + "}", to: dir + "/metrics.json")
    }

    @Test func bandAroundTheNotebookFigures() throws {
        let dir = try ResultFixture.directory("nbcmp")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Two seeds on the notebook's test set (20000 samples, 1912 eights) that bracket its
        // accuracy (0.95095) and recall, and one count (fp) that stays above the notebook's 32.
        try run(dir + "/seed-0", tp: 900, fp: 40, fn: 1012, tn: 18048)
        try run(dir + "/seed-1", tp: 1000, fp: 50, fn: 912, tn: 18038)
        let outcome = try NotebookComparison.compare(runs: [dir + "/seed-0", dir + "/seed-1"])
        #expect(outcome.testSetMatches)
        let text = outcome.summary.joined(separator: "\n")
        #expect(text.contains("accuracy  notebook 0.95095"))
        // These fixture runs are not the notebook's configuration: each gets one warning line.
        #expect(text.contains("warning: seed-0 differs from the notebook's configuration: layers 785,20,1 (notebook 785,395,200,100,20,1), activations relu,sigmoid (notebook relu,relu,relu,relu,sigmoid), epochs 3 (notebook 40)"), "\(text)")
        #expect(outcome.summary.filter { $0.hasPrefix("warning: ") }.count == 2)
        #expect(NotebookComparison.notebookDifferences(JSONValue.sortedObject(ExperimentConfig().jsonObject())) == [])
        #expect(outcome.summary.first { $0.hasPrefix("accuracy") }?.hasSuffix("inside the band") == true)
        #expect(outcome.summary.first { $0.hasPrefix("fp") }?.hasSuffix("outside the band") == true)
        let names = outcome.files.files.map(\.name)
        #expect(names.contains("loss-vs-notebook.svg") && names.contains("report.md") && names.contains("loss.svg"))
        let md = outcome.files.files.first { $0.name == "report.md" }!.content
        #expect(md.contains("![loss beside the notebook](loss-vs-notebook.svg)"))
        #expect(md.contains("| accuracy | 0.95095 |"))
        // The headline comes first, in the reports' order; configuration last.
        let rows = ["| accuracy | 0.95095", "| precision | 0.96784", "| recall | 0.50366", "| f1 | 0.66254"]
            .map { md.range(of: $0)!.lowerBound }
        #expect(rows == rows.sorted() && md.range(of: "## Configuration")!.lowerBound > rows[3])
        // The chart has one more series than runs: the notebook's 40 printed losses.
        let svg = outcome.files.files.first { $0.name == "loss-vs-notebook.svg" }!.content
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 3)
        // ... drawn last, dark and dashed, under a y label naming the loss.
        let last = try #require(svg.components(separatedBy: "<g class=\"series\"").last)
        #expect(last.hasPrefix(" stroke=\"#333333\"") && last.contains("stroke-dasharray=\"6 4\""))
        #expect(svg.contains("training loss, before the update"))
    }

    @Test func aDifferentTestSetIsFlagged() throws {
        let dir = try ResultFixture.directory("nbcmp")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try run(dir + "/seed-0", tp: 900, fp: 40, fn: 1000, tn: 18000)   // 19940 samples, 1900 eights
        let outcome = try NotebookComparison.compare(runs: [dir + "/seed-0"])
        #expect(!outcome.testSetMatches)
        #expect(outcome.summary[0].contains("DIFFERS"))
    }

    @Test func runWithoutMetricsIsAnError() throws {
        let dir = try ResultFixture.directory("nbcmp")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.run(at: dir + "/r")
        try FileManager.default.removeItem(atPath: dir + "/r/metrics.json")
        #expect(throws: NNError.self) { try NotebookComparison.compare(runs: [dir + "/r"]) }
    }
}
