import Foundation
import Testing
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports

/// How reports name and word things: a run's given name, the best point of a sweep, the
/// seeds table's rounding, the directory line, and charts of integer parameters and of
/// lines that coincide.
@Suite struct ReportWordingTests {
    /// The x tick labels of a line chart's SVG (centred texts in the tick-label group).
    func xTickLabels(_ svg: String) -> [String] {
        let group = svg.components(separatedBy: "<g class=\"tick-labels\"")[1].components(separatedBy: "</g>")[0]
        return group.split(separator: "\n").filter { $0.contains("text-anchor=\"middle\"") }
            .compactMap { $0.split(separator: ">").dropFirst().first?.split(separator: "<").first.map(String.init) }
    }

    @Test func aOneRunReportIsTitledAndLabelledByTheNameGiven() throws {
        let dir = try ResultFixture.directory("report-named")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.run(at: dir)   // config.json name: notebook
        #expect(try Report.run(dir: dir).files.last!.content.hasPrefix("# Run report: notebook\n"))
        try RunMeta(name: "other").write(dir: dir)
        let files = try Report.run(dir: dir).files
        #expect(files.last!.content.hasPrefix("# Run report: other\n"))
        let svg = try #require(SVGCounter.count(files[0].content))
        #expect(svg.titles.contains("other") && svg.titles.contains("Training loss: other") && !svg.titles.contains("notebook"),
                "\(svg.titles)")
    }

    /// The notebook comparison labels its runs as every several-runs report does: the name
    /// given, else the parameters that differ, never the run directory's last component.
    @Test func theNotebookComparisonLabelsRunsByNameElseDifferingParameters() throws {
        let dir = try ResultFixture.directory("report-nb-labels")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.run(at: dir + "/db49fad56f27", seed: 0)
        try ResultFixture.run(at: dir + "/6f23e8b81298", seed: 1)
        try RunMeta(name: "other").write(dir: dir + "/db49fad56f27")
        let outcome = try NotebookComparison.compare(runs: [dir + "/db49fad56f27", dir + "/6f23e8b81298"])
        for name in ["loss-vs-notebook.svg", "loss.svg"] {
            let svg = try #require(SVGCounter.count(outcome.files.files.first { $0.name == name }!.content))
            #expect(svg.titles.contains("other") && svg.titles.contains("seed=1"), "\(name): \(svg.titles)")
            #expect(!svg.titles.contains { $0.contains("db49fad56f27") || $0.contains("6f23e8b81298") }, "\(name): \(svg.titles)")
        }
        let md = outcome.files.files.last!.content
        #expect(md.contains("| metric | notebook | other | seed=1 | mean |"), "\(md)")
        #expect(outcome.summary.contains { $0.hasPrefix("warning: other differs") }, "\(outcome.summary)")
    }

    /// When only one point is ok, the best point is still named by its own parameters
    /// (here from summary.csv: the fixture's sweep.json holds no plan), never "base experiment".
    @Test func theBestPointIsDescribedByItsOwnParameters() throws {
        let dir = try ResultFixture.directory("report-best")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.sweep(at: dir, points: [.init(lr: 0.1, seed: 0, f1: 0.6), .init(lr: 1000, seed: 0, f1: 0, status: "failed")])
        let files = try Report.sweep(dir: dir).files
        let md = files.last!.content
        #expect(md.contains("Best point: `000000000000` (lr=0.1, accuracy 0.9)."), "\(md)")
        #expect(!md.contains("base experiment"))
        let loss = try #require(SVGCounter.count(files[0].content))
        #expect(loss.titles.contains("lr=0.1") && !loss.titles.contains("000000000000"), "\(loss.titles)")
    }

    /// The seeds table rounds as every report does (5 significant digits), and the sweep
    /// directory is named relative to the report, so the bytes do not depend on how the
    /// directory was named.
    @Test func seedsTableRoundingAndTheDirectoryLine() throws {
        let dir = try ResultFixture.directory("report-seeds")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.sweep(at: dir, points: ResultFixture.grid(lrs: [0.1, 0.3], seeds: [0, 1]))
        let md = try Report.sweep(dir: dir).files.last!.content
        // lr=0.1: f1 0.525 and 0.535, sd 0.00707106...
        #expect(md.contains("| lr=0.1 | f1 | 0.53 ± 0.0070711 | 2 |"), "\(md)")
        #expect(md.contains("Sweep directory: `.` (this report's directory)\n"), "\(md)")
        #expect(try Report.sweep(dir: dir + "/").files.last!.content == md)
        let out = try Report.sweep(dir: dir, out: dir + "/reports/a").files.last!.content
        #expect(out.contains("Sweep directory: `../..`\n"))
        #expect(Report.location(of: "/x/y/s", from: "/x/z") == "`../y/s`")
        #expect(Report.location(of: "/x/y/s", from: "/x/y/s/.") == "`.` (this report's directory)")
        let run = dir + "/runs/000000000000"
        #expect(try Report.run(dir: run, out: dir).files.last!.content.contains("Run directory: `runs/000000000000`\n"))
    }

    /// Against an integer parameter (seed) the x ticks are whole numbers; a line with
    /// exactly another's points is not lost under it: larger markers, and the legend says so.
    @Test func integerTicksAndCoincidentLines() throws {
        let dir = try ResultFixture.directory("report-coincide")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let points = [0.1, 0.3].flatMap { lr in [0, 1].map { ResultFixture.Point(lr: lr, seed: $0, f1: 0.5 + Double($0) / 100) } }
        try ResultFixture.sweep(at: dir, points: points)
        let plot = try Report.metricChart(try SweepDirectory(dir).readSummary(), metric: "f1", param: "seed", source: "s")
        let svg = plot.chart.svg()
        try AtomicFile.write(svg, to: "/tmp/rp/f1-vs-seed.svg")
        #expect(xTickLabels(svg) == ["0", "1"], "\(xTickLabels(svg))")
        #expect(svg.contains(">lr=0.1 (same as lr=0.3, under it)</text>"))
        let series = svg.components(separatedBy: "<g class=\"series\"").dropFirst()
        #expect(series.first?.contains("r=\"5\"") == true && series.first?.contains("stroke-width=\"4\"") == true)
        #expect(series.last?.contains("r=\"2.5\"") == true && series.last?.contains("stroke-width=\"1.5\"") == true)
        // Non-integer x values keep decimal ticks; distinct lines keep plain legends.
        let lr = try Report.metricChart(try SweepDirectory(dir).readSummary(), metric: "f1", param: "lr", source: "s").chart.svg()
        #expect(xTickLabels(lr).contains { $0.contains(".") }, "\(xTickLabels(lr))")
        #expect(!lr.contains("same as"))
    }
}
