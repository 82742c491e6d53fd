import ArgumentParser
import NNKernel
import NNFormats
import NNExperiments

extension Export.Format: ExpressibleByArgument {}

/// `nn export --run DIR --format npz|safetensors [--out FILE]`: the model for NumPy or PyTorch.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a trained run's model as NumPy .npz or safetensors.",
        discussion: """
            Tensors are named as a PyTorch state_dict: layers.{i}.weight (out x in) and \
            layers.{i}.bias (out), in the model's precision (f64: <f8/F64, f32: <f4/F32), \
            plus a metadata record (sizes, activations, loss, precision, preprocessing: the \
            bias column and the /255, target and classes): the npz's 0-d string array \
            `metadata` (JSON), safetensors' __metadata__. scripts/nn_predict_numpy.py \
            predicts from an npz export with NumPy alone.
            """
    )

    @Option(name: .customLong("run"), help: "Run directory written by `nn train`.")
    var runDir: String

    @Option(help: "npz or safetensors.")
    var format: Export.Format

    @Option(help: "Output file (default: beside the model, DIR/model.npz or DIR/model.safetensors).")
    var out: String?

    func run() throws {
        let (path, tensors) = try Export.write(runDir: runDir, format: format, out: out)
        let shapes = tensors.map { "\($0.name) \($0.shape.map(String.init).joined(separator: "x"))" }
        print("wrote \(path): \(tensors.count) tensors (\(shapes.joined(separator: ", "))), \(tensors.first?.dtype.rawValue ?? "")")
    }
}
