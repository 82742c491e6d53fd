import NNKernel
import NNFormats

/// A run's identity: equal experiments on equal data get equal ids on every machine. A
/// run's default directory (`Run.defaultDirectory`), a sweep's point (`runs/<id>`) and the
/// run index (`nn runs`) all name runs by it.
package enum RunID {
    /// Keys that label an experiment rather than set it up: outside run ids, and they
    /// cannot be swept (`ExperimentKey.sweepable`).
    package static let labelKeys = Set(ExperimentConfig.table.filter { !$0.sweepable }.map(\.name))

    /// The run id of an experiment on prepared data: the first 12 hex digits of the
    /// SHA-256 of the compact JSON text of the resolved config with its keys sorted,
    /// without the labels `name` and `description`, plus `data_manifest_sha256` (the
    /// SHA-256 of the prepared data's `manifest.json`). Equal configs on equal data get
    /// equal ids on every machine; the data's directory does not enter.
    package static func of(config: ExperimentConfig, manifestSHA256: String) -> String {
        var object = config.jsonObject(extra: ["data_manifest_sha256": .string(manifestSHA256)])
        for key in labelKeys { object[key] = nil }
        let text = JSONValue.sortedObject(object).encoded(pretty: false)
        return String(Checksum.sha256(Array(text.utf8)).prefix(12))
    }

    /// True for a run id as `of` makes them: 12 lowercase hex digits.
    package static func isValid(_ s: String) -> Bool {
        s.utf8.count == 12 && s.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
