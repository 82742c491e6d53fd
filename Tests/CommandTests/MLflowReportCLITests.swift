import Foundation
import Testing
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands

/// `nn report --html` and `nn mlflow push`'s errors through the built binary (the real
/// server: scripts/test-mlflow.sh; the browser: scripts/test-browser.sh).
@Suite struct MLflowReportCLITests {
    /// A complete run `a` with a config recording its data (so it has a run id).
    func fixture() throws -> String {
        let root = scratchDirectory("cli-mlflow")
        try AtomicFile.write(#"{"data": {"manifest_sha256": "ab"}, "lr": 0.3, "name": "a"}"#, to: root + "/a/config.json")
        try AtomicFile.write("epoch,loss\n1,0.69\n2,0.5\n", to: root + "/a/history.csv")
        try AtomicFile.write(#"{"accuracy": 0.9, "f1": 0.75}"#, to: root + "/a/metrics.json")
        return root
    }

    static var environmentWithoutURI: [String: String] {
        ProcessInfo.processInfo.environment.filter { $0.key != "MLFLOW_TRACKING_URI" }
    }

    @Test func reportHTMLIsWrittenBesideReportMD() throws {
        let root = try fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let r = try runNN(["report", "--html", "a"], cwd: root)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "a/loss.svg\na/report.html\na/report.md\n")
        let html = try String(contentsOfFile: root + "/a/report.html", encoding: .utf8)
        #expect(html.contains("<table id=\"runs-table\">") && html.contains("<tr class=\"best\">"))
        // Without --html, no page.
        try FileManager.default.removeItem(atPath: root + "/a/report.html")
        #expect(try runNN(["report", "a"], cwd: root).status == 0)
        #expect(!FileManager.default.fileExists(atPath: root + "/a/report.html"))
    }

    /// A report rewritten without --html beside an older report.html keeps the page (it
    /// may be the user's) and says in one line that it is stale; report.html is a file the
    /// run's layout owns (no command writes onto it as an output).
    @Test func aStaleReportHTMLIsKeptWithAWarning() throws {
        let root = try fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try runNN(["report", "--html", "a"], cwd: root).status == 0)
        let page = try String(contentsOfFile: root + "/a/report.html", encoding: .utf8)
        let r = try runNN(["report", "a"], cwd: root)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "a/loss.svg\na/report.md\n")
        #expect(r.stderr == "warning: a/report.html is older than the report.md just written; kept, run `nn report --html` to rewrite it\n")
        #expect(try String(contentsOfFile: root + "/a/report.html", encoding: .utf8) == page)
        // With --html again: rewritten, no warning.
        let again = try runNN(["report", "--html", "a"], cwd: root)
        #expect(again.status == 0 && again.stderr.isEmpty, "\(again.stderr)")
        #expect(RunLayout.owns([Report.htmlFile]) && SweepDirectory.owns([Report.htmlFile]))
        #expect(RunLayout.ownedFiles.contains("report.html") && HTMLReport.file == "report.html")
    }

    @Test func pushWithoutAServerIsOneLineAndStatusTwo() throws {
        let root = try fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let noURI = try runNN(["mlflow", "push", "a"], cwd: root, environment: Self.environmentWithoutURI)
        #expect(noURI.status == 2)
        #expect(noURI.stderr == "Error: --tracking-uri: missing (or set MLFLOW_TRACKING_URI)\n")
        let bad = try runNN(["mlflow", "push", "a", "--tracking-uri", "file:///tmp/mlruns"], cwd: root)
        #expect(bad.status == 2 && bad.stderr.hasPrefix("Error: --tracking-uri file:///tmp/mlruns: expected an http"))

        // Port 1 on the loopback: nothing listens, the connection is refused.
        var env = Self.environmentWithoutURI
        env["MLFLOW_TRACKING_URI"] = "http://127.0.0.1:1"
        let down = try runNN(["mlflow", "push", "a"], cwd: root, environment: env)
        #expect(down.status == 2)
        #expect(down.stderr.hasPrefix("Error: MLflow tracking server http://127.0.0.1:1: "), "\(down.stderr)")
        #expect(down.stderr.split(separator: "\n").count == 1, "\(down.stderr)")
        #expect(down.stdout.isEmpty)

        let none = try runNN(["mlflow", "push", "a/nope", "--tracking-uri", "http://127.0.0.1:1"], cwd: root)
        #expect(none.status == 2 && none.stderr == "Error: a/nope: no such directory\n")
    }
}
