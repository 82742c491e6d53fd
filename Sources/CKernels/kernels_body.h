// One variant of the kernels: included by kernels.c with SCALAR (double or float), SUFFIX
// (f64 / f32 followed by the variant), TARGET (a function attribute or nothing), WAYS (how
// many independent sums sparse_forward keeps in registers at once), GRAD_WAYS (the same for
// sparse_wgrad) and FUSED (1: the sparse products' multiply-adds are fused, one rounding
// each; 0: a product and a sum, each rounded) defined.
#define NN_CAT2(a, b) a##_##b
#define NN_CAT(a, b) NN_CAT2(a, b)
#define FN(name) NN_CAT(name, SUFFIX)
#define TILE NN_CAT(tile, SUFFIX)
#define LANES ((int64_t)(128 / sizeof(SCALAR)))

typedef SCALAR TILE __attribute__((vector_size(128)));

// v in every lane, exactly (1·v is v, −0 and NaN included), from the function's `ones`: one
// vector operation even unoptimised (debug and sanitizer builds), a broadcast optimised.
#define SPLAT(v) (ones * (v))
#define ONES const TILE ones = (TILE){0} + (SCALAR)1; (void)ones

// acc + a·v lane by lane (a a tile, v a scalar): fused or not, per the variant (FUSED).
#if FUSED
#define MULADD(acc, a, v) __builtin_elementwise_fma((a), SPLAT(v), (acc))
#else
#define MULADD(acc, a, v) ((acc) + (a) * (v))
#endif

// order[0 ..< n] ← the keys' indices 0 ..< n sorted by key (each clamped to at most `most`),
// ascending and stable; `hist` holds most + 2 counters.
static inline void FN(sort_by_key)(const int64_t *key, int64_t n, int64_t most, int32_t *hist, uint16_t *order) {
    for (int64_t c = 0; c < most + 2; c++) hist[c] = 0;
    for (int64_t i = 0; i < n; i++) hist[(key[i] < most ? key[i] : most) + 1]++;
    for (int64_t c = 0; c <= most; c++) hist[c + 1] += hist[c];
    for (int64_t i = 0; i < n; i++) order[hist[key[i] < most ? key[i] : most]++] = (uint16_t)i;
}

// One group's terms for tile w0 (and, when `pair`, tile w1 alongside: each nonzero's
// feature and value loaded once for both) over the chunk's positions in the order `o`.
static inline __attribute__((always_inline)) TARGET void FN(forward_group)(
    const nn_sparse_input *x, const int64_t *const *first, const uint16_t *o, int64_t cw, int64_t g,
    const TILE *w0, const TILE *w1, TILE *acc0, TILE *acc1, const int pair) {
    ONES;
    const SCALAR *value = (const SCALAR *)x->value;
    const uint16_t *feature = x->feature;
    // WAYS samples at a time, each with its own sum, so that the chains of additions
    // overlap instead of each waiting on its last addition's latency (each sum's own order
    // is unchanged: its features increasing).
    int64_t r = 0;
    for (; r + WAYS <= cw; r += WAYS) {
        int64_t k[WAYS], e[WAYS], most = INT64_MAX;
        TILE sum0[WAYS], sum1[WAYS];
        for (int u = 0; u < WAYS; u++) {
            const int64_t *st = first[o[r + u]] + g;
            k[u] = st[0];
            e[u] = st[1];
            most = e[u] - k[u] < most ? e[u] - k[u] : most;
            sum0[u] = acc0[o[r + u]];
            if (pair) sum1[u] = acc1[o[r + u]];
        }
        for (int64_t i = 0; i < most; i++)
            for (int u = 0; u < WAYS; u++) {
                const int64_t f = feature[k[u] + i];
                const SCALAR v = value[k[u] + i];
                sum0[u] = MULADD(sum0[u], w0[f], v);
                if (pair) sum1[u] = MULADD(sum1[u], w1[f], v);
            }
        for (int u = 0; u < WAYS; u++) {
            TILE rest0 = sum0[u], rest1 = pair ? sum1[u] : (TILE){0};
            for (int64_t q = k[u] + most; q < e[u]; q++) {
                rest0 = MULADD(rest0, w0[feature[q]], value[q]);
                if (pair) rest1 = MULADD(rest1, w1[feature[q]], value[q]);
            }
            acc0[o[r + u]] = rest0;
            if (pair) acc1[o[r + u]] = rest1;
        }
    }
    for (; r < cw; r++) {
        const int64_t *st = first[o[r]] + g;
        TILE sum0 = acc0[o[r]], sum1 = pair ? acc1[o[r]] : (TILE){0};
        for (int64_t q = st[0]; q < st[1]; q++) {
            sum0 = MULADD(sum0, w0[feature[q]], value[q]);
            if (pair) sum1 = MULADD(sum1, w1[feature[q]], value[q]);
        }
        acc0[o[r]] = sum0;
        if (pair) acc1[o[r]] = sum1;
    }
}

static TARGET void FN(sparse_forward)(const nn_sparse_input *x, nn_batch b, int64_t p0, int64_t p1, const void *wt_,
                                      int64_t t0, int64_t t1, int64_t out, void *z_, int64_t ldz) {
    const TILE *wt = (const TILE *)wt_;
    SCALAR *z = (SCALAR *)z_;
    const int64_t n = x->features, groups = x->groups, group = x->group;
    TILE acc[PAIRS ? 2 : 1][NN_CHUNK];
    // Per chunk and group, the chunk's positions ordered by their number of nonzeros in the
    // group, so that the WAYS samples run side by side have (nearly) the same number and few
    // are left to run alone at the end. Which samples run together does not change any
    // sum's order. Without memory for it, positions in order.
    const int64_t *first[NN_CHUNK];
    int64_t len[NN_CHUNK];
    uint16_t *order = malloc((size_t)groups * NN_CHUNK * sizeof(uint16_t) + (size_t)(group + 2) * sizeof(int32_t));
    int32_t *hist = order ? (int32_t *)(order + groups * NN_CHUNK) : NULL;
    uint16_t inOrder[NN_CHUNK];
    for (int j = 0; j < NN_CHUNK; j++) inOrder[j] = (uint16_t)j;
    for (int64_t c0 = p0; c0 < p1; c0 += NN_CHUNK) {
        const int64_t cw = p1 - c0 < NN_CHUNK ? p1 - c0 : NN_CHUNK;
        for (int64_t j = 0; j < cw; j++) {
            const int64_t p = c0 + j, s = b.index ? b.index[p] : b.first + p;
            first[j] = x->start + s * groups;
        }
        if (order)
            for (int64_t g = 0; g < groups; g++) {
                for (int64_t j = 0; j < cw; j++) len[j] = first[j][g + 1] - first[j][g];
                FN(sort_by_key)(len, cw, group, hist, order + g * NN_CHUNK);
            }
        // Two tiles at a time where the variant says so (PAIRS), else one.
        for (int64_t t = t0; t < t1;) {
            const int pair = PAIRS && t + 1 < t1;
            for (int h = 0; h <= pair; h++)
                for (int64_t j = 0; j < cw; j++) acc[h][j] = (TILE){0};
            for (int64_t g = 0; g < groups; g++) {
                const uint16_t *o = order ? order + g * NN_CHUNK : inOrder;
                if (pair) FN(forward_group)(x, first, o, cw, g, wt + t * n, wt + (t + 1) * n, acc[0], acc[PAIRS ? 1 : 0], 1);
                else FN(forward_group)(x, first, o, cw, g, wt + t * n, NULL, acc[0], NULL, 0);
            }
            for (int h = 0; h <= pair; h++, t++) {
                const int64_t rows = out - t * LANES < LANES ? out - t * LANES : LANES;
                for (int64_t i = 0; i < rows; i++) {
                    SCALAR *dst = z + (t * LANES + i) * ldz + c0;
                    for (int64_t j = 0; j < cw; j++) dst[j] = acc[h][j][i];
                }
            }
        }
    }
    free(order);
}

// Feature f's sum over a chunk is `*rest` when `touched` (it has entries in the chunk): the
// first chunk writes G (0 + its sum: what adding to zeros gave), later ones add; with W
// given (`fuse`), the last one applies the descent instead of storing G.
// (`rest` by address: a vector this wide is no portable argument.)
static inline __attribute__((always_inline)) TARGET void FN(wgrad_finish)(TILE *gt, TILE *wt, int64_t f, int touched,
                                                                          const TILE *rest, int first, int fuse,
                                                                          SCALAR lr, SCALAR scale) {
    if (!touched && !first && !fuse) return;
    TILE gv = first ? (TILE){0} : gt[f];
    if (touched) gv = gv + *rest;
    if (fuse) wt[f] = wt[f] - lr * (scale * gv); else gt[f] = gv;
}

// dZ's rows of tile t, positions c0 ..< c0 + cw, as one tile per position (0 past the last row).
static inline __attribute__((always_inline)) TARGET void FN(wgrad_block)(const SCALAR *dz, int64_t lddz, int64_t t,
                                                                         int64_t out, int64_t c0, int64_t cw, TILE *block) {
    const int64_t rows = out - t * LANES < LANES ? out - t * LANES : LANES;
    SCALAR *bs = (SCALAR *)block;
    for (int64_t i = 0; i < LANES; i++) {
        if (i < rows) {
            const SCALAR *src = dz + (t * LANES + i) * lddz + c0;
            for (int64_t j = 0; j < cw; j++) bs[j * LANES + i] = src[j];
        } else {
            for (int64_t j = 0; j < cw; j++) bs[j * LANES + i] = 0;
        }
    }
}

// One chunk's sums for tile t (and, when `pair`, tile t + 1 alongside: each entry's position
// and value loaded once for both), features in `order` (the `empty` first have no entries).
static inline __attribute__((always_inline)) TARGET void FN(wgrad_tiles)(
    const SCALAR *dz, int64_t lddz, int64_t t, int64_t out, int64_t n, int64_t c0, int64_t cw, TILE *block,
    const int64_t *count, const uint16_t *order, int64_t empty, const uint16_t *fs, const SCALAR *v, TILE *g, TILE *wd,
    int first, int fuse, int unchanged, SCALAR lr, SCALAR scale, const int pair) {
    ONES;
    TILE *block0 = block, *block1 = block + NN_CHUNK;
    FN(wgrad_block)(dz, lddz, t, out, c0, cw, block0);
    if (pair) FN(wgrad_block)(dz, lddz, t + 1, out, c0, cw, block1);
    TILE *g0 = g + t * n, *w0 = wd ? wd + t * n : NULL;
    TILE *g1 = pair ? g + (t + 1) * n : NULL, *w1 = pair && wd ? wd + (t + 1) * n : NULL;
    // A feature without entries in the whole batch (one chunk) has G = 0, and with lr and
    // scale positive and finite its descent w − lr·(scale·0) = w − (+0) is w itself (−0,
    // infinities and quiet NaNs included, in the default rounding mode nn never leaves):
    // nothing to write.
    const TILE zero = {0};
    if ((first || fuse) && !(first && fuse && unchanged))
        for (int64_t r = 0; r < empty; r++) {
            FN(wgrad_finish)(g0, w0, order[r], 0, &zero, first, fuse, lr, scale);
            if (pair) FN(wgrad_finish)(g1, w1, order[r], 0, &zero, first, fuse, lr, scale);
        }
    // GRAD_WAYS features at a time, each with its own sum (as in sparse_forward: the chains
    // overlap, each sum's order unchanged).
    int64_t r = empty;
    for (; r + GRAD_WAYS <= n; r += GRAD_WAYS) {
        int64_t k[GRAD_WAYS], most = INT64_MAX;
        TILE sum0[GRAD_WAYS], sum1[GRAD_WAYS];
        for (int u = 0; u < GRAD_WAYS; u++) {
            const int64_t f = order[r + u];
            k[u] = count[f];
            const int64_t len = count[f + 1] - k[u];
            most = len < most ? len : most;
            sum0[u] = (TILE){0};
            if (pair) sum1[u] = (TILE){0};
        }
        for (int64_t i = 0; i < most; i++)
            for (int u = 0; u < GRAD_WAYS; u++) {
                const int64_t j = fs[k[u] + i];
                const SCALAR x = v[k[u] + i];
                sum0[u] = MULADD(sum0[u], block0[j], x);
                if (pair) sum1[u] = MULADD(sum1[u], block1[j], x);
            }
        for (int u = 0; u < GRAD_WAYS; u++) {
            const int64_t f = order[r + u], e = count[f + 1];
            TILE rest0 = sum0[u], rest1 = pair ? sum1[u] : (TILE){0};
            for (int64_t q = k[u] + most; q < e; q++) {
                rest0 = MULADD(rest0, block0[fs[q]], v[q]);
                if (pair) rest1 = MULADD(rest1, block1[fs[q]], v[q]);
            }
            FN(wgrad_finish)(g0, w0, f, 1, &rest0, first, fuse, lr, scale);
            if (pair) FN(wgrad_finish)(g1, w1, f, 1, &rest1, first, fuse, lr, scale);
        }
    }
    for (; r < n; r++) {
        const int64_t f = order[r], e = count[f + 1];
        TILE sum0 = (TILE){0}, sum1 = (TILE){0};
        for (int64_t q = count[f]; q < e; q++) {
            sum0 = MULADD(sum0, block0[fs[q]], v[q]);
            if (pair) sum1 = MULADD(sum1, block1[fs[q]], v[q]);
        }
        FN(wgrad_finish)(g0, w0, f, 1, &sum0, first, fuse, lr, scale);
        if (pair) FN(wgrad_finish)(g1, w1, f, 1, &sum1, first, fuse, lr, scale);
    }
}

static TARGET void FN(sparse_wgrad)(const nn_sparse_input *x, nn_batch b, const void *dz_, int64_t lddz,
                                    int64_t t0, int64_t t1, int64_t out, void *g_, void *scratch,
                                    void *w_, double lr_, double scale_) {
    const SCALAR *dz = (const SCALAR *)dz_, *value = (const SCALAR *)x->value;
    TILE *g = (TILE *)g_, *wd = (TILE *)w_;
    const SCALAR lr = (SCALAR)lr_, scale = (SCALAR)scale_;
    const int unchanged = lr > 0 && scale > 0 && __builtin_isfinite(lr) && __builtin_isfinite(scale);
    const int64_t n = x->features, groups = x->groups;
    // Scratch (see nn_wgrad_scratch_bytes): block[h·NN_CHUNK + j] = dZ's tile (the h-th of
    // the tiles run together) for chunk position j, count[n + 1] and next[n] for the
    // regrouping, hist[NN_CHUNK + 2] and order[n] for the features by their entries, then
    // the chunk's entries by feature.
    TILE *block = (TILE *)scratch;
    int64_t *count = (int64_t *)(block + 2 * NN_CHUNK), *next = count + n + 1;
    int32_t *hist = (int32_t *)(next + n);
    uint16_t *order = (uint16_t *)(hist + NN_CHUNK + 2);
    uint16_t *fs = order + n;
    if (b.count == 0)
        for (int64_t t = t0; t < t1; t++)
            for (int64_t f = 0; f < n; f++) {
                g[t * n + f] = (TILE){0};
                if (wd) wd[t * n + f] = wd[t * n + f] - lr * (scale * g[t * n + f]);
            }
    for (int64_t c0 = 0; c0 < b.count; c0 += NN_CHUNK) {
        const int64_t cw = b.count - c0 < NN_CHUNK ? b.count - c0 : NN_CHUNK;
        // The first chunk writes G, later ones add; with W given, the last one descends.
        const int first = c0 == 0, fuse = wd && c0 + cw >= b.count;
        // The chunk's nonzeros regrouped by feature, positions increasing within a feature.
        for (int64_t f = 0; f <= n; f++) count[f] = 0;
        for (int64_t j = 0; j < cw; j++) {
            const int64_t s = b.index ? b.index[c0 + j] : b.first + c0 + j;
            for (int64_t k = x->start[s * groups]; k < x->start[(s + 1) * groups]; k++) count[x->feature[k] + 1]++;
        }
        // The features ordered by their entries in the chunk (count[f + 1], before the sums
        // below), so that the GRAD_WAYS features summed side by side have (nearly) as many
        // each and few are left to run alone; the features without any come first.
        FN(sort_by_key)(count + 1, n, NN_CHUNK, hist, order);
        int64_t empty = 0;
        while (empty < n && count[order[empty] + 1] == 0) empty++;
        for (int64_t f = 0; f < n; f++) { count[f + 1] += count[f]; next[f] = count[f]; }
        SCALAR *v = (SCALAR *)(((uintptr_t)(fs + count[n]) + 63) & ~(uintptr_t)63);
        for (int64_t j = 0; j < cw; j++) {
            const int64_t s = b.index ? b.index[c0 + j] : b.first + c0 + j;
            for (int64_t k = x->start[s * groups]; k < x->start[(s + 1) * groups]; k++) {
                const int64_t q = next[x->feature[k]]++;
                fs[q] = (uint16_t)j;
                v[q] = value[k];
            }
        }
        // Two tiles at a time where the variant says so (PAIRS), else one.
        for (int64_t t = t0; t < t1;) {
            const int pair = PAIRS && t + 1 < t1;
            if (pair) FN(wgrad_tiles)(dz, lddz, t, out, n, c0, cw, block, count, order, empty, fs, v, g, wd, first, fuse,
                                      unchanged, lr, scale, 1);
            else FN(wgrad_tiles)(dz, lddz, t, out, n, c0, cw, block, count, order, empty, fs, v, g, wd, first, fuse,
                                 unchanged, lr, scale, 0);
            t += 1 + pair;
        }
    }
}

static TARGET void FN(relu_forward)(const SCALAR *p, const SCALAR *bias, SCALAR *a, int64_t cols, int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
        const SCALAR bb = bias[r];
        const SCALAR *src = p + r * cols;
        SCALAR *dst = a + r * cols;
        for (int64_t c = 0; c < cols; c++) {
            const SCALAR v = src[c] + bb;
            dst[c] = v <= 0 ? 0 : v;
        }
    }
}

static TARGET void FN(relu_backward)(SCALAR *g, const SCALAR *a, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) g[i] = a[i] <= 0 ? 0 : g[i];
}

static TARGET void FN(descend)(SCALAR *p, const SCALAR *raw, SCALAR lr, SCALAR scale, int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; i++) p[i] = p[i] - lr * (scale * raw[i]);
}

#undef TILE
#undef FN
#undef LANES
#undef MULADD
#undef SPLAT
#undef ONES
#undef NN_CAT
#undef NN_CAT2
