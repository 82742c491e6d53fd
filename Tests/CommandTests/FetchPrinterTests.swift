import Foundation
import Testing
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex
@testable import NNCommands

@Suite struct FetchPrinterTests {
    let events: [FetchEvent] = [
        .checked(FileCheck(file: DatasetFile(name: "a.gz", payloadSHA256: "ab", payloadBytes: 1), path: "d/a.gz", state: .missing)),
        .trying(file: "a.gz", mirror: "http://x/"),
        .progress(file: "a.gz", bytes: 0, total: 200),
        .mirrorFailed(file: "a.gz", mirror: "http://x/", reason: "HTTP 404"),
        .trying(file: "a.gz", mirror: "file:///y/"),
        .progress(file: "a.gz", bytes: 100, total: 200),
        .progress(file: "a.gz", bytes: 101, total: 200),  // same percent: not redrawn
        .progress(file: "a.gz", bytes: 200, total: 200),
        .fetched(file: "a.gz", mirror: "file:///y/", sha256: "ab"),
    ]

    func render(interactive: Bool) -> (out: String, err: String) {
        var out = "", err = ""
        let printer = FetchPrinter(interactive: interactive, out: { out += $0 }, err: { err += $0 })
        events.forEach(printer.handle)
        return (out, err)
    }

    @Test func plainOutputHasWholeLinesAndNoByteCounts() {
        let (out, err) = render(interactive: false)
        #expect(out == "a.gz: missing\na.gz: downloaded from file:///y/, ok (sha256 ab)\n")
        #expect(err == "fetching a.gz from http://x/\na.gz: http://x/ failed: HTTP 404\nfetching a.gz from file:///y/\n")
    }

    @Test func terminalOutputRedrawsOneLinePerDownload() {
        let (out, err) = render(interactive: true)
        #expect(out == "a.gz: missing\na.gz: downloaded from file:///y/, ok (sha256 ab)\n")
        let clear = "\r\u{1B}[K"
        #expect(err == "fetching a.gz from http://x/" + clear + "fetching a.gz from http://x/  0.0 kB / 0.2 kB  0%"
            + "  failed: HTTP 404\n"
            + "fetching a.gz from file:///y/" + clear + "fetching a.gz from file:///y/  0.1 kB / 0.2 kB  50%"
            + clear + "fetching a.gz from file:///y/  0.2 kB / 0.2 kB  100%\n")
    }
}
