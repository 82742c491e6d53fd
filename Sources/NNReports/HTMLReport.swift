import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRunIndex
import NNSweeps
import NNRuns

/// `report.html` (`nn report --html`): the report as one self-contained page that opens
/// from `file://` — inline CSS, the charts as inline SVG and a little plain JavaScript that
/// only sorts and filters the runs table. It makes no network request of any kind (its
/// Content-Security-Policy forbids every fetch), and without JavaScript it reads the same:
/// the table, the charts and the details are all in the HTML.
///
/// The page, top to bottom: the title and `report.md`'s opening lines; the runs table
/// (`HTMLReport.runsTable`: one row per run or sweep point, the best row marked ★); the
/// evaluation charts (ROC, precision-recall, confusion) of the one run or of the best run,
/// and the validation loss when runs record one; then the sections of `report.md`, their
/// images inlined (loss, metric vs parameter, the notebook comparison); last each run's
/// `config.json` and `provenance.json` in a `<details>` element. One chart per kind, never
/// one per row, keeps a 100-point sweep's page small. Same inputs, same bytes.
///
/// Run directories may come from elsewhere (issue 17), so the SVGs pasted in are not
/// trusted: the page's CSP lets only its own script run (`script-src` is the SHA-256 of
/// `script`, no `'unsafe-inline'`), and `figure` also neutralises `<script` and `on*=`
/// attributes in them. Every file is read through `readFileBytes` (regular files of at most
/// `maxInputBytes`); a file that cannot be read is an error naming it.
enum HTMLReport {
    static let file = Report.htmlFile

    /// The most bytes an SVG, `config.json` or `provenance.json` put in the page may hold.
    static let maxInputBytes = 1 << 20

    /// The text of `path`, nil when there is no such file; an error (naming the file) when it
    /// is no regular file, is larger than `maxInputBytes` or is not UTF-8.
    static func readInput(_ path: String) throws -> String? {
        guard FilePath.exists(path) else { return nil }
        let bytes = try readFileBytes(path, maxBytes: maxInputBytes)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw NNError("\(path): not UTF-8 text") }
        return text
    }

    /// The runs table and its best rows (`RunsTable`'s rule): the one place the ranking
    /// rule enters the page.
    /// A run directory without `config.json` or marker, which `nn runs` does not list, is
    /// still a row of its own report.
    static func runsTable(_ paths: [String]) throws -> RunsTable {
        var scan = try RunsScan.scan(paths)
        for path in paths where !scan.rows.contains(where: { $0.path == path }) && RunDirectory.looksLikeRun(path)
            && !SweepDirectory.looksLikeSweep(path) {
            scan.rows.append(RunsScan.read(run: path, sweepName: nil, warnings: &scan.warnings))
        }
        return try RunsTable.build(rows: scan.rows, warnings: scan.warnings, query: RunsQuery())
    }

    /// The page for a report's `files` (its SVGs and `report.md`), the runs under `runs`
    /// (run or sweep directories), and `imageDirectories` where images `report.md` names
    /// but `files` lacks are looked for (a run's `roc.svg` ...).
    static func page(files: [(name: String, content: String)], runs: [String], imageDirectories: [String] = []) throws -> String {
        let markdown = files.first { $0.name == Report.markdownFile }?.content ?? ""
        var lines = markdown.components(separatedBy: "\n")
        var title = "nn report"
        if let first = lines.first, first.hasPrefix("# ") {
            title = String(first.dropFirst(2))
            lines.removeFirst()
        }
        var images = Images(files: files, directories: imageDirectories)
        let table = try runsTable(runs)

        // The report's opening lines (what was reported on) stay under the title.
        let firstSection = lines.firstIndex { $0.hasPrefix("## ") } ?? lines.endIndex
        var body = try "<h1>\(escape(title))</h1>\n" + html(markdown: lines[..<firstSection].joined(separator: "\n"), images: &images)
        body += runsSection(table)
        body += try chartsSection(table, images: &images)
        body += try "<section id=\"report\">\n" + html(markdown: lines[firstSection...].joined(separator: "\n"), images: &images) + "</section>\n"
        body += try detailsSection(table)
        return document(title: title, body: body)
    }

    // MARK: - Sections

    /// The runs table: every column of `nn runs`, results rounded for reading (the full
    /// value in `data-v`, which the script sorts by, and in the cell's tooltip).
    static func runsSection(_ table: RunsTable) -> String {
        var s = "<section id=\"runs\">\n<h2>Runs</h2>\n"
        let bestCount = table.best.filter { $0 }.count
        s += "<p>\(table.rows.count) \(table.rows.count == 1 ? "run" : "runs")"
        s += bestCount > 0 ? "; ★ marks the best run of each data set: \(escape(table.ranking))." : "."
        s += "<span id=\"hint\" hidden> Click a column header to sort; type in the box to filter.</span></p>\n"
        s += "<p><input id=\"filter\" type=\"search\" placeholder=\"Filter runs\" aria-label=\"Filter runs\" hidden>"
        s += " <span id=\"shown\"></span></p>\n"
        s += "<div class=\"scroll\"><table id=\"runs-table\">\n<thead><tr>"
        for column in table.header {
            s += "<th scope=\"col\"><button type=\"button\">\(escape(column))</button></th>"
        }
        s += "</tr></thead>\n<tbody>\n"
        for (i, row) in table.rows.enumerated() {
            let best = table.best[i]
            s += best ? "<tr class=\"best\">" : "<tr>"
            for (column, cell) in zip(table.header, row) {
                if column == "best" {
                    s += best ? "<td data-v=\"1\" title=\"best\">★</td>" : "<td data-v=\"0\"></td>"
                } else if table.resultColumns.contains(column), NumberText.parse(cell) != nil {
                    s += "<td class=\"num\" data-v=\"\(escape(cell))\" title=\"\(escape(cell))\">\(escape(ReportTables.display(FieldValue(cell))))</td>"
                } else {
                    s += "<td>\(escape(cell))</td>"
                }
            }
            s += "</tr>\n"
        }
        s += "</tbody>\n</table></div>\n</section>\n"
        return s
    }

    /// ROC, precision-recall and confusion charts of the one run (or the first best run,
    /// else the first run), those `report.md` does not already show, and the validation
    /// loss of every run that records one.
    static func chartsSection(_ table: RunsTable, images: inout Images) throws -> String {
        guard let pathColumn = table.header.firstIndex(of: "path"), !table.rows.isEmpty else { return "" }
        let pick = table.best.firstIndex(of: true) ?? 0
        let dir = table.rows[pick][pathColumn]
        var s = ""
        let names = [(RunLayout.rocFile, "ROC curve"), (RunLayout.prFile, "precision-recall curve"), (RunLayout.confusionFile, "confusion matrix")]
        let charts = try names.compactMap { name, caption in try images.file(name, in: dir).map { (name, caption, $0) } }
        if !charts.isEmpty {
            let whose = table.rows.count == 1 ? "" : " of the \(table.best[pick] ? "best" : "first") run, \(escape(table.rows[pick][table.header.firstIndex(of: "name") ?? 0])) \(escape(table.rows[pick][table.header.firstIndex(of: "id") ?? 0]))"
            s += "<h2>Evaluation charts\(whose)</h2>\n<p>On the test split (<code>\(escape(dir))</code>).</p>\n"
            for (name, caption, svg) in charts {
                images.used.insert(name)
                s += figure(svg, caption: caption)
            }
        }
        var series: [(String, [ChartPoint])] = []
        let labels = Report.runLabels(table.rows.map { $0[pathColumn] })
        for (row, label) in zip(table.rows, labels) {
            let path = RunLayout(row[pathColumn]).history
            guard FilePath.exists(path), let history = try? History.read(path: path),
                  let column = history.table.column("val_loss") else { continue }
            let points = history.table.rows.compactMap { r -> ChartPoint? in
                guard let e = NumberText.parse(r[history.table.column("epoch")!]), let v = NumberText.parse(r[column]), v.isFinite else { return nil }
                return ChartPoint(x: e, y: v)
            }
            if !points.isEmpty { series.append((label, points)) }
        }
        if !series.isEmpty {
            let chart = LineChart(title: "Validation loss", xLabel: "epoch", yLabel: "validation loss",
                                  series: series.map { Series(name: $0.0, points: $0.1) },
                                  yBounds: 0...Double.greatestFiniteMagnitude, integerX: true, margin: 12)
            s += "<h2>Validation loss</h2>\n" + figure(chart.svg(), caption: "validation loss per evaluated epoch")
        }
        return s.isEmpty ? "" : "<section id=\"charts\">\n" + s + "</section>\n"
    }

    /// Each run's `config.json` and `provenance.json`, folded.
    static func detailsSection(_ table: RunsTable) throws -> String {
        guard let pathColumn = table.header.firstIndex(of: "path") else { return "" }
        let name = table.header.firstIndex(of: "name"), id = table.header.firstIndex(of: "id")
        var s = "<section id=\"details\">\n<h2>Configuration and provenance</h2>\n"
        for row in table.rows {
            let dir = row[pathColumn]
            let label = [name, id].compactMap { $0.map { row[$0] } }.filter { !$0.isEmpty }.joined(separator: " ")
            s += "<details><summary>\(escape(label)) <code>\(escape(dir))</code></summary>\n"
            for file in [RunLayout.configFile, RunLayout.provenanceFile] {
                let path = RunLayout(dir).path(file)
                if let text = try readInput(path) {
                    s += "<h3>\(file)</h3>\n<pre>\(escape(text))</pre>\n"
                } else {
                    s += "<p>No \(file).</p>\n"
                }
            }
            s += "</details>\n"
        }
        return s + "</section>\n"
    }

    // MARK: - Markdown

    /// SVG images by name: the report's own files first, then the directories given.
    struct Images {
        var files: [String: String]
        var directories: [String]
        /// Names already on the page (each chart shown once).
        var used = Set<String>()

        init(files: [(name: String, content: String)], directories: [String]) {
            self.files = Dictionary(files.filter { $0.name.hasSuffix(".svg") }.map { ($0.name, $0.content) }, uniquingKeysWith: { a, _ in a })
            self.directories = directories
        }

        /// The SVG `name` of the report, else of `dir` (or of `directories` when nil).
        func file(_ name: String, in dir: String? = nil) throws -> String? {
            guard name.hasSuffix(".svg"), !name.contains("/") else { return nil }
            if let svg = files[name] { return svg }
            for d in dir.map({ [$0] }) ?? directories {
                if let text = try readInput(FilePath.join(d, name)) { return text }
            }
            return nil
        }
    }

    /// The Markdown `nn report` writes as HTML: `#`/`##`/`###` headings, pipe tables,
    /// image lines `![alt](name.svg)` (inlined; an image not found stays as its alt text),
    /// paragraphs, and `code` spans. Everything else is text, escaped.
    static func html(markdown: String, images: inout Images) throws -> String {
        var out = ""
        var paragraph: [String] = []
        var table: [String] = []
        func flush() {
            if !paragraph.isEmpty { out += "<p>" + paragraph.map(inline).joined(separator: "\n") + "</p>\n" }
            paragraph = []
            if !table.isEmpty { out += htmlTable(table) }
            table = []
        }
        for line in markdown.components(separatedBy: "\n") {
            if line.hasPrefix("|") {
                if !paragraph.isEmpty { flush() }
                table.append(line)
                continue
            }
            if !table.isEmpty { flush() }
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                flush()
            } else if let level = ["### ", "## ", "# "].firstIndex(where: line.hasPrefix) {
                flush()
                let n = 3 - level
                let text = String(line.dropFirst(n + 1))
                out += "<h\(n)>\(inline(text))</h\(n)>\n"
            } else if let image = imageReference(line) {
                flush()
                if let svg = try images.file(image.name), !images.used.contains(image.name) {
                    images.used.insert(image.name)
                    out += figure(svg, caption: image.alt)
                } else if !images.used.contains(image.name) {
                    out += "<p class=\"missing\">[\(escape(image.alt)): \(escape(image.name))]</p>\n"
                }
            } else {
                paragraph.append(line)
            }
        }
        flush()
        return out
    }

    /// `![alt](name)` filling a whole line.
    static func imageReference(_ line: String) -> (alt: String, name: String)? {
        guard line.hasPrefix("!["), line.hasSuffix(")"), let mid = line.range(of: "](") else { return nil }
        let alt = String(line[line.index(line.startIndex, offsetBy: 2)..<mid.lowerBound])
        let name = String(line[mid.upperBound..<line.index(before: line.endIndex)])
        return name.contains(")") || name.isEmpty ? nil : (alt, name)
    }

    /// A GitHub pipe table (`Markdown.table`'s output): header, separator, rows; `\|` and
    /// `\\` unescaped, `<br>` kept as a line break.
    static func htmlTable(_ lines: [String]) -> String {
        let rows = lines.filter { !$0.replacingOccurrences(of: " ", with: "").allSatisfy { "|-:".contains($0) } }.map(cells)
        guard let header = rows.first else { return "" }
        var s = "<div class=\"scroll\"><table>\n<thead><tr>" + header.map { "<th>\(inline($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows.dropFirst() {
            s += "<tr>" + row.map { cell in
                let numeric = NumberText.parse(cell) != nil
                return (numeric ? "<td class=\"num\">" : "<td>") + inline(cell) + "</td>"
            }.joined() + "</tr>\n"
        }
        return s + "</tbody>\n</table></div>\n"
    }

    /// The cells of `| a | b\|c |`, trimmed and unescaped.
    static func cells(_ line: String) -> [String] {
        var cells: [String] = [], cell = ""
        var chars = Array(line.trimmingCharacters(in: .whitespaces))
        if chars.first == "|" { chars.removeFirst() }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1] == "|" || chars[i + 1] == "\\" {
                cell.append(chars[i + 1])
                i += 2
                continue
            }
            if c == "|" {
                cells.append(cell.trimmingCharacters(in: .whitespaces))
                cell = ""
            } else {
                cell.append(c)
            }
            i += 1
        }
        if !cell.trimmingCharacters(in: .whitespaces).isEmpty { cells.append(cell.trimmingCharacters(in: .whitespaces)) }
        return cells
    }

    /// Text with `code` spans, escaped; `<br>` (a table cell's line break) kept.
    static func inline(_ text: String) -> String {
        let parts = text.components(separatedBy: "`")
        let paired = (parts.count - 1) / 2 * 2      // backticks that pair up; an odd last one stays text
        var out = ""
        for (i, part) in parts.enumerated() {
            let escaped = escape(part).replacingOccurrences(of: "&lt;br&gt;", with: "<br>")
            if i == 0 {
                out += escaped
            } else if i <= paired {
                out += (i % 2 == 1 ? "<code>" : "</code>") + escaped
            } else {
                out += "`" + escaped
            }
        }
        return out
    }

    // MARK: - Pieces

    /// An SVG document as an inline figure (its XML declaration dropped, scripts neutralised).
    static func figure(_ svg: String, caption: String) -> String {
        var body = svg
        if body.hasPrefix("<?xml"), let end = body.range(of: "?>") { body = String(body[end.upperBound...]) }
        return "<figure>\(neutralise(body.trimmingCharacters(in: .whitespacesAndNewlines)))<figcaption>\(escape(caption))</figcaption></figure>\n"
    }

    /// `svg` with every `<script` (also `<svg:script`) made text and every `on…=` event
    /// attribute renamed `data-blocked-on…=`; nn's own charts have neither, so their bytes
    /// are unchanged. The CSP is what stops script; this keeps a hostile SVG inert even in a
    /// viewer that ignores the CSP.
    static func neutralise(_ svg: String) -> String {
        svg.replacingOccurrences(of: "<(/?)([A-Za-z0-9_-]+:)?(script)", with: "&lt;$1$2$3", options: [.regularExpression, .caseInsensitive])
            .replacingOccurrences(of: "(\\s)(on[A-Za-z]+\\s*=)", with: "$1data-blocked-$2", options: [.regularExpression, .caseInsensitive])
    }

    static func escape(_ text: String) -> String { LineChart.escape(text) }

    /// The text of the page's one `<script>` element, exactly.
    static let scriptElement = "\n" + script + "\n"

    /// The Content-Security-Policy: nothing fetched; only `scriptElement` runs (its hash).
    static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-"
        + Checksum.sha256Base64(Array(scriptElement.utf8)) + "'; img-src data:"

    /// The whole page around `body`.
    static func document(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta http-equiv="Content-Security-Policy" content="\(contentSecurityPolicy)">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="nn \(NNVersion.current)">
        <title>\(escape(title))</title>
        <style>
        \(style)
        </style>
        </head>
        <body>
        \(body)<script>\(scriptElement)</script>
        </body>
        </html>

        """
    }

    static let style = """
        body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 78em; padding: 0 1em; color: #222; line-height: 1.4; }
        h1 { font-size: 1.6em; } h2 { font-size: 1.3em; margin-top: 1.6em; border-bottom: 1px solid #ddd; } h3 { font-size: 1.05em; }
        table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
        th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        thead th { background: #f3f3f3; position: sticky; top: 0; }
        th button { font: inherit; font-weight: bold; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
        th[aria-sort=ascending] button::after { content: " \\25B2"; } th[aria-sort=descending] button::after { content: " \\25BC"; }
        tr.best td { background: #fff4c2; font-weight: bold; }
        .scroll { overflow-x: auto; max-width: 100%; }
        #filter { font: inherit; padding: 0.2em 0.4em; width: 20em; }
        figure { margin: 1em 0; overflow-x: auto; } figcaption { color: #555; font-size: 0.85em; }
        svg { max-width: 100%; height: auto; }
        code, pre { font-family: ui-monospace, monospace; font-size: 0.9em; } pre { background: #f7f7f7; padding: 0.5em; overflow-x: auto; }
        details { margin: 0.3em 0; } summary { cursor: pointer; }
        .missing { color: #a00; }
        """

    /// Sorts the runs table by a clicked header (numbers as numbers, empty cells last,
    /// ties in their order) and hides the rows that do not contain the filter's text.
    static let script = """
        (function () {
          "use strict";
          var table = document.getElementById("runs-table");
          if (!table) { return; }
          var body = table.tBodies[0];
          var heads = table.tHead.rows[0].cells;
          var filter = document.getElementById("filter");
          var shown = document.getElementById("shown");
          function value(cell) {
            var v = cell.getAttribute("data-v");
            return v === null ? cell.textContent.trim() : v;
          }
          function numeric(v) { return v !== "" && isFinite(Number(v)); }
          Array.prototype.forEach.call(heads, function (th, column) {
            th.querySelector("button").addEventListener("click", function () {
              var ascending = th.getAttribute("aria-sort") !== "ascending";
              Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
              th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
              var rows = Array.prototype.slice.call(body.rows).map(function (row, i) {
                return { row: row, v: value(row.cells[column]), i: i };
              });
              rows.sort(function (a, b) {
                if (a.v === "" || b.v === "") { return a.v === b.v ? a.i - b.i : (a.v === "" ? 1 : -1); }
                var d = numeric(a.v) && numeric(b.v) ? Number(a.v) - Number(b.v) : (a.v < b.v ? -1 : (a.v > b.v ? 1 : 0));
                return d === 0 ? a.i - b.i : (ascending ? d : -d);
              });
              rows.forEach(function (r) { body.appendChild(r.row); });
            });
          });
          function apply() {
            var q = filter.value.toLowerCase(), count = 0;
            Array.prototype.forEach.call(body.rows, function (row) {
              row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) < 0;
              if (!row.hidden) { count += 1; }
            });
            shown.textContent = q === "" ? "" : count + " of " + body.rows.length + " shown";
          }
          filter.hidden = false;
          document.getElementById("hint").hidden = false;
          filter.addEventListener("input", apply);
        })();
        """
}
