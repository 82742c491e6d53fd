import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

extension SweepGrid {
    /// Moves the keys whose texts are distributions (`SweepDistribution.parse`; a file's
    /// list must be that one text) out of `listed` into a random search of `random` (count,
    /// sample seed). A distribution without `random`, or `random` without a distribution,
    /// is an error naming the flag.
    static func splitRandom(listed: inout Set<String>, raw: [String: (text: String, source: String)],
                            random: (count: Int, seed: UInt32)?) throws -> RandomSearch? {
        var distributions: [(key: String, distribution: SweepDistribution)] = []
        for key in ExperimentConfig.keys {
            guard let (text, source) = raw[key], let d = try SweepDistribution.parse(key: key, text, source: source) else { continue }
            guard random != nil else { throw NNError("\(source): '\(text)' is a distribution; it needs --random N") }
            distributions.append((key, d))
            listed.remove(key)
        }
        guard let random else { return nil }
        if distributions.isEmpty {
            throw NNError("--random \(random.count): no key has a distribution (e.g. --lr loguniform:0.01:1 or --grid momentum=uniform:0.5:0.99)")
        }
        return try RandomSearch(count: random.count, sampleSeed: random.seed, distributions: distributions)
    }
}
