/// The first layer's input `X` (`features × samples`) stored by its nonzeros, for the two
/// products that involve it: `Z = W·X` (forward) and `dW = dZ·Xᵀ` (backward).
///
/// MNIST inputs are about 81% exact zeros (blank pixels), so these products need about a
/// fifth of the multiply-adds of the dense GEMMs.
///
/// Layout: the samples are cut into blocks of `blockSize` consecutive samples (the last block
/// may be shorter). Within block `b`, the nonzeros of feature `f` are the entries
/// `rowStart[b·(rows+1) + f] ..< rowStart[b·(rows+1) + f + 1]` of `sample` (the sample's
/// index within the block) and `value` (`X[f, b·blockSize + sample]`), in increasing sample
/// order. Blocks follow each other, so block `b + 1` starts where block `b` ends.
///
/// An entry is stored when `x != 0` (so NaN is kept and ±0 is dropped). Dropping zeros is
/// exact for finite weights: `w·0 = ±0` leaves a sum unchanged (a dense product would turn
/// an infinite weight times 0 into NaN; these products do not see it).
///
/// Memory: `nonzeros × (2 + MemoryLayout<T>.size)` bytes plus 8 bytes per (block, feature)
/// — 75 MB in `Double` and 45 MB in `Float` for MNIST's 785 × 50,000 training input.
final class SparseInput<T: NNScalar>: @unchecked Sendable {
    /// Features (rows of `X`).
    let rows: Int
    /// Samples (columns of `X`).
    let cols: Int
    /// Samples per block (1 ... 65,536, so that `sample` fits 16 bits).
    let blockSize: Int
    let blockCount: Int
    /// Stored entries (the nonzeros of `X`).
    let nonzeros: Int

    let rowStart: UnsafeMutableBufferPointer<Int>
    let sample: UnsafeMutableBufferPointer<UInt16>
    let value: UnsafeMutableBufferPointer<T>

    static var defaultBlockSize: Int { 128 }

    /// Builds the layout from dense `x` (`features × samples`, row-major). Two passes over
    /// `x`, in parallel over sample blocks: count each block's nonzeros per feature, then
    /// (after a prefix sum) copy them.
    init(_ x: Matrix<T>, blockSize: Int = SparseInput.defaultBlockSize, parallel: Parallel) {
        precondition(blockSize >= 1 && blockSize <= 1 << 16, "block size must be in 1...65536")
        rows = x.rows
        cols = x.cols
        self.blockSize = blockSize
        blockCount = (cols + blockSize - 1) / blockSize
        let stride = rows + 1
        let starts = UnsafeMutableBufferPointer<Int>.allocate(capacity: blockCount * stride + 1)
        starts.initialize(repeating: 0)
        // Pass 1: starts[b·stride + f + 1] = nonzeros of feature f in block b.
        let xp = UnsafeRawPointer(x.pointer), rs = starts.baseAddress!
        if T.self == Double.self { Tiled<DoubleTile>.countNonzeros(xp, rows: rows, cols: cols, blockSize: blockSize, into: rs, parallel: parallel) }
        else if T.self == Float.self { Tiled<FloatTile>.countNonzeros(xp, rows: rows, cols: cols, blockSize: blockSize, into: rs, parallel: parallel) }
        else { Tiled<GenericTile<T>>.countNonzeros(xp, rows: rows, cols: cols, blockSize: blockSize, into: rs, parallel: parallel) }
        // Prefix sum over blocks and features: counts become start offsets.
        var total = 0
        for b in 0..<blockCount {
            rs[b * stride] = total
            for f in 0..<rows {
                total += rs[b * stride + f + 1]
                rs[b * stride + f + 1] = total
            }
        }
        nonzeros = total
        rowStart = starts
        sample = .allocate(capacity: max(1, total))
        value = .allocate(capacity: max(1, total))
        // Pass 2: copy the nonzeros, feature by feature, in sample order.
        if T.self == Double.self { Tiled<DoubleTile>.copyNonzeros(xp, into: layout, parallel: parallel) }
        else if T.self == Float.self { Tiled<FloatTile>.copyNonzeros(xp, into: layout, parallel: parallel) }
        else { Tiled<GenericTile<T>>.copyNonzeros(xp, into: layout, parallel: parallel) }
    }

    deinit {
        rowStart.deallocate()
        sample.deallocate()
        value.deallocate()
    }

    /// The buffers, untyped, for the kernels.
    var layout: SparseLayout {
        SparseLayout(rows: rows, cols: cols, blockSize: blockSize, blockCount: blockCount, nonzeros: nonzeros,
                     rowStart: rowStart.baseAddress!, sample: sample.baseAddress!, value: UnsafeMutableRawPointer(value.baseAddress!))
    }

    /// The fraction of `X`'s entries that are stored (nonzero).
    var density: Double { rows * cols == 0 ? 0 : Double(nonzeros) / Double(rows * cols) }

    /// Bytes held by the layout.
    var byteCount: Int {
        rowStart.count * MemoryLayout<Int>.stride + nonzeros * (MemoryLayout<UInt16>.stride + MemoryLayout<T>.stride)
    }
}

/// The products of a dense matrix with a `SparseInput` `X`:
///
///     forward:         Z[r, j] = Σ_f W[r, f]·X[f, j]       (Z = W·X)
///     weightGradient:  G[r, f] = Σ_j dZ[r, j]·X[f, j]      (G = dZ·Xᵀ, unscaled)
///
/// with the sums over the stored nonzeros only. The output rows `r` are handled in tiles of
/// 128 bytes (16 rows in `Double`, 32 in `Float`), one SIMD tile per sample or feature.
/// Each output element is computed by one thread, in an order fixed by the data, so results
/// do not depend on the thread count (`Parallel.threads`):
///
/// - `Z[r, j]` adds `W[r, f]·X[f, j]` over the nonzero features `f` of sample `j` in
///   increasing `f`, starting from 0 — the order of a plain dot product, so exactly
///   `ReferenceGEMM`'s result. Threads take ranges of sample blocks; each block's nonzeros
///   are regrouped by sample once, then every tile of `Wᵀ` runs over them with the tile's
///   running sums in registers.
/// - `G[r, f]` adds, block by block of samples in order, the partial sum (from 0, samples
///   increasing) of `dZ[r, j]·X[f, j]` over the block's nonzeros of feature `f`. Threads take
///   ranges of (tile, feature) pairs with about equal numbers of nonzeros; the block's `dZ`
///   tile is copied sample-major so that each sample's rows are one SIMD load.
///
/// Products and sums are rounded separately (no fused multiply-add). BLAS sums in another
/// order, so results agree with `Matrix.gemm` to rounding only.
enum SparseGEMM {
    /// `z ← w·x`; `w` is `out × in`, `x` is `in × m`, `z` is `out × m`.
    static func forward<T: NNScalar>(w: Matrix<T>, x: SparseInput<T>, into z: Matrix<T>, parallel: Parallel) {
        precondition(w.cols == x.rows && z.rows == w.rows && z.cols == x.cols, "sparse forward shape mismatch")
        let (a, c, out) = (UnsafeRawPointer(w.pointer), UnsafeMutableRawPointer(z.pointer), w.rows)
        if T.self == Double.self { Tiled<DoubleTile>.forward(w: a, x: x.layout, z: c, out: out, parallel: parallel) }
        else if T.self == Float.self { Tiled<FloatTile>.forward(w: a, x: x.layout, z: c, out: out, parallel: parallel) }
        else { Tiled<GenericTile<T>>.forward(w: a, x: x.layout, z: c, out: out, parallel: parallel) }
    }

    /// `g ← dz·xᵀ` (raw, not divided by the sample count); `dz` is `out × m`, `x` is
    /// `in × m`, `g` is `out × in`.
    static func weightGradient<T: NNScalar>(dz: Matrix<T>, x: SparseInput<T>, into g: Matrix<T>, parallel: Parallel) {
        precondition(dz.cols == x.cols && g.rows == dz.rows && g.cols == x.rows, "sparse weight gradient shape mismatch")
        let (a, c, out) = (UnsafeRawPointer(dz.pointer), UnsafeMutableRawPointer(g.pointer), dz.rows)
        if T.self == Double.self { Tiled<DoubleTile>.weightGradient(dz: a, x: x.layout, g: c, out: out, parallel: parallel) }
        else if T.self == Float.self { Tiled<FloatTile>.weightGradient(dz: a, x: x.layout, g: c, out: out, parallel: parallel) }
        else { Tiled<GenericTile<T>>.weightGradient(dz: a, x: x.layout, g: c, out: out, parallel: parallel) }
    }
}

/// A `SparseInput`'s buffers with the element type erased (the kernels restore it), so that
/// callers generic over `T` reach kernels compiled for `Double` and `Float`.
struct SparseLayout {
    let rows: Int, cols: Int, blockSize: Int, blockCount: Int, nonzeros: Int
    let rowStart: UnsafeMutablePointer<Int>
    let sample: UnsafeMutablePointer<UInt16>
    let value: UnsafeMutableRawPointer

    /// Block `b`'s feature offsets: feature `f`'s entries are `starts[f] ..< starts[f + 1]`.
    @inline(__always) func starts(_ b: Int) -> UnsafeMutablePointer<Int> { rowStart + b * (rows + 1) }
}

/// A tile of output rows as SIMD lanes: lane `i` is row `tile·lanes + i`.
protocol TileVector {
    associatedtype Scalar: BinaryFloatingPoint
    static var lanes: Int { get }
    init()
    /// `self + a·s` lane by lane: a rounded product, then a rounded sum.
    func adding(_ a: Self, times s: Scalar) -> Self
    static func + (a: Self, b: Self) -> Self
}

/// Two SIMD vectors side by side (`low` holds lanes `0..<n`, `high` lanes `n..<2n`), so a
/// tile lives in registers as plain vectors (measured: these kernels on `SIMD32<Float>` or
/// `SIMD32<Double>` ran about 200 times slower than on pairs of 16 or 8 lanes).
struct TilePair<V: SIMD>: TileVector where V.Scalar: BinaryFloatingPoint {
    var low: V, high: V
    static var lanes: Int { 2 * V.scalarCount }
    @inline(__always) init() { low = V(); high = V() }
    @inline(__always) init(low: V, high: V) { self.low = low; self.high = high }
    @inline(__always) func adding(_ a: Self, times s: V.Scalar) -> Self {
        TilePair(low: low + a.low * s, high: high + a.high * s)
    }
    @inline(__always) static func + (a: Self, b: Self) -> Self { TilePair(low: a.low + b.low, high: a.high + b.high) }
}

typealias DoubleTile = TilePair<SIMD8<Double>>
typealias FloatTile = TilePair<SIMD16<Float>>
typealias GenericTile<T: SIMDScalar & BinaryFloatingPoint> = TilePair<SIMD4<T>>

/// The layout builder and the two products for one tile type.
enum Tiled<Tile: TileVector> {
    typealias S = Tile.Scalar

    /// Lanes per tile; the kernels read lane `i` of a tile as its `i`-th scalar in memory.
    static var lanes: Int {
        precondition(MemoryLayout<Tile>.stride == Tile.lanes * MemoryLayout<S>.stride, "tile lanes must be contiguous")
        return Tile.lanes
    }

    /// `starts[b·(rows+1) + f + 1]` ← nonzeros of feature `f` within sample block `b`.
    static func countNonzeros(_ x: UnsafeRawPointer, rows: Int, cols: Int, blockSize: Int,
                              into starts: UnsafeMutablePointer<Int>, parallel: Parallel) {
        let xp = x.assumingMemoryBound(to: S.self)
        let blocks = (cols + blockSize - 1) / blockSize
        parallel.forRanges(blocks, cost: rows * blockSize) { lo, hi in
            for b in lo..<hi {
                let j0 = b * blockSize, j1 = min(cols, j0 + blockSize)
                for f in 0..<rows {
                    let src = xp + f * cols
                    var c = 0
                    for j in j0..<j1 where src[j] != 0 { c += 1 }
                    starts[b * (rows + 1) + f + 1] = c
                }
            }
        }
    }

    /// Copies the nonzeros of `x` into `s`, whose `rowStart` is complete.
    static func copyNonzeros(_ x: UnsafeRawPointer, into s: SparseLayout, parallel: Parallel) {
        let xp = x.assumingMemoryBound(to: S.self), value = s.value.assumingMemoryBound(to: S.self)
        let (n, m) = (s.rows, s.cols)
        parallel.forRanges(s.blockCount, cost: n * s.blockSize) { lo, hi in
            for b in lo..<hi {
                let j0 = b * s.blockSize, j1 = min(m, j0 + s.blockSize), rs = s.starts(b)
                for f in 0..<n {
                    let src = xp + f * m
                    var k = rs[f]
                    for j in j0..<j1 {
                        let v = src[j]
                        if v != 0 { s.sample[k] = UInt16(truncatingIfNeeded: j - j0); value[k] = v; k += 1 }
                    }
                }
            }
        }
    }

    static func forward(w: UnsafeRawPointer, x: SparseLayout, z: UnsafeMutableRawPointer, out: Int, parallel: Parallel) {
        let (n, m, L) = (x.rows, x.cols, lanes)
        let tiles = (out + L - 1) / L
        let wp = w.assumingMemoryBound(to: S.self), zp = z.assumingMemoryBound(to: S.self)
        let value = x.value.assumingMemoryBound(to: S.self)
        // Wᵀ by tiles: packed[t·n + f] holds W[t·L + i, f] in lane i (0 past the last row).
        let packed = UnsafeMutablePointer<Tile>.allocate(capacity: max(1, tiles * n))
        packed.initialize(repeating: Tile(), count: tiles * n)
        defer { packed.deallocate() }
        let ps = UnsafeMutableRawPointer(packed).assumingMemoryBound(to: S.self)
        parallel.forRanges(tiles, cost: n * L) { lo, hi in
            for t in lo..<hi {
                for i in 0..<min(L, out - t * L) {
                    let src = wp + (t * L + i) * n, dst = ps + t * n * L + i
                    for f in 0..<n { dst[f * L] = src[f] }
                }
            }
        }
        let blockWork = max(1, x.nonzeros / max(1, x.blockCount)) * tiles * L
        // Features in groups whose slice of a W tile fits the L1 cache.
        let group = max(1, 24 * 1024 / MemoryLayout<Tile>.stride), groups = (n + group - 1) / group
        parallel.forRanges(x.blockCount, cost: blockWork) { lo, hi in
            // The block's nonzeros regrouped by feature group, then sample (features increasing
            // within): group c's nonzeros of sample j are feature[p], entry[p] for p in
            // first[c·bw + j] ..< first[c·bw + j + 1], where bw is the block's width.
            var most = 0
            for b in lo..<hi { most = max(most, x.starts(b)[n] - x.starts(b)[0]) }
            let first = UnsafeMutablePointer<Int>.allocate(capacity: groups * x.blockSize + 1)
            let next = UnsafeMutablePointer<Int>.allocate(capacity: groups * x.blockSize)
            let feature = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, most))
            let entry = UnsafeMutablePointer<S>.allocate(capacity: max(1, most))
            // acc[j] holds Z[tile rows, sample j of the block].
            let acc = UnsafeMutablePointer<Tile>.allocate(capacity: x.blockSize)
            let accs = UnsafeMutableRawPointer(acc).assumingMemoryBound(to: S.self)
            defer { first.deallocate(); next.deallocate(); feature.deallocate(); entry.deallocate(); acc.deallocate() }
            for b in lo..<hi {
                let j0 = b * x.blockSize, bw = min(x.blockSize, m - j0), rs = x.starts(b)
                first.initialize(repeating: 0, count: groups * bw + 1)
                for f in 0..<n {
                    let row = (f / group) * bw + 1
                    for k in rs[f]..<rs[f + 1] { first[row + Int(x.sample[k])] += 1 }
                }
                for q in 0..<(groups * bw) { first[q + 1] += first[q]; next[q] = first[q] }
                for f in 0..<n {
                    let row = (f / group) * bw
                    for k in rs[f]..<rs[f + 1] {
                        let q = row + Int(x.sample[k]), p = next[q]
                        feature[p] = Int32(truncatingIfNeeded: f)
                        entry[p] = value[k]
                        next[q] = p + 1
                    }
                }
                for t in 0..<tiles {
                    let wt = packed + t * n
                    acc.initialize(repeating: Tile(), count: bw)
                    for c in 0..<groups {
                        for j in 0..<bw {
                            var sum = acc[j]
                            for p in first[c * bw + j]..<first[c * bw + j + 1] {
                                sum = sum.adding(wt[Int(feature[p])], times: entry[p])
                            }
                            acc[j] = sum
                        }
                    }
                    for i in 0..<min(L, out - t * L) {
                        let dst = zp + (t * L + i) * m + j0
                        for j in 0..<bw { dst[j] = accs[j * L + i] }
                    }
                }
            }
        }
    }

    static func weightGradient(dz: UnsafeRawPointer, x: SparseLayout, g: UnsafeMutableRawPointer, out: Int, parallel: Parallel) {
        let (n, m, L) = (x.rows, x.cols, lanes)
        let tiles = (out + L - 1) / L
        let dzp = dz.assumingMemoryBound(to: S.self), gp = g.assumingMemoryBound(to: S.self)
        let value = x.value.assumingMemoryBound(to: S.self)
        // Work units (tile t, feature f) in tile-major order, u = t·n + f, weighted by f's
        // nonzeros, cut into one range of about equal weight per part (thread).
        var before = [Int](repeating: 0, count: n + 1)  // nonzeros of features < f
        for b in 0..<x.blockCount {
            let rs = x.starts(b)
            for f in 0..<n { before[f + 1] += rs[f + 1] - rs[f] }
        }
        for f in 0..<n { before[f + 1] += before[f] }
        let units = tiles * n, parts = max(1, min(parallel.threads, units))
        let bounds = (0...parts).map { p -> Int in
            if x.nonzeros == 0 { return units * p / parts }
            let target = tiles * x.nonzeros * p / parts
            let t = target / x.nonzeros, rest = target - t * x.nonzeros
            var f = 0
            while f < n && before[f] < rest { f += 1 }
            return min(units, t * n + f)
        }
        parallel.forRanges(parts, cost: max(1, x.nonzeros / parts) * tiles * L) { lo, hi in
            for part in lo..<hi where bounds[part] < bounds[part + 1] {
                let (u0, u1) = (bounds[part], bounds[part + 1])
                let (t0, t1) = (u0 / n, (u1 - 1) / n + 1)
                // Features of tile t in this part.
                func features(_ t: Int) -> Range<Int> { (t == t0 ? u0 % n : 0)..<(t == t1 - 1 ? (u1 - 1) % n + 1 : n) }
                // sums[(t - t0)·n + f] accumulates G[tile rows, f].
                let sums = UnsafeMutablePointer<Tile>.allocate(capacity: (t1 - t0) * n)
                sums.initialize(repeating: Tile(), count: (t1 - t0) * n)
                // block[j] holds dZ[tile rows, sample j of the block] (0 past the last row).
                let block = UnsafeMutablePointer<Tile>.allocate(capacity: x.blockSize)
                let bs = UnsafeMutableRawPointer(block).assumingMemoryBound(to: S.self)
                for b in 0..<x.blockCount {
                    let j0 = b * x.blockSize, bw = min(x.blockSize, m - j0), rs = x.starts(b)
                    for t in t0..<t1 {
                        let rowsHere = min(L, out - t * L)
                        for i in 0..<L {
                            if i < rowsHere {
                                let src = dzp + (t * L + i) * m + j0
                                for j in 0..<bw { bs[j * L + i] = src[j] }
                            } else {
                                for j in 0..<bw { bs[j * L + i] = 0 }
                            }
                        }
                        let gt = sums + (t - t0) * n, fs = features(t)
                        var s = rs[fs.lowerBound]
                        for f in fs {
                            let e = rs[f + 1]
                            if s < e {
                                var sum = Tile()
                                for k in s..<e { sum = sum.adding(block[Int(x.sample[k])], times: value[k]) }
                                gt[f] = gt[f] + sum
                            }
                            s = e
                        }
                    }
                }
                let ss = UnsafeMutableRawPointer(sums).assumingMemoryBound(to: S.self)
                for t in t0..<t1 {
                    for i in 0..<min(L, out - t * L) {
                        let src = ss + (t - t0) * n * L + i, dst = gp + (t * L + i) * n
                        for f in features(t) { dst[f] = src[f * L] }
                    }
                }
                block.deallocate()
                sums.deallocate()
            }
        }
    }
}
