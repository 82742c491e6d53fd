import Foundation
import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNExperiments

/// The image files `![..](name)` in a Markdown text refers to.
func imageReferences(_ markdown: String) -> [String] {
    markdown.components(separatedBy: "](").dropFirst().compactMap { $0.split(separator: ")").first.map(String.init) }
}

func readText(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

@Suite struct ReportTests {
    @Test func runReportChartsEveryEpochAndReferencesItsSVG() throws {
        let dir = try ResultFixture.directory("report-run")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.run(at: dir, losses: [0.7, 0.6, 0.5, 0.45, 0.4])
        let written = try Report.writeRun(dir: dir)
        #expect(written == [dir + "/loss.svg", dir + "/report.md"])
        let md = try readText(dir + "/report.md")
        #expect(imageReferences(md) == ["loss.svg"])
        #expect(md.contains("| f1 | 0.75 |"))
        #expect(md.contains("| lr | 0.3 |"))
        #expect(md.contains("5 epochs; final loss 0.4."))
        let svg = try #require(SVGCounter.count(readText(dir + "/loss.svg")))
        #expect(svg.series == [.init(circles: 5, polylinePoints: 5)])
    }

    @Test func sameRunGivesByteIdenticalFiles() throws {
        let dir = try ResultFixture.directory("report-same")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.run(at: dir + "/run")
        try Report.writeRun(dir: dir + "/run", out: dir + "/one")
        try Report.writeRun(dir: dir + "/run", out: dir + "/two")
        for name in ["loss.svg", "report.md"] {
            let one = try #require(FileManager.default.contents(atPath: "\(dir)/one/\(name)"))
            #expect(one == FileManager.default.contents(atPath: "\(dir)/two/\(name)"))
        }
    }

    @Test func extraSectionsAreAppended() throws {
        let dir = try ResultFixture.directory("report-extra")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.run(at: dir)
        try Report.writeRun(dir: dir, extraSections: [ReportSection(title: "Notebook figures", markdown: "![nb](nb.png)")])
        #expect(try readText(dir + "/report.md").hasSuffix("## Notebook figures\n\n![nb](nb.png)\n\n"))
    }

    @Test func severalRunsShareOneChartWithALinePerRun() throws {
        let dir = try ResultFixture.directory("report-runs")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.run(at: dir + "/a/seed-0", seed: 0)
        try ResultFixture.run(at: dir + "/b/seed-0", lr: 0.1, seed: 0, losses: [0.7, 0.65])
        try Report.writeRuns(dirs: [dir + "/a/seed-0", dir + "/b/seed-0"], out: dir + "/cmp")
        let svg = try #require(SVGCounter.count(readText(dir + "/cmp/loss.svg")))
        #expect(svg.series == [.init(circles: 3, polylinePoints: 3), .init(circles: 2, polylinePoints: 2)])
        #expect(svg.titles.contains("a/seed-0") && svg.titles.contains("b/seed-0"))
        let md = try readText(dir + "/cmp/report.md")
        #expect(md.contains("| lr | 0.3 | 0.1 |"))
        #expect(imageReferences(md).allSatisfy { FileManager.default.fileExists(atPath: dir + "/cmp/" + $0) })
        #expect(Report.runLabels(["x/a/r", "y/a/r", "z/b/q"]) == ["x/a/r", "y/a/r", "z/b/q"])
        #expect(Report.runLabels(["x/r1", "x/r2"]) == ["r1", "r2"])
    }

    @Test func sweepChartsOneLinePerSeedAndSkipsFailedRuns() throws {
        let dir = try ResultFixture.directory("report-sweep")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var points = ResultFixture.grid(lrs: [0.01, 0.1, 0.3, 1], seeds: [0, 1, 2])
        points[5].status = "failed"
        try ResultFixture.sweep(at: dir, points: points)
        let written = try Report.writeSweep(dir: dir)
        #expect(written == [dir + "/loss.svg", dir + "/f1-vs-lr.svg", dir + "/report.md"])
        let md = try readText(dir + "/report.md")
        #expect(imageReferences(md) == ["loss.svg", "f1-vs-lr.svg"])
        #expect(imageReferences(md).allSatisfy { FileManager.default.fileExists(atPath: "\(dir)/\($0)") })
        #expect(md.contains("One line per seed."))
        #expect(md.contains("12 points: 11 ok, 1 not ok."))

        let loss = try #require(SVGCounter.count(readText(dir + "/loss.svg")))
        #expect(loss.series.count == 11)
        let metric = try #require(SVGCounter.count(readText(dir + "/f1-vs-lr.svg")))
        // Point 5 is lr 0.1, seed 2: that seed's line has 3 points, the others 4.
        #expect(metric.series.map(\.circles) == [4, 4, 3])
        #expect(["seed=0", "seed=1", "seed=2"].allSatisfy(metric.titles.contains))
    }

    @Test func sweepLinesPerCombinationWhenOtherParametersVary() throws {
        let dir = try ResultFixture.directory("report-combo")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.sweep(at: dir, points: ResultFixture.grid(lrs: [0.1, 0.3], seeds: [0, 1]))
        // Chart accuracy against seed: lr is then the other parameter that varies.
        try Report.writeSweep(dir: dir, metric: "accuracy", param: "seed", out: dir + "/out")
        let svg = try #require(SVGCounter.count(readText(dir + "/out/accuracy-vs-seed.svg")))
        #expect(svg.series.map(\.circles) == [2, 2])
        #expect(svg.titles.contains("lr=0.1") && svg.titles.contains("lr=0.3"))
    }

    @Test func badSweepInputIsAnErrorAndWritesNothing() throws {
        let dir = try ResultFixture.directory("report-bad")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.sweep(at: dir, points: ResultFixture.grid())
        #expect(throws: NNError("\(dir)/summary.csv: no metric column 'auc'")) { try Report.writeSweep(dir: dir, metric: "auc") }
        #expect(throws: NNError.self) { try Report.writeSweep(dir: dir, param: "optimizer") }
        try FileManager.default.removeItem(atPath: dir + "/runs/000000000003/history.csv")
        #expect(throws: NNError("\(dir)/runs/000000000003/history.csv: missing (run 000000000003 is ok in \(dir)/summary.csv)")) {
            try Report.writeSweep(dir: dir)
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(left == ["runs", "summary.csv", "sweep.json", "timing.json"])
    }
}
