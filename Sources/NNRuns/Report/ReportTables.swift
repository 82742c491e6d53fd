import Foundation
import NNBase
import NNKernel
import NNFormats

/// How `report.md` shows metrics and configurations to people (the files keep full
/// precision and every key).
package enum ReportTables {
    /// Metrics in the order people read them: headline ratios, threshold-free AUCs, then
    /// counts and the settings they were computed at; keys not listed keep their order
    /// after these.
    static let metricOrder = [
        "accuracy", "precision", "recall", "f1", "roc_auc", "average_precision",
        "macro_precision", "macro_recall", "macro_f1", "micro_precision", "micro_recall", "micro_f1", "macro_roc_auc",
        "tp", "fp", "fn", "tn", "samples", "positives", "classes", "threshold", "train_loss",
        "last_epoch_loss", "history_epochs",
    ]

    /// Longer names for the keys that are acronyms or easy to misread.
    static let metricNames = [
        "f1": "F1", "roc_auc": "ROC AUC", "average_precision": "PR AUC = average precision",
        "macro_f1": "macro F1", "micro_f1": "micro F1", "macro_roc_auc": "macro ROC AUC (one vs rest)",
        "tp": "true positives", "fp": "false positives", "fn": "false negatives", "tn": "true negatives",
        "train_loss": "training loss after training",
        "last_epoch_loss": "last epoch's loss (before its update)",
    ]

    /// `record` (metric name, value) sorted by `metricOrder` (stable otherwise), without
    /// the confusion matrix's cells.
    static func ordered(_ record: [(key: String, value: FieldValue)]) -> [(key: String, value: FieldValue)] {
        let rank = Dictionary(uniqueKeysWithValues: metricOrder.enumerated().map { ($1, $0) })
        return record.enumerated()
            .filter { !$0.element.key.hasPrefix("confusion") }
            .sorted { (rank[$0.element.key] ?? metricOrder.count, $0.offset) < (rank[$1.element.key] ?? metricOrder.count, $1.offset) }
            .map(\.element)
    }

    /// The label of metric `key` in a table: its longer name with the key, or the key.
    static func label(_ key: String) -> String {
        metricNames[key].map { "\($0) (`\(key)`)" } ?? key
    }

    /// A value for people: integers as they are, other numbers to 5 significant digits
    /// (`Markdown.number`), text as it is.
    package static func display(_ value: FieldValue, digits: Int = 5) -> String {
        guard let x = value.number, Int(value.text) == nil, !value.text.isEmpty else { return value.text }
        return Markdown.number(x, digits: digits)
    }

    /// Two values side by side for people (`nn diff`'s table and Markdown): as `display`,
    /// with more significant digits when 5 would show two different numbers alike
    /// (0.950951 and 0.950952 print in full, not both as 0.95095).
    /// A value that needs fewer digits than that prints as its shortest text (0.3, never
    /// 0.29999999999999999).
    package static func display(_ a: FieldValue?, _ b: FieldValue?) -> (a: String?, b: String?) {
        func show(_ v: FieldValue, _ digits: Int) -> String {
            let s = display(v, digits: digits)
            if let x = v.number, s != v.text, NumberText.parse(s) == x { return NumberText.shortest(x) }
            return s
        }
        var digits = 5
        if let x = a?.number, let y = b?.number, x != y {
            while digits < 17, show(a!, digits) == show(b!, digits) { digits += 1 }
        }
        return (a.map { show($0, digits) }, b.map { show($0, digits) })
    }

    /// A number for people, as `display` writes it (a delta in `nn diff`'s table).
    package static func display(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? NumberText.shortest(x) : Markdown.number(x)
    }

    /// The keys that configure only one optimiser.
    static let optimizerKeys = ["momentum": ["momentum"], "adam": ["beta1", "beta2", "adam_epsilon"]]

    /// A flattened `config.json` without the keys of optimisers it does not use
    /// (`beta1`, `beta2`, `adam_epsilon` only with adam; `momentum` only with momentum).
    static func applicable(_ config: [(key: String, value: FieldValue)]) -> [(key: String, value: FieldValue)] {
        let optimizer = config.first { $0.key == "optimizer" }?.value.text
        let unused = Set(optimizerKeys.filter { $0.key != optimizer }.flatMap(\.value))
        return config.filter { !unused.contains($0.key) }
    }
}
