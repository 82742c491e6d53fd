// The kernels of nn_kernels.h, each compiled three times from kernels_body.h (through
// kernels_variant.h): portable, and with AVX2 and with AVX-512 code generation (x86-64
// only), one selected once per process.
#include "nn_kernels.h"
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

// No contraction of a·b + c into a fused multiply-add behind the code's back: the element-wise
// kernels round products and sums separately in every variant, as NumPy does, and the
// sparse products fuse them exactly where FUSED says so (__builtin_elementwise_fma). The AVX2
// and AVX-512 variants (FUSED 1: measured 24% faster first-layer forward, 6% weight gradient
// in f64) give each other's results to the last bit; the portable one (FUSED 0, what a CPU
// without AVX2 and FMA runs) differs from them at rounding level in the first layer's
// products (KernelVariantTests checks both).
#pragma clang fp contract(off)
#pragma STDC FP_CONTRACT OFF

int64_t nn_wgrad_scratch_bytes(int64_t features, int64_t most, int64_t scalar_bytes) {
    // block (2 × NN_CHUNK tiles of 128 bytes), count[n + 1], next[n], hist[NN_CHUNK + 2] (i32),
    // order[n] (u16), most × (u16 + scalar), alignment slack.
    return 2 * NN_CHUNK * 128 + (2 * features + 1) * 8 + (NN_CHUNK + 2) * 4 + features * 2 + most * (2 + scalar_bytes) + 128;
}

#define VARIANT portable
#define TARGET
#define WAYS 2
#define GRAD_WAYS 2
#define PAIRS 0
#define FUSED 0
#include "kernels_variant.h"

const nn_kernels *nn_kernels_portable(void) { return &portable; }

#if defined(__x86_64__) && defined(__clang__)
#define VARIANT avx2
#define TARGET __attribute__((target("avx2,fma")))
#define WAYS 2
#define GRAD_WAYS 2
#define PAIRS 0
#define FUSED 1
#include "kernels_variant.h"

const nn_kernels *nn_kernels_avx2(void) { return nn_cpu_has_avx2_fma() ? &avx2 : NULL; }

// AVX-512 (F, VL, BW, DQ: Skylake-X and later): a 128-byte tile is two 512-bit registers
// instead of four 256-bit ones; the operations and their order are the AVX2 kernels'.
#define VARIANT avx512
#define TARGET __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,fma")))
#define WAYS 4
#define GRAD_WAYS 4
#define PAIRS 1
#define FUSED 1
#include "kernels_variant.h"

int nn_cpu_has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
}

const nn_kernels *nn_kernels_avx512(void) { return nn_cpu_has_avx512() ? &avx512 : NULL; }

int nn_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
const nn_kernels *nn_kernels_avx2(void) { return NULL; }
const nn_kernels *nn_kernels_avx512(void) { return NULL; }
int nn_cpu_has_avx2_fma(void) { return 0; }
int nn_cpu_has_avx512(void) { return 0; }
#endif

const nn_kernels *nn_kernels_active(void) {
    static const nn_kernels *chosen;
    const nn_kernels *k = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
    if (k) return k;
    // NN_KERNELS=portable|avx2|avx512 asks for a variant (a best one the CPU runs is used
    // when it cannot run the one asked for); unset or anything else: the best it runs.
    const char *want = getenv("NN_KERNELS");
    if (want && strcmp(want, "portable") == 0) k = &portable;
    else if (want && strcmp(want, "avx2") == 0) k = nn_kernels_avx2();
    if (!k) k = nn_kernels_avx512();
    if (!k) k = nn_kernels_avx2();
    if (!k) k = &portable;
    __atomic_store_n(&chosen, k, __ATOMIC_RELEASE);
    return k;
}
