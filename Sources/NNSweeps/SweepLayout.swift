import Foundation
import NNKernel
import NNFormats
import NNRuns

/// The files of a sweep directory (default `results/sweeps/<name>/`), written by `nn sweep`
/// (`SweepRunner`, `SweepFiles`, `SweepTable`) and read by `SweepDirectory` and `Report`:
///
///     sweep.json        the plan (`SweepPlan`): marks the directory as a sweep's
///     summary.csv       one row per point (`SweepTable` writes it, `SweepSummary` reads it)
///     timing.json       wall-clock and per-point seconds (the only file with timings)
///     provenance.json   nn version, git commit, start time, host, command line of the last
///                       `nn sweep` that ran or planned it (`Provenance`; never compared)
///     report.md, *.svg  `Report.writeSweep`, when at least one point is ok
///     report.html       `nn report --html` (`HTMLReport`)
///     runs/<id>/        one run directory per point (`RunLayout`): point.json (the resolved
///                       experiment, an experiment file), then what `nn train` and `nn
///                       eval` write (the point is trained in place, see `Run.Placement`)
///                       and, for a failed point, status.json
package struct SweepLayout: Sendable {
    package static let planFile = "sweep.json"
    package static let summaryFile = "summary.csv"
    package static let timingFile = "timing.json"
    package static let provenanceFile = Provenance.file
    package static let runsDirectory = "runs"

    package static let logsDirectory = "logs"
    package static let slurmDirectory = "slurm"

    /// The files of a sweep directory, and its directories (everything below them is the
    /// sweep's too): no command writes onto one of them as an output (`OutputPath`).
    package static let ownedFiles = [planFile, summaryFile, timingFile, provenanceFile, Report.markdownFile, Report.lossFile,
                             Report.htmlFile, runsDirectory, logsDirectory, slurmDirectory]

    /// True when `relative` (path components below a sweep directory) is the sweep's: one
    /// of `ownedFiles` or below one of its directories, a chart (`*.svg`), or a hidden file.
    package static func owns(_ relative: [String]) -> Bool {
        guard let first = relative.first else { return false }
        return ownedFiles.contains(first) || first.hasPrefix(".") || (relative.count == 1 && first.hasSuffix(".svg"))
    }

    /// True when `dir` holds a sweep (its `sweep.json`).
    package static func isSweep(_ dir: String) -> Bool { FilePath.exists(SweepLayout(dir).plan) }

    /// The sweep directory.
    package var directory: String

    package init(_ directory: String) { self.directory = directory }

    package var plan: String { FilePath.join(directory, Self.planFile) }
    package var summary: String { FilePath.join(directory, Self.summaryFile) }
    package var timing: String { FilePath.join(directory, Self.timingFile) }
    package var provenance: String { FilePath.join(directory, Self.provenanceFile) }

    /// The run directory of point `id`: `runs/<id>`.
    package func run(_ id: String) -> RunLayout { RunLayout(FilePath.join(directory, Self.runsDirectory, id)) }
}
