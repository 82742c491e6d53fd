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

        /// The mean over its seeds of `metric`, as text (`Ranking` reads text), or nil.
        func mean(_ metric: String) -> String? {
            metrics[metric].flatMap { $0.isEmpty ? nil : NumberText.real(WelchTest.meanSD($0).mean) }
        }

        /// This configuration as a `Ranking.Entry` for `metric` (ties: its mean training
        /// loss, then its label in place of a run's path), ranked only against
        /// configurations on the same data.
        func entry(_ metric: String) -> Ranking.Entry {
            Ranking.Entry(group: params.filter { SeedGroups.dataKeys.contains($0.key) }.map(\.value).joined(separator: " "),
                          complete: true, value: mean(metric),
                          loss: mean("last_epoch_loss") ?? mean("final_loss"), path: label)
        }
    }

    /// The keys that select the data (`selectsData`): configurations rank only against
    /// configurations with the same values of these.
    static let dataKeys = Set(ExperimentConfig.table.filter(\.selectsData).map(\.name))

    var source: String
    var groups: [Group] = []
    /// Rows of a sweep that are not `ok` (left out).
    var notOk = 0
    /// The metrics collected: `metrics`, and a `--rank-by` metric not among them.
    var collected = SeedGroups.metrics
    /// Every ok run's metrics as text, the rows `Ranking.choose` picks the metric from.
    var records: [[String: String]] = []
    /// `all` when the runs have ten classes (a macro metric), else `binary`.
    var task: String { records.contains { $0["macro_f1"] != nil } ? "all" : "binary" }

    /// The metrics compared, in this order (after the ranking metric, which comes first),
    /// when both sides have them; which way is better is `RankGoal`'s (lower for a loss).
    /// `final_loss` is `last_epoch_loss`'s name in older summaries; the validation metrics
    /// are a sweep's `val_*` columns (at its best epoch) or a run's last `history.csv` row.
    static let metrics = ["last_epoch_loss", "final_loss", "train_loss", "val_loss", "val_f1", "val_accuracy",
                          "accuracy", "precision", "recall", "f1", "roc_auc", "average_precision",
                          "macro_precision", "macro_recall", "macro_f1", "micro_f1", "macro_roc_auc"]

    static func load(_ path: String, rankBy: String? = nil) throws -> SeedGroups {
        var side = SeedGroups(source: path)
        if let rankBy, !metrics.contains(rankBy) { side.collected.append(rankBy) }
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
        var columns = table.columns, row = table.rows[0]
        // The validation figures of the last epoch, as `nn runs` shows them.
        let history = RunLayout(table.source).history
        if FileManager.default.fileExists(atPath: history), let h = try? History.read(path: history).table, let last = h.rows.last {
            for name in ["val_loss", "val_f1", "val_accuracy"] where !columns.contains(name) {
                if let i = h.column(name), i < last.count, !last[i].isEmpty { columns.append(name); row.append(FieldValue(last[i])) }
            }
        }
        add(row: row, columns: columns, params: params)
    }

    private mutating func add(row: [FieldValue?], columns: [String], params: [String]) {
        let values = params.map { p in (key: p.hasPrefix("config.") ? String(p.dropFirst(7)) : p,
                                        value: row[columns.firstIndex(of: p)!]?.normalized ?? "") }
        let label = Group(params: values).label
        let n = groups.firstIndex { $0.label == label } ?? { groups.append(Group(params: values)); return groups.count - 1 }()
        groups[n].runs += 1
        var record: [String: String] = [:]
        for metric in collected {
            if let i = columns.firstIndex(of: metric), let v = row[i]?.number {
                groups[n].metrics[metric, default: []].append(v)
                record[metric] = row[i]?.text
            }
        }
        records.append(record)
    }
}

/// `nn diff A B --by seed`: per configuration and metric, the mean ± standard deviation
/// over seeds on each side and Welch's 95% interval for mean(B) - mean(A) (`WelchTest`).
///
/// Configurations are matched by their parameters; when each side holds exactly one
/// configuration, those two are compared whatever their parameters (lr 0.3 against lr 0.1).
/// The ranking metric is `Ranking`'s, the one rule every table ranks with
/// (`Ranking.choose` over the ok runs of both sides, or `--rank-by`/`--goal`); it is
/// compared first in each configuration and the summary counts its verdicts.
/// Verdict per metric: `better` or `worse` (B against A; which way is better is the
/// ranking's goal for its metric, `RankGoal.of` for the others: lower for a loss)
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
    /// The metric that says which side is better, and which way (`Ranking`).
    var ranking: Ranking
    var lines: [Line] = []

    package static func compare(_ pathA: String, _ pathB: String, rtol: Double = 0, atol: Double = 0,
                                rankBy: String? = nil, goal: RankGoal? = nil) throws -> SeedDiff {
        let (sideA, sideB) = (try SeedGroups.load(pathA, rankBy: rankBy), try SeedGroups.load(pathB, rankBy: rankBy))
        let ranking = Ranking.choose(task: sideA.task == "all" || sideB.task == "all" ? "all" : "binary",
                                     rows: sideA.records + sideB.records, rankBy: rankBy, goal: goal)
        if let rankBy, !(sideA.records + sideB.records).contains(where: { $0[rankBy] != nil }) {
            throw NNError("--rank-by: no ok run of \(pathA) or \(pathB) has a numeric '\(rankBy)'")
        }
        var diff = SeedDiff(a: sideA, b: sideB, ranking: ranking)
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
        // The ranking metric first, then the others in their usual order.
        let metrics = [ranking.metric] + diff.a.collected.filter { $0 != ranking.metric }
        for (ga, gb) in pairs {
            let labels = [ga?.label, gb?.label].compactMap { $0 }
            let config = labels.count == 2 && labels[0] != labels[1] ? labels.joined(separator: " | ") : labels[0]
            guard let ga, let gb else {
                diff.lines.append(Line(config: config, metric: "*", a: [], b: [], test: nil, verdict: ga == nil ? "only-b" : "only-a"))
                continue
            }
            for metric in metrics {
                guard let x = ga.metrics[metric], let y = gb.metrics[metric] else { continue }
                let goal = metric == ranking.metric ? ranking.goal : RankGoal.of(metric)
                diff.lines.append(line(config: config, metric: metric, x, y, goal: goal, rtol: rtol, atol: atol))
            }
        }
        return diff
    }

    private static func line(config: String, metric: String, _ x: [Double], _ y: [Double], goal: RankGoal,
                             rtol: Double, atol: Double) -> Line {
        let mx = WelchTest.meanSD(x).mean, my = WelchTest.meanSD(y).mean
        let tolerated = abs(my - mx) <= atol + rtol * abs(mx)
        let test = WelchTest(a: x, b: y)
        let verdict: String
        if tolerated || test.map({ !$0.excludesZero }) == true {
            verdict = Line.withinNoise
        } else if test == nil {
            verdict = "too few seeds"
        } else {
            verdict = Ranking.ahead(my, mx, lowerIsBetter: goal == .min) == true ? "better" : "worse"
        }
        return Line(config: config, metric: metric, a: x, b: y, test: test, verdict: verdict)
    }

    /// The summary of the ranking metric's verdicts: `by val_loss (lower is better), B is
    /// better in 1, worse in 0, within seed noise in 2 of 3 configurations`.
    var rankingSummary: String {
        let ranked = lines.filter { $0.metric == ranking.metric }
        let configs = Set(lines.filter { $0.metric != "*" }.map(\.config)).count
        guard !ranked.isEmpty else {
            return "by \(ranking.phrase): not measured on both sides of any configuration\n"
        }
        func count(_ v: String) -> Int { ranked.filter { $0.verdict == v }.count }
        var text = "by \(ranking.phrase), B is better in \(count("better")), worse in \(count("worse")), "
            + "within seed noise in \(count(Line.withinNoise))"
        if count("too few seeds") > 0 { text += ", too few seeds in \(count("too few seeds"))" }
        text += " of \(ranked.count) configuration\(ranked.count == 1 ? "" : "s")"
        if configs > ranked.count { text += " (\(configs - ranked.count) without \(ranking.metric) on both sides)" }
        return text + "\n"
    }

    static let csvHeader = ["config", "metric", "a_mean", "a_sd", "a_n", "b_mean", "b_sd", "b_n", "delta", "low", "high", "verdict"]

    /// `--format csv`: one row per comparison, numbers as `NumberText.real` (every digit).
    var csvTable: String {
        func side(_ v: [Double]) -> [String] {
            guard !v.isEmpty else { return ["", "", "0"] }
            let s = WelchTest.meanSD(v)
            return [NumberText.real(s.mean), v.count > 1 ? NumberText.real(s.sd) : "", String(v.count)]
        }
        let rows = lines.map { l -> [String] in
            let delta = l.a.isEmpty || l.b.isEmpty ? "" : NumberText.real(WelchTest.meanSD(l.b).mean - WelchTest.meanSD(l.a).mean)
            return [l.config, l.metric] + side(l.a) + side(l.b)
                + [delta, l.test.map { NumberText.real($0.low) } ?? "", l.test.map { NumberText.real($0.high) } ?? "", l.verdict]
        }
        return CSVTable(header: Self.csvHeader, rows: rows).encoded()
    }

    var differing: Int { lines.filter(\.differs).count }
    package var equal: Bool { differing == 0 }

    /// An aligned table, notes on left-out points, then one summary line; or CSV for
    /// programs (`csvHeader`: each side's mean, sd and n in columns of their own, every
    /// number with all its digits, an empty cell where a side has none).
    package func render(csv: Bool) -> String {
        if csv { return csvTable }
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
        let rows = cells.map { c in Array(c[0..<5]) + [c[5].isEmpty ? "" : "[\(c[5]), \(c[6])]", c[7]] }
        let header = ["config", "metric", "A mean ± sd", "B mean ± sd", "B - A", "95% interval (Welch t)", "verdict"]
        var notes = ""
        for s in [a, b] where s.notOk > 0 { notes += "\(s.source): \(s.notOk) points not ok, left out\n" }
        let between = "between A=\(a.source) and B=\(b.source) (Welch's t, 95%)"
        let summary = equal ? "within seed noise: all \(lines.count) comparisons \(between)\n"
            : "differs beyond seed noise: \(differing) of \(lines.count) comparisons \(between)\n"
        return TextTable.aligned(header: header, rows: rows) + notes + rankingSummary + summary
    }
}

/// The seed section of a multi-seed sweep's report: the intervals of `nn diff --by seed`
/// within one sweep. Per configuration (every parameter but the seed) and metric: the mean
/// ± sample standard deviation over its seeds, the 95% t interval of that mean
/// (mean ± t(0.975, n−1)·sd/√n), and against the best configuration Welch's 95% interval
/// of the difference with the same verdicts. The best configuration and the order of the
/// configurations are `Ranking`'s rule applied to their means over seeds: the sweep's
/// ranking metric towards its goal, ties broken by the lower mean training loss, then the
/// configuration's parameters; one best per data set.
enum SeedSpread {
    /// The Markdown section, or nil when no configuration has two seeds.
    static func markdown(sweep dir: String, ranking: Ranking) throws -> String? {
        let metric = ranking.metric
        let side = try SeedGroups.load(dir, rankBy: metric)
        let unordered = side.groups.filter { ($0.metrics[metric]?.count ?? 0) >= 2 }
        guard !unordered.isEmpty else { return nil }
        let entries = unordered.map { $0.entry(metric) }
        let ranks = ranking.ranks(entries)
        // Best first; rows whose mean is not finite (they do not rank) keep their order, last.
        let order = unordered.indices.sorted { (ranks[$0] ?? .max, $0) < (ranks[$1] ?? .max, $1) }
        let groups = order.map { unordered[$0] }
        let bests = order.filter { ranks[$0] == 1 }
        func best(of i: Int) -> SeedGroups.Group? {
            bests.first { entries[$0].group == entries[order[i]].group }.map { unordered[$0] }
        }
        func number(_ x: Double) -> String { Markdown.number(x) }   // 5 significant digits, as every report
        // Configurations are named by the parameters that differ between them.
        let varying = Set(groups.flatMap(\.params).map(\.key).filter { key in
            Set(groups.map { g in g.params.first { $0.key == key }?.value ?? "" }).count > 1
        })
        func name(_ g: SeedGroups.Group) -> String {
            let shown = g.params.filter { varying.contains($0.key) }
            return shown.isEmpty ? g.label : shown.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        let metrics = ([metric] + side.collected.filter { $0 != metric }).filter { m in groups.contains { $0.metrics[m] != nil } }
        var rows: [[String]] = []
        for (i, g) in groups.enumerated() {
            let top = best(of: i)
            for m in metrics {
                guard let v = g.metrics[m], !v.isEmpty else { continue }
                let (mean, sd) = WelchTest.meanSD(v)
                var interval = ""
                if v.count >= 2 {
                    let half = WelchTest.tQuantile(0.975, df: Double(v.count - 1)) * sd / Double(v.count).squareRoot()
                    interval = "[\(number(mean - half)), \(number(mean + half))]"
                }
                var versus = "", verdict = groups.count > 1 && g.label == top?.label ? "best by \(metric)" : ""
                if let top, g.label != top.label, let b = top.metrics[m], let test = WelchTest(a: b, b: v) {
                    let goal = m == metric ? ranking.goal : RankGoal.of(m)
                    versus = "\(number(test.delta)) [\(number(test.low)), \(number(test.high))]"
                    verdict = !test.excludesZero ? "within seed noise"
                        : Ranking.ahead(test.delta, 0, lowerIsBetter: goal == .min) == true ? "better" : "worse"
                }
                rows.append([name(g), m, "\(number(mean)) ± \(number(sd))", String(v.count), interval, versus, verdict])
            }
        }
        let named = bests.map { "`\(name(unordered[$0]))`" }.joined(separator: ", ")
        var md = "## Seeds\n\n"
        md += "Per configuration, best first: the mean ± standard deviation over its seeds, the 95% t interval of the mean, and "
        md += "against the best configuration\(bests.count > 1 ? " of its data" : "") (\(named)) the difference with Welch's 95% "
        md += "interval (as `nn diff --by seed`): `better` or `worse` when the interval excludes 0, else `within seed noise`. "
        md += "Configurations are ranked by \(ranking.phrase) per data set on their means over seeds; "
        md += "ties: lower mean last_epoch_loss, then parameters.\n\n"
        md += Markdown.table(header: ["configuration", "metric", "mean ± sd", "seeds", "95% interval of the mean",
                                      "minus best [95%]", "verdict"], rows: rows)
        return md + "\n"
    }
}
