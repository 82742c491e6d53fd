// The one file that talks to CKernels (Sources/CKernels): the first layer's sparse products
// and the hot element-wise passes, each compiled portable and (x86-64) for AVX2 and AVX-512,
// one variant chosen per process.
import CKernels

/// A variant of the C kernels: the same operations in the same order, run wider by AVX2 and
/// AVX-512, which also fuse the sparse products' multiply-adds (the portable variant rounds
/// product and sum separately). So AVX2 and AVX-512 give the same bits; the portable
/// variant's first-layer products differ from theirs at rounding level, and the
/// element-wise kernels agree in all three.
package struct Kernels: @unchecked Sendable {
    let table: UnsafePointer<nn_kernels>

    /// The variant in use: the best the CPU runs (`__builtin_cpu_supports`: AVX-512, AVX2,
    /// portable), unless the environment asks for a lesser one with `NN_KERNELS=portable`
    /// or `NN_KERNELS=avx2`. Chosen once.
    package static let active = Kernels(table: nn_kernels_active())
    static let portable = Kernels(table: nn_kernels_portable())
    /// nil on a CPU without AVX2 (or a non-x86 build).
    static let avx2: Kernels? = nn_kernels_avx2().map { Kernels(table: $0) }
    /// nil on a CPU without AVX-512 F/VL/BW/DQ (or a non-x86 build).
    static let avx512: Kernels? = nn_kernels_avx512().map { Kernels(table: $0) }

    /// True on an x86-64 CPU with AVX2 and FMA.
    static let cpuHasAVX2FMA = nn_cpu_has_avx2_fma() != 0
    /// True on an x86-64 CPU with AVX-512 F, VL, BW and DQ.
    static let cpuHasAVX512 = nn_cpu_has_avx512() != 0

    /// Tells the CPU that the thread spins on a flag (`pause`), for `WorkerPool`'s waits.
    @inline(__always) static func relax() { nn_cpu_relax() }

    /// "portable", "avx2" or "avx512" (recorded in timing.json).
    package var name: String { String(cString: table.pointee.name) }

    /// Whether the sparse products fuse each multiply-add (AVX2, AVX-512) or round the
    /// product and the sum separately (portable).
    var fusesMultiplyAdd: Bool { table.pointee.fused != 0 }

    /// Lanes of an output tile (128 bytes): 16 in f64, 32 in f32.
    static func lanes<T: NNScalar>(_: T.Type) -> Int { 128 / MemoryLayout<T>.stride }

    static func scratchBytes<T: NNScalar>(_: T.Type, features: Int, most: Int) -> Int {
        Int(nn_wgrad_scratch_bytes(Int64(features), Int64(most), Int64(MemoryLayout<T>.stride)))
    }

    func sparseForward<T: NNScalar>(_: T.Type, _ x: UnsafePointer<nn_sparse_input>, _ b: nn_batch, positions: Range<Int>,
                                    wt: UnsafeRawPointer, tiles: Range<Int>, out: Int, z: UnsafeMutablePointer<T>, ldz: Int) {
        let f = T.self == Double.self ? table.pointee.sparse_forward_f64 : table.pointee.sparse_forward_f32
        f!(x, b, Int64(positions.lowerBound), Int64(positions.upperBound), wt, Int64(tiles.lowerBound),
           Int64(tiles.upperBound), Int64(out), UnsafeMutableRawPointer(z), Int64(ldz))
    }

    /// `G = dZ·Xᵀ` into the packed `g`; or, with `descend`, `W ← W − lr·(scale·G)` on the
    /// packed `W` instead (G not kept: `g` is scratch then).
    func sparseWeightGradient<T: NNScalar>(_: T.Type, _ x: UnsafePointer<nn_sparse_input>, _ b: nn_batch,
                                           dz: UnsafePointer<T>, lddz: Int, tiles: Range<Int>, out: Int,
                                           g: UnsafeMutableRawPointer, scratch: UnsafeMutableRawPointer,
                                           descend: (w: UnsafeMutableRawPointer, lr: T, scale: T)? = nil) {
        let f = T.self == Double.self ? table.pointee.sparse_wgrad_f64 : table.pointee.sparse_wgrad_f32
        f!(x, b, UnsafeRawPointer(dz), Int64(lddz), Int64(tiles.lowerBound), Int64(tiles.upperBound), Int64(out), g, scratch,
           descend?.w, descend?.lr.double ?? 0, descend?.scale.double ?? 0)
    }

    /// `a ← max(0, p + bias[r])` for rows `rows` of `cols` columns.
    func reluForward<T: NNScalar>(_ p: UnsafePointer<T>, bias: UnsafePointer<T>, _ a: UnsafeMutablePointer<T>, cols: Int, rows: Range<Int>) {
        if T.self == Double.self {
            table.pointee.relu_forward_f64!(cast(p), cast(bias), cast(a), Int64(cols), Int64(rows.lowerBound), Int64(rows.upperBound))
        } else {
            table.pointee.relu_forward_f32!(cast(p), cast(bias), cast(a), Int64(cols), Int64(rows.lowerBound), Int64(rows.upperBound))
        }
    }

    /// `g[i] ← a[i] <= 0 ? 0 : g[i]` over `range`.
    func reluBackward<T: NNScalar>(_ g: UnsafeMutablePointer<T>, _ a: UnsafePointer<T>, _ range: Range<Int>) {
        if T.self == Double.self {
            table.pointee.relu_backward_f64!(cast(g), cast(a), Int64(range.lowerBound), Int64(range.upperBound))
        } else {
            table.pointee.relu_backward_f32!(cast(g), cast(a), Int64(range.lowerBound), Int64(range.upperBound))
        }
    }

    /// `p[i] ← p[i] − lr·(scale·raw[i])` over `range`.
    func descend<T: NNScalar>(_ p: UnsafeMutablePointer<T>, raw: UnsafePointer<T>, lr: T, scale: T, _ range: Range<Int>) {
        if T.self == Double.self {
            table.pointee.descend_f64!(cast(p), cast(raw), lr.double, scale.double, Int64(range.lowerBound), Int64(range.upperBound))
        } else {
            table.pointee.descend_f32!(cast(p), cast(raw), Float(lr.double), Float(scale.double), Int64(range.lowerBound), Int64(range.upperBound))
        }
    }

    @inline(__always) private func cast<T, U>(_ p: UnsafePointer<T>) -> UnsafePointer<U> {
        UnsafeRawPointer(p).assumingMemoryBound(to: U.self)
    }
    @inline(__always) private func cast<T, U>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<U> {
        UnsafeMutableRawPointer(p).assumingMemoryBound(to: U.self)
    }
}

/// The C view of a `SampleSparse` store.
typealias SparseInputView = nn_sparse_input
/// The C view of a batch's samples.
typealias BatchView = nn_batch

extension nn_sparse_input {
    init<T: NNScalar>(_ s: SampleSparse<T>) {
        self.init(features: Int64(s.features), groups: Int64(s.groups), group: Int64(s.group),
                  start: UnsafePointer(s.start.baseAddress!), feature: UnsafePointer(s.feature.baseAddress!),
                  value: UnsafeRawPointer(s.value.baseAddress!))
    }
}

extension nn_batch {
    init(index: UnsafePointer<Int64>?, first: Int, count: Int) {
        self.init(index: index, first: Int64(first), count: Int64(count))
    }
}
