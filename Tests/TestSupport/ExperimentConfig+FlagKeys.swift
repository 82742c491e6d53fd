import NNRuns

extension ExperimentConfig {
    /// The keys `nn train` and `nn sweep` take as flags (the tests check the flags against them).
    package static var flagKeys: [ExperimentKey] { table.filter(\.hasFlag) }
}
