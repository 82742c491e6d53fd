import Foundation
import NNBase
import NNKernel
import NNFormats

/// The files of a prepared directory (default `results/prepared/<dataset>-<target>-<train>-<test>-s<seed>/`),
/// written by `nn prepare` (`Prepare`) and read by `PreparedDataset`: the four IDX files of
/// the split and `manifest.json`, written last, so its presence means complete. What each
/// holds: docs/layout.md (`nn docs prepared-files`, from `ownedFiles`).
package struct PreparedLayout: Sendable {
    package static let trainImagesFile = "train-images.idx"
    package static let trainLabelsFile = "train-labels.idx"
    package static let testImagesFile = "test-images.idx"
    package static let testLabelsFile = "test-labels.idx"
    package static let manifestFile = "manifest.json"
    /// The data files, which `nn prepare` writes before the manifest.
    static let dataFiles: Set<String> = [trainImagesFile, trainLabelsFile, testImagesFile, testLabelsFile]

    /// Every file of a prepared directory: no command writes onto one as an output (`OutputPath`).
    package static let ownedFiles = dataFiles.sorted() + [manifestFile]

    /// True when `relative` (path components below a prepared directory) is one of
    /// `ownedFiles` or a hidden file (temporary files).
    package static func owns(_ relative: [String]) -> Bool {
        relative.count == 1 && (ownedFiles.contains(relative[0]) || relative[0].hasPrefix("."))
    }

    /// True when `dir` holds prepared data (its `manifest.json`).
    package static func isPrepared(_ dir: String) -> Bool { FilePath.exists(PreparedLayout(dir).manifest) }

    /// The prepared directory.
    package var directory: String

    package init(_ directory: String) { self.directory = directory }

    /// `manifest.json`'s path.
    package var manifest: String { path(Self.manifestFile) }

    /// The path of `file` in the directory.
    package func path(_ file: String) -> String { FilePath.join(directory, file) }

    /// Throws, naming the `nn prepare` command that makes it (with `--out` when the
    /// directory was `given` rather than `options`' default), unless the directory holds
    /// a manifest.
    func requireManifest(_ options: PrepareOptions, dataset: String, given: Bool) throws {
        guard FileManager.default.fileExists(atPath: manifest) else {
            throw NNError("\(directory): no prepared data here; run `\(options.commandLine(dataset: dataset))\(given ? " --out \(directory)" : "")` first")
        }
    }

    /// The first command just works: when the directory is `options`' default (not given
    /// with --data) and holds no manifest, prepares it from the dataset's files (as `nn
    /// prepare` would: deterministic, and fast from the vendored files), saying so in one
    /// line on standard error; otherwise as `requireManifest`. Data that is present is
    /// verified when it is loaded (`PreparedDataset.load` checks every file's SHA-256).
    package func prepareIfMissing(_ options: PrepareOptions, dataset: String, given: Bool) throws {
        if given || FileManager.default.fileExists(atPath: manifest) {
            return try requireManifest(options, dataset: dataset, given: given)
        }
        let spec = try Datasets.named(dataset)
        Console.err("nn: no prepared data in \(directory); preparing it (`\(options.commandLine(dataset: dataset))`)\n")
        // Train and sweep take no --data-dir: files elsewhere are prepared by `nn prepare`
        // into this same default directory, where the next run finds them.
        let prepare = "`\(options.commandLine(dataset: dataset)) --data-dir DIR`"
        _ = try Prepare.run(spec: spec, dataDir: spec.defaultDirectory, outDir: directory, options: options,
                            elsewhere: "in this directory, or \(prepare) for files elsewhere")
    }
}
