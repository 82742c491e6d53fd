import Dispatch

/// The first layer's input `X` (`features × samples`) stored sample by sample by its
/// nonzeros, built once per run, so that any batch — all samples in order, or a mini-batch
/// of a shuffled epoch — is a list of contiguous runs, sparse for free.
///
/// Layout: sample `s`'s nonzeros of feature group `g` (features `g·group ..< (g+1)·group`)
/// are the entries `start[s·groups + g] ..< start[s·groups + g + 1]` of `feature` and `value`,
/// features increasing; samples follow each other. An entry is stored when `x != 0` (NaN
/// kept, ±0 dropped: exact for finite weights, as `w·0` leaves a sum unchanged).
///
/// Memory: `nonzeros × (2 + MemoryLayout<T>.size)` bytes plus 8 per (sample, group) — 77 MB
/// in f64 and 47 MB in f32 for MNIST's 785 × 50,000 training input.
final class SampleSparse<T: NNScalar>: @unchecked Sendable {
    let features, samples, group, groups, nonzeros: Int
    /// The most nonzeros of any one sample.
    let mostPerSample: Int
    let start: UnsafeMutableBufferPointer<Int64>
    let feature: UnsafeMutableBufferPointer<UInt16>
    let value: UnsafeMutableBufferPointer<T>

    /// Above this fraction of nonzeros the dense products are used instead.
    static var worthwhileDensity: Double { 0.5 }

    /// Features per group: a group's slice of a 128-byte-per-feature `Wᵀ` tile is 16 KB, and
    /// of the two tiles the AVX-512 forward runs together 32 KB, which stays in the L1 cache
    /// while every sample of a chunk runs over it.
    static var featureGroup: Int { 128 }

    /// The features of `x` must fit 16 bits (nil otherwise: use the dense products).
    init?(_ x: Matrix<T>, parallel: Parallel) {
        guard x.rows <= 1 << 16 else { return nil }
        features = x.rows
        samples = x.cols
        let group = Self.featureGroup, groups = max(1, (x.rows + group - 1) / group)
        self.group = group
        self.groups = groups
        let (n, m, G) = (features, samples, groups)
        let starts = UnsafeMutableBufferPointer<Int64>.allocate(capacity: m * G + 1)
        starts.initialize(repeating: 0)
        let st = starts.baseAddress!, xp = x.pointer, chunk = 128
        let blocks = (m + chunk - 1) / chunk
        // Pass 1: st[s·G + g + 1] = nonzeros of sample s in group g (rows read contiguously,
        // counted per group into a block-local array without branches, then stored).
        parallel.forRanges(blocks, cost: n * chunk) { lo, hi in
            let counts = UnsafeMutablePointer<Int64>.allocate(capacity: G * chunk)
            defer { counts.deallocate() }
            for b in lo..<hi {
                let j0 = b * chunk, j1 = min(m, j0 + chunk), w = j1 - j0
                counts.initialize(repeating: 0, count: G * chunk)
                for f in 0..<n {
                    let row = xp + f * m + j0, c = counts + (f / group) * chunk
                    for j in 0..<w { c[j] &+= row[j] != 0 ? 1 : 0 }
                }
                for j in 0..<w {
                    for g in 0..<G { st[(j0 + j) * G + g + 1] = counts[g * chunk + j] }
                }
            }
        }
        var total: Int64 = 0, most: Int64 = 0
        for s in 0..<m {
            let before = total
            for g in 0..<G {
                total += st[s * G + g + 1]
                st[s * G + g + 1] = total
            }
            most = max(most, total - before)
        }
        nonzeros = Int(total)
        mostPerSample = Int(most)
        start = starts
        feature = .allocate(capacity: max(1, nonzeros))
        value = .allocate(capacity: max(1, nonzeros))
        // Pass 2: copy, features increasing within each sample.
        let fp = feature.baseAddress!, vp = value.baseAddress!
        parallel.forRanges(blocks, cost: n * chunk) { lo, hi in
            for b in lo..<hi {
                let j0 = b * chunk, j1 = min(m, j0 + chunk)
                // Sample by sample (its nonzeros come in runs along f, so the branch is well
                // predicted); the block's columns stay in cache from one sample to the next.
                for j in j0..<j1 {
                    var k = Int(st[j * G])
                    var src = xp + j
                    for f in 0..<n {
                        let v = src.pointee
                        if v != 0 {
                            fp[k] = UInt16(truncatingIfNeeded: f)
                            vp[k] = v
                            k += 1
                        }
                        src += m
                    }
                }
            }
        }
    }

    deinit {
        start.deallocate()
        feature.deallocate()
        value.deallocate()
    }

    /// The fraction of `X`'s entries that are stored.
    var density: Double { features * samples == 0 ? 0 : Double(nonzeros) / Double(features * samples) }
}

/// A batch of a `SampleSparse` input — all its samples in order, or the positions
/// `lo ..< hi` of an epoch's order — and the two products of the first layer with it:
///
///     forward:         Z[r, p] = Σ_f W[r, f]·X[f, s(p)]      (Z = W·X_batch)
///     weightGradient:  G[r, f] = Σ_p dZ[r, p]·X[f, s(p)]     (G = dZ·X_batchᵀ, unscaled)
///
/// over the stored nonzeros only, by the C kernels (`Kernels.active`). The buffers (`Wᵀ` and
/// `G` in tiles of 128 bytes of output rows, each thread's scratch) are allocated on first
/// use and reused by every later step.
///
/// Order, fixed by the data alone (so results never depend on the thread count or the
/// kernel variant): `Z[r, p]` adds its terms over features increasing from 0 — a plain dot
/// product, `ReferenceGEMM`'s result bit for bit; `G[r, f]` adds, chunk by chunk of 128
/// positions in order, each chunk's partial sum (from 0, positions increasing). With
/// every sample in order this is exactly the order of the earlier feature-major
/// `SparseInput` blocks of 128, so full-batch results are unchanged.
final class SparseBatch<T: NNScalar> {
    let input: SampleSparse<T>
    let kernels: Kernels
    private let view: UnsafeMutablePointer<SparseInputView>
    /// The epoch's sample order (positions of mini-batches), when one is set.
    private var order: UnsafeMutableBufferPointer<Int64>
    private(set) var batch: BatchView
    private var packedW: UnsafeMutableRawPointer?
    private var packedG: UnsafeMutableRawPointer?
    private var packedRows = 0
    private var scratch: [UnsafeMutableRawPointer] = []
    private var scratchBytes = 0
    /// The first layer's weights while plain gradient descent trains them packed (inside
    /// `trainingPacked`): `packedW` then holds their current values, `W` itself is stale
    /// until the scope ends.
    private var trainingWeights: Matrix<T>?
    /// During packed training, the `dZ` of the last `weightGradient`, for `descendPacked`.
    private var pendingDZ: Matrix<T>?

    /// `x` stored by sample when that pays: at most `SampleSparse.worthwhileDensity` of it
    /// nonzero (MNIST: 19%) and at most 65,536 features; nil otherwise.
    static func ifWorthwhile(_ x: Matrix<T>, density limit: Double = SampleSparse<T>.worthwhileDensity,
                             parallel: Parallel) -> SparseBatch? {
        NetworkInput(x, sparseDensity: limit, parallel: parallel).batch()
    }

    init(_ input: SampleSparse<T>, kernels: Kernels = .active) {
        self.input = input
        self.kernels = kernels
        view = .allocate(capacity: 1)
        view.initialize(to: SparseInputView(input))
        order = .allocate(capacity: 0)
        batch = BatchView(index: nil, first: 0, count: input.samples)
    }

    deinit {
        view.deallocate()
        order.deallocate()
        packedW?.deallocate()
        packedG?.deallocate()
        scratch.forEach { $0.deallocate() }
    }

    var samples: Int { Int(batch.count) }

    /// Samples `first ..< first + count` in order.
    func selectRange(first: Int, count: Int) {
        precondition(first >= 0 && count >= 0 && first <= input.samples - count, "batch outside the input")
        batch = BatchView(index: nil, first: first, count: count)
    }

    /// Sets the epoch's sample order (a permutation of the samples, or any indices below
    /// `input.samples`).
    func setOrder(_ indices: [Int]) {
        if order.count != indices.count {
            order.deallocate()
            order = .allocate(capacity: indices.count)
        }
        for (k, s) in indices.enumerated() {
            precondition(s >= 0 && s < input.samples, "sample index out of range")
            order[k] = Int64(s)
        }
    }

    /// Positions `lo ..< hi` of the order set by `setOrder`.
    func selectPositions(_ lo: Int, _ hi: Int) {
        precondition(lo >= 0 && lo <= hi && hi <= order.count, "positions outside the order")
        batch = BatchView(index: UnsafePointer(order.baseAddress! + lo), first: 0, count: hi - lo)
    }

    private var lanes: Int { Kernels.lanes(T.self) }

    /// Allocates the packed buffers for `rows` output rows (once per shape).
    private func preparePacked(rows: Int) {
        if packedRows == rows, packedW != nil { return }
        packedW?.deallocate(); packedG?.deallocate()
        let bytes = max(1, (rows + lanes - 1) / lanes) * input.features * 128
        packedW = .allocate(byteCount: bytes, alignment: 128)
        packedW!.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        packedG = .allocate(byteCount: bytes, alignment: 128)
        packedG!.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        packedRows = rows
    }

    /// Calls `body(t, i, f0, f1)` for every row `t·L + i < rows` of every tile and every
    /// run `f0 ..< f1` of 64 features, runs outermost, so a transposition between a row-major
    /// matrix and its packed tiles touches 8 KB of tiles at a time. In parallel over tiles.
    private static func transposeTiles(rows: Int, features n: Int, tiles: Int, parallel: Parallel,
                                       _ body: (Int, Int, Int, Int) -> Void) {
        let L = Kernels.lanes(T.self)
        parallel.forRanges(tiles, cost: n * L) { lo, hi in
            for t in lo..<hi {
                for f0 in stride(from: 0, to: n, by: 64) {
                    for i in 0..<min(L, rows - t * L) { body(t, i, f0, min(n, f0 + 64)) }
                }
            }
        }
    }

    /// `packedW ← Wᵀ` by tiles: wt[(t·n + f)·L + i] = W[t·L + i, f] (lanes past the last row stay 0).
    private func pack(_ w: Matrix<T>, parallel: Parallel) {
        let (out, n, L) = (w.rows, input.features, lanes)
        preparePacked(rows: out)
        let wt = packedW!.assumingMemoryBound(to: T.self), wp = w.pointer
        Self.transposeTiles(rows: out, features: n, tiles: (out + L - 1) / L, parallel: parallel) { t, i, f0, f1 in
            let src = wp + (t * L + i) * n, dst = wt + t * n * L + i
            for f in f0..<f1 { dst[f * L] = src[f] }
        }
    }

    /// Runs `body` with plain gradient descent (`gd`, `sgd`) training the first layer's
    /// weights `w` packed, and writes them back into `w` when it returns (or throws). Inside,
    /// `forward(w:)` uses the packed copy as it is (no transposition per step),
    /// `weightGradient` only takes note of `dZ` (the layer's `gradW` is not written), and
    /// `descendPacked` forms `G` and updates the packed copy with it in one pass of the
    /// kernel (no stored `G`, no separate descent pass). Each element gets exactly the update
    /// `Optimizer` would give it (`p − lr·(scale·g)`, rounded alike), only stored elsewhere,
    /// so results are bit-identical.
    ///
    /// The scope is the only way in and out of the packed mode, so `w` can never be left
    /// stale; inside it, nothing but these calls may read or write `w`, and each step must
    /// be `weightGradient`, then `descendPacked`, before the next `forward` (preconditions
    /// trap a nested scope, a descent without a gradient, a forward before the pending
    /// descent, a forward with other weights).
    func trainingPacked<R>(_ w: Matrix<T>, parallel: Parallel, _ body: () throws -> R) rethrows -> R {
        precondition(w.cols == input.features && trainingWeights == nil, "packed training of the wrong matrix, or nested")
        pack(w, parallel: parallel)
        trainingWeights = w
        defer { unpack(parallel: parallel) }
        return try body()
    }

    /// Writes the packed weights back into the matrix given to `trainingPacked`.
    private func unpack(parallel: Parallel) {
        guard let w = trainingWeights else { return }
        let (out, n, L) = (w.rows, input.features, lanes)
        let wt = packedW!.assumingMemoryBound(to: T.self), wp = w.pointer
        Self.transposeTiles(rows: out, features: n, tiles: (out + L - 1) / L, parallel: parallel) { t, i, f0, f1 in
            let src = wt + t * n * L + i, dst = wp + (t * L + i) * n
            for f in f0..<f1 { dst[f] = src[f * L] }
        }
        trainingWeights = nil
        pendingDZ = nil
    }

    /// True inside `trainingPacked`.
    var trainsPacked: Bool { trainingWeights != nil }

    /// `W ← W − lr·(scale·G)` on the packed copy, `G = dZ·X_batchᵀ` with the `dZ` given to
    /// the last `weightGradient` (lanes past the last row get 0 − lr·(scale·0)).
    func descendPacked(lr: T, scale: T, parallel: Parallel) {
        guard trainingWeights != nil, let dz = pendingDZ else { preconditionFailure("descendPacked without weightGradient in packed training") }
        pendingDZ = nil
        runWeightGradient(dz: dz, parallel: parallel, descend: (packedW!, lr, scale))
    }

    /// `z ← w·X_batch`; `w` is `out × features`, `z` is `out × samples`.
    func forward(w: Matrix<T>, into z: Matrix<T>, parallel: Parallel) {
        precondition(w.cols == input.features && z.rows == w.rows && z.cols == samples, "sparse forward shape mismatch")
        precondition(trainingWeights == nil || trainingWeights === w, "forward with other weights during packed training")
        precondition(pendingDZ == nil, "forward before descendPacked of the last weight gradient")
        let (out, L) = (w.rows, lanes)
        if trainingWeights == nil { pack(w, parallel: parallel) }
        let tiles = (out + L - 1) / L
        let m = samples, chunks = (m + 127) / 128
        let perSample = max(1, input.nonzeros / max(1, input.samples)) * L
        let (x, b, k, zp, wraw) = (UnsafePointer(view), batch, kernels, z.pointer, UnsafeRawPointer(packedW!))
        if chunks >= 2 * parallel.threads {
            parallel.forRanges(chunks, cost: 128 * perSample * tiles) { lo, hi in
                k.sparseForward(T.self, x, b, positions: (lo * 128)..<min(m, hi * 128), wt: wraw, tiles: 0..<tiles, out: out, z: zp, ldz: m)
            }
        } else {
            parallel.forRanges(tiles, cost: m * perSample) { lo, hi in
                k.sparseForward(T.self, x, b, positions: 0..<m, wt: wraw, tiles: lo..<hi, out: out, z: zp, ldz: m)
            }
        }
    }

    /// `g ← dz·X_batchᵀ` (raw, not divided by the sample count); `dz` is `out × samples`,
    /// `g` is `out × features`. During packed training `G` stays packed and `g` is not written.
    func weightGradient(dz: Matrix<T>, into g: Matrix<T>, parallel: Parallel) {
        precondition(dz.cols == samples && g.rows == dz.rows && g.cols == input.features, "sparse weight gradient shape mismatch")
        if trainingWeights != nil { pendingDZ = dz; return }
        runWeightGradient(dz: dz, parallel: parallel, descend: nil)
        let (out, n, L) = (dz.rows, input.features, lanes)
        let gt = packedG!.assumingMemoryBound(to: T.self), gp = g.pointer
        Self.transposeTiles(rows: out, features: n, tiles: (out + L - 1) / L, parallel: parallel) { t, i, f0, f1 in
            let src = gt + t * n * L + i, dst = gp + (t * L + i) * n
            for f in f0..<f1 { dst[f] = src[f * L] }
        }
    }

    /// The kernel of `weightGradient` over every tile, split among threads by tiles: packed
    /// `G` into `packedG`, or with `descend` the descent of the packed `W` it names.
    private func runWeightGradient(dz: Matrix<T>, parallel: Parallel, descend: (w: UnsafeMutableRawPointer, lr: T, scale: T)?) {
        let (out, n, L) = (dz.rows, input.features, lanes)
        preparePacked(rows: out)
        let tiles = (out + L - 1) / L, m = samples
        let perSample = max(1, input.nonzeros / max(1, input.samples)) * L
        let parts = min(tiles, parallel.threads, max(1, (m * perSample * tiles) / parallel.minimumWork))
        let most = min(input.nonzeros, 128 * input.mostPerSample)
        let bytes = Kernels.scratchBytes(T.self, features: n, most: most)
        if scratch.count < parts || scratchBytes < bytes {
            scratch.forEach { $0.deallocate() }
            scratch = (0..<max(parts, scratch.count)).map { _ in .allocate(byteCount: bytes, alignment: 128) }
            scratchBytes = bytes
        }
        let (x, b, k, dzp, graw, slots) = (UnsafePointer(view), batch, kernels, UnsafePointer(dz.pointer), packedG!, scratch)
        let per = (tiles + parts - 1) / parts
        parallel.forParts(parts) { p in
            let t0 = p * per, t1 = min(tiles, t0 + per)
            if t0 < t1 {
                k.sparseWeightGradient(T.self, x, b, dz: dzp, lddz: m, tiles: t0..<t1, out: out, g: graw, scratch: slots[p],
                                       descend: descend)
            }
        }
    }
}
