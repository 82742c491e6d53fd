import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// The one libFuzzer entry point of the fuzz binary: `NN_FUZZ_HARNESS` (gzip, idx,
/// manifest, model, experiment, csv) selects the harness, so the modules are compiled once.
let selectedHarness: (UnsafePointer<UInt8>, Int) -> Void = {
    let name = ProcessInfo.processInfo.environment["NN_FUZZ_HARNESS"] ?? ""
    switch name {
    case "gzip": return fuzzGzip
    case "idx": return fuzzIDX
    case "manifest": return fuzzManifest
    case "model": return fuzzModel
    case "experiment": return fuzzExperiment
    case "csv": return fuzzCSV
    default:
        FileHandle.standardError.write(Data("NN_FUZZ_HARNESS must be one of gzip idx manifest model experiment csv (got '\(name)')\n".utf8))
        exit(2)
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEntry(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    selectedHarness(data, size)
    return 0
}
