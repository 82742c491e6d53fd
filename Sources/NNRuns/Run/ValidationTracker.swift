import NNBase
import NNKernel
import NNFormats

/// The validation quantity that early stopping and keep_best watch.
package enum Monitor: String, CaseIterable, Sendable {
    case valLoss = "val_loss", valF1 = "val_f1", valAccuracy = "val_accuracy"

    var lowerIsBetter: Bool { self == .valLoss }
}

extension Monitor: ClosedSetValue {}

/// One epoch's validation: loss and the task's metric (nil for an epoch not evaluated).
struct ValidationRecord: Equatable, Sendable {
    var epoch: Int
    var loss: Double?
    var metric: Double?
}

/// What validation has seen so far: the records, the best evaluation (by `monitor`) and
/// how many evaluations since it did not improve. Its whole state goes into a checkpoint.
struct ValidationState: Equatable, Sendable {
    var records: [ValidationRecord] = []
    var bestEpoch: Int?
    var bestValue: Double?
    var sinceBest = 0
    var stoppedEarly = false
}

/// Evaluates the validation set after each epoch (every `eval_every`), keeps the best
/// weights for keep_best and says when early stopping stops.
final class ValidationTracker<T: NNScalar> {
    let config: ExperimentConfig
    let input: NetworkInput<T>
    let y: Matrix<T>
    let labels: [Int]
    var state = ValidationState()
    /// The weights of the best epoch (keep_best), in `Network.parameters` order.
    var bestWeights: [[T]]?

    init(config: ExperimentConfig, input: NetworkInput<T>, y: Matrix<T>, labels: [UInt8], target: PreparedTarget) {
        self.config = config
        self.input = input
        self.y = y
        self.labels = labels.map { l in
            if case .binary(let d) = target { return Int(l) == d ? 1 : 0 }
            return Int(l)
        }
    }

    /// Records epoch `epoch`'s validation (when it is due) and returns true when early
    /// stopping stops training here.
    func afterEpoch(_ epoch: Int, net: Network<T>) -> Bool {
        guard epoch % config.evalEvery == 0 else {
            state.records.append(ValidationRecord(epoch: epoch, loss: nil, metric: nil))
            return false
        }
        // One forward pass (sparse first layer, in blocks) for the loss and the predictions.
        let outputs = Matrix<T>(rows: net.architecture.sizes.last!, cols: input.samples)
        let loss = net.meanLoss(input: input, y: y, outputs: outputs)
        let metric = self.metric(outputs)
        state.records.append(ValidationRecord(epoch: epoch, loss: loss, metric: metric))
        let value = config.monitor == .valLoss ? loss : metric
        let improved: Bool
        if let best = state.bestValue {
            improved = config.monitor.lowerIsBetter ? value < best - config.minDelta : value > best + config.minDelta
        } else {
            improved = value.isFinite
        }
        if improved {
            state.bestEpoch = epoch
            state.bestValue = value
            state.sinceBest = 0
            if config.keepBest { bestWeights = net.parameters.map { Array($0.value.storage) } }
        } else {
            state.sinceBest += 1
        }
        if config.earlyStopping && state.sinceBest >= config.patience {
            state.stoppedEarly = true
            return true
        }
        return false
    }

    /// F1 at the threshold (binary) or accuracy (ten classes) of outputs `out`.
    func metric(_ out: Matrix<T>) -> Double {
        let n = out.cols
        if out.rows == 1 {
            let p = (0..<n).map { out.storage[$0].double }
            return Metrics.binary(probabilities: p, labels: labels, threshold: config.threshold).f1
        }
        var correct = 0
        for j in 0..<n {
            var k = 0
            for r in 1..<out.rows where out[r, j] > out[k, j] { k = r }
            if k == labels[j] { correct += 1 }
        }
        return Double(correct) / Double(max(n, 1))
    }

    /// history.csv's extra columns and cells: `val_loss` and the metric (empty when not evaluated).
    var columns: [String] { ["val_loss", config.validationMetric.rawValue] }

    /// The epoch's validation figures that exist, named as in `columns`.
    func figures(epoch: Int) -> [(name: String, value: Double)] {
        guard let r = state.records.first(where: { $0.epoch == epoch }) else { return [] }
        return zip(columns, [r.loss, r.metric]).compactMap { name, value in value.map { (name, $0) } }
    }

    func cells(epoch: Int) -> [String] {
        guard let r = state.records.first(where: { $0.epoch == epoch }) else { return ["", ""] }
        return [r.loss.map(NumberText.real) ?? "", r.metric.map(NumberText.real) ?? ""]
    }

    /// `best.json`: the best validation epoch, its value, and whether training stopped early.
    func bestJSON(epochsTrained: Int) -> JSONValue {
        var o: [String: JSONValue] = [
            "monitor": .string(config.monitor.rawValue), "epochs_trained": .int(epochsTrained),
            "stopped_early": .bool(state.stoppedEarly), "model": .string(config.keepBest ? "best" : "last"),
        ]
        o["epoch"] = state.bestEpoch.map { .int($0) } ?? .null
        o["value"] = state.bestValue.map { .real($0) } ?? .null
        return .sortedObject(o)
    }
}
