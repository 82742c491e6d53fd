// The kernels of nn that are worth compiling for more than one instruction set: the first
// layer's sparse products and the hot element-wise passes, in f64 and f32. Each exists as a
// portable variant (the x86-64 / arm64 baseline) and, on x86-64, AVX2 and AVX-512 variants; one is
// chosen once per process (`nn_kernels_active`). Imported by Swift only in
// Sources/NNKernel/Math/Kernels.swift.
//
// Every variant does the same operations in the same order. The element-wise kernels round
// products and sums separately in all of them (the file is compiled with FP contraction off),
// so they agree to the last bit. The sparse products fuse each multiply-add in the AVX2 and
// AVX-512 variants (which agree with each other to the last bit) and not in the portable one,
// whose first-layer products therefore differ from theirs at rounding level.
#ifndef NN_KERNELS_H
#define NN_KERNELS_H

#include <stdint.h>

/// A sample-major sparse input: sample s's nonzeros, by feature group g, are the entries
/// start[s·groups + g] ..< start[s·groups + g + 1] of `feature` and `value` (f64 or f32),
/// features increasing. Group g holds the features g·group ..< (g+1)·group.
typedef struct {
    int64_t features;
    int64_t groups;
    int64_t group;
    const int64_t *start;
    const uint16_t *feature;
    const void *value;
} nn_sparse_input;

/// The samples of a batch: position p is sample `index[p]`, or `first + p` when `index` is NULL.
typedef struct {
    const int64_t *index;
    int64_t first;
    int64_t count;
} nn_batch;

/// Output rows go in tiles of 128 bytes (16 f64 / 32 f32 lanes); a packed matrix holds tile t's
/// column f at [t·columns + f], lane i being row t·lanes + i (0 past the last row).
typedef struct {
    const char *name;
    /// 1 when the sparse products fuse each multiply-add (one rounding), 0 when they round
    /// the product and the sum separately.
    int fused;
    /// z[r, p] = Σ_f W[r, f]·X[f, sample p] over positions p0 ..< p1 and tiles t0 ..< t1,
    /// features increasing from 0. `wt` is Wᵀ packed; z is row-major with row stride ldz.
    void (*sparse_forward_f64)(const nn_sparse_input *x, nn_batch b, int64_t p0, int64_t p1, const void *wt,
                               int64_t t0, int64_t t1, int64_t out, void *z, int64_t ldz);
    void (*sparse_forward_f32)(const nn_sparse_input *x, nn_batch b, int64_t p0, int64_t p1, const void *wt,
                               int64_t t0, int64_t t1, int64_t out, void *z, int64_t ldz);
    /// G (packed, tiles t0 ..< t1) = dZ·Xᵀ over the batch: per chunk of 128 positions, the
    /// partial sum from 0 (positions increasing) added to G (zeros at first), chunks in order.
    /// With `w` (packed W, same tiles) non-NULL, the last chunk applies W ← W − lr·(scale·G)
    /// element by element instead of storing G (g is then scratch); lr and scale are values
    /// of the scalar type.
    void (*sparse_wgrad_f64)(const nn_sparse_input *x, nn_batch b, const void *dz, int64_t lddz,
                             int64_t t0, int64_t t1, int64_t out, void *g, void *scratch,
                             void *w, double lr, double scale);
    void (*sparse_wgrad_f32)(const nn_sparse_input *x, nn_batch b, const void *dz, int64_t lddz,
                             int64_t t0, int64_t t1, int64_t out, void *g, void *scratch,
                             void *w, double lr, double scale);
    /// a ← max(0, p + bias[r]) for rows r0 ..< r1 of `cols` columns (NaN kept, -0 → 0).
    void (*relu_forward_f64)(const double *p, const double *bias, double *a, int64_t cols, int64_t r0, int64_t r1);
    void (*relu_forward_f32)(const float *p, const float *bias, float *a, int64_t cols, int64_t r0, int64_t r1);
    /// g[i] ← a[i] <= 0 ? 0 : g[i] for i in lo ..< hi.
    void (*relu_backward_f64)(double *g, const double *a, int64_t lo, int64_t hi);
    void (*relu_backward_f32)(float *g, const float *a, int64_t lo, int64_t hi);
    /// p[i] ← p[i] − lr·(scale·raw[i]) for i in lo ..< hi.
    void (*descend_f64)(double *p, const double *raw, double lr, double scale, int64_t lo, int64_t hi);
    void (*descend_f32)(float *p, const float *raw, float lr, float scale, int64_t lo, int64_t hi);
} nn_kernels;

enum { NN_CHUNK = 128 };

/// Lanes of a tile: 16 (f64) or 32 (f32).
static inline int64_t nn_tile_lanes(int64_t scalar_bytes) { return 128 / scalar_bytes; }

/// Scratch bytes of `sparse_wgrad` for `features` features and chunks of at most `most` nonzeros.
int64_t nn_wgrad_scratch_bytes(int64_t features, int64_t most, int64_t scalar_bytes);

/// The portable kernels (always available).
const nn_kernels *nn_kernels_portable(void);
/// The AVX2 kernels, or NULL when this CPU (or build) has none.
const nn_kernels *nn_kernels_avx2(void);
/// The AVX-512 kernels (F, VL, BW, DQ), or NULL when this CPU (or build) has none.
const nn_kernels *nn_kernels_avx512(void);
/// 1 when this is an x86-64 CPU with AVX2 and FMA (what OpenBLAS's Haswell kernels need), else 0.
int nn_cpu_has_avx2_fma(void);
/// 1 when this is an x86-64 CPU with AVX-512 F, VL, BW and DQ (OpenBLAS's SkylakeX kernels), else 0.
int nn_cpu_has_avx512(void);

/// The kernels in use: the best variant the CPU runs (AVX-512, then AVX2, then portable),
/// unless the environment variable NN_KERNELS=portable or NN_KERNELS=avx2 asks for a lesser
/// one. Chosen once, on the first call.
const nn_kernels *nn_kernels_active(void);

/// A hint to the CPU that this thread is spinning on a flag (x86 `pause`, arm64 `yield`), for
/// WorkerPool's waits.
static inline void nn_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

#endif
