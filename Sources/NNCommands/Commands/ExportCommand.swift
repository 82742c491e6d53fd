import ArgumentParser
import NNKernel
import NNFormats
import NNRuns
import NNSweeps
import NNReports
import NNRunIndex

extension Export.Format: ExpressibleByArgument {}

/// `nn export DIR --format npz|safetensors [--out FILE]`: the model for NumPy or PyTorch.
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

            Examples:
              nn export results/runs/notebook/0123456789ab --format npz
              nn export results/runs/notebook/0123456789ab --format safetensors --out model.safetensors
            """
    )

    @Argument(help: "Run directory written by `nn train` (also --run DIR).", completion: .directory)
    var dir: String?

    @OptionGroup var runOption: RunDirOptions

    @Option(help: "The file format.")
    var format: Export.Format

    @Option(help: "Output file (default: beside the model, DIR/model.npz or DIR/model.safetensors).", completion: .file())
    var out: String?

    func validate() throws { _ = try runOption.run(positional: dir) }

    func run() throws {
        let runDir = try runOption.run(positional: dir)
        if let out { try OutputPath.check(out, flag: "--out") }
        let lock = try RunLock.reading([runDir])
        defer { withExtendedLifetime(lock) {} }
        let (path, tensors) = try Export.write(runDir: runDir, format: format, out: out)
        // Tensors come in pairs, weight (out x in) then bias, layer by layer.
        let sizes = ([tensors.first?.shape.last ?? 0] + tensors.compactMap { $0.shape.count == 1 ? $0.shape[0] : nil })
        print("wrote \(path): \(tensors.count) tensors layers.{0-\(tensors.count / 2 - 1)}.weight/bias "
              + "(\(sizes.map(String.init).joined(separator: "-")), \(tensors.first?.dtype.rawValue ?? ""))")
    }
}
