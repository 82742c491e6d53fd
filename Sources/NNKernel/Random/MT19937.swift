
/// The Mersenne Twister MT19937, drawing exactly the numbers NumPy's legacy
/// `np.random.RandomState` draws (numpy/random/src/mt19937 and src/legacy).
///
/// `np.random.seed(S)` (or `np.random.RandomState(S)`) for an integer 0 <= S < 2^32 is
/// `MT19937(seed: S)`: both run Matsumoto–Nishimura `init_genrand(S)`,
///
///     key[0] = S,   key[i] = 1812433253 * (key[i-1] ^ (key[i-1] >> 30)) + i   (mod 2^32),
///
/// and both drop any cached Gaussian. The draws then agree bit for bit:
/// - `nextUInt32()`      = the raw 32-bit output (`random_raw`, full-range `randint`);
/// - `randomDouble()`    = `random_sample()` = `((a >> 5) * 2^26 + (b >> 6)) / 2^53` from two
///                         32-bit outputs a, b: a double in [0, 1) with 53 random bits;
/// - `randomInterval(m)` = NumPy's `random_interval(m)`, uniform on 0...m by masked rejection;
/// - `shuffle(&a)`, `permutation(n)` = `RandomState.shuffle`, `RandomState.permutation(n)`;
/// - `standardNormal()`  = `standard_normal()`/`randn()` by the polar method with one cached
///                         value; `randn(k)` = `randn(d0, d1, ...)` flattened row-major.
package struct MT19937: Sendable {
    fileprivate static let n = 624
    private static let m = 397
    private static let matrixA: UInt32 = 0x9908_b0df
    private static let upperMask: UInt32 = 0x8000_0000
    private static let lowerMask: UInt32 = 0x7fff_ffff

    private var key: [UInt32]
    private var position: Int
    /// The second value of the last polar-method pair, returned by the next `standardNormal()`.
    private var cachedGaussian: Double?

    /// `init_genrand(seed)`: the state NumPy's `RandomState(seed)` starts from.
    package init(seed: UInt32) {
        var key = [UInt32](repeating: 0, count: Self.n)
        key[0] = seed
        for i in 1..<Self.n {
            key[i] = 1_812_433_253 &* (key[i - 1] ^ (key[i - 1] >> 30)) &+ UInt32(i)
        }
        self.key = key
        self.position = Self.n
        self.cachedGaussian = nil
    }

    /// The generator's complete state — the 624 key words, the position in them (0...624)
    /// and the cached Gaussian — so that a checkpoint can continue its draws exactly.
    package struct State: Equatable, Sendable {
        package var key: [UInt32]
        package var position: Int
        package var cachedGaussian: Double?
        package init(key: [UInt32], position: Int, cachedGaussian: Double?) {
            self.key = key
            self.position = position
            self.cachedGaussian = cachedGaussian
        }
        /// True when `init(state:)` accepts it: 624 words and a position in 0...624.
        package var isValid: Bool { key.count == MT19937.n && (0...MT19937.n).contains(position) }
    }

    package var state: State { State(key: key, position: position, cachedGaussian: cachedGaussian) }

    /// The generator continuing from `state`; nil when the state is not valid (`State.isValid`).
    package init?(state: State) {
        guard state.isValid else { return nil }
        key = state.key
        position = state.position
        cachedGaussian = state.cachedGaussian
    }

    /// Regenerates all 624 words of the state (the "twist").
    private mutating func twist() {
        key.withUnsafeMutableBufferPointer { mt in
            func mix(_ i: Int, _ next: Int, _ far: Int) {
                let y = (mt[i] & Self.upperMask) | (mt[next] & Self.lowerMask)
                mt[i] = mt[far] ^ (y >> 1) ^ ((y & 1) == 0 ? 0 : Self.matrixA)
            }
            for i in 0..<(Self.n - Self.m) { mix(i, i + 1, i + Self.m) }
            for i in (Self.n - Self.m)..<(Self.n - 1) { mix(i, i + 1, i + Self.m - Self.n) }
            mix(Self.n - 1, 0, Self.m - 1)
        }
        position = 0
    }

    /// The next raw 32-bit output (tempered state word).
    mutating func nextUInt32() -> UInt32 {
        if position == Self.n { twist() }
        var y = key[position]
        position += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9d2c_5680
        y ^= (y << 15) & 0xefc6_0000
        y ^= y >> 18
        return y
    }

    /// Two 32-bit outputs combined high word first, as NumPy's `mt19937_next64`.
    mutating func nextUInt64() -> UInt64 {
        let hi = UInt64(nextUInt32())
        return hi << 32 | UInt64(nextUInt32())
    }

    /// A double uniform on [0, 1): `((a >> 5) * 67108864 + (b >> 6)) / 9007199254740992`.
    package mutating func randomDouble() -> Double {
        let a = Double(nextUInt32() >> 5)
        let b = Double(nextUInt32() >> 6)
        return (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
    }

    /// An integer uniform on 0...max, as NumPy's legacy `random_interval(max)`: draw
    /// 32-bit outputs (64-bit ones if max >= 2^32), keep the low bits under the smallest
    /// mask 2^k - 1 >= max, and reject values above max.
    package mutating func randomInterval(_ max: UInt64) -> UInt64 {
        if max == 0 { return 0 }
        var mask = max
        mask |= mask >> 1
        mask |= mask >> 2
        mask |= mask >> 4
        mask |= mask >> 8
        mask |= mask >> 16
        mask |= mask >> 32
        if max <= 0xffff_ffff {
            while true {
                let v = UInt64(nextUInt32()) & mask
                if v <= max { return v }
            }
        }
        while true {
            let v = nextUInt64() & mask
            if v <= max { return v }
        }
    }

    /// Shuffles `array` in place as `RandomState.shuffle`: Fisher–Yates from the last
    /// index down, swapping element i with element `randomInterval(i)` for i = n-1 ... 1.
    mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        array.withUnsafeMutableBufferPointer { a in
            for i in stride(from: a.count - 1, to: 0, by: -1) {
                let j = Int(randomInterval(UInt64(i)))
                a.swapAt(i, j)
            }
        }
    }

    /// `RandomState.permutation(n)`: a shuffled `0..<n`.
    package mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<max(n, 0))
        shuffle(&p)
        return p
    }

    /// A standard normal deviate by NumPy's legacy polar (Marsaglia) method: draw
    /// x1 = 2u1 - 1, x2 = 2u2 - 1 until 0 < r2 = x1² + x2² < 1, let f = sqrt(-2 ln(r2) / r2),
    /// return f·x2 and keep f·x1 for the next call.
    mutating func standardNormal() -> Double {
        if let cached = cachedGaussian {
            cachedGaussian = nil
            return cached
        }
        var x1 = 0.0, x2 = 0.0, r2 = 0.0
        repeat {
            x1 = 2.0 * randomDouble() - 1.0
            x2 = 2.0 * randomDouble() - 1.0
            r2 = x1 * x1 + x2 * x2
        } while r2 >= 1.0 || r2 == 0.0
        let f = (-2.0 * LibC.log(r2) / r2).squareRoot()
        cachedGaussian = f * x1
        return f * x2
    }

    /// `count` standard normal deviates in draw order: `np.random.randn(rows, cols)` is
    /// `randn(rows * cols)` read row-major.
    mutating func randn(_ count: Int) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(max(count, 0))
        for _ in 0..<max(count, 0) { out.append(standardNormal()) }
        return out
    }
}
