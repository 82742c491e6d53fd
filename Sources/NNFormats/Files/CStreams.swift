// C's `stdout` and `stderr` are global variables, which Swift 6 flags at every use as shared
// mutable state. They are set once by the C runtime and stdio locks each stream itself, so
// this file reads them under `@preconcurrency` and the rest of nn goes through `CStreams`.
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// The C standard output and error streams (`print` writes to the same `stdout`).
enum CStreams {
    static var output: UnsafeMutablePointer<FILE> { stdout }
    static var error: UnsafeMutablePointer<FILE> { stderr }

    /// Writes `text` to `stream` and flushes it (a failure sets the stream's error flag).
    static func write(_ text: String, to stream: UnsafeMutablePointer<FILE>) {
        fputs(text, stream)
        fflush(stream)
    }
}
