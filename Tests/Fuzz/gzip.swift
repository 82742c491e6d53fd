import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNExperiments

/// Harness: the gzip reader (`Gzip.readAll`, as `nn fetch` / `nn prepare` read sources),
/// with a 4 MiB limit standing in for a registry pin.
func fuzzGzip(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let path = FuzzSupport.write(data, size, name: "input.gz")
    _ = try? Gzip.readAll(path: path, maxBytes: 4 << 20)
    _ = try? Checksum.payloadDigest(path: path, maxBytes: 4 << 20)
}
