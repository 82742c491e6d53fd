import Foundation
import NNBase
import NNKernel
import NNFormats

/// A fully resolved experiment: data, architecture, optimisation, precision and seed.
///
/// On disk (`experiments/*.json`) every key is optional and defaults to the notebook's
/// value; unknown keys are an error. The resolved form written to a run's `config.json`
/// carries every key (sorted), so a run says exactly what it did.
///
/// Each stored property is one key of `ExperimentConfig.table` (which gives
/// its name, flag, help and how it is swept); its initial value is the notebook's.
package struct ExperimentConfig: Equatable, Sendable {
    package var name = "notebook"
    var description = ""
    // Data
    package var dataset = "mnist"
    package var classes = Classes.binary
    var positiveDigit = 8
    var trainSize = 50_000
    var testSize = 20_000
    var splitSeed = 42
    var biasColumn = true           // prepend a column of ones before /255 (the notebook)
    // Model
    var layers = [785, 395, 200, 100, 20, 1]
    var activations: [Activation] = [.relu, .relu, .relu, .relu, .sigmoid]
    var loss = LossKind.bce
    var gradient = GradientPath.notebook
    var initialization = InitKind.notebook
    // Optimisation
    var optimizer = OptimizerKind.gd
    var lr = 0.3
    package var epochs = 40
    var batchSize = 0               // 0 = full batch
    var momentum = 0.9
    var beta1 = 0.9
    var beta2 = 0.999
    var adamEpsilon = 1e-8
    var precision = Precision.f64
    var seed = 0
    var threshold = 0.5
    // Validation, early stopping, checkpoints: off or neutral at their defaults, where
    // config.json and the run id omit them (runs of before them keep their bytes and ids)
    package var valSize = 0                 // 0 = no validation set (the notebook)
    package var evalEvery = 1
    package var earlyStopping = false
    var patience = 5
    var minDelta = 0.0
    package var monitor = Monitor.valLoss
    var keepBest = false
    var checkpointEvery = 1         // 0 = only at the end

    package init() {}

    /// Sets `key` from its text form (lists comma-separated), as `ExperimentConfig.table`
    /// describes it. `source` names the flag or file in errors.
    package mutating func set(_ key: String, _ raw: String, source: String) throws {
        try Self.entry(key, source: source).set(&self, raw, source)
    }

    /// The value of `key` in its canonical text form (the inverse of `set`).
    package func text(_ key: String) -> String {
        Self.table.first { $0.name == key }.map { $0.text(self) } ?? ""
    }

    /// Applies a JSON object (an experiment file): every key optional, unknown keys rejected,
    /// each value of its key's JSON type (`"lr": "0x10"`, `"epochs": "1"`, `"name": 123`
    /// are errors naming the key and the file; see `checkJSONType`).
    package mutating func apply(json object: [String: JSONValue], source: String) throws {
        for key in object.keys.sorted() where key != "grid" {
            let value = object[key]!
            try Self.checkJSONType(key, value, source: "\(source): \(key)")
            guard let raw = value.text else { throw NNError("\(source): key '\(key)' has an unsupported value") }
            try set(key, raw, source: "\(source): \(key)")
        }
    }

    /// Throws unless `value` has the JSON type of `key` (a number for numbers, `true`/
    /// `false` for truth values, an array for lists, a string for text and named values).
    /// `source` names the file and key.
    static func checkJSONType(_ key: String, _ value: JSONValue, source: String) throws {
        let entry = try entry(key, source: source)
        guard entry.isJSON(value) else {
            throw NNError("\(source): \(value.encoded(pretty: false).prefix(60)) is \(jsonKind(value)), but \(key) takes \(entry.jsonName)")
        }
    }

    private static func isString(_ value: JSONValue) -> Bool {
        if case .string = value { return true }
        return false
    }

    /// `a string`, `a number`, ... for messages.
    private static func jsonKind(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "true/false"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    /// The experiment of `file` (or the notebook's defaults without one) with `settings`
    /// (key, text value, source naming the flag) applied over it, checked (`validate`).
    /// A bad value is blamed on what set it last: the flag, else the file's key.
    package static func resolve(file: String?, settings: [(key: String, value: String, source: String)]) throws -> ExperimentConfig {
        var c = try file.map { try load(path: $0).0 } ?? ExperimentConfig()
        var sources: [String: String] = [:]
        if let file, let keys = try JSONValue.read(path: file).dictionary?.keys {
            for key in keys { sources[key] = "\(file): \(key)" }
        }
        for s in settings {
            try c.set(s.key, s.value, source: s.source)
            sources[s.key] = s.source
        }
        for s in settings { try checkUsed(s.key, by: [c.optimizer], source: s.source) }
        try c.validate(sources: sources)
        return c
    }

    /// Loads an experiment file over the defaults. Returns the config and the file's `grid`
    /// section (key → list of values as text, in file order of keys sorted), if any.
    package static func load(path: String) throws -> (ExperimentConfig, [(String, [String])]) {
        guard let obj = try JSONValue.read(path: path).dictionary else { throw NNError("\(path): not a JSON object") }
        var c = ExperimentConfig()
        try c.apply(json: obj, source: path)
        var grid: [(String, [String])] = []
        if let g = obj["grid"] {
            guard let gd = g.dictionary else { throw NNError("\(path): 'grid' must be an object of key: [values]") }
            for key in gd.keys.sorted() {
                // A text is one value: a random search's distribution ("loguniform:0.01:1").
                var elements = gd[key]!.elements
                if case .string = gd[key]! { elements = [gd[key]!] }
                guard let values = elements, !values.isEmpty else {
                    throw NNError("\(path): grid key '\(key)' must be a non-empty list")
                }
                let known = table.contains { $0.name == key }
                grid.append((key, try values.map { v in
                    // The items of a key's list are of its type (a list of numbers for
                    // `layers`: `[[785,20,1], [785,40,1]]`); a string with a ':' is a random
                    // search's distribution (`kind:...`, checked later). nn's own sweep.json
                    // (list values as text) is read by `SweepPlan`, never through here.
                    if known, !(v.text?.contains(":") == true && isString(v)) {
                        try checkJSONType(key, v, source: "\(path): grid \(key)")
                    }
                    guard let t = v.text else { throw NNError("\(path): grid key '\(key)' has an unsupported value") }
                    return t
                }))
            }
        }
        return (c, grid)
    }

    /// The target the data is prepared for.
    package var target: PreparedTarget { classes == .all ? .allClasses : .binary(positiveDigit: positiveDigit) }

    var architecture: Architecture {
        Architecture(sizes: layers, activations: activations, loss: loss, gradient: gradient)
    }

    var optimizerSettings: OptimizerSettings {
        OptimizerSettings(kind: optimizer, learningRate: lr, momentum: momentum, beta1: beta1, beta2: beta2, epsilon: adamEpsilon)
    }

    /// Longest experiment or sweep name.
    static let maxNameLength = 100

    /// Checks that `name` (an experiment's or a sweep's) is a name, not a path: 1 to
    /// `maxNameLength` characters, printable, no `/` or `\`, not starting with `.` (so
    /// neither `.` nor `..`, nor a hidden name), no leading or trailing space. Names become
    /// directory names (`results/runs/<name>/`, `results/sweeps/<name>/`).
    package static func validateName(_ name: String, source: String) throws {
        let why: String?
        if name.isEmpty { why = "is empty" }
        else if name.count > maxNameLength { why = "is longer than \(maxNameLength) characters" }
        else if name.contains("/") || name.contains("\\") { why = "contains a path separator" }
        else if name.hasPrefix(".") { why = "starts with '.'" }
        else if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format
            || $0.properties.generalCategory == .lineSeparator || $0.properties.generalCategory == .paragraphSeparator }) {
            why = "contains a control character"
        } else if name.first?.isWhitespace == true || name.last?.isWhitespace == true { why = "starts or ends with a space" }
        else { why = nil }
        if let why {
            let shown = name.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : String($0) }.joined().prefix(60)
            throw NNError("\(source): '\(shown)' \(why); a name must be a plain directory name")
        }
    }

    /// Checks every value. Errors name where the value came from: `sources[key]` (the flag
    /// or the experiment file's key that set it, see `resolve`), else the key's flag.
    package func validate(sources: [String: String] = [:]) throws {
        func at(_ key: String, _ flag: String) -> String { sources[key] ?? flag }
        try Self.validateName(name, source: "name")
        if epochs <= 0 { throw NNError("\(at("epochs", "--epochs")): must be a positive integer, got \(epochs)") }
        if !(lr > 0) { throw NNError("\(at("lr", "--lr")): must be > 0, got \(NumberText.shortest(lr))") }
        if batchSize < 0 { throw NNError("\(at("batch_size", "--batch-size")): must be >= 0 (0 = full batch), got \(batchSize)") }
        if seed < 0 || seed > Int(UInt32.max) { throw NNError("\(at("seed", "--seed")): must be in 0...\(UInt32.max), got \(seed)") }
        if !(0...9).contains(positiveDigit) { throw NNError("\(at("positive_digit", "positive_digit")): must be a digit 0-9, got \(positiveDigit)") }
        if !(threshold > 0 && threshold < 1) { throw NNError("\(at("threshold", "--threshold")): must be in (0, 1), got \(NumberText.shortest(threshold))") }
        // Whatever the optimizer: a value out of range is wrong even where it is not used.
        for (key, value) in [("momentum", momentum), ("beta1", beta1), ("beta2", beta2)] where !(value >= 0 && value < 1) {
            throw NNError("\(at(key, "--" + key)): must be in [0, 1), got \(NumberText.real(value))")
        }
        if !(adamEpsilon > 0) { throw NNError("\(at("adam_epsilon", "--adam-epsilon")): must be > 0, got \(NumberText.shortest(adamEpsilon))") }
        // Sizes first: a layer too large for the machine is the problem to report.
        try architecture.requireMemory(scalarBytes: scalarBytes, optimizer: optimizer, what: layersFlag)
        do { try architecture.validate() } catch {
            // Too few or too many activations for the layers given: blame --layers when
            // only it was given (the activations are then the defaults or the file's).
            if case .activationCount(let count, let got) = error, let layersSource = sources["layers"], sources["activations"] == nil {
                throw NNError("\(layersSource): \(NumberText.count(count, "layer")) after the input \(count == 1 ? "needs" : "need") "
                              + "\(NumberText.count(count, "activation")), but activations has \(got); "
                              + "give --activations with \(NumberText.count(count, "value"))")
            }
            throw NNError("\(at(error.key, "--" + error.key)): \(error.problem)")
        }
        if layers.last! != target.outputs {
            throw NNError("\(at("layers", "--layers")): the last layer has \(layers.last!) output(s) but classes '\(classes.rawValue)' needs \(target.outputs)")
        }
        if classes == .binary && loss != .bce { throw NNError("\(at("loss", "--loss")): classes 'binary' needs bce, got \(loss.rawValue)") }
        if classes == .all && loss != .cce { throw NNError("\(at("loss", "--loss")): classes 'all' needs cce, got \(loss.rawValue)") }
        try validateValidation()
    }

    /// Checks the input width against the data's feature count and, with `samples` > 0,
    /// that training on that many samples fits in physical memory
    /// (`Architecture.requireMemory`).
    package func validate(features: Int, samples: Int = 0) throws {
        let expected = features + (biasColumn ? 1 : 0)
        if layers[0] != expected {
            throw NNError("--layers: the input layer has \(layers[0]) units but the data has \(features) features\(biasColumn ? " + 1 bias column" : "") = \(expected)")
        }
        try architecture.requireMemory(scalarBytes: scalarBytes, samples: samples, optimizer: optimizer, what: layersFlag)
    }

    /// Bytes per weight at this precision.
    var scalarBytes: Int { precision.scalarBytes }

    /// `--layers 785,395,...`, for messages.
    var layersFlag: String { "--layers " + layers.map(String.init).joined(separator: ",") }

    /// The prepare options that produce this experiment's data.
    package var prepareOptions: PrepareOptions {
        PrepareOptions(trainSize: trainSize, testSize: testSize, seed: UInt32(clamping: splitSeed), target: target)
    }

    /// The resolved config as a JSON object (every key but those `omittedAtDefault` that
    /// have their default), plus extra entries.
    package func jsonObject(extra: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var o: [String: JSONValue] = [:]
        let defaults = ExperimentConfig()
        for k in Self.table where !(k.omittedAtDefault && k.text(self) == k.text(defaults)) { o[k.name] = k.json(self) }
        for (k, v) in extra { o[k] = v }
        return o
    }
}
