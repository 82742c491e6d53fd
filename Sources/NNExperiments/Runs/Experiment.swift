import Foundation
import NNKernel
import NNFormats

/// A fully resolved experiment: data, architecture, optimisation, precision and seed.
///
/// On disk (`experiments/*.json`) every key is optional and defaults to the notebook's
/// value; unknown keys are an error. The resolved form written to a run's `config.json`
/// carries every key (sorted), so a run says exactly what it did.
package struct ExperimentConfig: Equatable, Sendable {
    package var name = "notebook"
    var description = ""
    // Data
    var dataset = "mnist"
    var classes = "binary"          // binary | all
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
    var precision = "f64"           // f64 | f32
    var seed = 0
    var threshold = 0.5

    package init() {}

    /// Every settable key, in the order `config.json` lists them (alphabetical).
    static let keys: [String] = [
        "activations", "adam_epsilon", "batch_size", "beta1", "beta2", "bias_column", "classes",
        "dataset", "description", "epochs", "gradient", "init", "layers", "loss", "lr", "momentum",
        "name", "optimizer", "positive_digit", "precision", "seed", "split_seed", "test_size",
        "threshold", "train_size",
    ]

    /// Sets `key` from its command-line text form (lists comma-separated). `source` names the
    /// flag or file in errors.
    package mutating func set(_ key: String, _ raw: String, source: String) throws {
        let text = raw.trimmingCharacters(in: .whitespaces)
        func int() throws -> Int {
            guard let v = Int(text) else { throw NNError("\(source): '\(raw)' is not an integer") }
            return v
        }
        func real() throws -> Double {
            guard let v = Double(text), v.isFinite else { throw NNError("\(source): '\(raw)' is not a number") }
            return v
        }
        func enumValue<E: RawRepresentable & CaseIterable>(_: E.Type) throws -> E where E.RawValue == String {
            guard let v = E(rawValue: text) else {
                throw NNError("\(source): unknown value '\(raw)' (expected one of: \(E.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return v
        }
        func list() throws -> [String] {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if text.isEmpty || parts.contains(where: \.isEmpty) { throw NNError("\(source): '\(raw)' has an empty item") }
            return parts
        }
        switch key {
        case "name":
            try Self.validateName(text, source: source)
            name = text
        case "description": description = raw
        case "dataset": dataset = text
        case "classes":
            guard text == "binary" || text == "all" else { throw NNError("\(source): unknown value '\(raw)' (expected binary or all)") }
            classes = text
        case "positive_digit": positiveDigit = try int()
        case "train_size": trainSize = try int()
        case "test_size": testSize = try int()
        case "split_seed": splitSeed = try int()
        case "bias_column":
            guard let b = Bool(text) else { throw NNError("\(source): '\(raw)' is not true or false") }
            biasColumn = b
        case "layers":
            layers = try list().map {
                guard let v = Int($0) else { throw NNError("\(source): '\($0)' in '\(raw)' is not an integer") }
                return v
            }
        case "activations":
            activations = try list().map {
                guard let a = Activation(rawValue: $0) else {
                    throw NNError("\(source): unknown activation '\($0)' (expected one of: \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                return a
            }
        case "loss": loss = try enumValue(LossKind.self)
        case "gradient": gradient = try enumValue(GradientPath.self)
        case "init": initialization = try enumValue(InitKind.self)
        case "optimizer": optimizer = try enumValue(OptimizerKind.self)
        case "lr": lr = try real()
        case "epochs": epochs = try int()
        case "batch_size": batchSize = try int()
        case "momentum": momentum = try real()
        case "beta1": beta1 = try real()
        case "beta2": beta2 = try real()
        case "adam_epsilon": adamEpsilon = try real()
        case "precision":
            guard text == "f64" || text == "f32" else { throw NNError("\(source): unknown precision '\(raw)' (expected f64 or f32)") }
            precision = text
        case "seed": seed = try int()
        case "threshold": threshold = try real()
        default:
            throw NNError("\(source): unknown key '\(key)' (known: \(Self.keys.joined(separator: ", ")))")
        }
    }

    /// The value of `key` in its text form (the inverse of `set`).
    func text(_ key: String) -> String {
        switch key {
        case "name": return name
        case "description": return description
        case "dataset": return dataset
        case "classes": return classes
        case "positive_digit": return String(positiveDigit)
        case "train_size": return String(trainSize)
        case "test_size": return String(testSize)
        case "split_seed": return String(splitSeed)
        case "bias_column": return String(biasColumn)
        case "layers": return layers.map(String.init).joined(separator: ",")
        case "activations": return activations.map(\.rawValue).joined(separator: ",")
        case "loss": return loss.rawValue
        case "gradient": return gradient.rawValue
        case "init": return initialization.rawValue
        case "optimizer": return optimizer.rawValue
        case "lr": return NumberText.real(lr)
        case "epochs": return String(epochs)
        case "batch_size": return String(batchSize)
        case "momentum": return NumberText.real(momentum)
        case "beta1": return NumberText.real(beta1)
        case "beta2": return NumberText.real(beta2)
        case "adam_epsilon": return NumberText.real(adamEpsilon)
        case "precision": return precision
        case "seed": return String(seed)
        case "threshold": return NumberText.real(threshold)
        default: return ""
        }
    }

    /// Applies a JSON object (an experiment file): every key optional, unknown keys rejected.
    mutating func apply(json object: [String: JSONValue], source: String) throws {
        for key in object.keys.sorted() where key != "grid" {
            guard let raw = object[key]!.text else { throw NNError("\(source): key '\(key)' has an unsupported value") }
            try set(key, raw, source: "\(source): \(key)")
        }
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
                guard let values = gd[key]!.elements, !values.isEmpty else {
                    throw NNError("\(path): grid key '\(key)' must be a non-empty list")
                }
                grid.append((key, try values.map { v in
                    guard let t = v.text else { throw NNError("\(path): grid key '\(key)' has an unsupported value") }
                    return t
                }))
            }
        }
        return (c, grid)
    }

    /// The target the data is prepared for.
    var target: PreparedTarget { classes == "all" ? .allClasses : .binary(positiveDigit: positiveDigit) }

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

    /// Checks every value; errors name the flag.
    package func validate() throws {
        try Self.validateName(name, source: "name")
        if epochs <= 0 { throw NNError("--epochs: must be a positive integer, got \(epochs)") }
        if !(lr > 0) { throw NNError("--lr: must be > 0, got \(NumberText.shortest(lr))") }
        if batchSize < 0 { throw NNError("--batch-size: must be >= 0 (0 = full batch), got \(batchSize)") }
        if seed < 0 || seed > Int(UInt32.max) { throw NNError("--seed: must be in 0...\(UInt32.max), got \(seed)") }
        if !(0...9).contains(positiveDigit) { throw NNError("positive_digit: must be a digit 0-9, got \(positiveDigit)") }
        if !(threshold > 0 && threshold < 1) { throw NNError("--threshold: must be in (0, 1), got \(NumberText.shortest(threshold))") }
        if optimizer == .momentum && !(momentum >= 0 && momentum < 1) { throw NNError("momentum: must be in [0, 1), got \(NumberText.real(momentum))") }
        if optimizer == .adam && !(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && adamEpsilon > 0) {
            throw NNError("adam: need 0 <= beta1, beta2 < 1 and adam_epsilon > 0")
        }
        // Sizes first: a layer too large for the machine is the problem to report.
        try architecture.requireMemory(scalarBytes: scalarBytes, optimizer: optimizer, what: layersFlag)
        try architecture.validate()
        if layers.last! != target.outputs {
            throw NNError("--layers: the last layer has \(layers.last!) output(s) but classes '\(classes)' needs \(target.outputs)")
        }
        if classes == "binary" && loss != .bce { throw NNError("--loss: classes 'binary' needs bce, got \(loss.rawValue)") }
        if classes == "all" && loss != .cce { throw NNError("--loss: classes 'all' needs cce, got \(loss.rawValue)") }
    }

    /// Checks the input width against the data's feature count and, with `samples` > 0,
    /// that training on that many samples fits in physical memory
    /// (`Architecture.requireMemory`).
    func validate(features: Int, samples: Int = 0) throws {
        let expected = features + (biasColumn ? 1 : 0)
        if layers[0] != expected {
            throw NNError("--layers: the input layer has \(layers[0]) units but the data has \(features) features\(biasColumn ? " + 1 bias column" : "") = \(expected)")
        }
        try architecture.requireMemory(scalarBytes: scalarBytes, samples: samples, optimizer: optimizer, what: layersFlag)
    }

    /// Bytes per weight at this precision.
    var scalarBytes: Int { precision == "f32" ? 4 : 8 }

    /// `--layers 785,395,...`, for messages.
    var layersFlag: String { "--layers " + layers.map(String.init).joined(separator: ",") }

    /// The prepare options that produce this experiment's data.
    var prepareOptions: PrepareOptions {
        PrepareOptions(trainSize: trainSize, testSize: testSize, seed: UInt32(clamping: splitSeed), target: target)
    }

    /// The resolved config as a JSON object (every key), plus extra entries.
    func jsonObject(extra: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var o: [String: JSONValue] = [:]
        for k in Self.keys {
            switch k {
            case "layers": o[k] = .array(layers.map { .int($0) })
            case "activations": o[k] = .array(activations.map { .string($0.rawValue) })
            case "positive_digit", "train_size", "test_size", "split_seed", "epochs", "batch_size", "seed":
                o[k] = .int(Int(text(k))!)
            case "lr", "momentum", "beta1", "beta2", "adam_epsilon", "threshold":
                o[k] = .real(Double(text(k))!)
            case "bias_column": o[k] = .bool(biasColumn)
            default: o[k] = .string(text(k))
            }
        }
        for (k, v) in extra { o[k] = v }
        return o
    }
}
