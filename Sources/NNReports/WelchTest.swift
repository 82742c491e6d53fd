import Foundation
import NNRuns
import NNSweeps

/// Welch's two-sample t interval for the difference of two means, the statistic of
/// `nn diff --by seed`.
///
/// For samples a (n_a values) and b (n_b values), with sample variances s² (n - 1 in the
/// denominator): delta = mean(b) - mean(a), se = sqrt(s_a²/n_a + s_b²/n_b), degrees of
/// freedom by Welch–Satterthwaite, df = se⁴ / ((s_a²/n_a)²/(n_a-1) + (s_b²/n_b)²/(n_b-1)),
/// and the 95% interval delta ± t(0.975, df)·se. Needs n_a, n_b >= 2; when both spreads
/// are 0 the interval is the single point delta.
struct WelchTest: Equatable, Sendable {
    var delta: Double
    var se: Double
    var df: Double
    var low: Double
    var high: Double

    /// Mean and sample standard deviation (0 for one value).
    static func meanSD(_ x: [Double]) -> (mean: Double, sd: Double) {
        let mean = x.reduce(0, +) / Double(x.count)
        guard x.count > 1 else { return (mean, 0) }
        let ss = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (mean, (ss / Double(x.count - 1)).squareRoot())
    }

    /// The interval at `confidence` (two-sided); nil when a side has fewer than 2 values.
    init?(a: [Double], b: [Double], confidence: Double = 0.95) {
        guard a.count >= 2, b.count >= 2 else { return nil }
        let (ma, sa) = Self.meanSD(a), (mb, sb) = Self.meanSD(b)
        let va = sa * sa / Double(a.count), vb = sb * sb / Double(b.count)
        delta = mb - ma
        se = (va + vb).squareRoot()
        if se == 0 {
            df = .infinity
            (low, high) = (delta, delta)
            return
        }
        df = (va + vb) * (va + vb) / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
        let t = Self.tQuantile(0.5 + confidence / 2, df: df)
        (low, high) = (delta - t * se, delta + t * se)
    }

    /// True when the interval excludes 0: the difference exceeds the seed-to-seed spread.
    var excludesZero: Bool { low > 0 || high < 0 }

    /// P(T <= t) for Student's t with `df` degrees of freedom (any real df > 0):
    /// 1 - I_x(df/2, 1/2)/2 with x = df/(df + t²) for t >= 0, by symmetry below.
    static func tCDF(_ t: Double, df: Double) -> Double {
        let tail = 0.5 * incompleteBeta(df / (df + t * t), a: df / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The p-quantile of Student's t (p in (0.5, 1)), by bisection on `tCDF` to 1e-12.
    static func tQuantile(_ p: Double, df: Double) -> Double {
        var (lo, hi) = (0.0, 1.0)
        while tCDF(hi, df: df) < p { hi *= 2 }
        for _ in 0..<200 where hi - lo > 1e-12 * max(1, hi) {
            let mid = (lo + hi) / 2
            if tCDF(mid, df: df) < p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }

    /// The regularised incomplete beta function I_x(a, b), by its continued fraction
    /// (modified Lentz), using the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) where it converges
    /// faster.
    static func incompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
        let logPowers: Double = a * log(x) + b * log(1 - x)
        let front = exp(logPowers - logBeta)
        if x > (a + 1) / (a + b + 2) { return 1 - front * continuedFraction(1 - x, a: b, b: a) / b }
        return front * continuedFraction(x, a: a, b: b) / a
    }

    private static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var f = d
        for m in 1...300 {
            let m = Double(m)
            let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + even * d; if abs(d) < tiny { d = tiny }
            c = 1 + even / c; if abs(c) < tiny { c = tiny }
            d = 1 / d; f *= d * c
            let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + odd * d; if abs(d) < tiny { d = tiny }
            c = 1 + odd / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let step = d * c
            f *= step
            if abs(step - 1) < 1e-15 { break }
        }
        return f
    }
}
