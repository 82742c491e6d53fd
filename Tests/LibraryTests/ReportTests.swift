import Foundation
import Testing
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

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
        #expect(md.contains("| F1 (`f1`) | 0.75 |"))
        #expect(md.contains("| lr | 0.3 |"))
        #expect(md.contains("5 epochs; the last epoch's loss (its forward pass, before its update) 0.4."))
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

    /// With a validation set, a run's loss.svg draws the validation loss beside the
    /// training loss and marks the best epoch (the lowest validation loss).
    @Test func validationCurveAndBestEpoch() throws {
        let dir = try ResultFixture.directory("report-val")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.run(at: dir)
        try AtomicFile.write("epoch,loss,val_loss,val_f1\n1,0.6,0.5,0.1\n2,0.5,0.3,0.2\n3,0.4,0.35,0.3\n", to: dir + "/history.csv")
        try Report.writeRun(dir: dir)
        let text = try readText(dir + "/loss.svg")
        let svg = try #require(SVGCounter.count(text))
        #expect(svg.series.count == 2 && svg.titles.contains("training loss") && svg.titles.contains("validation loss"), "\(svg.titles)")
        #expect(text.contains(">best epoch 2<"))
        // Without validation: one series, no mark.
        try AtomicFile.write("epoch,loss\n1,0.6\n2,0.5\n", to: dir + "/history.csv")
        try Report.writeRun(dir: dir)
        #expect(!(try readText(dir + "/loss.svg")).contains("best epoch"))
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
        // Legends: the configuration fields that differ, never a path or bare run id.
        #expect(svg.titles.contains("epochs=3 lr=0.3") && svg.titles.contains("epochs=2 lr=0.1"), "\(svg.titles)")
        // Identical configurations fall back to the shortest distinct path suffix; a name given wins.
        try ResultFixture.run(at: dir + "/c/seed-0", seed: 0)
        #expect(Report.legendLabels(dirs: [dir + "/a/seed-0", dir + "/c/seed-0"], configs: [nil, nil]) == ["a/seed-0", "c/seed-0"])
        try RunMeta(name: "mine").write(dir: dir + "/c/seed-0")
        #expect(Report.legendLabels(dirs: [dir + "/a/seed-0", dir + "/c/seed-0"], configs: [nil, nil]) == ["a/seed-0", "mine"])
        let md = try readText(dir + "/cmp/report.md")
        #expect(md.contains("| lr | 0.3 | 0.1 |"))
        #expect(imageReferences(md).allSatisfy { FileManager.default.fileExists(atPath: dir + "/cmp/" + $0) })
        #expect(Report.runLabels(["x/a/r", "y/a/r", "z/b/q"]) == ["x/a/r", "y/a/r", "z/b/q"])
        #expect(Report.runLabels(["x/r1", "x/r2"]) == ["r1", "r2"])
    }

    @Test func sweepChartsTheMeanOverSeedsAndSkipsFailedRuns() throws {
        let dir = try ResultFixture.directory("report-sweep")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var points = ResultFixture.grid(lrs: [0.01, 0.1, 0.3, 1], seeds: [0, 1, 2])
        points[5].status = "failed"
        try ResultFixture.sweep(at: dir, points: points)
        let written = try Report.writeSweep(dir: dir)
        // The chart shows the ranking metric unless it is flat: accuracy is 0.9 everywhere
        // here, so the first metric that varies (final_loss), saying so; never F1's flat line.
        #expect(written == [dir + "/loss.svg", dir + "/final_loss-vs-lr.svg", dir + "/report.md"])
        let md = try readText(dir + "/report.md")
        #expect(imageReferences(md) == ["final_loss-vs-lr.svg", "loss.svg"])   // the headline chart first
        #expect(md.contains("accuracy is 0.9 for every ok point, so the chart shows final_loss instead."))
        // Exactly one best point, by the one rule: accuracy ties, then the lower loss, then
        // the path (of one sweep's points: the run id), stated in Ranking's one sentence.
        #expect(md.contains("Best point: `000000000009` (lr=1.0 seed=0, accuracy 0.9). Ranked by accuracy (higher is better) "
                            + Ranking.rule + "."), "\(md)")
        // Only the parameters that differ between the points are "swept"; the rest are named once.
        #expect(md.contains("Swept parameters: lr, seed. The same for every point: "), "\(md)")
        #expect(!md.contains("Swept parameters: lr, epochs"))
        #expect(imageReferences(md).allSatisfy { FileManager.default.fileExists(atPath: "\(dir)/\($0)") })
        #expect(md.contains("One line: each point the mean over 3 seeds, the band their minimum to maximum."))
        #expect(md.contains("12 points: 11 ok, 1 not ok."))
        // The seed section ranks configurations with the same rule (accuracy, ties on the
        // mean training loss): one best configuration, listed first.
        #expect(md.contains("Configurations are ranked by accuracy (higher is better) per data set on their means over seeds; "
                            + "ties: lower mean last_epoch_loss, then parameters."), "\(md)")
        let seedRows = md.components(separatedBy: "## Seeds")[1].components(separatedBy: "## Loss")[0]
            .split(separator: "\n").filter { $0.hasPrefix("| lr=") }
        let bestRows = seedRows.filter { $0.hasSuffix("| best by accuracy |") }
        #expect(!bestRows.isEmpty && Set(bestRows.map { $0.split(separator: "|")[0] }).count == 1, "\(md)")
        #expect(seedRows.first.map { $0.split(separator: "|")[0] } == bestRows.first.map { $0.split(separator: "|")[0] })

        // The loss chart: one colour per lr, its seeds a mean line inside a min-max band.
        let lossSVG = try readText(dir + "/loss.svg")
        let loss = try #require(SVGCounter.count(lossSVG))
        #expect(loss.series.count == 4)
        #expect(loss.titles.contains("lr=0.01 (mean of 3; band min-max)") && loss.titles.contains("lr=0.1 (mean of 2; band min-max)"))   // not run ids
        #expect(lossSVG.components(separatedBy: "<polygon class=\"band\"").count - 1 == 4)
        try Report.writeSweep(dir: dir, metric: "f1", out: dir + "/byf1")   // --metric f1 still charts F1
        let metricSVG = try readText(dir + "/byf1/f1-vs-lr.svg")
        let metric = try #require(SVGCounter.count(metricSVG))
        // One mean line over lr (point 5, lr 0.1 seed 2, failed: that mean is of 2 seeds).
        #expect(metric.series.map(\.circles) == [4])
        #expect(metricSVG.contains("<polygon class=\"band\""))
        #expect(metricSVG.contains("lr (log scale)"))   // 0.01 ... 1 spans two decades
        let plot = try Report.metricChart(try SweepDirectory(dir).readSummary(), metric: "f1", param: "lr", source: "s")
        let lr01 = try #require(plot.chart.series[0].points.first { $0.x == 0.1 })
        #expect(lr01.y == [0.5 + 0.1 / 4 + 0.0 / 100, 0.5 + 0.1 / 4 + 1.0 / 100].reduce(0, +) / 2)
        #expect(plot.chart.series[0].band.first { $0.x == 1 } == ChartBand(x: 1, lo: 0.5 + 1.0 / 4 + 0.0 / 100, hi: 0.5 + 1.0 / 4 + 2.0 / 100))
        #expect(plot.seeds == 3)
    }

    /// A random search (sweep.json's `random`) is a scatter: a dot per run, no line, no
    /// mean; loguniform gives a log x axis; the axes' ends sit inside the frame.
    @Test func randomSearchIsAScatterOnALogAxisClearOfTheFrame() throws {
        let dir = try ResultFixture.directory("report-random")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.sweep(at: dir, points: ResultFixture.grid(lrs: [0.02, 0.05, 0.3, 0.7], seeds: [0]))
        let plan = #"{"random": {"count": 4, "sample_seed": 1, "distributions": {"lr": "loguniform:0.01:1"}}}"#
        try AtomicFile.write(plan + "\n", to: dir + "/sweep.json")
        try Report.writeSweep(dir: dir, metric: "final_loss", param: "lr", out: dir + "/out")
        let svg = try readText(dir + "/out/final_loss-vs-lr.svg")
        let counts = try #require(SVGCounter.count(svg))
        #expect(counts.series.map(\.circles) == [4] && counts.series.map(\.polylinePoints) == [0])
        #expect(!svg.contains("<polyline"))
        #expect(svg.contains("lr (log scale)"))   // 0.02 ... 0.7 is less than the 10x the grid rule needs
        // Plot frame x 76 ... 636, y 48 ... 388: every dot at least the 12 px margin inside.
        let circles = svg.components(separatedBy: "<circle cx=\"").dropFirst().filter { !$0.contains("r=\"3.5\" fill=") }
        let centres = circles.map { c -> (Double, Double) in
            let parts = c.components(separatedBy: "\"")
            return (Double(parts[0])!, Double(parts[2])!)
        }
        #expect(centres.count == 4)
        #expect(centres.allSatisfy { $0.0 >= 76 + 12 && $0.0 <= 636 - 12 && $0.1 >= 48 + 12 && $0.1 <= 388 - 12 }, "\(centres)")
        let md = try readText(dir + "/out/report.md")
        #expect(md.contains("Random search (lr drawn from loguniform:0.01:1): one dot per run, not joined."))
        // Without sweep.json's random section the same summary is a grid: a line.
        try AtomicFile.write("{\"name\": \"lr-grid\"}", to: dir + "/sweep.json")
        try Report.writeSweep(dir: dir, metric: "final_loss", param: "lr", out: dir + "/grid")
        #expect(try readText(dir + "/grid/final_loss-vs-lr.svg").contains("<polyline"))
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

    @Test func runReportRoundsOrdersAndLeavesOutOtherOptimisersKeys() throws {
        let dir = try ResultFixture.directory("report-people")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.run(at: dir, f1: 0.6625386996904025)
        try AtomicFile.write("""
            {"adam_epsilon": 1e-08, "beta1": 0.9, "beta2": 0.999, "loss": "bce", "lr": 0.3, "momentum": 0.9, "name": "n", "optimizer": "gd"}
            """, to: dir + "/config.json")
        try Report.writeRun(dir: dir)
        let md = try readText(dir + "/report.md")
        #expect(md.contains("| F1 (`f1`) | 0.66254 |"))                      // 5 significant digits
        #expect(!md.contains("beta1") && !md.contains("adam_epsilon") && !md.contains("momentum"))
        let order = ["| accuracy |", "| precision |", "| recall |", "| F1 (`f1`) |", "| true positives (`tp`) |", "## Loss", "## Configuration"]
            .map { md.range(of: $0)!.lowerBound }
        #expect(order == order.sorted())
        let svg = try readText(dir + "/loss.svg")
        #expect(svg.contains("training loss (BCE), before the update"))
        #expect(ReportTables.applicable([("optimizer", FieldValue("adam")), ("beta1", FieldValue("0.9")), ("momentum", FieldValue("0.9"))])
                    .map(\.key) == ["optimizer", "beta1"])
        #expect(Markdown.number(0.9678391959798995) == "0.96784" && Markdown.number(18056) == "18056")
    }

    @Test func defaultParameterIsTheMostSweptOneAndLogXIsAutomatic() throws {
        let dir = try ResultFixture.directory("report-default")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.sweep(at: dir, points: ResultFixture.grid(lrs: [0.03, 0.1, 0.3, 1], seeds: [0, 1, 2, 3, 4]))
        let summary = try SweepDirectory(dir).readSummary()
        #expect(Report.defaultParam(summary) == "lr")   // seed has more values but is averaged over
        let linear = try Report.metricChart(summary, metric: "f1", param: "lr", xScale: .linear, source: "s").chart
        let auto = try Report.metricChart(summary, metric: "f1", param: "lr", source: "s").chart
        #expect(!linear.logX && auto.logX)              // 0.03 ... 1 spans more than a decade
        #expect(auto.yBounds == 0...1)
        #expect(throws: NNError.self) { try Report.write(paths: [dir + "/runs/000000000000"], out: nil, xScale: .log) }
    }
}
