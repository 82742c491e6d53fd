import Foundation
import Testing

/// The examples of README.md and docs/ shown in ```` ```console ```` blocks print exactly
/// what the documentation shows: each `$ nn ...` line is run with the real executable from
/// the repository root, and its standard output, then standard error, must be the lines
/// that follow it (up to the next `$ ` line or the end of the block).
@Suite struct ReadmeExamplesDocsTests {
    /// A command of a console block, where it is (`file:line`) and the output shown after it.
    struct Example: Sendable, CustomTestStringConvertible {
        var place: String
        var command: String
        var shown = ""
        var testDescription: String { "\(place): $ \(command)" }
    }

    /// The examples of `text`: the commands of its console blocks and the output shown.
    static func examples(_ text: String, file: String) -> [Example] {
        var examples: [Example] = []
        var inConsole = false
        var fence = ""
        var indent = 0
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if !inConsole {
                let trimmed = raw.drop { $0 == " " }
                if trimmed.hasPrefix("```console") {
                    inConsole = true
                    fence = String(trimmed.prefix { $0 == "`" })
                    indent = raw.count - trimmed.count
                }
                continue
            }
            // A block inside a list item: its lines carry the fence's indentation.
            let line = String(raw.dropFirst(min(indent, raw.prefix { $0 == " " }.count)))
            if line == fence { inConsole = false; continue }
            if line.hasPrefix("$ ") {
                examples.append(Example(place: "\(file):\(i + 1)", command: String(line.dropFirst(2))))
            } else if !examples.isEmpty {
                examples[examples.count - 1].shown += line + "\n"
            }
        }
        return examples
    }

    /// A command line split into words as a shell would for plain words and '…' / "…" quotes.
    static func words(_ command: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for c in command {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c
                inWord = true
            } else if c == " " {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(c)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    static var allExamples: [Example] {
        let root = packageRoot()
        let files = ((try? markdownFiles()) ?? []).filter { $0 == "README.md" || $0.hasPrefix("docs/") }
        return files.flatMap { file in
            examples((try? String(contentsOfFile: root + "/" + file, encoding: .utf8)) ?? "", file: file)
        }
    }

    @Test func theParserFindsCommandsAndOutput() {
        let text = "x\n```console\n$ nn a 'b c'\none\ntwo\n$ nn d\n```\n```sh\n$ nn e\n```\n- i\n  ```console\n  $ nn f\n   g\n  ```\n"
        let found = Self.examples(text, file: "f.md")
        #expect(found.map(\.command) == ["nn a 'b c'", "nn d", "nn f"])
        #expect(found.map(\.shown) == ["one\ntwo\n", "", " g\n"])
        #expect(found.map(\.place) == ["f.md:3", "f.md:6", "f.md:13"])
        #expect(Self.words("nn a 'b c' \"d\" ''") == ["nn", "a", "b c", "d", ""])
    }

    /// The README shows checked examples (so this test is never vacuous).
    @Test func theReadmeHasCheckedExamples() {
        #expect(Self.allExamples.filter { $0.place.hasPrefix("README.md:") }.count >= 3)
    }

    @Test(arguments: allExamples)
    func theExamplePrintsWhatTheDocsShow(example: Example) throws {
        let words = Self.words(example.command)
        try #require(words.first == "nn", "\(example.place): only `nn` commands can be checked; use a plain block")
        let r = try runNN(Array(words.dropFirst()), cwd: packageRoot())
        #expect(r.stdout + r.stderr == example.shown,
                "\(example.place): `\(example.command)` printed:\n\(r.stdout + r.stderr)")
    }
}
