import Foundation
import NNBase
import NNKernel
import NNFormats
import NNRuns

/// The distribution one key is sampled from in a random search, written as the value of
/// its flag (`--lr loguniform:0.01:1`), of `--grid key=...`, or of the key in the
/// experiment file's `grid` section (`"lr": "loguniform:0.01:1"`):
///
///     uniform:A:B       a real uniform on [A, B]           (number keys)
///     loguniform:A:B    exp of a uniform on [ln A, ln B]   (number keys, 0 < A)
///     int:A:B           an integer uniform on A...B        (integer and number keys)
///     choice:V1,V2,...  one of the values, equally likely  (any key; ';' for layers/activations)
///
/// A sampled real is rounded to 6 significant digits (then clamped into [A, B]) before it
/// is set, so values read well, and a platform's last-bit difference in `exp`/`log` cannot
/// change a run id; every value is then checked and normalised by the key's table entry,
/// exactly like a grid value.
enum SweepDistribution: Equatable, Sendable {
    case uniform(Double, Double)
    case logUniform(Double, Double)
    case int(Int, Int)
    /// The values, normalised (`SweepGrid.parseList`), and the separator of their list
    /// (`;` for the list-valued keys).
    case choice([String], separator: String)

    static let kinds = ["uniform", "loguniform", "int", "choice"]

    /// The distribution `raw` names for `key`, or nil when `raw` is a plain list of values
    /// (it does not start with a kind and ':'). `source` names the flag or file in errors.
    static func parse(key: String, _ raw: String, source: String) throws -> SweepDistribution? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard let colon = text.firstIndex(of: ":"), kinds.contains(String(text[..<colon])) else { return nil }
        let kind = String(text[..<colon]), rest = String(text[text.index(after: colon)...])
        try SweepGrid.checkKey(key, source: source)
        let type = try ExperimentConfig.entry(key, source: source).typeName
        func bad(_ why: String) -> NNError { NNError("\(source): '\(raw)': \(why)") }
        if kind == "choice" {
            let separator = SweepGrid.listValuedKeys.contains(key) ? ";" : ","
            return .choice(try SweepGrid.parseList(key: key, rest, source: source), separator: separator)
        }
        let bounds = rest.split(separator: ":", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard bounds.count == 2 else { throw bad("expected \(kind):A:B") }
        if kind == "int" {
            guard type == "integer" || type == "number" else { throw bad("int: applies to integer and number keys; \(key) is \(type)") }
            guard let a = Int(bounds[0]), let b = Int(bounds[1]) else { throw bad("int bounds must be integers") }
            guard a <= b else { throw bad("needs A <= B") }
            guard b.subtractingReportingOverflow(a).overflow == false else { throw bad("range too large") }
            return .int(a, b)
        }
        guard type == "number" else { throw bad("\(kind): applies to number keys; \(key) is \(type) (use int: or choice:)") }
        guard let a = NumberText.parse(bounds[0]), let b = NumberText.parse(bounds[1]), a.isFinite, b.isFinite else {
            throw bad("bounds must be finite numbers")
        }
        guard a < b else { throw bad("needs A < B") }
        if kind == "loguniform" {
            guard a > 0 else { throw bad("loguniform needs 0 < A") }
            return .logUniform(a, b)
        }
        return .uniform(a, b)
    }

    /// The canonical text of the distribution (what `sweep.json` records; `parse` reads it back).
    var text: String {
        switch self {
        case .uniform(let a, let b): return "uniform:\(NumberText.shortest(a)):\(NumberText.shortest(b))"
        case .logUniform(let a, let b): return "loguniform:\(NumberText.shortest(a)):\(NumberText.shortest(b))"
        case .int(let a, let b): return "int:\(a):\(b)"
        case .choice(let values, let separator): return "choice:" + values.joined(separator: separator)
        }
    }

    /// Draws one value as text (before the key's normalisation): one `randomDouble` for
    /// the reals, one `randomInterval` for `int` and `choice`.
    func sample(_ rng: inout MT19937) -> String {
        switch self {
        case .uniform(let a, let b): return Self.round(a + (b - a) * rng.randomDouble(), a, b)
        case .logUniform(let a, let b):
            return Self.round(exp(log(a) + (log(b) - log(a)) * rng.randomDouble()), a, b)
        case .int(let a, let b): return String(a + Int(rng.randomInterval(UInt64(b - a))))
        case .choice(let values, _): return values[Int(rng.randomInterval(UInt64(values.count - 1)))]
        }
    }

    /// At most how many distinct values `sample` can give (saturating at `Int.max`): the
    /// reals of [A, B] with 6 significant digits (900,000 per decade) and the bounds
    /// themselves, B − A + 1 integers, or the number of choices. An upper bound, so a
    /// space it finds too small is too small.
    var spaceSize: Int {
        switch self {
        case .uniform(let a, let b), .logUniform(let a, let b):
            var n = Self.sixDigitReals(max(a, 0), b) + Self.sixDigitReals(max(-b, 0), -a)
            if a <= 0 && 0 <= b { n = n.addingReportingOverflow(1).overflow ? .max : n + 1 }
            return MemoryBudget.sum([n, 2]) ?? .max
        case .int(let a, let b):
            let (d, o) = b.subtractingReportingOverflow(a)
            return o || d == .max ? .max : d + 1
        case .choice(let values, _): return values.count
        }
    }

    /// How many positive reals with 6 significant digits lie in [lo, hi] (an upper bound:
    /// one extra per decade for rounding at its ends); 0 when hi <= 0.
    static func sixDigitReals(_ lo: Double, _ hi: Double) -> Int {
        guard hi > 0, lo <= hi else { return 0 }
        let low = max(lo, Double.leastNonzeroMagnitude)
        var total = 0
        let first = Int(log10(low).rounded(.down)) - 1, last = Int(log10(hi).rounded(.down)) + 1
        for e in first...last {
            // m × 10^(e−5), m in 100000...999999.
            let step = pow(10, Double(e - 5))
            var count = 900_000
            if step > 0 && step.isFinite {
                let mLow = max(100_000.0, (low / step).rounded(.up) - 1)
                let mHigh = min(999_999.0, (hi / step).rounded(.down) + 1)
                count = mHigh < mLow ? 0 : Int(mHigh - mLow) + 1
            }
            total += count
        }
        return total
    }

    /// `x` to 6 significant digits (C's correctly rounded `%.5e`), clamped into [a, b].
    private static func round(_ x: Double, _ a: Double, _ b: Double) -> String {
        let r = Double(String(format: "%.5e", x)) ?? x
        return NumberText.real(min(max(r, a), b))
    }
}

/// A random search: `count` samples of the distributions, drawn from MT19937 seeded with
/// `sampleSeed`. Sample k draws each key in `ExperimentConfig.keys` order; a sample whose
/// values equal an earlier one's is discarded and drawn again (so the points are distinct),
/// and a space too small for `count` distinct samples is an error. The samples are a pure
/// function of (distributions, count, seed): the same command gives the same points and
/// run ids, and a re-run resumes.
///
/// With grid axes too, the points are the samples × the grid's cartesian product, the
/// sample varying slowest (`--random 4 --lr loguniform:0.01:1 --seed 0,1,2`: 12 points,
/// each sample's three seeds together).
struct RandomSearch: Equatable, Sendable {
    var count: Int
    var sampleSeed: UInt32
    /// (key, distribution), in `ExperimentConfig.keys` order.
    let keys: [String]
    let distributions: [SweepDistribution]
    /// The samples: `count` lists of normalised value texts, in `keys` order.
    let samples: [[String]]

    init(count: Int, sampleSeed: UInt32, distributions: [(key: String, distribution: SweepDistribution)]) throws {
        self.count = count
        self.sampleSeed = sampleSeed
        keys = distributions.map(\.key)
        self.distributions = distributions.map(\.distribution)
        try Self.checkSpace(count: count, distributions: distributions)
        samples = try Self.draw(count: count, seed: sampleSeed, distributions: distributions)
    }

    /// Before any draw: the distributions must hold `count` distinct points (their
    /// `spaceSize`s multiplied), and `count` must be a sweep's size (`SweepGrid.maxPoints`).
    static func checkSpace(count: Int, distributions: [(key: String, distribution: SweepDistribution)]) throws {
        let space = distributions.reduce(1) { total, d in
            let (p, o) = total.multipliedReportingOverflow(by: d.distribution.spaceSize)
            return o ? .max : p
        }
        if space < count {
            let each = distributions.map { "\($0.key) \($0.distribution.text): at most \($0.distribution.spaceSize)" }
            throw NNError("--random \(count): space too small: the distributions hold at most \(space) distinct points (\(each.joined(separator: ", ")); reals are rounded to 6 significant digits); ask for fewer")
        }
        if count > SweepGrid.maxPoints {
            throw NNError("--random \(count): more than the \(SweepGrid.maxPoints) points a sweep may have; ask for fewer")
        }
    }

    private static func draw(count: Int, seed: UInt32, distributions: [(key: String, distribution: SweepDistribution)]) throws -> [[String]] {
        var rng = MT19937(seed: seed)
        var out: [[String]] = []
        var seen = Set<[String]>()
        var scratch = ExperimentConfig()
        let maxDraws = 100 * count + 1000
        var draws = 0
        while out.count < count {
            if draws == maxDraws {
                throw NNError("--random \(count): the distributions gave only \(out.count) distinct points in \(draws) draws; ask for fewer")
            }
            draws += 1
            var sample: [String] = []
            for (key, distribution) in distributions {
                try scratch.set(key, distribution.sample(&rng), source: "\(key) \(distribution.text)")
                sample.append(scratch.text(key))
            }
            if seen.insert(sample).inserted { out.append(sample) }
        }
        return out
    }

    /// `random search: N samples (sample seed S) of lr loguniform:0.01:1 x G grid points`.
    func summary(gridPoints: Int) -> String {
        let what = zip(keys, distributions).map { "\($0) \($1.text)" }.joined(separator: ", ")
        return "random search: \(count) samples (sample seed \(sampleSeed)) of \(what)"
            + (gridPoints > 1 ? " x \(gridPoints) grid points" : "")
    }

    /// The `random` member of `sweep.json`: count, sample seed, distributions.
    var json: JSONValue {
        .object([
            JSONMember("count", .int(count)),
            JSONMember("sample_seed", .int(Int(sampleSeed))),
            JSONMember("distributions", .object(zip(keys, distributions).map { JSONMember($0, .string($1.text)) })),
        ])
    }

    /// Reads `json` (see `json`); returns the count, seed and the distributions as grid
    /// entries (key, [spec]) for `SweepGrid(file:...)`.
    static func read(_ json: JSONValue, bad: (String) -> NNError) throws -> (count: Int, seed: UInt32, specs: [(key: String, values: [String])]) {
        guard case .number(let c)? = json["count"], let count = Int(c), count >= 1,
              case .number(let s)? = json["sample_seed"], let seed = UInt32(s),
              case .object(let members)? = json["distributions"] else { throw bad("random is not count, sample_seed, distributions") }
        let specs = try members.map { m -> (key: String, values: [String]) in
            guard case .string(let spec) = m.value else { throw bad("random distribution \(m.key) is not text") }
            return (m.key, [spec])
        }
        return (count, seed, specs)
    }
}
