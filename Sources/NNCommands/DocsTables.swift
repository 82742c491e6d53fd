import NNRuns
import NNSweeps

/// The tables of docs/ that describe code, rendered from it: `nn docs NAME` prints one, and
/// `DocsTablesTests` fails while the copy in its docs file (between `<!-- generated: nn docs
/// NAME -->` and `<!-- end generated -->`) differs, or while a layout names a file its table
/// does not describe.
enum DocsTable: String, CaseIterable, Sendable {
    case keys
    case sweepFiles = "sweep-files"
    case preparedFiles = "prepared-files"
    case exitStatus = "exit-status"
    case executables

    /// The docs file that holds the table, relative to the repository root.
    var file: String {
        switch self {
        case .keys: "docs/experiments.md"
        case .sweepFiles, .preparedFiles: "docs/layout.md"
        case .exitStatus, .executables: "docs/commands.md"
        }
    }

    /// The table, in Markdown.
    var markdown: String {
        switch self {
        case .keys: ExperimentConfig.markdownTable
        case .sweepFiles: FileRow.markdown(FileRow.sweep)
        case .preparedFiles: FileRow.markdown(FileRow.prepared)
        case .exitStatus: ExitStatus.markdownTable
        case .executables: BuiltInCommand.executablesMarkdown
        }
    }

    /// The names its layout type gives the files of its directory (every one must be in
    /// the table), or nil for a table that is not a directory's.
    var layoutFiles: [String]? {
        switch self {
        case .sweepFiles: SweepDirectory.ownedFiles
        case .preparedFiles: PreparedLayout.ownedFiles
        case .keys, .exitStatus, .executables: nil
        }
    }

    /// The names the table describes (the layout's, as the rows name them).
    var describedFiles: [String] {
        switch self {
        case .sweepFiles: FileRow.sweep.flatMap(\.names)
        case .preparedFiles: FileRow.prepared.flatMap(\.names)
        case .keys, .exitStatus, .executables: []
        }
    }
}

/// One row of a directory's table: the layout's names of the files it describes, how the
/// table shows them (a directory as `runs/<run id>/`), and what they hold.
struct FileRow: Sendable {
    var names: [String]
    var shown: [String]
    var about: String

    init(_ names: [String], shown: [String]? = nil, _ about: String) {
        self.names = names
        self.shown = shown ?? names
        self.about = about
    }

    static func markdown(_ rows: [FileRow]) -> String {
        var lines = ["| file | contents |", "|---|---|"]
        lines += rows.map { row in "| \(row.shown.map { "`\($0)`" }.joined(separator: ", ")) | \(row.about) |" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A sweep directory (`SweepDirectory`), default `results/sweeps/<name>/`.
    static let sweep: [FileRow] = [
        FileRow([SweepDirectory.planFile], "the plan: the base experiment, the grid and its points (with `--random`, the search; "
            + "with `--halving`, its settings, which cannot change afterwards); marks the directory as a sweep's"),
        FileRow([SweepDirectory.summaryFile], "one row per point, in point order, no timings: byte-identical across re-runs and "
            + "`--jobs` (its columns: below)"),
        FileRow([SweepDirectory.timingFile], "every timing of the sweep (wall clock, per point); nothing time-dependent is elsewhere"),
        FileRow([SweepDirectory.provenanceFile], "nn version, git commit, start, host and command line of the last `nn sweep` "
            + "that ran or planned it; never compared"),
        FileRow([Report.markdownFile, Report.lossFile], shown: [Report.markdownFile, Report.lossFile, "<metric>-vs-<param>.svg",
                                                               "halving-<metric>.svg"],
                "the sweep report, written when a point is ok: the metric against the swept parameter, the loss curves, "
                + "successive halving's rungs"),
        FileRow([Report.htmlFile], "`nn report --html`: one self-contained page"),
        FileRow([RunMeta.file], "with `--tag` or `--note`: the sweep's tags and note (its `--name` names the directory)"),
        FileRow([SweepDirectory.runsDirectory], shown: [SweepDirectory.runsDirectory + "/<run id>/"],
                "one run directory per point, trained in place, plus `point.json` and, for a failed point, `status.json`"),
        FileRow([SweepDirectory.logsDirectory], shown: [SweepDirectory.logsDirectory + "/<run id>.log"],
                "a point's standard error, kept when the point did not end ok"),
        FileRow([SweepDirectory.slurmDirectory], shown: [SweepDirectory.slurmDirectory + "/"],
                "after `nn sweep submit slurm`: `plan.txt`, `array.sh`, `collect.sh` and the jobs' output"),
    ]

    /// A prepared directory (`PreparedLayout`), default
    /// `results/prepared/<dataset>-<binaryD|all>-<train>-<test>-s<seed>/`.
    static let prepared: [FileRow] = [
        FileRow([PreparedLayout.trainImagesFile, PreparedLayout.trainLabelsFile],
                "the training split, uncompressed IDX: u8 pixels `[n, 28, 28]` and digit labels 0-9, in split order"),
        FileRow([PreparedLayout.testImagesFile, PreparedLayout.testLabelsFile], "the test split, likewise"),
        FileRow([PreparedLayout.manifestFile], "the sources' checksums, the split's parameters, the SHA-256 of the index lists, "
            + "class counts, each file's size and SHA-256, the transform applied on load; written last, so its presence "
            + "means the directory is complete"),
    ]
}
