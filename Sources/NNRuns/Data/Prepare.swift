import Foundation
import NNBase
import NNKernel
import NNFormats

/// The parameters of `nn prepare`: which split of the pool, and which target.
package struct PrepareOptions: Equatable, Sendable {
    var trainSize: Int
    var testSize: Int
    /// The split's `random_state`: `RandomState(seed).permutation(pool)`.
    var seed: UInt32
    var target: PreparedTarget

    /// Defaults are the notebook's: 50000 train, 20000 test, seed 42, "is it an 8".
    package init(trainSize: Int = 50_000, testSize: Int = 20_000, seed: UInt32 = 42,
                target: PreparedTarget = .binary(positiveDigit: 8)) {
        self.trainSize = trainSize
        self.testSize = testSize
        self.seed = seed
        self.target = target
    }

    /// Checks the flags that can be checked without data; errors name the flag.
    package func validate() throws {
        guard trainSize > 0 else { throw NNError("--train-size \(trainSize): must be at least 1") }
        guard testSize > 0 else { throw NNError("--test-size \(testSize): must be at least 1") }
        if case .binary(let d) = target, !(0...9).contains(d) {
            throw NNError("--positive-digit \(d): must be a digit 0-9")
        }
    }

    /// The prepared directory's name: `<dataset>-<target>-<train>-<test>-s<seed>`, where
    /// target is `binary<digit>` or `all`; e.g. `mnist-binary8-50000-20000-s42`.
    func directoryName(dataset: String) -> String {
        "\(dataset)-\(target.slug)-\(trainSize)-\(testSize)-s\(seed)"
    }

    /// `results/prepared/<directoryName>` (relative to the working directory).
    package func defaultDirectory(dataset: String) -> String {
        FilePath.join("results/prepared", directoryName(dataset: dataset))
    }

    /// The `nn prepare` invocation that makes this dataset in its default directory.
    func commandLine(dataset: String) -> String {
        var parts = ["nn prepare --dataset \(dataset)", "--train-size \(trainSize)", "--test-size \(testSize)", "--seed \(seed)"]
        switch target {
        case .binary(let d): parts += ["--classes binary", "--positive-digit \(d)"]
        case .allClasses: parts.append("--classes all")
        }
        return parts.joined(separator: " ")
    }
}

/// `nn prepare`: verifies a dataset's four IDX files against the registry, pools them
/// (training files then test files), splits the pool as the notebook's
/// `train_test_split(..., random_state=seed)` does and writes the two splits as
/// uncompressed IDX files plus `manifest.json` (see `PreparedManifest`).
///
/// Writing: every file goes to a temporary name and is renamed into place; an old
/// manifest is removed first and the new one is written last, so a directory whose
/// manifest verifies is complete. If the directory did not exist and preparing fails, it
/// is removed again. Same inputs and options give byte-identical files.
package enum Prepare {
    package struct Outcome: Sendable {
        var directory: String
        /// True when the directory already held this dataset and nothing was written.
        package var upToDate: Bool
        package var manifest: PreparedManifest
        var split: TrainTestSplit
    }

    /// How `nn prepare` takes the files from another directory, the end of a missing
    /// file's error.
    static let passDataDir = "or pass --data-dir"

    /// Prepares `spec`'s files from `dataDir` into `outDir`, or reports it up to date.
    /// A missing file's error ends with `elsewhere`: how the calling command takes files
    /// from another directory (`nn prepare`: its `--data-dir`).
    package static func run(spec: DatasetSpec, dataDir: String, outDir: String,
                           options: PrepareOptions, elsewhere: String = passDataDir) throws -> Outcome {
        try options.validate()
        let roles = ["train-images", "train-labels", "test-images", "test-labels"]
        let paths = spec.files.map { FilePath.join(dataDir, $0.name) }
        try checkOurs(outDir)
        AtomicFile.removeStaleTemporaries(in: outDir)   // left by a killed `nn prepare`

        if let outcome = try upToDate(spec: spec, paths: paths, roles: roles, outDir: outDir, options: options) {
            return outcome
        }

        // Labels first (small): they give the pool size, so a split that does not fit
        // fails before the large image files are read.
        let trainLabels = try readSource(spec.trainLabels, path: paths[1], spec: spec, elsewhere: elsewhere)
        let testLabels = try readSource(spec.testLabels, path: paths[3], spec: spec, elsewhere: elsewhere)
        try checkLabels(trainLabels)
        try checkLabels(testLabels)
        let trainCount = trainLabels.header.shape[0], testCount = testLabels.header.shape[0]
        let split = try TrainTestSplit(poolSize: trainCount + testCount, trainSize: options.trainSize,
                                       testSize: options.testSize, seed: options.seed)

        let trainImages = try readSource(spec.trainImages, path: paths[0], spec: spec, elsewhere: elsewhere)
        let testImages = try readSource(spec.testImages, path: paths[2], spec: spec, elsewhere: elsewhere)
        try checkImages(trainImages, labels: trainLabels)
        try checkImages(testImages, labels: testLabels)
        let imageShape = Array(trainImages.header.shape.dropFirst())
        let testShape = Array(testImages.header.shape.dropFirst())
        guard testShape == imageShape else {
            throw NNError("\(testImages.path): images are \(dims(testShape)) but \(trainImages.path) has \(dims(imageShape))")
        }

        let pool = Pool(images: [trainImages, testImages], labels: [trainLabels, testLabels],
                        imageShape: imageShape)
        let sources = zip(roles, [trainImages, trainLabels, testImages, testLabels]).map { role, s in
            PreparedManifest.Source(role: role, file: s.file.name, payloadSHA256: s.sha256, payloadBytes: s.bytes.count)
        }
        let manifest = try write(outDir: outDir) {
            PreparedManifest(
                format: PreparedManifest.format,
                formatVersion: PreparedManifest.formatVersion,
                dataset: spec.name,
                sources: sources,
                split: manifestSplit(split),
                imageShape: imageShape,
                features: pool.features,
                target: options.target,
                transform: .notebook,
                train: try pool.write(split.train, directory: outDir, imagesFile: PreparedLayout.trainImagesFile, labelsFile: PreparedLayout.trainLabelsFile),
                test: try pool.write(split.test, directory: outDir, imagesFile: PreparedLayout.testImagesFile, labelsFile: PreparedLayout.testLabelsFile))
        }
        return Outcome(directory: outDir, upToDate: false, manifest: manifest, split: split)
    }

    // MARK: - Whose directory

    /// Throws, touching nothing, unless `outDir` is absent, empty, holds a manifest of
    /// nn's (`format` is `PreparedManifest.format`, however inconsistent the rest: that is
    /// rebuilt), or holds nothing but prepare's own files and temporary files (a killed
    /// `nn prepare`). Anything else is someone else's directory.
    static func checkOurs(_ outDir: String) throws {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: outDir), !entries.isEmpty else { return }
        let manifestPath = PreparedLayout(outDir).manifest
        if let doc = try? JSONValue.read(path: manifestPath), doc["format"]?.text == PreparedManifest.format { return }
        if entries.allSatisfy({ PreparedLayout.dataFiles.contains($0) || AtomicFile.leftover($0)?.kind == "tmp" }) { return }
        throw NNError("\(outDir): not empty and not a prepared directory written by nn (no nn \(PreparedLayout.manifestFile)); nothing was changed, choose another --out")
    }

    // MARK: - Up-to-date check

    /// The outcome if `outDir` already holds a manifest for exactly these sources and
    /// options, consistent as a whole (`PreparedManifest.validate`), whose index hashes
    /// match a recomputed split and whose four data files load and verify
    /// (`PreparedDataset.load`: size, SHA-256, IDX headers, labels); nil otherwise (then
    /// everything is prepared again).
    /// Sources the registry pins are compared with their pins without reading them;
    /// unpinned ones are read and hashed.
    static func upToDate(spec: DatasetSpec, paths: [String], roles: [String], outDir: String,
                         options: PrepareOptions) throws -> Outcome? {
        let manifestPath = PreparedLayout(outDir).manifest
        guard FileManager.default.fileExists(atPath: manifestPath),
              let existing = try? PreparedManifest.decode(readFileBytes(manifestPath), name: manifestPath)
        else { return nil }
        guard existing.dataset == spec.name, existing.target == options.target,
              existing.split.method == TrainTestSplit.method, existing.split.seed == options.seed,
              existing.split.trainSize == options.trainSize, existing.split.testSize == options.testSize
        else { return nil }
        var expected = [PreparedManifest.Source]()
        for (i, file) in spec.files.enumerated() {
            var sha = file.payloadSHA256, bytes = file.payloadBytes
            if sha.isEmpty {
                guard let digest = try? Checksum.payloadDigest(path: paths[i]) else { return nil }
                (sha, bytes) = digest
            }
            expected.append(.init(role: roles[i], file: file.name, payloadSHA256: sha, payloadBytes: bytes))
        }
        guard existing.sources == expected,
              let split = try? TrainTestSplit(poolSize: existing.split.poolSize, trainSize: options.trainSize,
                                              testSize: options.testSize, seed: options.seed),
              existing.split == manifestSplit(split)
        else { return nil }
        // The data files verify (size, SHA-256) and agree with the manifest as a whole.
        guard (try? PreparedDataset.load(directory: outDir)) != nil else { return nil }
        return Outcome(directory: outDir, upToDate: true, manifest: existing, split: split)
    }

    static func manifestSplit(_ split: TrainTestSplit) -> PreparedManifest.Split {
        PreparedManifest.Split(
            method: TrainTestSplit.method, poolOrder: PreparedManifest.poolOrder, poolSize: split.poolSize,
            trainSize: split.trainSize, testSize: split.testSize, seed: split.seed,
            indicesEncoding: PreparedManifest.indicesEncoding,
            trainIndicesSHA256: TrainTestSplit.indexDigest(split.train),
            testIndicesSHA256: TrainTestSplit.indexDigest(split.test))
    }

    // MARK: - Reading and checking the sources

    /// One source file's payload (decompressed IDX bytes), its header and SHA-256.
    struct Source {
        var file: DatasetFile
        var path: String
        var bytes: [UInt8]
        var header: IDXHeader
        var sha256: String
    }

    /// Reads `path` (gzip or plain) in one pass, hashing while inflating; refuses a payload
    /// whose size or SHA-256 differs from the registry's pin (an empty pin is not checked),
    /// and stops reading as soon as it passes the pinned size or its IDX header's size.
    static func readSource(_ file: DatasetFile, path: String, spec: DatasetSpec,
                           elsewhere: String = passDataDir) throws -> Source {
        let fetch = "run `nn fetch --dataset \(spec.name)`"
        guard FileManager.default.fileExists(atPath: path) else {
            throw NNError("\(path): no such file; \(fetch) (\(elsewhere))")
        }
        var hasher = Checksum.Stream()
        // A pinned file stops one byte past its pin (a gzip bomb never inflates further).
        let bytes = try IDXArray.readFile(path: path, maxBytes: file.payloadSHA256.isEmpty ? .max : file.payloadBytes,
                                          observe: { hasher.update($0) })
        let sha = hasher.finalize()
        if !file.payloadSHA256.isEmpty {
            guard bytes.count == file.payloadBytes else {
                throw NNError("\(path): payload is \(bytes.count) bytes but \(spec.name) pins \(file.payloadBytes); the file is damaged or not \(spec.name)'s — \(fetch)")
            }
            guard sha == file.payloadSHA256 else {
                throw NNError("\(path): payload SHA-256 \(sha) does not match \(file.payloadSHA256) pinned for \(spec.name); the file is damaged or not \(spec.name)'s — \(fetch)")
            }
        }
        let header = try IDXHeader.parse(bytes, name: path)
        try header.checkPayload(bytes.count - header.size, name: path)
        return Source(file: file, path: path, bytes: bytes, header: header, sha256: sha)
    }

    /// Labels must be u8 of rank 1 holding digits 0-9.
    static func checkLabels(_ s: Source) throws {
        guard s.header.type == .u8, s.header.shape.count == 1 else {
            throw NNError("\(s.path): expected u8 labels of rank 1, found \(s.header.type.name) of shape \(s.header.shape)")
        }
        if let i = s.bytes[s.header.size...].firstIndex(where: { $0 > 9 }) {
            throw NNError("\(s.path): label \(s.bytes[i]) at index \(i - s.header.size) is not a digit 0-9")
        }
    }

    /// Images must be u8 of rank 3 (count x rows x cols), as many as there are labels.
    static func checkImages(_ s: Source, labels: Source) throws {
        guard s.header.type == .u8, s.header.shape.count == 3 else {
            throw NNError("\(s.path): expected u8 images of rank 3 (count x rows x cols), found \(s.header.type.name) of shape \(s.header.shape)")
        }
        guard s.header.shape[0] == labels.header.shape[0] else {
            throw NNError("\(labels.path): \(labels.header.shape[0]) labels but \(s.path) has \(s.header.shape[0]) images")
        }
        guard s.header.shape[1] > 0, s.header.shape[2] > 0 else {
            throw NNError("\(s.path): images are \(dims(Array(s.header.shape.dropFirst()))), expected at least 1x1")
        }
    }

    private static func dims(_ shape: [Int]) -> String { shape.map(String.init).joined(separator: "x") }

    // MARK: - Gathering and writing the splits

    /// The pool: the items of the training files, then those of the test files.
    struct Pool {
        var images: [Source]
        var labels: [Source]
        var imageShape: [Int]
        var features: Int { imageShape.reduce(1, *) }

        /// Writes the items at `indices`, in that order, as `imagesFile` (u8 [n, rows, cols])
        /// and `labelsFile` (u8 [n]) in `directory`, each atomically. Image rows are copied
        /// with memcpy into a block of about 1 MiB that is hashed and written in turn.
        func write(_ indices: [Int], directory: String, imagesFile: String,
                   labelsFile: String) throws -> PreparedManifest.SplitFiles {
            let n = indices.count, f = features
            let firstCount = labels[0].header.shape[0]
            let imageHeader = IDXArray(u8: [], shape: [n] + imageShape).encoded()
            var labelBytes = IDXArray(u8: [], shape: [n]).encoded()
            labelBytes.reserveCapacity(labelBytes.count + n)
            var classCounts = [Int](repeating: 0, count: 10)

            let writer = try AtomicFileWriter(path: FilePath.join(directory, imagesFile))
            var hasher = Checksum.Stream()
            func emit(_ bytes: UnsafeRawBufferPointer) throws {
                hasher.update(bytes)
                try writer.write(bytes)
            }
            try imageHeader.withUnsafeBytes { try emit($0) }
            let rowsPerBlock = max(1, (1 << 20) / f)
            var block = [UInt8](repeating: 0, count: rowsPerBlock * f)
            try images[0].bytes.withUnsafeBytes { img0 in
                try images[1].bytes.withUnsafeBytes { img1 in
                    let parts = [(img0, images[0].header.size), (img1, images[1].header.size)]
                    for start in stride(from: 0, to: n, by: rowsPerBlock) {
                        let end = min(n, start + rowsPerBlock)
                        block.withUnsafeMutableBytes { out in
                            for k in start..<end {
                                let index = indices[k]
                                let (part, item) = index < firstCount ? (0, index) : (1, index - firstCount)
                                let (src, offset) = parts[part]
                                let from = offset + item * f, to = (k - start) * f
                                UnsafeMutableRawBufferPointer(rebasing: out[to..<(to + f)])
                                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: src[from..<(from + f)]))
                                let label = labels[part].bytes[labels[part].header.size + item]
                                labelBytes.append(label)
                                classCounts[Int(label)] += 1
                            }
                        }
                        try block.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<((end - start) * f)])) }
                    }
                }
            }
            try writer.commit()
            try AtomicFile.write(labelBytes, to: FilePath.join(directory, labelsFile))
            return PreparedManifest.SplitFiles(
                count: n, classCounts: classCounts,
                images: .init(file: imagesFile, bytes: imageHeader.count + n * f, sha256: hasher.finalize()),
                labels: .init(file: labelsFile, bytes: labelBytes.count, sha256: Checksum.sha256(labelBytes)))
        }
    }

    // MARK: - Writing

    /// Creates `outDir`, removes an old manifest, runs `writeData` (which writes the data
    /// files, each atomically, and returns the manifest describing them) and writes the
    /// manifest last. On failure a directory this call created is removed again if it is
    /// empty (never recursively: another `nn prepare` may have filled it meanwhile; data
    /// files left without a manifest are rebuilt by the next run).
    static func write(outDir: String, _ writeData: () throws -> PreparedManifest) throws -> PreparedManifest {
        let existed = FileManager.default.fileExists(atPath: outDir)
        try AtomicFile.createDirectory(outDir)
        let manifestPath = PreparedLayout(outDir).manifest
        do {
            if unlink(manifestPath) != 0 && errno != ENOENT {
                throw NNError("\(manifestPath): cannot remove the old manifest: \(String(cString: strerror(errno)))")
            }
            let manifest = try writeData()
            try AtomicFile.write(try manifest.encoded(), to: manifestPath)
            return manifest
        } catch {
            if !existed { rmdir(outDir) }
            throw error
        }
    }
}
