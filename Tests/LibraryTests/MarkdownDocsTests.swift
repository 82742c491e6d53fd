import Foundation
import Testing

/// Every Markdown file of the repository (outside build folders and `results/`) renders as
/// written: each code fence it opens is closed, each relative link names a file or folder
/// that exists, and each `#anchor` into a Markdown file names one of its headings.
@Suite struct MarkdownDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The repository's Markdown files, relative to its root, sorted.
    static func markdownFiles() -> [String] {
        let skipped: (String) -> Bool = { $0.hasPrefix(".build") || $0 == "results" || $0 == ".git" || $0.hasPrefix(".venv") }
        var files: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        while let path = walker.nextObject() as? String {
            if skipped(path.split(separator: "/").first.map(String.init) ?? path) {
                walker.skipDescendants()
                continue
            }
            if path.hasSuffix(".md") { files.append(path) }
        }
        return files.sorted()
    }

    /// The line number (from 1) of a fence left open, or nil when every fence closes. A
    /// fence is three or more backticks or tildes after at most three spaces; it is closed
    /// by a line of at least as many of the same character and nothing else. A fence with an
    /// info string (```` ```sh ````) met inside an open block is the sign of a fence left open
    /// before it (a renderer shows it as code, and everything up to the next fence with it),
    /// so the open block's line is returned then too.
    static func unclosedFence(_ text: String) -> Int? {
        var open: (char: Character, count: Int, line: Int)?
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let indent = raw.prefix { $0 == " " }.count
            guard indent <= 3 else { continue }
            let line = raw.dropFirst(indent)
            guard let c = line.first, c == "`" || c == "~" else { continue }
            let run = line.prefix { $0 == c }.count
            guard run >= 3 else { continue }
            let rest = line.dropFirst(run)
            if let o = open {
                guard c == o.char, run >= o.count else { continue }
                if rest.allSatisfy({ $0 == " " || $0 == "\t" }) { open = nil } else { return o.line }
            } else if !(c == "`" && rest.contains("`")) {
                open = (c, run, i + 1)
            }
        }
        return open?.line
    }

    /// The relative link targets of `text` outside code (fenced blocks and inline code),
    /// without their `#anchor`: `[text](target)` and `![alt](target)`.
    static func relativeLinks(_ text: String) -> [String] {
        links(text).filter { !$0.target.isEmpty }.map(\.target)
    }

    /// The anchors GitHub gives the headings of `text` (outside fenced blocks): lower case,
    /// punctuation but `-` and `_` dropped, spaces as `-`; a repeated one gets `-1`, `-2`, ….
    static func anchors(_ text: String) -> Set<String> {
        var found: [String: Int] = [:]
        var result: Set<String> = []
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { inFence.toggle(); continue }
            guard !inFence, line.hasPrefix("#") else { continue }
            let title = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            let slug = String(title.lowercased().compactMap { c -> Character? in
                if c == " " { return "-" }
                return c.isLetter || c.isNumber || c == "-" || c == "_" ? c : nil
            })
            let n = found[slug, default: 0]
            found[slug] = n + 1
            result.insert(n == 0 ? slug : "\(slug)-\(n)")
        }
        return result
    }

    /// The relative links of `text` outside code, each as its target (empty for `#anchor`
    /// alone, a link into the same file) and its anchor (nil without one).
    static func links(_ text: String) -> [(target: String, anchor: String?)] {
        var prose = ""
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { inFence.toggle(); continue }
            if !inFence { prose += line + "\n" }
        }
        // Inline code spans hold examples, not links.
        let withoutCode = prose.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 0 }.map(\.element).joined(separator: " ")
        var links: [(target: String, anchor: String?)] = []
        var rest = Substring(withoutCode)
        while let close = rest.range(of: "](") {
            rest = rest[close.upperBound...]
            guard let end = rest.firstIndex(of: ")") else { break }
            var target = String(rest[..<end]).trimmingCharacters(in: .whitespaces)
            if let space = target.firstIndex(of: " ") { target = String(target[..<space]) }   // a "title"
            if target.hasPrefix("<"), target.hasSuffix(">") { target = String(target.dropFirst().dropLast()) }
            var anchor: String?
            if let hash = target.firstIndex(of: "#") {
                anchor = String(target[target.index(after: hash)...])
                target = String(target[..<hash])
            }
            let external = ["http://", "https://", "mailto:"].contains { target.hasPrefix($0) }
            if !external, !target.isEmpty || anchor != nil { links.append((target, anchor)) }
        }
        return links
    }

    @Test func theCheckerSeesWhatARendererSees() {
        #expect(Self.unclosedFence("a\n```sh\nx\n```\nb\n") == nil)
        #expect(Self.unclosedFence("a\n```\nx\n\n## b\n") == 2)
        #expect(Self.unclosedFence("````\n```\n````\n") == nil)
        #expect(Self.unclosedFence("```\n```sh\n") == 1)          // an info string does not close
        // The README's old bug: a block never closed, so the next ones pair up the wrong way.
        #expect(Self.unclosedFence("```\na\n\nprose\n\n```\nb\n```\n\n```sh\nc\n```\n") == 8)
        #expect(Self.unclosedFence("````\n```sh\nx\n```\n````\n") == nil)   // a fence shown inside a longer one
        #expect(Self.relativeLinks("see [a](docs/a.md#x) and ![c](c.svg \"t\") [w](https://x.org)\n`[n](no.md)`\n")
                == ["docs/a.md", "c.svg"])
        #expect(Self.relativeLinks("```\n[n](no.md)\n```\n").isEmpty)
        #expect(Self.links("[a](#x) [b](b.md#y-z)").map { "\($0.target)|\($0.anchor ?? "-")" } == ["|x", "b.md|y-z"])
        #expect(Self.anchors("# `nn sweep` and its modes\n## Validation, early stopping and resume\n## A\n## A\n```\n# no\n```\n")
                == ["nn-sweep-and-its-modes", "validation-early-stopping-and-resume", "a", "a-1"])
    }

    @Test func everyMarkdownFileClosesItsFencesAndLinksToFilesThatExist() throws {
        let files = Self.markdownFiles()
        #expect(files.contains("README.md") && files.contains("ARCHITECTURE.md"))
        for file in files {
            let text = try String(contentsOfFile: Self.root + "/" + file, encoding: .utf8)
            if let line = Self.unclosedFence(text) { Issue.record("\(file):\(line): code fence never closed") }
            let dir = (file as NSString).deletingLastPathComponent
            for link in Self.links(text) {
                let target = link.target
                let path = target.isEmpty ? Self.root + "/" + file
                    : target.hasPrefix("/") ? Self.root + target : Self.root + "/" + (dir.isEmpty ? "" : dir + "/") + target
                let standard = (path as NSString).standardizingPath
                guard FileManager.default.fileExists(atPath: standard) else {
                    Issue.record("\(file): link to \(target), which does not exist")
                    continue
                }
                // An anchor into a Markdown file names one of its headings.
                if let anchor = link.anchor, standard.hasSuffix(".md") {
                    let headings = Self.anchors(try String(contentsOfFile: standard, encoding: .utf8))
                    #expect(headings.contains(anchor), "\(file): link to \(target)#\(anchor): no such heading")
                }
            }
        }
    }

    /// `scripts/README.md` lists every script of `scripts/`, and no bash script embeds Python.
    @Test func everyScriptIsListedAndBashHoldsNoPython() throws {
        let dir = Self.root + "/scripts"
        let index = try String(contentsOfFile: dir + "/README.md", encoding: .utf8)
        for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() where name != "README.md" {
            #expect(index.contains("| `\(name)` |"), "scripts/README.md does not list \(name)")
            if name.hasSuffix(".sh") {
                let text = try String(contentsOfFile: dir + "/" + name, encoding: .utf8)
                #expect(!text.contains("python3 - ") && !text.contains("python3 <<"),
                        "scripts/\(name) embeds Python; move it to a .py file")
            }
        }
    }
}
