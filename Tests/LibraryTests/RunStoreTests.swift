import Foundation
import NNBase
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
import Testing

/// Names, run ids and leftovers (issue 7): the pieces behind `RunSafetyTests`.
@Suite struct RunStoreTests {
    @Test func namesAreNotPaths() throws {
        for ok in ["notebook", "mnist-10class", "lr sweep 2", "étude_1", String(repeating: "n", count: 100)] {
            try ExperimentConfig.validateName(ok, source: "name")
        }
        for bad in ["", ".", "..", "../x", "a/b", "a\\b", ".hidden", "a\nb", "a\u{7}b", "a\u{202E}b",
                    String(repeating: "n", count: 101)] {
            #expect(throws: NNError.self, "\(bad)") { try ExperimentConfig.validateName(bad, source: "name") }
        }
        var c = ExperimentConfig()
        #expect(throws: NNError("x.json: name: '../../../escaped-run' contains a path separator; a name must be a plain directory name")) {
            try c.set("name", "../../../escaped-run", source: "x.json: name")
        }
    }

    @Test func runIDsAreTwelveLowercaseHexDigits() {
        #expect(RunID.isValid("6f23e8b81298"))
        for bad in ["6F23E8B81298", "6f23e8b8129", "6f23e8b812980", "../../../etc", "6f23e8b8129g", "６f23e8b8129"] {
            #expect(!RunID.isValid(bad), "\(bad)")
        }
    }

    @Test func craftedRunIDInASummaryIsNotFollowed() throws {
        let dir = try ResultFixture.directory("report-crafted")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ResultFixture.sweep(at: dir, points: ResultFixture.grid())
        let outside = try ResultFixture.directory("report-outside")
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try ResultFixture.run(at: outside)
        var summary = try String(contentsOfFile: dir + "/summary.csv", encoding: .utf8)
        summary = summary.replacingOccurrences(of: "000000000001,ok", with: "../../\(URL(fileURLWithPath: outside).lastPathComponent),ok")
        try AtomicFile.write(summary, to: dir + "/summary.csv")
        #expect(throws: NNError("\(dir)/summary.csv: run_id '../../\(URL(fileURLWithPath: outside).lastPathComponent)' is not a run id (12 lowercase hex digits)")) {
            try Report.writeSweep(dir: dir)
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/report.md"))
    }

    @Test func leftoverNamesAndDeadProcesses() {
        #expect(AtomicFile.leftover(".metrics.json.tmp-123-4")! == ("metrics.json", "tmp", 123, nil))
        #expect(AtomicFile.leftover(".seed-0.nn-new-77@node-1.lab")! == ("seed-0", "nn-new", 77, "node-1.lab"))
        #expect(AtomicFile.leftover(".a.b.nn-old-9@h")! == ("a.b", "nn-old", 9, "h"))
        for other in ["metrics.json", ".nn-run", ".x.tmp-12", ".x.tmp-a-1", ".x.nn-new-1-2@h", ".x.nn-new-12", ".x.nn-old-3@",
                      "..tmp-1-1x"] {
            #expect(AtomicFile.leftover(other) == nil, "\(other)")
        }
        #expect(!AtomicFile.hostTag.isEmpty && !AtomicFile.hostTag.contains("/") && !AtomicFile.hostTag.contains("@"))
        #expect(AtomicFile.isStale(("x", "nn-new", Int32.max - 1, AtomicFile.hostTag)))
        #expect(!AtomicFile.isStale(("x", "nn-new", Int32.max - 1, AtomicFile.hostTag + "-elsewhere")))
        #expect(AtomicFile.processAlive(getpid()))
        #expect(!AtomicFile.processAlive(Int32.max - 1))
    }

    @Test func staleTemporariesOfDeadProcessesAreRemoved() throws {
        let dir = try ResultFixture.directory("stale")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dead = Int32.max - 1
        let mine = ".e.tmp-\(dead)-3@\(AtomicFile.hostTag)", elsewhere = ".f.tmp-\(dead)-4@\(AtomicFile.hostTag)-elsewhere"
        for name in [".a.tmp-\(dead)-1", ".b.tmp-\(getpid())-1", "keep.txt", mine, elsewhere] { try AtomicFile.write("x", to: dir + "/" + name) }
        try FileManager.default.createDirectory(atPath: dir + "/.c.tmp-\(dead)-2", withIntermediateDirectories: false)
        // A dead PID of this host (old name without a host, or with ours) goes; a live one,
        // a directory and another host's (or container's) stay.
        #expect(AtomicFile.removeStaleTemporaries(in: dir).sorted() == [".a.tmp-\(dead)-1", mine])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == [".b.tmp-\(getpid())-1", ".c.tmp-\(dead)-2", elsewhere, "keep.txt"])
    }
}
