import NNBase
import NNKernel
import NNFormats
/// Whole-manifest consistency checks, run by `PreparedManifest.decode` (so `nn train`,
/// `nn eval`, `nn sweep` and `nn prepare`'s up-to-date check all see them). Every size is
/// combined with overflow-checked arithmetic (`MemoryBudget`). `PreparedDataset.load`
/// then cross-checks the data files themselves (IDX headers, sizes, labels).
extension PreparedManifest {
    /// Throws an `NNError` naming `name` unless:
    /// - `image_shape` is non-empty and positive and `features` is its product;
    /// - a binary target's `positive_digit` is a digit 0-9;
    /// - both splits are non-empty, match `split.train_size` / `split.test_size`, and
    ///   together fit in `split.pool_size`;
    /// - `split.pool_size` is the number of labels the source label files hold
    ///   (payload − 8 header bytes each), when the sources list them;
    /// - each split's files are the names `nn prepare` writes, of exactly the size an
    ///   IDX file of `count` images of `image_shape` (u8) and `count` labels has;
    /// - `class_counts` has 10 non-negative entries summing to `count`.
    func validate(name: String) throws {
        func fail(_ what: String) -> NNError {
            NNError("\(name): \(what) — the manifest is inconsistent; run `nn prepare` again")
        }
        guard !imageShape.isEmpty, imageShape.allSatisfy({ $0 > 0 }),
              let pixels = MemoryBudget.product(imageShape) else {
            throw fail("image_shape \(imageShape) is not a list of positive dimensions")
        }
        guard features == pixels else {
            throw fail("features \(features) is not the product of image_shape \(imageShape) (\(pixels))")
        }
        if case .binary(let d) = target, !(0...9).contains(d) {
            throw fail("target.positive_digit \(d) is not a digit 0-9")
        }
        for (label, files, size) in [("train", train, split.trainSize), ("test", test, split.testSize)] {
            guard files.count > 0 else { throw fail("the \(label) split is empty") }
            guard files.count == size else {
                throw fail("\(label).count \(files.count) differs from split.\(label)_size \(size)")
            }
        }
        guard let used = MemoryBudget.sum([train.count, test.count]), used <= split.poolSize else {
            throw fail("train and test counts (\(train.count) + \(test.count)) exceed split.pool_size \(split.poolSize)")
        }
        let labelSources = sources.filter { $0.role.hasSuffix("-labels") }
        if !labelSources.isEmpty {
            let counts = labelSources.map { $0.payloadBytes >= 8 ? $0.payloadBytes - 8 : -1 }
            guard MemoryBudget.sum(counts) == split.poolSize else {
                throw fail("split.pool_size \(split.poolSize) differs from the \(counts.map(String.init).joined(separator: " + ")) labels of the sources")
            }
        }
        let imageHeader = 4 + 4 * (1 + imageShape.count)
        let names = [(train, PreparedLayout.trainImagesFile, PreparedLayout.trainLabelsFile),
                     (test, PreparedLayout.testImagesFile, PreparedLayout.testLabelsFile)]
        for (files, imagesFile, labelsFile) in names {
            guard files.images.file == imagesFile, files.labels.file == labelsFile else {
                throw fail("data files \(files.images.file), \(files.labels.file) are not \(imagesFile), \(labelsFile)")
            }
            let imageBytes = MemoryBudget.sum([imageHeader, MemoryBudget.product([files.count, features])])
            guard files.images.bytes == imageBytes else {
                throw fail("\(imagesFile) is listed as \(files.images.bytes) bytes, but \(files.count) images of \(imageShape) take \(imageBytes.map(String.init) ?? "more than \(Int.max)")")
            }
            guard let labelBytes = MemoryBudget.sum([8, files.count]), files.labels.bytes == labelBytes else {
                throw fail("\(labelsFile) is listed as \(files.labels.bytes) bytes, but \(files.count) labels take 8 more")
            }
            guard files.classCounts.count == 10, files.classCounts.allSatisfy({ $0 >= 0 }),
                  MemoryBudget.sum(files.classCounts) == files.count else {
                throw fail("class_counts \(files.classCounts) are not 10 counts summing to \(files.count)")
            }
        }
    }
}
