import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// Harness: the gzip reader (`Gzip.forEachChunk`, as `nn fetch` / `nn prepare` read sources),
/// with a 4 MiB limit standing in for a registry pin.
func fuzzGzip(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let path = FuzzSupport.write(data, size, name: "input.gz")
    try? Gzip.forEachChunk(path: path, maxBytes: 4 << 20) { _ in }
    _ = try? Checksum.payloadDigest(path: path, maxBytes: 4 << 20)
}
