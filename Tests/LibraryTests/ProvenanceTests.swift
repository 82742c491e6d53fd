import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import Testing

/// `provenance.json` (issue 9): what it records, and that git's absence is null, not an error.
@Suite struct ProvenanceTests {
    @Test func recordsVersionStartHostAndCommandLine() throws {
        let started = Date(timeIntervalSince1970: 1_800_000_000)
        let doc = Provenance.document(started: started, arguments: ["nn", "train", "--lr", "0.1"])
        #expect(doc["format"] == .string("nn-provenance"))
        #expect(doc["nn_version"] == .string(NNVersion.current))
        #expect(doc["started"] == .string("2027-01-15T08:00:00Z"))
        #expect(doc["command_line"] == .array(["nn", "train", "--lr", "0.1"].map(JSONValue.string)))
        #expect(doc["hostname"]?.text == Provenance.hostname())
        #expect(doc["working_directory"]?.text == FileManager.default.currentDirectoryPath)
        // git_commit is a 40-hex commit or null, and git_dirty is null exactly when it is.
        switch doc["git_commit"] {
        case .string(let c)?: #expect(c.count == 40 && doc["git_dirty"] != .null)
        default: #expect(doc["git_commit"] == .null && doc["git_dirty"] == .null)
        }
        #expect(doc.dictionary.map { Array($0.keys).sorted() } == [
            "command_line", "format", "git_commit", "git_dirty", "hostname", "nn_version", "started", "working_directory",
        ])
    }

    @Test func aFailingGitCommandIsNil() {
        #expect(Provenance.git(["no-such-git-command-\(UUID().uuidString)"]) == nil)
    }

    @Test func writesAtomicallyIntoTheRunLayoutsFile() throws {
        let dir = try ResultFixture.directory("provenance")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Provenance.write(to: RunLayout(dir).provenance)
        #expect(try JSONValue.read(path: dir + "/provenance.json")["nn_version"] == .string(NNVersion.current))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["provenance.json"])
    }
}
