import ArgumentParser
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

extension RunsFormat: ExpressibleByArgument {}
extension RankGoal: ExpressibleByArgument {}

/// `nn runs [PATH...]`: one table of every run and sweep point under the paths.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List every run and sweep point under the paths: parameters that differ, metrics, best marked.",
        discussion: """
            Walks the paths (default: results) for run directories (a .nn-run marker or \
            config.json) and sweeps (sweep.json; one row per point). Reads only \
            .nn-run, config.json, metrics.json and history.csv (sweep points not \
            trained yet: point.json, status.json), never a model. Columns: best (* on the \
            one best run, ranked by --rank-by or by default val_loss when every complete run \
            has one, else average_precision, or accuracy for ten classes; \(Ranking.rule)), \
            name, id, status \
            (complete, incomplete = not evaluated, training = running or killed, \
            diverged, and for sweep points failed, pending), the parameters that differ \
            among the runs listed (the config's precision is dtype), last_epoch_loss, \
            the test metrics of metrics.json, any further history columns C as C (last \
            epoch) and best_C, and the path. A file that cannot be read is one warning \
            on standard error; its run is still listed.

            Examples:
              nn runs
              nn runs results/sweeps/notebook --rank-by val_loss
              nn runs --filter tag.team=vision --sort -f1
              nn runs --format csv > runs.csv
            """
    )

    @Argument(help: "Directories to search: runs, sweeps, or directories holding them (default: results).", completion: .directory)
    var paths: [String] = []

    @Option(parsing: .unconditional,
            help: "Column to sort by; +KEY ascending, -KEY descending (default: the main metric, best first; results best first, other columns ascending).")
    var sort: String?

    @Flag(help: "Sort ascending.")
    var asc = false

    @Flag(help: "Sort descending.")
    var desc = false

    @Option(parsing: .unconditionalSingleValue,
            help: "Keep runs whose column matches: key=value (numbers compare as numbers), also !=, <, <=, >, >=; repeatable, all must match.")
    var filter: [String] = []

    @Option(name: .customLong("rank-by"), help: ArgumentHelp("Metric that ranks the runs and picks the best of each data set (default: val_loss when every complete run has one, else average_precision, or accuracy for ten classes).", valueName: "metric"))
    var rankBy: String?

    @Option(help: "Whether a lower (min) or higher (max) --rank-by is better (default: min for losses, else max).")
    var goal: RankGoal?

    @Option(help: ArgumentHelp("The columns to show after best, comma-separated (default on a terminal: what fits 120 characters; csv, json and md: all).", valueName: "a,b,..."))
    var columns: String?

    @Option(help: "Output format: \(RunsFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: RunsFormat = .table

    func validate() throws {
        if asc && desc { throw ValidationError("--asc and --desc cannot be combined") }
        if goal != nil && rankBy == nil { throw ValidationError("--goal: applies only to --rank-by") }
    }

    func run() throws {
        let query = RunsQuery(sort: sort, ascending: asc ? true : desc ? false : nil, filters: filter, rankBy: rankBy, goal: goal,
                              columns: columns.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } },
                              compact: format == .table && columns == nil)
        let table = try RunsTable.build(paths: paths.isEmpty ? ["results"] : paths, query: query)
        for w in table.warnings { Console.err("warning: \(w)\n") }
        if table.rows.isEmpty { Console.err("nn runs: no runs found\(filter.isEmpty ? "" : " that match the filters")\n") }
        if table.rows.isEmpty && (format == .table || format == .md) { return }
        if format == .table { print(table.ranking) }
        if format == .md { print(table.ranking + "\n") }
        print(table.render(format), terminator: "")
    }
}
