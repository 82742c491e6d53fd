import NNBase
import NNKernel
import NNFormats
import NNRuns
/// The grid of a sweep: for each swept experiment key, the list of values it takes.
///
/// Keys are `ExperimentConfig` keys (snake_case). A list is written as text, its items
/// separated by `;` for the list-valued keys (`layers`, `activations`, whose own items are
/// separated by `,`) and by `,` for every other key:
///
///     lr          0.1,0.3
///     layers      785,395,200,100,20,1;785,100,1
///
/// Every value is checked by `ExperimentConfig.set` and kept in its normalized text form
/// (`ExperimentConfig.text`: `0.10` → `0.1`, `1e3` → `1000.0`), so a value means the same
/// wherever it came from. A list may not be empty, hold an empty item, or name one value
/// twice.
///
/// Axes are kept in the canonical order of `ExperimentConfig.keys` (alphabetical),
/// whatever order the flags or the file gave them in; the values of an axis keep the
/// order they were given in. `points` is the cartesian product with the first axis
/// varying slowest (nested loops in axis order, like `itertools.product`).
struct SweepGrid: Equatable, Sendable {
    struct Axis: Equatable, Sendable {
        var key: String
        var values: [String]
        init(key: String, values: [String]) {
            self.key = key
            self.values = values
        }
    }

    /// The axes, in `ExperimentConfig.keys` order.
    private(set) var axes: [Axis] = []

    /// The random search whose samples the grid's product is taken for (`RandomSearch`).
    private(set) var random: RandomSearch?

    /// Keys whose values are themselves lists (items `,`-separated), so grid lists of them
    /// are `;`-separated (`ExperimentKey.isList`).
    static let listValuedKeys = Set(ExperimentConfig.table.filter(\.isList).map(\.name))


    /// Keys that select the prepared data: sweeping them gives each point its own data
    /// directory, so they cannot be combined with one `--data` (`ExperimentKey.selectsData`).
    static let dataKeys = Set(ExperimentConfig.table.filter(\.selectsData).map(\.name))

    init() {}

    /// Builds a grid from the experiment file's `grid` section (values as text, one per
    /// item) and the command line's lists (`list` unparsed, as typed after the flag;
    /// `source` names the flag). A key given on the command line replaces the file's list
    /// for that key; giving one key twice on the command line is an error.
    init(file: [(key: String, values: [String])], fileSource: String,
        flags: [(key: String, list: String, source: String)], random: (count: Int, seed: UInt32)? = nil) throws {
        // Texts that may name a distribution (a file's one-item list, a flag's list).
        var raw: [String: (text: String, source: String)] = [:]
        var fileLists: [String: [String]] = [:]
        for (key, values) in file {
            fileLists[key] = values
            if values.count == 1 { raw[key] = (values[0], "\(fileSource): grid \(key)") }
        }
        var flagLists: [String: (list: String, source: String)] = [:]
        for (key, list, source) in flags {
            if let first = flagLists[key]?.source { throw NNError("\(source): key '\(key)' is already given by \(first)") }
            flagLists[key] = (list, source)
            raw[key] = (list, source)
            fileLists[key] = nil
        }
        var listed = Set(fileLists.keys).union(flagLists.keys)
        self.random = try Self.splitRandom(listed: &listed, raw: raw, random: random)
        var lists: [String: [String]] = [:]
        for key in fileLists.keys.sorted() where listed.contains(key) {
            let values = fileLists[key]!
            lists[key] = try Self.normalize(key: key, items: values, raw: values.joined(separator: "; "),
                                            source: "\(fileSource): grid \(key)")
        }
        for (key, _, source) in flags where listed.contains(key) {
            lists[key] = try Self.parseList(key: key, flagLists[key]!.list, source: source)
        }
        axes = ExperimentConfig.keys.compactMap { key in lists[key].map { Axis(key: key, values: $0) } }
        try checkSize()
    }

    /// The most points a sweep may have: a bound in time as well as memory. Each point is a
    /// run directory, and planning alone is measured: `nn sweep --random 100000 --lr
    /// loguniform:0.01:1 --dry-run` took 24.4 s and 175 MB (debug build, a loaded 2-core
    /// machine: about 4,000 points a second), so the largest sweep is planned in under half
    /// a minute and one more point fails at once (0.6 s). 1,000,000 allowed ten times that.
    static let maxPoints = 100_000

    /// Throws, before any point is made, when the axes' product (times the random
    /// search's samples) passes `maxPoints`; the product is overflow-checked.
    func checkSize() throws {
        var total = random?.count ?? 1
        for axis in axes {
            let (p, o) = total.multipliedReportingOverflow(by: axis.values.count)
            guard !o, p <= Self.maxPoints else {
                let sizes = ((random.map { ["\($0.count) samples"] } ?? []) + axes.map { "\($0.values.count) \($0.key)" })
                throw NNError("grid: \(sizes.joined(separator: " x ")) is more than the \(Self.maxPoints) points a sweep may have; sweep fewer values")
            }
            total = p
        }
    }

    /// Parses one command-line list for `key` (see the type's description for the
    /// separators); `source` names the flag in errors.
    static func parseList(key: String, _ raw: String, source: String) throws -> [String] {
        let separator: Character = listValuedKeys.contains(key) ? ";" : ","
        let text = raw.trimmingCharacters(in: .whitespaces)
        if text.isEmpty { throw NNError("\(source): empty list (give at least one value)") }
        let items = text.split(separator: separator, omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return try normalize(key: key, items: items, raw: raw, source: source)
    }

    /// Splits a generic `--grid key=v1,v2` assignment into its key and its (unparsed)
    /// list; `parseList` checks the list.
    static func splitAssignment(_ raw: String, source: String = "--grid") throws -> (key: String, list: String) {
        guard let eq = raw.firstIndex(of: "="), eq != raw.startIndex else {
            throw NNError("\(source) '\(raw)': expected key=value1,value2 (e.g. lr=0.1,0.3)")
        }
        let key = raw[..<eq].trimmingCharacters(in: .whitespaces)
        try checkKey(key, source: "\(source) \(key)")
        return (key, String(raw[raw.index(after: eq)...]))
    }

    /// Rejects keys that are not experiment keys or cannot be swept.
    static func checkKey(_ key: String, source: String) throws {
        guard ExperimentConfig.keys.contains(key) else {
            let sweepable = ExperimentConfig.keys.filter { !RunID.labelKeys.contains($0) }
            throw NNError("\(source): unknown grid key '\(key)' (known: \(sweepable.joined(separator: ", ")))")
        }
        if RunID.labelKeys.contains(key) { throw NNError("\(source): '\(key)' is a label, not a parameter; it cannot be swept") }
    }

    /// Checks each item with `ExperimentConfig.set` and returns their normalized texts.
    static func normalize(key: String, items: [String], raw: String, source: String) throws -> [String] {
        try checkKey(key, source: source)
        if items.isEmpty { throw NNError("\(source): empty list (give at least one value)") }
        var scratch = ExperimentConfig()
        var out: [String] = []
        var given: [String: String] = [:]
        for item in items {
            if item.trimmingCharacters(in: .whitespaces).isEmpty { throw NNError("\(source): '\(raw)' has an empty item") }
            try scratch.set(key, item, source: source)
            let value = scratch.text(key)
            if let first = given[value] {
                throw NNError("\(source): '\(raw)' names the value \(value) twice ('\(first)' and '\(item)')")
            }
            given[value] = item
            out.append(value)
        }
        return out
    }

    /// Number of points (1 for an empty grid: the base experiment alone).
    var count: Int { axes.reduce(random?.count ?? 1) { $0 * $1.values.count } }

    /// The keys of the axes and of the random search, in `ExperimentConfig.keys` order.
    var keys: [String] { ExperimentConfig.keys.filter { k in axes.contains { $0.key == k } || random?.keys.contains(k) == true } }

    /// The values `key` takes over the points (an axis's, or a random search's samples),
    /// nil when the grid does not vary it.
    func values(of key: String) -> [String]? {
        if let axis = axes.first(where: { $0.key == key }) { return axis.values }
        if let r = random, let i = r.keys.firstIndex(of: key) { return r.samples.map { $0[i] } }
        return nil
    }

    /// The cartesian product: one list of (key, value) per point, in `keys` order, the first
    /// axis varying slowest; with a random search, its samples × the product, the sample
    /// slowest.
    var points: [[(key: String, value: String)]] {
        var out: [[(key: String, value: String)]] = random.map { r in r.samples.map { Array(zip(r.keys, $0)) } } ?? [[]]
        for axis in axes {
            out = out.flatMap { prefix in axis.values.map { prefix + [(axis.key, $0)] } }
        }
        guard random != nil else { return out }
        let order = keys
        return out.map { point in point.sorted { order.firstIndex(of: $0.key)! < order.firstIndex(of: $1.key)! } }
    }
}
