import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// Harness: the IDX reader (`IDXArray.readFile`, as `nn prepare` reads a source, then
/// `IDXArray.decode`), with a 16 MiB limit standing in for a registry pin.
func fuzzIDX(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let path = FuzzSupport.write(data, size, name: "input.idx")
    if let a = try? IDXArray.read(path: path, maxBytes: 16 << 20), a.count < 1 << 16 {
        _ = a.doubles()
    }
}
