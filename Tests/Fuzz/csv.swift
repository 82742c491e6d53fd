import Foundation
@testable import NNKernel
@testable import NNFormats
@testable import NNRuns
@testable import NNSweeps
@testable import NNReports
@testable import NNRunIndex

/// Harness: the CSV reader (`CSVTable.read`, as `nn report` / `nn diff` read
/// `history.csv`, `metrics.csv`, `summary.csv`; with a field bound as `nn diff` reads),
/// then the history parser.
func fuzzCSV(_ data: UnsafePointer<UInt8>, _ size: Int) {
    let path = FuzzSupport.write(data, size, name: "history.csv")
    _ = try? CSVTable.read(path: path)
    _ = try? CSVTable.read(path: path, maxFields: 64)   // the field bound `nn diff` uses
    _ = try? History.read(path: path)
}
