import Foundation
import NNKernel
import NNFormats

/// `nn export`: a run's model as NumPy `.npz` or safetensors, for use outside `nn`.
///
/// Tensors are named as a PyTorch `state_dict` of `nn.Sequential` `Linear` layers in a
/// `layers` list would name them: `layers.{i}.weight` (out × in, row-major) and
/// `layers.{i}.bias` (out), i = 0, 1, …, in the model's precision (`<f8`/`F64` for f64,
/// `<f4`/`F32` for f32), bit for bit the values in `model.nnm`.
///
/// The metadata record (JSON; in the npz the 0-d string array `metadata`, in safetensors
/// the `__metadata__` strings, one per key, non-strings as compact JSON text):
///
///     format "nn-export", format_version 1, sizes [785, 395, …, 1], activations ["relu", …],
///     loss, gradient, precision, dataset,
///     preprocessing {bias_column, scale 255, input (how x is built)},
///     target {kind "binary", positive_digit, threshold, output} or
///            {kind "all", classes [names], output}
///
/// With the bias column, an image's input is `x = [1, p₁, …, p₇₈₄] / 255` — the bias input
/// is 1/255 and multiplies column 0 of `layers.0.weight` — then, per layer,
/// `a = f(W·a + b)`.
package enum Export {
    package enum Format: String, CaseIterable, Sendable {
        case npz, safetensors
    }

    /// Where the export goes by default: beside the model, `DIR/model.npz` or `DIR/model.safetensors`.
    static func defaultPath(runDir: String, format: Format) -> String {
        FilePath.join(runDir, "model." + format.rawValue)
    }

    /// Writes the export of the run in `runDir` to `out` (default `defaultPath`), atomically;
    /// returns the path and the tensors written.
    package static func write(runDir: String, format: Format, out: String?) throws -> (path: String, tensors: [ExportTensor]) {
        let run = try TrainedRun(runDir)
        let tensors = run.config.precision == .f32 ? try tensors(run.network(Float.self)) : try tensors(run.network(Double.self))
        let meta = metadata(run.config)
        let bytes: [UInt8]
        switch format {
        case .npz:
            bytes = try NPZ.encode(tensors, metadata: meta.encoded(pretty: false))
        case .safetensors:
            let strings = (meta.dictionary.map { d in d.keys.sorted().map { ($0, d[$0]!) } } ?? []).map { key, value in
                if case .string(let s) = value { return (key: key, value: s) }
                return (key: key, value: value.encoded(pretty: false))
            }
            bytes = try Safetensors.encode(tensors, metadata: strings)
        }
        let path = out ?? defaultPath(runDir: runDir, format: format)
        try AtomicFile.write(bytes, to: path)
        return (path, tensors)
    }

    /// `layers.{i}.weight` and `layers.{i}.bias` of every layer, little-endian.
    static func tensors<T: NNScalar>(_ net: Network<T>) -> [ExportTensor] {
        let dtype: ExportTensor.DType = T.self == Float.self ? .f32 : .f64
        return net.parameters.enumerated().map { k, p in
            var data: [UInt8] = []
            data.reserveCapacity(p.value.count * dtype.size)
            for v in UnsafeBufferPointer(p.value.storage) { ModelFile.appendLE(v, to: &data) }
            let isWeight = p.role == .weights
            return ExportTensor(name: "layers.\(k / 2).\(isWeight ? "weight" : "bias")", dtype: dtype,
                                shape: isWeight ? [p.value.rows, p.value.cols] : [p.value.rows], data: data)
        }
    }

    /// The metadata record (see the type's documentation).
    static func metadata(_ c: ExperimentConfig) -> JSONValue {
        let input = c.biasColumn
            ? "x = concat([1], pixels) / 255: the bias input 1/255 first (column 0 of layers.0.weight), then each pixel (0-255, row-major) / 255"
            : "x = pixels / 255: each pixel (0-255, row-major) / 255"
        let target: JSONValue
        switch c.target {
        case .binary(let digit):
            target = .sortedObject(["kind": .string("binary"), "positive_digit": .int(digit), "threshold": .real(c.threshold),
                                    "output": .string("p(label == \(digit)); predict 1 when p > threshold")])
        case .allClasses:
            target = .sortedObject(["kind": .string("all"),
                                    "classes": .array((0..<10).map { .string(ClassNames.name($0, dataset: c.dataset)) }),
                                    "output": .string("softmax probabilities of classes 0-9; predict the arg-max")])
        }
        return .sortedObject([
            "format": .string("nn-export"), "format_version": .int(1),
            "sizes": .array(c.layers.map { .int($0) }), "activations": .array(c.activations.map { .string($0.rawValue) }),
            "loss": .string(c.loss.rawValue), "gradient": .string(c.gradient.rawValue), "precision": .string(c.precision.rawValue),
            "dataset": .string(c.dataset),
            "preprocessing": .sortedObject(["bias_column": .bool(c.biasColumn), "scale": .int(255), "input": .string(input)]),
            "target": target,
        ])
    }
}
