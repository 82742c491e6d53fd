import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// Harness: the model file reader (`ModelFile.read`, as `nn eval` loads `model.nnm`), in
/// both precisions.
func fuzzModel(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let path = FuzzSupport.write(data, size, name: "model.nnm")
    _ = try? ModelFile.read(path: path, as: Double.self)
    _ = try? ModelFile.read(path: path, as: Float.self)
}
