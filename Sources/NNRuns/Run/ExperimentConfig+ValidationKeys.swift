import NNBase
import NNKernel
import NNFormats

extension ExperimentConfig {
    /// The validation metric's column in history.csv: `val_f1` (binary) or `val_accuracy`.
    package var validationMetric: Monitor { classes == .binary ? .valF1 : .valAccuracy }

    /// Checks the validation, early-stopping and checkpoint keys (the sizes against the
    /// data: `validate(features:samples:)`).
    func validateValidation() throws {
        if valSize < 0 { throw NNError("--val-size: must be >= 0 (0 = no validation set), got \(valSize)") }
        if evalEvery < 1 { throw NNError("eval_every: must be a positive integer, got \(evalEvery)") }
        if patience < 1 { throw NNError("--patience: must be a positive integer, got \(patience)") }
        if !(minDelta >= 0) { throw NNError("min_delta: must be >= 0, got \(NumberText.real(minDelta))") }
        if checkpointEvery < 0 { throw NNError("--checkpoint-every: must be >= 0 (0 = only at the end), got \(checkpointEvery)") }
        if valSize == 0 && (earlyStopping || keepBest) {
            throw NNError("--\(earlyStopping ? "early-stopping" : "keep-best"): needs a validation set; give --val-size N")
        }
        if monitor != .valLoss && monitor != validationMetric {
            throw NNError("--monitor: \(monitor.rawValue) is not measured for classes '\(classes.rawValue)'; use val_loss or \(validationMetric.rawValue)")
        }
    }
}
