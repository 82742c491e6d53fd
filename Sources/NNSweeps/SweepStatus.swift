import Foundation
import NNKernel
import NNFormats
import NNRuns

/// Where each point of a sweep stands (`nn sweep status DIR`), read from its run
/// directories alone (so it works while a job array or `parallel` runs the plan):
///
///     done      complete (`SweepDirectory.PointState.complete`)
///     running   an `nn sweep-point` holds the run directory's lock now
///     failed    `status.json` records a failure
///     pending   not run yet (or interrupted)
package struct SweepStatus: Sendable {
    package struct Line: Sendable {
        package var index: Int
        package var point: SweepPoint
        package var state: String
    }

    /// The sweep's name (`sweep.json`).
    package var name: String
    /// The sweep directory as given.
    package var directory: String
    /// One line per point, in point order.
    package var lines: [Line]

    /// The status of the sweep in `dir` now.
    package init(reading dir: SweepDirectory) throws {
        try dir.checkOurs(creating: false)
        let plan = try dir.readPlan()
        // Successive halving: a point stopped at a rung is done; its summary row says so.
        let halving = try plan.halving.map { _ in try SweepSummary.build(plan, in: dir).summary.table.rows.map { $0[1] } }
        lines = plan.points.enumerated().map { n, point in
            let runDir = dir.run(point.id).directory
            let state: String
            let found = halving.map { rows -> SweepDirectory.PointState in
                rows[n] == "ok" ? .complete : rows[n] == "failed" ? .failed(error: "") : .pending
            } ?? SweepDirectory.state(runDir: runDir, id: point.id)
            switch found {
            case .complete: state = "done"
            case _ where Self.isLocked(runDir): state = "running"
            case .failed: state = "failed"
            case .pending: state = "pending"
            }
            return Line(index: n, point: point, state: state)
        }
        name = plan.name
        directory = dir.directory
    }

    /// The text `nn sweep status` prints: one line per point, then the counts.
    package var text: String {
        let width = String(lines.count).count
        var out = "sweep \(name): \(lines.count) points in \(directory)\n"
        for l in lines {
            let n = String(l.index + 1)
            out += "[\(String(repeating: " ", count: width - n.count))\(n)/\(lines.count)] "
                + l.state.padding(toLength: 8, withPad: " ", startingAt: 0) + " \(l.point.id)  \(l.point.label)\n"
        }
        let counts = ["pending", "running", "done", "failed"].map { s in "\(lines.filter { $0.state == s }.count) \(s)" }
        return out + counts.joined(separator: ", ") + "\n"
    }

    /// True when another process holds the `flock` a running `nn sweep-point` takes on
    /// its run directory.
    static func isLocked(_ runDir: String) -> Bool {
        let fd = open(runDir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}
