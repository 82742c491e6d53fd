import Foundation
import NNBase
import NNKernel
import NNFormats

/// `nn eval`: a trained run's metrics on its test split (`Run.evaluate`).
extension Run {
    package struct EvalOutcome: Sendable {
        package var binary: Metrics.Binary?
        package var multiClass: Metrics.MultiClass?
        /// Binary: ROC AUC and average precision (PR AUC) of the test probabilities
        /// (`RankingMetrics`); nil when undefined (a test set of one class).
        package var rocAUC: Double?
        package var averagePrecision: Double?
        /// Ten classes: the unweighted mean of the one-vs-rest ROC AUCs of the classes.
        package var macroROCAUC: Double?
        /// The trained model's loss on the whole training split (`Network.meanLoss`).
        package var trainLoss: Double = .nan
        /// The names of the files written into the run, in writing order.
        package var files: [String] = []
        package var warnings: [String] = []
    }

    /// `--threshold` other than the run's own on a ten-class run (`nn eval`, `nn predict`).
    static let thresholdNotBinary = NNError("--threshold: applies only to a binary target (ten classes predict the most probable class)")

    /// The thresholds of `thresholds.csv`: 0.1, 0.2, ..., 0.9.
    static let tableThresholds = (1...9).map { Double($0) / 10 }

    /// Evaluates a trained run on its test split and writes, into the run (`RunLayout`):
    /// `metrics.json`, `metrics.csv`, `predictions.csv`, `thresholds.csv` (binary),
    /// `roc.svg`, `roc-log.svg`, `pr.svg` (binary) and `confusion.svg`.
    ///
    /// `threshold` other than the run's own (config.json's `threshold`) is an extra view
    /// of the same model: its metrics, predictions and confusion matrix go to
    /// `metrics-t<threshold>.json` etc. (`RunLayout.atThreshold`), never over the run's own.
    ///
    /// Hook: the threshold that maximises F1 belongs on a validation split
    /// (`RankingMetrics.thresholdMaximisingF1`); runs have none yet, and choosing it on
    /// the test split would overstate F1, so it is not computed here.
    /// With `inputs` (a sweep worker's), the data and the inputs (`RunInputs`: the training
    /// samples', the test split's, the whole training split's) are those kept from the
    /// point's training and earlier points, not loaded and built again.
    package static func evaluate(runDir: String, dataDir: String?, threshold: Double?, threads: Int,
                                 inputs: RunInputs? = nil) throws -> EvalOutcome {
        try RunMarker.requireComplete(runDir)
        var (config, recordedDir, recordedSHA) = try readConfig(runDir: runDir)
        AtomicFile.removeStaleTemporaries(in: runDir)
        let other = threshold.flatMap { $0 == config.threshold ? nil : $0 }
        if let threshold { config.threshold = threshold }
        try config.validate()
        let modelPath = RunLayout(runDir).model
        guard FileManager.default.fileExists(atPath: modelPath) else {
            throw NNError("\(runDir): no \(RunLayout.modelFile) (training did not finish?); run `nn train --out \(runDir)`")
        }
        let data = try inputs?.dataset(config: config, dataDir: dataDir ?? recordedDir)
            ?? loadData(config: config, dataDir: dataDir ?? recordedDir)
        if other != nil, data.target == .allClasses {
            throw Run.thresholdNotBinary
        }
        var warnings: [String] = []
        if let recordedSHA, recordedSHA != data.manifestSHA256 {
            warnings.append("\(data.directory): prepared data differs from the data this run was trained on (manifest sha256 \(data.manifestSHA256.prefix(12)) vs \(recordedSHA.prefix(12)))")
        }
        let parallel = Parallel(threads: threads)
        let evaluation = config.precision == .f32
            ? try evaluate(Float.self, config: config, data: data, modelPath: modelPath, parallel: parallel, inputs: inputs)
            : try evaluate(Double.self, config: config, data: data, modelPath: modelPath, parallel: parallel, inputs: inputs)
        var outcome = evaluation.outcome
        outcome.warnings = warnings
        outcome.files = try evaluation.write(to: runDir, threshold: other)
        return outcome
    }

    static func evaluate<T: NNScalar>(_: T.Type, config: ExperimentConfig, data: PreparedDataset, modelPath: String,
                                      parallel: Parallel, inputs: RunInputs? = nil) throws -> Evaluation {
        let net = try ModelFile.read(path: modelPath, as: T.self)
        net.parallel = parallel
        try config.validate(features: data.test.features)
        guard net.architecture.sizes == config.layers else {
            throw NNError("\(modelPath): model layers \(net.architecture.sizes) do not match config.json's \(config.layers)")
        }
        let eval = inputs?.evaluation(T.self, config: config, data: data, parallel: parallel)
            ?? EvaluationInputs<T>(config: config, data: data, parallel: parallel)
        let out = net.predict(eval.test)
        // Huge but finite weights (a model from before training checked its outputs) can
        // still overflow to NaN here; such probabilities are no metrics.
        if let j = (0..<out.count).first(where: { !out.storage[$0].isFinite }) {
            throw NNError("\(modelPath): the model's output for test sample \(j % out.cols) is not finite; the model is unusable (train it again with a smaller --lr)")
        }
        var e: Evaluation
        switch data.target {
        case .binary(let digit):
            let p = (0..<out.cols).map { out.storage[$0].double }
            e = Evaluation.binary(probabilities: p, labels: data.test.labels.map { Int($0) == digit ? 1 : 0 },
                                  threshold: config.threshold, positive: String(digit))
        case .allClasses:
            let scores = (0..<out.rows).map { r in (0..<out.cols).map { out[r, $0].double } }
            e = Evaluation.multiClass(scores: scores, truth: data.test.labels.map(Int.init))
        }
        // The whole training split: the training's own inputs when they are that (no validation set).
        if config.valSize == 0, let kept = try inputs?.training(T.self, config: config, data: data, parallel: parallel) {
            e.outcome.trainLoss = net.meanLoss(input: kept.input, y: kept.y)
        } else {
            let whole = eval.wholeTraining()
            e.outcome.trainLoss = net.meanLoss(input: whole.input, y: whole.y)
        }
        e.scalars.append(("train_loss", .real(e.outcome.trainLoss)))
        return e
    }
}

/// What `Run.evaluate` computed, before it is written.
struct Evaluation {
    var outcome = Run.EvalOutcome()
    var scalars: [(String, Metrics.MetricValue)] = []
    var confusion: [[Int]]?
    var predictions: [[String]] = []
    /// Threshold-independent files (thresholds.csv, roc.svg, roc-log.svg, pr.svg): name -> content.
    var rankingFiles: [(name: String, content: String)] = []
    var confusionChart = ""

    /// Writes the files into `dir` (threshold-dependent ones under `RunLayout.atThreshold`
    /// names); returns their names.
    func write(to dir: String, threshold: Double?) throws -> [String] {
        var json: [String: JSONValue] = [:]
        for (k, v) in scalars {
            switch v { case .int(let i): json[k] = .int(i); case .real(let d): json[k] = .real(d) }
        }
        if let confusion { json["confusion"] = .array(confusion.map { .array($0.map { JSONValue.int($0) }) }) }
        let own: [(name: String, content: String)] = [
            (RunLayout.predictionsFile, CSVTable.text(header: ["index", "label", "probability", "prediction"], rows: predictions)),
            (RunLayout.metricsCSVFile, CSVTable.text(header: ["metric", "value"], rows: scalars.map { [$0.0, $0.1.text] })),
            (RunLayout.metricsJSONFile, JSONValue.sortedObject(json).fileText),
            (RunLayout.confusionFile, confusionChart),
        ]
        let files = own.map { (name: RunLayout.atThreshold($0.name, threshold), content: $0.content) } + rankingFiles
        try AtomicFile.write(files: files.map { (RunLayout(dir).path($0.name), $0.content) })
        return files.map(\.name)
    }
}

extension Evaluation {
    /// Binary metrics at `threshold`, the ranking metrics (ROC AUC and average precision
    /// after F1 in the scalars), the threshold table and the charts; the confusion heat map
    /// has rows and columns `<positive>`, `not <positive>`: the order `nn eval` prints
    /// (true 1 / true 0 against pred 1 / pred 0), so the chart and the terminal agree.
    static func binary(probabilities p: [Double], labels y: [Int], threshold: Double, positive: String) -> Evaluation {
        var e = Evaluation()
        let m = Metrics.binary(probabilities: p, labels: y, threshold: threshold)
        let curve = RankingMetrics.curve(scores: p, labels: y)
        e.outcome.binary = m
        e.outcome.rocAUC = RankingMetrics.rocAUC(curve)
        e.outcome.averagePrecision = RankingMetrics.averagePrecision(curve)
        let ranking = [("roc_auc", e.outcome.rocAUC), ("average_precision", e.outcome.averagePrecision)]
            .compactMap { name, v in v.map { (name, Metrics.MetricValue.real($0)) } }
        e.scalars = inserting(ranking, after: "f1", in: m.scalars)
        e.predictions = p.indices.map { [String($0), String(y[$0]), NumberText.real(p[$0]), p[$0] > threshold ? "1" : "0"] }
        let table = Run.tableThresholds.map { t -> [String] in
            let m = Metrics.binary(probabilities: p, labels: y, threshold: t)
            return [NumberText.shortest(t)] + [m.accuracy, m.precision, m.recall, m.f1].map(NumberText.real)
                + [m.tp, m.fp, m.fn, m.tn].map(String.init)
        }
        e.rankingFiles = [
            (RunLayout.thresholdsFile, CSVTable.text(header: ["threshold", "accuracy", "precision", "recall", "f1", "tp", "fp", "fn", "tn"], rows: table)),
            (RunLayout.rocFile, EvalCharts.roc([(positive, curve)], title: "ROC curve: is it \(positive)? (test set)").svg()),
            (RunLayout.rocLogFile, EvalCharts.roc([(positive, curve)], title: "ROC curve, log FPR: is it \(positive)? (test set)",
                                                  logFPR: true).svg()),
            (RunLayout.prFile, EvalCharts.precisionRecall(curve, title: "Precision-recall curve: is it \(positive)? (test set)").svg()),
        ]
        e.confusionChart = HeatMap(title: "Confusion matrix at threshold \(NumberText.shortest(threshold)) (test set)",
                                   labels: [positive, "not \(positive)"], counts: [[m.tp, m.fn], [m.fp, m.tn]]).svg()
        return e
    }

    /// Ten-class metrics of the argmax (first index on ties, as `np.argmax`), one-vs-rest
    /// ROC AUC per class (`roc_auc_class_<k>`: class k's softmax output as the score of
    /// "is it k") and their unweighted mean `macro_roc_auc` (sklearn's
    /// `roc_auc_score(multi_class="ovr", average="macro")`); `scores[k][j]` is class k's
    /// output for sample j.
    static func multiClass(scores: [[Double]], truth: [Int]) -> Evaluation {
        var e = Evaluation()
        let classes = scores.count
        var predicted = [Int](repeating: 0, count: truth.count)
        for j in truth.indices {
            var k = 0
            for r in 1..<classes where scores[r][j] > scores[k][j] { k = r }
            predicted[j] = k
        }
        let m = Metrics.multiClass(predicted: predicted, truth: truth, classes: classes)
        let curves = (0..<classes).map { k in RankingMetrics.curve(scores: scores[k], labels: truth.map { $0 == k ? 1 : 0 }) }
        let aucs = curves.map(RankingMetrics.rocAUC)
        let defined = aucs.compactMap { $0 }
        e.outcome.multiClass = m
        e.outcome.macroROCAUC = defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
        let macro = e.outcome.macroROCAUC.map { [("macro_roc_auc", Metrics.MetricValue.real($0))] } ?? []
        e.scalars = inserting(macro, after: "micro_f1", in: m.scalars)
            + aucs.enumerated().compactMap { k, v in v.map { ("roc_auc_class_\(k)", .real($0)) } }
        e.predictions = truth.indices.map { j in
            [String(j), String(truth[j]), NumberText.real(scores[predicted[j]][j]), String(predicted[j])]
        }
        e.confusion = m.confusion
        let named = curves.indices.map { (name: String($0), curve: curves[$0]) }
        e.rankingFiles = [
            (RunLayout.rocFile, EvalCharts.roc(named, title: "ROC curves, one class against the rest (test set)").svg()),
            (RunLayout.rocLogFile, EvalCharts.roc(named, title: "ROC curves, log FPR, one class against the rest (test set)",
                                                  logFPR: true).svg()),
        ]
        e.confusionChart = HeatMap(title: "Confusion matrix (test set)", labels: (0..<classes).map(String.init),
                                   counts: m.confusion).svg()
        return e
    }

    /// `scalars` with `extra` inserted after the entry named `key` (at the end without one).
    static func inserting(_ extra: [(String, Metrics.MetricValue)], after key: String,
                          in scalars: [(String, Metrics.MetricValue)]) -> [(String, Metrics.MetricValue)] {
        let i = (scalars.firstIndex { $0.0 == key } ?? scalars.count - 1) + 1
        return Array(scalars[..<i]) + extra + Array(scalars[i...])
    }
}
