import Foundation
import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// ROC AUC, average precision, the threshold table and `nn eval`'s files.
@Suite struct EvaluationTests {
    /// Ties across classes at 0.8 and 0.6. Expected values from scikit-learn 1.x:
    /// `roc_auc_score(y, s)` = 0.8125, `average_precision_score(y, s)` = 0.7708333333333333
    /// (by hand: positives beat negatives in 13 of 16 pairs, ties counting 1/2; AP =
    /// (1 + 2/3 + 3/4 + 4/6) / 4).
    static let scores = [0.9, 0.8, 0.8, 0.7, 0.6, 0.6, 0.4, 0.2]
    static let labels = [1, 1, 0, 1, 0, 1, 0, 0]

    @Test func rocAUCAndAveragePrecisionMatchScikitLearnWithTies() throws {
        let c = RankingMetrics.curve(scores: Self.scores, labels: Self.labels)
        #expect(c.thresholds == [0.9, 0.8, 0.7, 0.6, 0.4, 0.2])
        #expect(c.tp == [1, 2, 3, 4, 4, 4] && c.fp == [0, 1, 1, 2, 3, 4])
        #expect(RankingMetrics.rocAUC(c) == 0.8125)
        #expect(RankingMetrics.averagePrecision(c) == 0.7708333333333333)
        // The order of equal scores does not matter.
        let swapped = RankingMetrics.curve(scores: [0.9, 0.8, 0.8, 0.7, 0.6, 0.6, 0.4, 0.2], labels: [1, 0, 1, 1, 1, 0, 0, 0])
        #expect(RankingMetrics.rocAUC(swapped) == 0.8125)
        #expect(RankingMetrics.averagePrecision(swapped) == 0.7708333333333333)
    }

    @Test func undefinedWithoutBothClassesAndPerfectWhenSeparated() {
        #expect(RankingMetrics.rocAUC(RankingMetrics.curve(scores: [0.1, 0.2], labels: [0, 0])) == nil)
        #expect(RankingMetrics.averagePrecision(RankingMetrics.curve(scores: [0.1, 0.2], labels: [0, 0])) == nil)
        #expect(RankingMetrics.rocAUC(RankingMetrics.curve(scores: [0.1, 0.2], labels: [1, 1])) == nil)
        let perfect = RankingMetrics.curve(scores: [0.9, 0.8, 0.3, 0.1], labels: [1, 1, 0, 0])
        #expect(RankingMetrics.rocAUC(perfect) == 1 && RankingMetrics.averagePrecision(perfect) == 1)
        // All scores tied: one group, the diagonal.
        #expect(RankingMetrics.rocAUC(RankingMetrics.curve(scores: [0.5, 0.5, 0.5], labels: [1, 0, 0])) == 0.5)
    }

    @Test func rocPointsDropCollinearOnesAndKeepTheArea() {
        let c = RankingMetrics.curve(scores: [0.9, 0.8, 0.7, 0.6, 0.5], labels: [1, 1, 0, 0, 1])
        let points = RankingMetrics.rocPoints(c)
        #expect(points.map(\.fpr) == [0, 0, 1, 1] && points.map(\.tpr) == [0, 2.0 / 3, 2.0 / 3, 1])
        #expect(RankingMetrics.rocAUC(c) == 4.0 / 6)
    }

    @Test func thresholdMaximisingF1IsTheHookForAValidationSplit() {
        let t = RankingMetrics.thresholdMaximisingF1(probabilities: Self.scores, labels: Self.labels,
                                                     candidates: Run.tableThresholds)
        // p > 0.4 and p > 0.5 both give tp 4, fp 2, fn 0: F1 0.8, the best of 0.1 ... 0.9; the lower wins.
        #expect(t == 0.4)
    }

    @Test func binaryScalarsOrderThresholdTableAndCharts() throws {
        let e = Evaluation.binary(probabilities: Self.scores, labels: Self.labels, threshold: 0.5, positive: "8")
        #expect(e.scalars.map(\.0) == ["accuracy", "precision", "recall", "f1", "roc_auc", "average_precision",
                                       "tp", "fp", "fn", "tn", "threshold", "samples", "positives"])
        #expect(e.outcome.rocAUC == 0.8125)
        let table = try #require(e.rankingFiles.first { $0.name == "thresholds.csv" }).content
        let lines = table.split(separator: "\n")
        #expect(lines.count == 10 && lines[0] == "threshold,accuracy,precision,recall,f1,tp,fp,fn,tn")
        #expect(lines[5] == "0.5,0.75,0.6666666666666666,1.0,0.8,4,2,0,2")
        #expect(e.rankingFiles.map(\.name) == ["thresholds.csv", "roc.svg", "roc-log.svg", "pr.svg"])
        for (_, svg) in e.rankingFiles.dropFirst() { #expect(SVGCounter.count(svg) != nil) }
        #expect(SVGCounter.count(e.confusionChart) != nil)
        #expect(e.confusionChart.contains(">not 8<"))
    }

    /// The heat map reads like `nn eval`'s table: true 1 / true 0 rows against pred 1 /
    /// pred 0 columns, so (tp, fn / fp, tn) in document order; here tp 4, fn 0, fp 2, tn 2.
    @Test func binaryConfusionChartHasTheTerminalsOrder() throws {
        let e = Evaluation.binary(probabilities: Self.scores, labels: Self.labels, threshold: 0.5, positive: "8")
        let svg = e.confusionChart
        let counts = svg.components(separatedBy: "\n").compactMap { line -> String? in
            guard line.contains("font-size=\"15\">"), !line.contains("font-weight") else { return nil }
            return line.components(separatedBy: ">").dropFirst().first?.components(separatedBy: "<").first
        }
        #expect(counts == ["4", "0", "2", "2"])
        let positive = try #require(svg.range(of: ">8</text>")), negative = try #require(svg.range(of: ">not 8</text>"))
        #expect(positive.lowerBound < negative.lowerBound)
    }

    /// roc-log.svg: the same curve on a log FPR axis (points at FPR 0 left out), the
    /// chance line a curve of many points from the smallest FPR's decade to 1.
    @Test func rocLogHasALogFalsePositiveAxis() throws {
        let e = Evaluation.binary(probabilities: Self.scores, labels: Self.labels, threshold: 0.5, positive: "8")
        let svg = try #require(e.rankingFiles.first { $0.name == "roc-log.svg" }).content
        let linear = try #require(e.rankingFiles.first { $0.name == "roc.svg" }).content
        #expect(svg.contains("false positive rate (share of negatives above the threshold) (log scale)"))
        #expect(!linear.contains("(log scale)"))
        let counts = try #require(SVGCounter.count(svg))
        #expect(counts.series.count == 2 && counts.series[1].polylinePoints > 2)   // chance: a curve on a log axis
        let chart = EvalCharts.roc([("8", RankingMetrics.curve(scores: Self.scores, labels: Self.labels))], title: "t", logFPR: true)
        #expect(chart.logX && chart.xBounds == nil)
        #expect(chart.series[0].points.contains { $0.x == 0 } && chart.drawnPoints(chart.series[0]).allSatisfy { $0.x > 0 })
    }

    /// sklearn: `roc_auc_score(t, P, multi_class="ovr")` = 0.8958333333333334, per class
    /// 0.75, 1.0, 0.9375.
    @Test func tenClassesGetOneVsRestAUCs() {
        let p: [[Double]] = [[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.1, 0.3, 0.6], [0.4, 0.4, 0.2], [0.3, 0.3, 0.4], [0.5, 0.1, 0.4]]
        let scores = (0..<3).map { k in p.map { $0[k] } }
        let e = Evaluation.multiClass(scores: scores, truth: [0, 1, 2, 1, 0, 2])
        #expect(e.outcome.macroROCAUC == 0.8958333333333334)
        let aucs = e.scalars.filter { $0.0.hasPrefix("roc_auc_class_") }.map(\.1)
        #expect(aucs == [.real(0.75), .real(1.0), .real(0.9375)])
        #expect(e.scalars.map(\.0).firstIndex(of: "macro_roc_auc") == e.scalars.map(\.0).firstIndex(of: "micro_f1")! + 1)
        #expect(e.predictions[3] == ["3", "1", "0.4", "0"])   // a tie goes to the first class, as np.argmax
    }

    @Test func otherThresholdsGetTheirOwnFileNames() {
        #expect(RunLayout.atThreshold("metrics.json", nil) == "metrics.json")
        #expect(RunLayout.atThreshold("metrics.json", 0.2) == "metrics-t0.2.json")
        #expect(RunLayout.atThreshold("predictions.csv", 0.35) == "predictions-t0.35.csv")
    }

    @Test func heatMapShadesByShareOfTheRow() throws {
        let svg = HeatMap(title: "c", labels: ["0", "1", "2"], counts: [[8, 2, 0], [0, 5, 5], [1, 0, 0]]).svg()
        #expect(SVGCounter.count(svg) != nil)
        #expect(svg.contains(">80.0%<") && svg.contains(">50.0%<"))
        #expect(HeatMap.shade(0) == "#ffffff" && HeatMap.shade(1) == "#08306b")
        // Every cell is outlined, an empty one too (white on white would vanish).
        let cells = svg.components(separatedBy: "<rect ").dropFirst().filter { $0.contains("width=\"52.00\"") }
        #expect(cells.count == 9 && cells.allSatisfy { $0.contains("stroke=\"\(HeatMap.gridColor)\"") }, "\(svg)")
    }
}
