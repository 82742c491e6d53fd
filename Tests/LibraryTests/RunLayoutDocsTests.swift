import Foundation
import Testing
@testable import NNRuns

/// docs/layout.md's table of a run directory names exactly the files `RunLayout` knows, so
/// the two cannot drift apart: a file added to the layout fails here until the table says
/// what it is, and a file named there that the layout does not know fails too.
@Suite struct RunLayoutDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The backticked names in the first column of the table after `heading` in `text`.
    static func firstColumnNames(_ text: String, after heading: String) -> [String] {
        guard let start = text.range(of: heading) else { return [] }
        var names: [String] = []
        var inTable = false
        for line in text[start.upperBound...].split(separator: "\n", omittingEmptySubsequences: false).dropFirst() {
            if line.hasPrefix("|") { inTable = true } else if inTable { break } else { continue }
            let cell = line.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)[1]
            let parts = cell.split(separator: "`", omittingEmptySubsequences: false)
            names += parts.enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
        }
        return names
    }

    @Test func theLayoutDocListsEveryFileOfARunDirectory() throws {
        let doc = try String(contentsOfFile: Self.root + "/docs/layout.md", encoding: .utf8)
        let listed = Self.firstColumnNames(doc, after: "A **run directory** holds:")
        #expect(!listed.isEmpty, "docs/layout.md has no table after \"A **run directory** holds:\"")
        let thresholded = [RunLayout.metricsJSONFile, RunLayout.metricsCSVFile, RunLayout.predictionsFile, RunLayout.confusionFile]
            .map { RunLayout.atThreshold($0, 0.2) }
        let exports = Export.Format.allCases.map { (Export.defaultPath(runDir: "d", format: $0) as NSString).lastPathComponent }
        let expected = RunLayout.allFiles + thresholded + exports
        #expect(Set(listed).subtracting(expected).isEmpty, "docs/layout.md lists files RunLayout does not know: \(Set(listed).subtracting(expected).sorted())")
        #expect(Set(expected).subtracting(listed).isEmpty, "docs/layout.md does not list: \(Set(expected).subtracting(listed).sorted())")
        #expect(listed.count == Set(listed).count, "docs/layout.md lists a file twice")
    }
}
