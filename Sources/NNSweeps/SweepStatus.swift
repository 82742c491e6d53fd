import Foundation
import NNKernel
import NNFormats
import NNRuns

/// `nn sweep --status DIR`: where each point of a sweep stands, read from its run
/// directory alone (so it works while a job array or `parallel` runs the plan):
///
///     done      complete (`SweepFiles.State.complete`)
///     running   an `nn sweep-point` holds the run directory's lock now
///     failed    `status.json` records a failure
///     pending   not run yet (or interrupted)
package enum SweepStatus {
    package struct Line: Sendable {
        package var index: Int
        package var point: SweepPoint
        package var state: String
    }

    package static func read(dir: String) throws -> (name: String, lines: [Line]) {
        try SweepFiles.checkOurs(dir, creating: false)
        let plan = try SweepPlan.read(path: SweepLayout(dir).plan)
        // Successive halving: a point stopped at a rung is done; its summary row says so.
        let halving = try plan.halving.map { _ in try SweepTable.build(plan, dir: dir).table.rows.map { $0[1] } }
        let lines = plan.points.enumerated().map { n, point in
            let runDir = SweepLayout(dir).run(point.id).directory
            let state: String
            let found = halving.map { rows -> SweepFiles.State in
                rows[n] == "ok" ? .complete : rows[n] == "failed" ? .failed(error: "") : .pending
            } ?? SweepFiles.state(runDir: runDir, id: point.id)
            switch found {
            case .complete: state = "done"
            case _ where isLocked(runDir): state = "running"
            case .failed: state = "failed"
            case .pending: state = "pending"
            }
            return Line(index: n, point: point, state: state)
        }
        return (plan.name, lines)
    }

    /// The text `nn sweep --status` prints: one line per point, then the counts.
    package static func text(dir: String) throws -> String {
        let (name, lines) = try read(dir: dir)
        let width = String(lines.count).count
        var out = "sweep \(name): \(lines.count) points in \(dir)\n"
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
