import ArgumentParser
import NNBase
import NNKernel

/// The value of a flag that takes a real number, read as the README writes numbers:
/// decimal (`0.5`, `1e-3`, `.5`), never hex (`0x10`, which Swift's `Double(_:)` reads as
/// 16) nor `inf` / `nan` (`NumberText.parse`, then finite). Used as `transform:` of every
/// `Double` option; experiment keys go through their key table entry, which reads them the
/// same way.
func decimalFlag(_ text: String) throws -> Double {
    guard let value = NumberText.parse(text), value.isFinite else {
        throw ValidationError("'\(text)' is not a number (decimal, e.g. 0.5 or 1e-3)")
    }
    return value
}
