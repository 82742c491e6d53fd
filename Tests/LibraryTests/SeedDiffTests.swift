import Foundation
import Testing
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

@Suite struct SeedDiffTests {
    /// Reference values from SciPy 1.17 (stats.t.ppf, stats.t.cdf, and
    /// ttest_ind(b, a, equal_var=False).confidence_interval(0.95)).
    @Test func welchAgreesWithSciPy() throws {
        #expect(abs(WelchTest.tQuantile(0.975, df: 4) - 2.7764451051977934) < 1e-9)
        #expect(abs(WelchTest.tQuantile(0.975, df: 2.5) - 3.5746548420036817) < 1e-9)
        #expect(abs(WelchTest.tCDF(1.3, df: 7.2) - 0.8831653960826823) < 1e-12)
        let a = [0.79355, 0.71349, 0.445, 0.6, 0.7], b = [0.5, 0.55, 0.52, 0.48, 0.51]
        let w = try #require(WelchTest(a: a, b: b))
        #expect(abs(w.df - 4.2987654603282595) < 1e-9)
        #expect(abs(w.low - -0.30314179815721) < 1e-9 && abs(w.high - 0.026325798157209812) < 1e-9)
        #expect(!w.excludesZero)
        #expect(WelchTest(a: [1], b: [1, 2]) == nil)
        let flat = try #require(WelchTest(a: [2, 2], b: [3, 3]))
        #expect(flat.low == 1 && flat.high == 1 && flat.excludesZero)
    }

    /// Writes summaries `a` and `b` (rows under `run_id,status,lr,seed,final_loss,accuracy,f1,error`)
    /// as DIR/a.csv and DIR/b.csv in a fresh directory, runs `body(DIR)`, then removes it.
    func withSummaries(_ a: [String], _ b: [String], _ body: (String) throws -> Void) throws {
        let dir = try makeTemporaryDirectory("seeddiff")
        defer { removeTree(dir) }
        for (name, rows) in [("a", a), ("b", b)] {
            let header = "run_id,status,lr,seed,final_loss,accuracy,f1,error"
            try AtomicFile.write(([header] + rows).joined(separator: "\n") + "\n", to: "\(dir)/\(name).csv")
        }
        try body(dir)
    }

    @Test func verdictsPerMetricAndExitConvention() throws {
        // A: lr 0.3, B: lr 0.1 (one configuration each side, so they are paired).
        try withSummaries(["a00000000001,ok,0.3,0,0.10,0.96,0.79,", "a00000000002,ok,0.3,1,0.11,0.95,0.71,",
                           "a00000000003,ok,0.3,2,0.12,0.97,0.60,", "a00000000004,failed,0.3,3,,,,diverged"],
                          ["b00000000001,ok,0.1,0,0.30,0.90,0.50,", "b00000000002,ok,0.1,1,0.31,0.91,0.70,",
                           "b00000000003,ok,0.1,2,0.32,0.90,0.61,"]) { dir in
        let d = try SeedDiff.compare(dir + "/a.csv", dir + "/b.csv")
        // No validation loss and no AUCs in these summaries: the ranking rule's metric is
        // accuracy, compared first.
        #expect(d.ranking == Ranking(metric: "accuracy"))
        #expect(d.lines.map(\.config) == ["lr=0.3 | lr=0.1", "lr=0.3 | lr=0.1", "lr=0.3 | lr=0.1"])
        #expect(d.lines.map(\.metric) == ["accuracy", "final_loss", "f1"])
        #expect(d.lines.map(\.verdict) == ["worse", "worse", "within seed noise"])
        #expect(!d.equal && d.a.notOk == 1)
        let text = d.render(csv: false)
        #expect(text.contains("a.csv: 1 points not ok, left out\n"))
        #expect(text.hasSuffix("by accuracy (higher is better), B is better in 0, worse in 1, within seed noise in 0 of 1 configuration\n"
                               + "differs beyond seed noise: 2 of 3 comparisons between A=\(dir)/a.csv and B=\(dir)/b.csv (Welch's t, 95%)\n"))
        #expect(text.hasPrefix("config           metric      A mean ± sd              B mean ± sd              B - A"))
        // A tolerance wider than the differences makes everything equal.
        #expect(try SeedDiff.compare(dir + "/a.csv", dir + "/b.csv", atol: 0.3).equal)
        // Against itself: within noise.
        #expect(try SeedDiff.compare(dir + "/a.csv", dir + "/a.csv").equal)
        #expect(try SeedDiff.compare(dir + "/a.csv", dir + "/a.csv").render(csv: true)
                    .hasPrefix("config,metric,a_mean,a_sd,a_n,b_mean,b_sd,b_n,delta,low,high,verdict\nlr=0.3,accuracy,"))
        // CSV for programs: every number in a column of its own, with all its digits.
        let diff = try SeedDiff.compare(dir + "/a.csv", dir + "/b.csv")
        let csvRows = diff.render(csv: true).split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(csvRows.count == diff.lines.count)
        for (row, line) in zip(csvRows, diff.lines) where !line.a.isEmpty && !line.b.isEmpty {
            #expect(row.count == 12 && row[4] == String(line.a.count) && row[7] == String(line.b.count), "\(row)")
            #expect(Double(row[2]) == WelchTest.meanSD(line.a).mean && Double(row[5]) == WelchTest.meanSD(line.b).mean, "\(row)")
            #expect(Double(row[8]) == WelchTest.meanSD(line.b).mean - WelchTest.meanSD(line.a).mean, "\(row)")
            #expect(row.allSatisfy { !$0.contains("±") })
        }
        // --rank-by f1 --goal min: f1 first, and lower f1 is better (B's 0.603 against A's 0.7 is
        // within noise, so no verdict changes), while accuracy keeps its own goal (higher).
        let f1 = try SeedDiff.compare(dir + "/a.csv", dir + "/b.csv", rankBy: "f1", goal: .min)
        #expect(f1.lines.map(\.metric) == ["f1", "final_loss", "accuracy"])
        #expect(f1.lines.map(\.verdict) == ["within seed noise", "worse", "worse"])
        #expect(f1.render(csv: false).contains("by f1 (lower is better), B is better in 0, worse in 0, within seed noise in 1 of 1 configuration\n"))
        // --goal min on accuracy turns B's lower accuracy into `better`.
        #expect(try SeedDiff.compare(dir + "/a.csv", dir + "/b.csv", rankBy: "accuracy", goal: .min).lines.map(\.verdict)
                == ["better", "worse", "within seed noise"])
        #expect(throws: NNError("--rank-by: no ok run of \(dir)/a.csv or \(dir)/b.csv has a numeric 'val_loss'")) {
            try SeedDiff.compare(dir + "/a.csv", dir + "/b.csv", rankBy: "val_loss")
        }
        }
    }

    @Test func groupsAreJoinedOnParametersOtherThanTheSeed() throws {
        try withSummaries(["a00000000001,ok,0.3,0,0.10,0.96,0.79,", "a00000000002,ok,0.3,1,0.11,0.95,0.71,",
                           "a00000000003,ok,0.1,0,0.30,0.90,0.50,", "a00000000004,ok,0.1,1,0.31,0.91,0.70,"],
                          ["b00000000001,ok,0.3,0,0.10,0.96,0.79,", "b00000000002,ok,0.3,1,0.11,0.95,0.71,",
                           "b00000000003,ok,0.5,0,0.30,0.90,0.50,"]) { dir in
        let d = try SeedDiff.compare(dir + "/a.csv", dir + "/b.csv")
        #expect(d.lines.map { "\($0.config) \($0.metric) \($0.verdict)" } == [
            "lr=0.3 accuracy within seed noise", "lr=0.3 final_loss within seed noise", "lr=0.3 f1 within seed noise",
            "lr=0.1 * only-a", "lr=0.5 * only-b"])
        #expect(d.rankingSummary == "by accuracy (higher is better), B is better in 0, worse in 0, within seed noise in 1 of 1 configuration\n")
        #expect(d.differing == 2)
        }
    }

    /// Two sweeps that share no configuration: nothing was compared, and it says so (an
    /// error, exit 2) instead of "differs beyond seed noise: N of N".
    @Test func nothingInCommonIsAnError() throws {
        try withSummaries(["a00000000001,ok,0.3,0,0.10,0.96,0.79,", "a00000000002,ok,0.1,0,0.11,0.95,0.71,"],
                          ["b00000000001,ok,0.5,0,0.10,0.96,0.79,", "b00000000002,ok,0.7,1,0.11,0.95,0.71,"]) { dir in
        #expect(throws: NNError("--by seed: \(dir)/a.csv and \(dir)/b.csv have no configuration in common, so nothing was compared (A: lr=0.3; lr=0.1; B: lr=0.5; lr=0.7)")) {
            try SeedDiff.compare(dir + "/a.csv", dir + "/b.csv")
        }
        }
    }

    /// The seed section of a sweep's report: the t interval of each configuration's mean
    /// (t(0.975, 2) = 4.302652729911275 from SciPy) and Welch's interval against the best
    /// configuration by the chart's metric.
    @Test func sweepReportSeedSection() throws {
        try withSummaries(["a00000000001,ok,0.3,0,0.10,0.96,0.79,", "a00000000002,ok,0.3,1,0.11,0.95,0.71,",
                           "a00000000003,ok,0.3,2,0.12,0.97,0.60,", "a00000000004,ok,0.1,0,0.30,0.90,0.50,",
                           "a00000000005,ok,0.1,1,0.31,0.91,0.70,", "a00000000006,ok,0.1,2,0.32,0.90,0.61,"], []) { dir in
        let md = try #require(try SeedSpread.markdown(sweep: dir + "/a.csv", ranking: Ranking(metric: "f1")))
        #expect(md.contains("against the best configuration (`lr=0.3`)"))
        #expect(md.contains("Configurations are ranked by f1 (higher is better) per data set on their means over seeds; "
                            + "ties: lower mean last_epoch_loss, then parameters."))
        // f1 of lr=0.3: mean 0.7, sd √0.0091, half-width 4.302652729911275·sd/√3 = 0.23697.
        #expect(md.contains("| lr=0.3 | f1 | 0.7 ± 0.095394 | 3 | [0.46303, 0.93697] |  | best by f1 |"), "\(md)")
        #expect(md.contains("| lr=0.1 | final_loss | 0.31 ± 0.01 | 3 |"))
        let lines = md.split(separator: "\n")
        func verdict(_ prefix: String) -> String? { lines.first { $0.hasPrefix(prefix) }.map { String($0.split(separator: "|").last!).trimmingCharacters(in: .whitespaces) } }
        #expect(verdict("| lr=0.1 | final_loss ") == "worse")
        #expect(verdict("| lr=0.1 | accuracy ") == "worse")
        #expect(verdict("| lr=0.1 | f1 ") == "within seed noise")
        // Best first: lr=0.3's rows come before lr=0.1's, the ranking metric first in each.
        #expect(lines.filter { $0.hasPrefix("| lr=") }.prefix(4).map { $0.split(separator: "|").prefix(2).map { $0.trimmingCharacters(in: .whitespaces) } }
                == [["lr=0.3", "f1"], ["lr=0.3", "final_loss"], ["lr=0.3", "accuracy"], ["lr=0.1", "f1"]])
        // By final_loss (lower is better) lr=0.3 is still best: 0.11 against 0.31.
        let byLoss = try #require(try SeedSpread.markdown(sweep: dir + "/a.csv", ranking: Ranking(metric: "final_loss")))
        #expect(byLoss.contains("| lr=0.3 | final_loss | 0.11 ± 0.01 | 3 | [0.085159, 0.13484] |  | best by final_loss |"), "\(byLoss)")
        // One seed per configuration: no section.
        #expect(try SeedSpread.markdown(sweep: dir + "/b.csv", ranking: Ranking(metric: "f1")) == nil)
        }
    }

    /// The degenerate case: F1 is 0 for every configuration (no positives
    /// predicted). The old seed section called the first maximum "best"; the one rule
    /// breaks the tie on the lower mean training loss, so exactly one configuration is best,
    /// and it is listed first.
    @Test func seedSectionTiesAreBrokenByTheTrainingLoss() throws {
        try withSummaries(["a00000000001,ok,0.3,0,0.40,0.90,0,", "a00000000002,ok,0.3,1,0.42,0.90,0,",
                           "a00000000003,ok,0.1,0,0.30,0.90,0,", "a00000000004,ok,0.1,1,0.32,0.90,0,"], []) { dir in
        let md = try #require(try SeedSpread.markdown(sweep: dir + "/a.csv", ranking: Ranking(metric: "f1")))
        #expect(md.contains("against the best configuration (`lr=0.1`)"), "\(md)")
        let rows = md.split(separator: "\n").filter { $0.hasPrefix("| lr=") }
        #expect(rows.first?.hasPrefix("| lr=0.1 | f1 | 0 ± 0 | 2 |") == true, "\(md)")
        // "best" marks the best configuration's rows (one per metric), all of lr=0.1.
        let best = rows.filter { $0.hasSuffix("| best by f1 |") }
        #expect(best.count == 3 && best.allSatisfy { $0.hasPrefix("| lr=0.1 |") }, "\(md)")
        }
    }

    /// A sweep with a validation set: `val_loss` is the ranking metric (lower is better),
    /// compared first, and it decides the ranking line.
    @Test func validationLossRanksWhenEveryRunHasOne() throws {
        let dir = try makeTemporaryDirectory("seeddiff-val")
        defer { removeTree(dir) }
        let header = "run_id,status,lr,seed,last_epoch_loss,accuracy,average_precision,best_epoch,val_loss,val_f1,error"
        try AtomicFile.write([header, "a00000000001,ok,0.3,0,0.2,0.9,0.8,2,0.30,0.5,", "a00000000002,ok,0.3,1,0.2,0.9,0.8,2,0.31,0.5,",
                              "a00000000003,ok,0.3,2,0.2,0.9,0.8,2,0.32,0.5,"].joined(separator: "\n") + "\n", to: dir + "/a.csv")
        try AtomicFile.write([header, "b00000000001,ok,0.3,0,0.2,0.9,0.8,2,0.20,0.5,", "b00000000002,ok,0.3,1,0.2,0.9,0.8,2,0.21,0.5,",
                              "b00000000003,ok,0.3,2,0.2,0.9,0.8,2,0.22,0.5,"].joined(separator: "\n") + "\n", to: dir + "/b.csv")
        let d = try SeedDiff.compare(dir + "/a.csv", dir + "/b.csv")
        #expect(d.ranking == Ranking(metric: "val_loss"))
        #expect(d.lines.first.map { "\($0.metric) \($0.verdict)" } == "val_loss better")
        #expect(d.rankingSummary == "by val_loss (lower is better), B is better in 1, worse in 0, within seed noise in 0 of 1 configuration\n")
        #expect(d.lines.map(\.metric) == ["val_loss", "last_epoch_loss", "val_f1", "accuracy", "average_precision"])
    }
}
