import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// Harness: the experiment JSON (`ExperimentConfig.load` then `validate`, as `nn train
/// --config` does).
func fuzzExperiment(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let path = FuzzSupport.write(data, size, name: "experiment.json")
    if let (config, _) = try? ExperimentConfig.load(path: path) {
        try? config.validate()
        _ = config.jsonObject()
    }
}
