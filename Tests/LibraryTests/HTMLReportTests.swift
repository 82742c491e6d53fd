import Foundation
import Testing
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// `nn report --html`: one self-contained page (scripts/test-browser.sh opens it in Chromium).
@Suite struct HTMLReportTests {
    /// Everything in `html` that could make a browser fetch something: URLs other than the
    /// SVG namespace, `src` or `href` attributes, `<link>`, `<img>`, `<iframe>`, CSS `url(`
    /// and `@import` (escaped text such as `&lt;img src=x&gt;` is no tag).
    static func outsideReferences(_ html: String) -> [String] {
        let stripped = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        let patterns = ["https?://", "<[a-zA-Z][^>]*\\s(src|href|srcset|action|data)\\s*=", "<(link|img|iframe|object|embed|base)\\b",
                        "url\\(", "@import"]
        return patterns.filter { stripped.range(of: $0, options: [.regularExpression, .caseInsensitive]) != nil }
    }

    @Test func theCheckOfOutsideReferencesCatchesThem() {
        #expect(Self.outsideReferences("<svg xmlns=\"http://www.w3.org/2000/svg\"></svg> &lt;img src=x&gt;").isEmpty)
        for bad in ["<img src=\"a.png\">", "<script src=x></script>", "<a href=\"#\">", "<link rel=stylesheet>",
                    "<style>b { background: url(x) }</style>", "see https://example.org"] {
            #expect(!Self.outsideReferences(bad).isEmpty, "\(bad)")
        }
    }

    /// The rows of the runs table.
    static func tableRows(_ html: String) throws -> [String] {
        let start = try #require(html.range(of: "<table id=\"runs-table\">"))
        let end = try #require(html.range(of: "</table>", range: start.upperBound..<html.endIndex))
        let body = try #require(html.range(of: "<tbody>", range: start.upperBound..<end.lowerBound))
        let parts = String(html[body.upperBound..<end.lowerBound]).components(separatedBy: "<tr")
        return Array(parts.dropFirst())
    }

    @Test func runPageIsSelfContainedWithTheTableChartsAndDetails() throws {
        let dir = try ResultFixture.directory("html-run")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.run(at: dir)
        let written = try Report.write(paths: [dir], out: nil, html: true)
        #expect(written == [dir + "/loss.svg", dir + "/report.html", dir + "/report.md"])
        let html = try readText(dir + "/report.html")
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(Self.outsideReferences(html).isEmpty, "\(Self.outsideReferences(html))")
        #expect(html.contains("Content-Security-Policy\" content=\"default-src 'none'"))
        #expect(html.components(separatedBy: "<script>").count == 2)          // one script: sort and filter
        #expect(try Self.tableRows(html).count == 1)
        #expect(html.contains("<tr class=\"best\">"))
        // The loss chart inline, the Markdown's tables as HTML, every image found.
        #expect(html.contains("<figure><svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(html.contains("<figcaption>loss</figcaption>"))
        #expect(html.contains("<td>F1 (<code>f1</code>)</td><td class=\"num\">0.75</td>"))
        #expect(!html.contains("class=\"missing\""))
        #expect(!html.contains("<?xml"))
        // Config and provenance on demand.
        #expect(html.contains("<details><summary>notebook"))
        #expect(html.contains("<h3>config.json</h3>\n<pre>{\n  &quot;activations&quot;"))
        // The same inputs give the same bytes (written again in place: report.md names the
        // run directory relative to where it is written).
        try Report.write(paths: [dir], out: dir, html: true)
        #expect(try readText(dir + "/report.html") == html)
    }

    @Test func hostileRunNamesAreEscapedEverywhere() throws {
        let dir = try ResultFixture.directory("html-hostile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let hostile = "<script>alert(1)</script>&\"'<img src=x>"
        for (sub, f1) in [("a", 0.7), ("b", 0.8)] {
            try ResultFixture.run(at: "\(dir)/\(sub)", f1: f1)
            var config = try JSONValue.read(path: "\(dir)/\(sub)/config.json").dictionary!
            config["name"] = .string(hostile + sub)
            try AtomicFile.write(JSONValue.sortedObject(config).fileText, to: "\(dir)/\(sub)/config.json")
        }
        try Report.write(paths: [dir + "/a", dir + "/b"], out: dir + "/cmp", html: true)
        let html = try readText(dir + "/cmp/report.html")
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&apos;&lt;img src=x&gt;b"))
        #expect(html.components(separatedBy: "<script>").count == 2)
        let rows = try Self.tableRows(html)
        #expect(rows.count == 2)
        // One best row (RunsTable's ranking rule), first; each name escaped in its row.
        #expect(rows[0].hasPrefix(" class=\"best\">") && !rows[1].contains("class=\"best\""))
        #expect(html.contains("★ marks the best run of each data set: ranked by ") && html.contains(Ranking.rule))
        for name in ["a", "b"] {
            #expect(rows.filter { $0.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&apos;&lt;img src=x&gt;\(name)</td>") }.count == 1)
        }
        #expect(Self.outsideReferences(html).isEmpty, "\(Self.outsideReferences(html))")
    }

    /// A run directory from elsewhere (issue 17) may carry a hostile `roc.svg`: the page's
    /// CSP lets only the page's own script run (its SHA-256), and the SVG's `<script>` and
    /// `onload=` are neutralised.
    @Test func aHostileSVGCannotRunScript() throws {
        let dir = try ResultFixture.directory("html-hostile-svg")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.run(at: dir)
        try AtomicFile.write("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"x()\"><script>y()</script><svg:SCRIPT>z()</svg:SCRIPT><rect ONclick = \"w()\"/></svg>\n",
                             to: dir + "/roc.svg")
        try Report.write(paths: [dir], out: nil, html: true)
        let html = try readText(dir + "/report.html")
        #expect(html.contains("<figcaption>ROC curve</figcaption>"))
        #expect(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" data-blocked-onload=\"x()\">&lt;script>y()&lt;/script>&lt;svg:SCRIPT>z()&lt;/svg:SCRIPT><rect data-blocked-ONclick = \"w()\"/></svg>"))
        #expect(html.components(separatedBy: "<script").count == 2)          // the page's own only
        #expect(html.range(of: "\\son[a-z]+\\s*=", options: [.regularExpression, .caseInsensitive]) == nil)
        // The CSP: no inline script but the page's own, by the hash of its exact text.
        let hex = Array(Checksum.sha256(Array(HTMLReport.scriptElement.utf8)))
        let digest = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(hex[$0...$0 + 1]), radix: 16)! }
        #expect(digest.count == 32)
        let csp = "script-src 'sha256-" + Data(digest).base64EncodedString() + "'"
        #expect(html.components(separatedBy: "'unsafe-inline'").count == 2)        // style-src only
        #expect(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; \(csp); img-src data:\""))
        let start = try #require(html.range(of: "<script>")), end = try #require(html.range(of: "</script>"))
        #expect(String(html[start.upperBound..<end.lowerBound]) == HTMLReport.scriptElement)
    }

    /// SVGs, `config.json` and `provenance.json` are read as regular files of at most 1 MiB:
    /// a FIFO or an oversized file is a one-line error naming it, never a hang or a skip.
    @Test func inputsThatAreNoRegularFileOrTooLargeAreErrors() throws {
        let dir = try ResultFixture.directory("html-fifo")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.run(at: dir)
        #expect(mkfifo(dir + "/roc.svg", 0o600) == 0)
        #expect(throws: NNError("\(dir)/roc.svg: is a FIFO (named pipe), expected a regular file")) {
            try Report.write(paths: [dir], out: dir + "/out", html: true)
        }
        try FileManager.default.removeItem(atPath: dir + "/roc.svg")
        let provenance = dir + "/provenance.json"
        try AtomicFile.write("{\"pad\": \"" + String(repeating: "x", count: 1 << 20) + "\"}\n", to: provenance)
        #expect(throws: NNError("\(provenance): 1048588 bytes, more than the 1048576 such a file may hold")) {
            try Report.write(paths: [dir], out: dir + "/out", html: true)
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/report.html"))
    }

    @Test func sweepPageHasARowPerPointAndStaysSmallAtAHundredPoints() throws {
        let dir = try ResultFixture.directory("html-sweep")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let lrs = (1...25).map { Double($0) / 25 }
        try ResultFixture.sweep(at: dir, points: ResultFixture.grid(lrs: lrs, seeds: [0, 1, 2, 3]))
        let written = try Report.write(paths: [dir], out: nil, html: true)
        #expect(written.contains(dir + "/report.html"))
        let html = try readText(dir + "/report.html")
        #expect(try Self.tableRows(html).count == 100)
        #expect(html.utf8.count < 2_000_000, "report.html is \(html.utf8.count) bytes")
        // One chart per kind: the main metric vs lr (the sweep report's choice) and the loss, each once.
        #expect(html.components(separatedBy: "<figure>").count - 1 == 2)
        #expect(html.components(separatedBy: " vs lr</figcaption>").count - 1 == 1)
        #expect(html.contains("<figcaption>loss</figcaption>"))
        #expect(html.components(separatedBy: "<details>").count - 1 == 100)
        #expect(Self.outsideReferences(html).isEmpty, "\(Self.outsideReferences(html))")
    }

    @Test func notebookComparisonPageHasItsTablesAndCurve() throws {
        let dir = try ResultFixture.directory("html-notebook")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (seed, tp) in [(0, 900), (1, 1000)] {
            try ResultFixture.run(at: "\(dir)/seed-\(seed)", seed: seed)
            let m = Metrics.Binary(tp: tp, fp: 40, fn: 1912 - tp, tn: 18048, threshold: 0.5)
            try AtomicFile.write("{" + m.scalars.map { "\"\($0.0)\": \($0.1.text)" }.joined(separator: ", ") + "}",
                                 to: "\(dir)/seed-\(seed)/metrics.json")
        }
        let runs = ["\(dir)/seed-0", "\(dir)/seed-1"]
        let outcome = try NotebookComparison.compare(runs: runs)
        let written = try outcome.files.addingHTML(runs: runs).write(to: dir + "/report")
        #expect(written.map { ($0 as NSString).lastPathComponent } == ["loss-vs-notebook.svg", "loss.svg", "report.html", "report.md"])
        let html = try readText(dir + "/report/report.html")
        #expect(html.contains("<h2>The notebook&apos;s published results</h2>"))
        #expect(html.contains("<td>accuracy</td><td class=\"num\">0.95095</td>"))
        #expect(html.contains("<figcaption>loss beside the notebook</figcaption>"))
        #expect(try Self.tableRows(html).count == 2)
        #expect(Self.outsideReferences(html).isEmpty, "\(Self.outsideReferences(html))")
    }

    @Test func markdownPiecesBecomeHTML() throws {
        #expect(HTMLReport.inline("a `b<c` d") == "a <code>b&lt;c</code> d")
        #expect(HTMLReport.inline("odd ` tick") == "odd ` tick")
        #expect(HTMLReport.inline("x<br>y & z") == "x<br>y &amp; z")
        #expect(HTMLReport.cells("| a | b\\|c | d\\\\ |") == ["a", "b|c", "d\\"])
        #expect(HTMLReport.imageReference("![f1 vs lr](f1-vs-lr.svg)")! == ("f1 vs lr", "f1-vs-lr.svg"))
        #expect(HTMLReport.imageReference("text ![a](b.svg)") == nil)
        var images = HTMLReport.Images(files: [("c.svg", "<?xml version=\"1.0\"?>\n<svg><rect/></svg>\n")], directories: [])
        let html = try HTMLReport.html(markdown: "## T `x`\n\n| h | i |\n| --- | --- |\n| 1 | <b> |\n\n![c](c.svg)\n\n![c](c.svg)\ntext", images: &images)
        #expect(html == """
            <h2>T <code>x</code></h2>
            <div class="scroll"><table>
            <thead><tr><th>h</th><th>i</th></tr></thead>
            <tbody>
            <tr><td class="num">1</td><td>&lt;b&gt;</td></tr>
            </tbody>
            </table></div>
            <figure><svg><rect/></svg><figcaption>c</figcaption></figure>
            <p>text</p>

            """)
    }
}
