/// What each dataset's labels 0-9 mean, for output people read (`nn predict`).
enum ClassNames {
    /// Fashion-MNIST's ten classes, in label order (from the dataset's documentation).
    static let fashionMNIST = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// The names of labels 0-9 of `dataset` (a config's `dataset`); nil when the label is its
    /// own name (MNIST's digits).
    static func names(dataset: String) -> [String]? {
        dataset == "fashion-mnist" ? fashionMNIST : nil
    }

    /// The name of class `k` of `dataset`: its name, or the number itself.
    package static func name(_ k: Int, dataset: String) -> String {
        if let names = names(dataset: dataset), names.indices.contains(k) { return names[k] }
        return String(k)
    }
}
