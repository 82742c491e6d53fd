import Foundation
@testable import NNRuns
@testable import NNSweeps
@testable import NNCommands
import Testing

/// The tables of docs/ that describe code are the code's rendering (`DocsTable`): each
/// copy between `<!-- generated: nn docs NAME -->` and `<!-- end generated -->` is what `nn
/// docs NAME` prints, and a directory's table describes every file its layout type names.
/// Editing either side alone fails here.
@Suite struct DocsTablesTests {
    static let begin = "<!-- generated: nn docs "
    static let end = "<!-- end generated -->"

    /// The generated blocks of `text`: the table's name and the text between the markers.
    static func generatedBlocks(_ text: String) -> [(name: String, body: String)] {
        var blocks: [(String, String)] = []
        var rest = Substring(text)
        while let open = rest.range(of: begin) {
            guard let close = rest[open.upperBound...].range(of: " -->\n") else { break }
            let name = String(rest[open.upperBound..<close.lowerBound])
            guard let stop = rest[close.upperBound...].range(of: end) else {
                blocks.append((name, String(rest[close.upperBound...])))
                break
            }
            blocks.append((name, String(rest[close.upperBound..<stop.lowerBound])))
            rest = rest[stop.upperBound...]
        }
        return blocks
    }

    @Test func theMarkersAreFound() {
        let text = "a\n<!-- generated: nn docs keys -->\n| x |\n<!-- end generated -->\nb\n<!-- generated: nn docs exit-status -->\ny\n"
        let blocks = Self.generatedBlocks(text)
        #expect(blocks.map(\.name) == ["keys", "exit-status"])
        #expect(blocks.map(\.body) == ["| x |\n", "y\n"])
    }

    /// Every table is in its file exactly as `nn docs NAME` prints it, once; no marker names
    /// a table that does not exist.
    @Test(arguments: DocsTable.allCases)
    func theDocsHoldTheRendering(table: DocsTable) throws {
        let text = try String(contentsOfFile: packageRoot() + "/" + table.file, encoding: .utf8)
        let blocks = Self.generatedBlocks(text).filter { $0.name == table.rawValue }
        #expect(blocks.count == 1, "\(table.file) should hold one `\(Self.begin)\(table.rawValue) -->` block")
        let printed = try runNN(["docs", table.rawValue])
        #expect(printed.status == 0 && printed.stdout == table.markdown, "\(printed.stderr)")
        for block in blocks {
            #expect(block.body == printed.stdout,
                    "\(table.file)'s \(table.rawValue) table is out of date: paste the output of `nn docs \(table.rawValue)`")
        }
    }

    @Test func everyMarkerNamesATable() throws {
        let names = Set(DocsTable.allCases.map(\.rawValue))
        for file in try markdownFiles() {
            let text = try String(contentsOfFile: packageRoot() + "/" + file, encoding: .utf8)
            for block in Self.generatedBlocks(text) {
                #expect(names.contains(block.name), "\(file): no table `nn docs \(block.name)`")
                #expect(DocsTable(rawValue: block.name)?.file ?? file == file, "\(file): `\(block.name)` belongs in another file")
            }
        }
    }

    /// A file added to a directory's layout fails here until its table says what it is; a
    /// row naming a file the layout does not know fails too.
    @Test(arguments: DocsTable.allCases.filter { $0.layoutFiles != nil })
    func aDirectorysTableDescribesEveryFileOfItsLayout(table: DocsTable) throws {
        let layout = try #require(table.layoutFiles)
        let described = table.describedFiles
        #expect(Set(layout).subtracting(described).isEmpty, "\(table.rawValue) does not describe \(Set(layout).subtracting(described).sorted())")
        #expect(Set(described).subtracting(layout).isEmpty, "\(table.rawValue) describes files its layout does not name: \(Set(described).subtracting(layout).sorted())")
        #expect(described.count == Set(described).count, "\(table.rawValue) describes a file twice")
    }

    /// The exit statuses `NN.main` uses are the table's, and `nn --help` says them.
    @Test func helpStatesTheExitStatusTable() throws {
        #expect([ExitStatus.success, ExitStatus.negative, ExitStatus.error] == [0, 1, 2])
        let help = try runNN(["--help"]).stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains(ExitStatus.helpText.split(whereSeparator: \.isWhitespace).joined(separator: " ")), "\(help)")
    }
}

/// The repository's Markdown files outside build folders and `results/`, relative to its root.
func markdownFiles() throws -> [String] {
    let root = packageRoot()
    var files: [String] = []
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    while let path = walker.nextObject() as? String {
        let top = path.split(separator: "/").first.map(String.init) ?? path
        if top.hasPrefix(".build") || top == "results" || top == ".git" || top.hasPrefix(".venv") {
            walker.skipDescendants()
            continue
        }
        if path.hasSuffix(".md") { files.append(path) }
    }
    return files.sorted()
}
