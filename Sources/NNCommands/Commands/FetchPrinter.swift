import Foundation
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

/// Turns `FetchEvent`s into text for `nn fetch`.
///
/// Results (each file's state, each verified download) go to `out` as whole lines.
/// Progress goes to `err`: on a terminal one line per download, redrawn in place
/// (`fetching NAME from MIRROR  1.2 MB / 9.9 MB  12%`, at most once per percent); otherwise
/// plain lines (`fetching NAME from MIRROR`, `NAME: MIRROR failed: why`) and no byte counts.
final class FetchPrinter {
    private let interactive: Bool
    private let out: (String) -> Void
    private let err: (String) -> Void
    private var line = ""           // the progress line currently on the terminal
    private var lastPercent = -1
    private var lastMiB: Int64 = -1

    /// `out` and `err` receive text exactly as it should be written (lines end in `\n`).
    init(interactive: Bool, out: @escaping (String) -> Void, err: @escaping (String) -> Void) {
        self.interactive = interactive
        self.out = out
        self.err = err
    }

    func handle(_ event: FetchEvent) {
        switch event {
        case .checked(let check):
            out(check.line + "\n")
        case .trying(let file, let mirror):
            line = "fetching \(file) from \(mirror)"
            lastPercent = -1
            lastMiB = -1
            err(interactive ? line : line + "\n")
        case .progress(_, let bytes, let total):
            guard interactive else { return }
            if let total, total > 0 {
                let percent = Int(bytes * 100 / total)
                guard percent != lastPercent else { return }
                lastPercent = percent
                err("\r\u{1B}[K\(line)  \(Self.size(bytes, scale: total)) / \(Self.size(total, scale: total))  \(percent)%")
            } else {
                let mib = bytes >> 20
                guard mib != lastMiB else { return }
                lastMiB = mib
                err("\r\u{1B}[K\(line)  \(Self.size(bytes, scale: bytes))")
            }
        case .mirrorFailed(let file, let mirror, let reason):
            err(interactive ? "  failed: \(reason)\n" : "\(file): \(mirror) failed: \(reason)\n")
        case .fetched(let file, let mirror, let sha):
            if interactive { err("\n") }
            out("\(file): downloaded from \(mirror), ok (sha256 \(sha))\n")
        }
    }

    /// `bytes` with one decimal in decimal kB, or MB when `scale` reaches 1 MB
    /// (`9.9 MB`, `60.0 kB`); both numbers of a `done / total` pair use the total's unit.
    static func size(_ bytes: Int64, scale: Int64) -> String {
        scale >= 1_000_000
            ? String(format: "%.1f MB", Double(bytes) / 1_000_000)
            : String(format: "%.1f kB", Double(bytes) / 1_000)
    }
}
