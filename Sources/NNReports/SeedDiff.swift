import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns
import NNSweeps

/// One side of `nn diff --by seed`: its runs grouped into configurations (every
/// parameter but the seed), each with one value per seed of every metric.
///
/// A side is a sweep directory or summary CSV (parameters: its parameter columns; rows
/// not `ok` are left out and counted), a directory whose subdirectories are runs (each
/// run's `config.*` fields but `config.seed`, the labels and `config.data.directory`), or
/// one run directory.
struct SeedGroups: Sendable {
    struct Group: Sendable {
        /// `key=value` of every parameter but the seed, in column order.
        var params: [(key: String, value: String)]
        var metrics: [String: [Double]] = [:]
        var runs = 0
        var label: String { params.isEmpty ? "-" : params.map { "\($0.key)=\($0.value)" }.joined(separator: " ") }
    }

    var source: String
    var groups: [Group] = []
    /// Rows of a sweep that are not `ok` (left out).
    var notOk = 0

    /// The metrics compared, in this order, when both sides have them; lower is better
    /// for the losses only (`final_loss` is `last_epoch_loss`'s name in older summaries).
    static let metrics = ["last_epoch_loss", "final_loss", "train_loss", "accuracy", "precision", "recall", "f1",
                          "roc_auc", "average_precision",
                          "macro_precision", "macro_recall", "macro_f1", "micro_f1", "macro_roc_auc"]
    static let losses: Set<String> = ["last_epoch_loss", "final_loss", "train_loss"]

    static func load(_ path: String) throws -> SeedGroups {
        var side = SeedGroups(source: path)
        if FilePath.exists(path, directory: true), !SweepDirectory.looksLikeSweep(path), !RunDirectory.looksLikeRun(path) {
            let children = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                .filter { !$0.hasPrefix(".") && RunDirectory.looksLikeRun(path + "/" + $0) }
            if children.isEmpty { throw NNError("\(path): not a run or sweep directory, and holds no run directories") }
            for child in children { try side.add(record: ResultTable.load(path + "/" + child)) }
            return side
        }
        let table = try ResultTable.load(path)
        switch table.kind {
        case .sweep:
            let status = table.columns.firstIndex(of: "status")
            let params = table.keyColumns == ["run_id"] ? [] : table.keyColumns
            for row in table.rows {
                if let status, row[status]?.text != "ok" { side.notOk += 1; continue }
                side.add(row: row, columns: table.columns, params: params.filter { $0 != "seed" })
            }
        case .run: try side.add(record: table)
        default: throw NNError("\(path): --by seed compares sweeps or runs, not a \(table.kind.rawValue)")
        }
        return side
    }

    private mutating func add(record table: ResultTable) throws {
        guard table.kind == .run else { throw NNError("\(table.source): not a run directory") }
        let skip: Set<String> = ["config.seed", "config.name", "config.description", "config.data.directory"]
        let params = table.columns.filter { $0.hasPrefix("config.") && !skip.contains($0) }
        add(row: table.rows[0], columns: table.columns, params: params)
    }

    private mutating func add(row: [FieldValue?], columns: [String], params: [String]) {
        let values = params.map { p in (key: p.hasPrefix("config.") ? String(p.dropFirst(7)) : p,
                                        value: row[columns.firstIndex(of: p)!]?.normalized ?? "") }
        let label = Group(params: values).label
        let n = groups.firstIndex { $0.label == label } ?? { groups.append(Group(params: values)); return groups.count - 1 }()
        groups[n].runs += 1
        for metric in Self.metrics {
            if let i = columns.firstIndex(of: metric), let v = row[i]?.number { groups[n].metrics[metric, default: []].append(v) }
        }
    }
}

/// `nn diff A B --by seed`: per configuration and metric, the mean ± standard deviation
/// over seeds on each side and Welch's 95% interval for mean(B) - mean(A) (`WelchTest`).
///
/// Configurations are matched by their parameters; when each side holds exactly one
/// configuration, those two are compared whatever their parameters (lr 0.3 against lr 0.1).
/// Verdict per metric: `better` or `worse` (B against A; lower is better for the losses)
/// when the interval excludes 0 and |delta| > atol + rtol·|mean A| — the difference
/// exceeds the seed-to-seed spread; `within seed noise` otherwise; `too few seeds` when a
/// side has one run and the means differ; `only-a`/`only-b` for an unmatched
/// configuration. Every verdict but `within seed noise` is a difference (exit 1).
package struct SeedDiff: Sendable {
    struct Line: Sendable {
        var config: String
        var metric: String
        var a: [Double]
        var b: [Double]
        var test: WelchTest?
        var verdict: String
        var differs: Bool { verdict != Self.withinNoise }
        static let withinNoise = "within seed noise"
    }

    var a: SeedGroups
    var b: SeedGroups
    var lines: [Line] = []

    package static func compare(_ pathA: String, _ pathB: String, rtol: Double = 0, atol: Double = 0) throws -> SeedDiff {
        var diff = SeedDiff(a: try SeedGroups.load(pathA), b: try SeedGroups.load(pathB))
        let pairs: [(SeedGroups.Group?, SeedGroups.Group?)]
        if diff.a.groups.count == 1 && diff.b.groups.count == 1 {
            pairs = [(diff.a.groups[0], diff.b.groups[0])]
        } else {
            pairs = diff.a.groups.map { g in (g, diff.b.groups.first { $0.label == g.label }) }
                + diff.b.groups.filter { g in !diff.a.groups.contains { $0.label == g.label } }.map { (nil, $0) }
        }
        if !pairs.contains(where: { $0.0 != nil && $0.1 != nil }) {
            func some(_ side: SeedGroups) -> String {
                side.groups.isEmpty ? "no ok runs" : side.groups.prefix(2).map(\.label).joined(separator: "; ") + (side.groups.count > 2 ? "; …" : "")
            }
            throw NNError("--by seed: \(pathA) and \(pathB) have no configuration in common, so nothing was compared "
                          + "(A: \(some(diff.a)); B: \(some(diff.b)))")
        }
        for (ga, gb) in pairs {
            let labels = [ga?.label, gb?.label].compactMap { $0 }
            let config = labels.count == 2 && labels[0] != labels[1] ? labels.joined(separator: " | ") : labels[0]
            guard let ga, let gb else {
                diff.lines.append(Line(config: config, metric: "*", a: [], b: [], test: nil, verdict: ga == nil ? "only-b" : "only-a"))
                continue
            }
            for metric in SeedGroups.metrics {
                guard let x = ga.metrics[metric], let y = gb.metrics[metric] else { continue }
                diff.lines.append(line(config: config, metric: metric, x, y, rtol: rtol, atol: atol))
            }
        }
        return diff
    }

    private static func line(config: String, metric: String, _ x: [Double], _ y: [Double], rtol: Double, atol: Double) -> Line {
        let mx = WelchTest.meanSD(x).mean, my = WelchTest.meanSD(y).mean
        let tolerated = abs(my - mx) <= atol + rtol * abs(mx)
        let test = WelchTest(a: x, b: y)
        let verdict: String
        if tolerated || test.map({ !$0.excludesZero }) == true {
            verdict = Line.withinNoise
        } else if test == nil {
            verdict = "too few seeds"
        } else {
            verdict = (my > mx) == !SeedGroups.losses.contains(metric) ? "better" : "worse"
        }
        return Line(config: config, metric: metric, a: x, b: y, test: test, verdict: verdict)
    }

    var differing: Int { lines.filter(\.differs).count }
    package var equal: Bool { differing == 0 }

    /// An aligned table, notes on left-out points, then one summary line; or CSV (`config,
    /// metric,a,b,delta,low,high,verdict`, a and b as `mean ± sd (n=N)`).
    package func render(csv: Bool) -> String {
        func number(_ x: Double) -> String { NumberText.fixed(x, decimals: 5) }
        func side(_ v: [Double]) -> String {
            guard !v.isEmpty else { return "" }
            let s = WelchTest.meanSD(v)
            return "\(number(s.mean)) ± \(number(s.sd)) (n=\(v.count))"
        }
        let cells = lines.map { l -> [String] in
            let delta = l.a.isEmpty || l.b.isEmpty ? "" : number(WelchTest.meanSD(l.b).mean - WelchTest.meanSD(l.a).mean)
            return [l.config, l.metric, side(l.a), side(l.b), delta,
                    l.test.map { number($0.low) } ?? "", l.test.map { number($0.high) } ?? "", l.verdict]
        }
        if csv {
            return CSVTable(header: ["config", "metric", "a", "b", "delta", "low", "high", "verdict"], rows: cells).encoded()
        }
        let rows = cells.map { c in Array(c[0..<5]) + [c[5].isEmpty ? "" : "[\(c[5]), \(c[6])]", c[7]] }
        let header = ["config", "metric", "A mean ± sd", "B mean ± sd", "B - A", "95% interval (Welch t)", "verdict"]
        var notes = ""
        for s in [a, b] where s.notOk > 0 { notes += "\(s.source): \(s.notOk) points not ok, left out\n" }
        let between = "between A=\(a.source) and B=\(b.source) (Welch's t, 95%)"
        let summary = equal ? "within seed noise: all \(lines.count) comparisons \(between)\n"
            : "differs beyond seed noise: \(differing) of \(lines.count) comparisons \(between)\n"
        return TextTable.aligned(header: header, rows: rows) + notes + summary
    }
}

/// The seed section of a multi-seed sweep's report: the intervals of `nn diff --by seed`
/// within one sweep. Per configuration (every parameter but the seed) and metric: the mean
/// ± sample standard deviation over its seeds, the 95% t interval of that mean
/// (mean ± t(0.975, n−1)·sd/√n), and against the best configuration by `metric` (highest,
/// lowest for a loss) Welch's 95% interval of the difference with the same verdicts.
enum SeedSpread {
    /// The Markdown section, or nil when no configuration has two seeds.
    static func markdown(sweep dir: String, metric: String) throws -> String? {
        let side = try SeedGroups.load(dir)
        let groups = side.groups.filter { ($0.metrics[metric]?.count ?? 0) >= 2 }
        guard !groups.isEmpty else { return nil }
        // The best configuration: its mean compared as `Ranking` compares (the metric's goal,
        // NaN last); equal means: the first.
        let lowerIsBetter = RankGoal.of(metric) == .min
        let best = groups.min { a, b in
            let (x, y) = (WelchTest.meanSD(a.metrics[metric]!).mean, WelchTest.meanSD(b.metrics[metric]!).mean)
            return Ranking.ahead(x, y, lowerIsBetter: lowerIsBetter) ?? false
        }!
        func number(_ x: Double) -> String { NumberText.fixed(x, decimals: 4) }
        // Configurations are named by the parameters that differ between them.
        let varying = Set(groups.flatMap(\.params).map(\.key).filter { key in
            Set(groups.map { g in g.params.first { $0.key == key }?.value ?? "" }).count > 1
        })
        func name(_ g: SeedGroups.Group) -> String {
            let shown = g.params.filter { varying.contains($0.key) }
            return shown.isEmpty ? g.label : shown.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        let metrics = SeedGroups.metrics.filter { m in groups.contains { $0.metrics[m] != nil } }
        var rows: [[String]] = []
        for g in groups {
            for m in metrics {
                guard let v = g.metrics[m], !v.isEmpty else { continue }
                let (mean, sd) = WelchTest.meanSD(v)
                var interval = ""
                if v.count >= 2 {
                    let half = WelchTest.tQuantile(0.975, df: Double(v.count - 1)) * sd / Double(v.count).squareRoot()
                    interval = "[\(number(mean - half)), \(number(mean + half))]"
                }
                var versus = "", verdict = groups.count > 1 && g.label == best.label ? "best by \(metric)" : ""
                if g.label != best.label, let b = best.metrics[m], let test = WelchTest(a: b, b: v) {
                    versus = "\(number(test.delta)) [\(number(test.low)), \(number(test.high))]"
                    verdict = !test.excludesZero ? "within seed noise"
                        : (test.delta > 0) == !SeedGroups.losses.contains(m) ? "better" : "worse"
                }
                rows.append([name(g), m, "\(number(mean)) ± \(number(sd))", String(v.count), interval, versus, verdict])
            }
        }
        var md = "## Seeds\n\n"
        md += "Per configuration: the mean ± standard deviation over its seeds, the 95% t interval of the mean, and "
        md += "against the best configuration by \(metric) (`\(name(best))`) the difference with Welch's 95% interval "
        md += "(as `nn diff --by seed`): `better` or `worse` when the interval excludes 0, else `within seed noise`.\n\n"
        md += Markdown.table(header: ["configuration", "metric", "mean ± sd", "seeds", "95% interval of the mean",
                                      "minus best [95%]", "verdict"], rows: rows)
        return md + "\n"
    }
}
