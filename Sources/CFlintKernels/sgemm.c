// Single-precision GEMM micro-kernels and packing, each compiled for its instruction set
// with a target attribute and chosen at run time from the CPU's features, so one build
// runs on every x86-64 machine at the speed its CPU allows.
#include "CFlintKernels.h"
#include <string.h>

// Packs lines with a plain loop: the fallback of every instruction set.
static void pack_portable(int64_t count, int64_t depth, int64_t tile, const float *src, int64_t stride,
                          int64_t depth_stride, float *dst) {
    for (int64_t start = 0; start < count; start += tile, dst += depth * tile) {
        int64_t lines = count - start < tile ? count - start : tile;
        const float *first = src + start * stride;
        for (int64_t p = 0; p < depth; p++) {
            float *row = dst + p * tile;
            for (int64_t i = 0; i < lines; i++) row[i] = first[i * stride + p * depth_stride];
            for (int64_t i = lines; i < tile; i++) row[i] = 0;
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

#define FLINT_AVX512 __attribute__((target("avx512f,fma")))
#define FLINT_AVX2 __attribute__((target("avx2,fma")))
#define FLINT_INLINE static inline __attribute__((always_inline))

// Rows of A read in place are found from one pointer per group of three rows (row i at
// group[i/3] + (i%3)·lda, an address mode of its own), so a step advances four pointers
// instead of computing twelve addresses.
#define ROW_GROUPS(a, a_row) {(a), (a) + 3 * (a_row), (a) + 6 * (a_row), (a) + 9 * (a_row)}
#define ROW_ELEMENT(group, a_row, i) ((group)[(i) / 3][((i) % 3) * (a_row)])

// An R-row tile of up to 32 columns (W = 1 or 2 vectors of 16): R·W zmm accumulators,
// one broadcast of A per row and step; stores masked to the tile's columns. A is a
// packed sliver (element (i, p) at a[12·p + i]) or, with D, rows read in place (element
// (i, p) at a[i·a_row + p]).
FLINT_AVX512 FLINT_INLINE void avx512_tile(const int R, const int W, const int D, int64_t depth, const float *a, int64_t a_row,
                                            const float *b, int64_t ldb, float *c, int64_t ldc, int accumulate, int columns) {
    __m512 lo[12], hi[12];
    const float *group[4] = ROW_GROUPS(a, a_row);
    __mmask16 mlo = columns >= 16 ? 0xFFFF : (__mmask16)((1u << columns) - 1);
    __mmask16 mhi = columns >= 32 ? 0xFFFF : columns <= 16 ? 0 : (__mmask16)((1u << (columns - 16)) - 1);
#pragma clang loop unroll(full)
    for (int i = 0; i < R; i++) { lo[i] = _mm512_setzero_ps(); hi[i] = _mm512_setzero_ps(); }
    for (int64_t p = 0; p < depth; p++) {
        __m512 b0 = _mm512_loadu_ps(b), b1 = W == 2 ? _mm512_loadu_ps(b + 16) : b0;
#pragma clang loop unroll(full)
        for (int i = 0; i < R; i++) {
            __m512 s = _mm512_set1_ps(D ? ROW_ELEMENT(group, a_row, i) : a[i]);
            lo[i] = _mm512_fmadd_ps(s, b0, lo[i]);
            if (W == 2) hi[i] = _mm512_fmadd_ps(s, b1, hi[i]);
        }
        if (D) {
            for (int g = 0; g < 4; g++) group[g]++;
        } else {
            a += 12;
        }
        b += ldb;
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < R; i++) {
        float *row = c + i * ldc;
        if (accumulate) lo[i] = _mm512_add_ps(lo[i], _mm512_maskz_loadu_ps(mlo, row));
        _mm512_mask_storeu_ps(row, mlo, lo[i]);
        if (W == 2) {
            if (accumulate) hi[i] = _mm512_add_ps(hi[i], _mm512_maskz_loadu_ps(mhi, row + 16));
            _mm512_mask_storeu_ps(row + 16, mhi, hi[i]);
        }
    }
}

// Each tile shape of an instruction set twice: from a packed sliver of A, and from rows
// of A read in place (R rows; one or two vectors of NARROW columns).
#define TILE_VARIANTS(SET, TARGET, R, NARROW, WIDE) \
    TARGET static void SET##_##R##x##NARROW(int64_t d, const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc, int acc, int cols) \
    { SET##_tile(R, 1, 0, d, a, lda, b, ldb, c, ldc, acc, cols); } \
    TARGET static void SET##_##R##x##WIDE(int64_t d, const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc, int acc, int cols) \
    { SET##_tile(R, 2, 0, d, a, lda, b, ldb, c, ldc, acc, cols); } \
    TARGET static void SET##_rows_##R##x##NARROW(int64_t d, const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc, int acc, int cols) \
    { SET##_tile(R, 1, 1, d, a, lda, b, ldb, c, ldc, acc, cols); } \
    TARGET static void SET##_rows_##R##x##WIDE(int64_t d, const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc, int acc, int cols) \
    { SET##_tile(R, 2, 1, d, a, lda, b, ldb, c, ldc, acc, cols); }
#define TILE_ENTRY(SET, R, NARROW, WIDE) {{SET##_##R##x##NARROW, SET##_##R##x##WIDE}, {SET##_rows_##R##x##NARROW, SET##_rows_##R##x##WIDE}},
typedef void (*tile_function)(int64_t, const float *, int64_t, const float *, int64_t, float *, int64_t, int, int);

#define AVX512_ROWS(X) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12)
#define AVX512_VARIANT(R) TILE_VARIANTS(avx512, FLINT_AVX512, R, 16, 32)
AVX512_ROWS(AVX512_VARIANT)
#define AVX512_ENTRY(R) TILE_ENTRY(avx512, R, 16, 32)
static const tile_function avx512_tiles[12][2][2] = {AVX512_ROWS(AVX512_ENTRY)};

// 12 rows × 32 columns, or any smaller tile; narrow tiles skip the second column vector.
static void sgemm_avx512(int64_t depth, const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc,
                         int accumulate, int rows, int columns) {
    avx512_tiles[rows - 1][lda != 0][columns > 16](depth, a, lda, b, ldb, c, ldc, accumulate, columns);
}

// The AVX2 counterpart: R rows of up to 16 columns (W = 1 or 2 vectors of 8).
FLINT_AVX2 FLINT_INLINE void avx2_tile(const int R, const int W, const int D, int64_t depth, const float *a, int64_t a_row,
                                        const float *b, int64_t ldb, float *c, int64_t ldc, int accumulate, int columns) {
    __m256 lo[6], hi[6];
    const float *group[4] = ROW_GROUPS(a, a_row);
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i mlo = _mm256_cmpgt_epi32(_mm256_set1_epi32(columns), lanes);
    __m256i mhi = _mm256_cmpgt_epi32(_mm256_set1_epi32(columns - 8), lanes);
#pragma clang loop unroll(full)
    for (int i = 0; i < R; i++) { lo[i] = _mm256_setzero_ps(); hi[i] = _mm256_setzero_ps(); }
    for (int64_t p = 0; p < depth; p++) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = W == 2 ? _mm256_loadu_ps(b + 8) : b0;
#pragma clang loop unroll(full)
        for (int i = 0; i < R; i++) {
            __m256 s = _mm256_broadcast_ss(D ? &ROW_ELEMENT(group, a_row, i) : a + i);
            lo[i] = _mm256_fmadd_ps(s, b0, lo[i]);
            if (W == 2) hi[i] = _mm256_fmadd_ps(s, b1, hi[i]);
        }
        if (D) {
            for (int g = 0; g < 2; g++) group[g]++;
        } else {
            a += 6;
        }
        b += ldb;
    }
#pragma clang loop unroll(full)
    for (int i = 0; i < R; i++) {
        float *row = c + i * ldc;
        if (accumulate) lo[i] = _mm256_add_ps(lo[i], _mm256_maskload_ps(row, mlo));
        _mm256_maskstore_ps(row, mlo, lo[i]);
        if (W == 2) {
            if (accumulate) hi[i] = _mm256_add_ps(hi[i], _mm256_maskload_ps(row + 8, mhi));
            _mm256_maskstore_ps(row + 8, mhi, hi[i]);
        }
    }
}

#define AVX2_ROWS(X) X(1) X(2) X(3) X(4) X(5) X(6)
#define AVX2_VARIANT(R) TILE_VARIANTS(avx2, FLINT_AVX2, R, 8, 16)
AVX2_ROWS(AVX2_VARIANT)
#define AVX2_ENTRY(R) TILE_ENTRY(avx2, R, 8, 16)
static const tile_function avx2_tiles[6][2][2] = {AVX2_ROWS(AVX2_ENTRY)};

// 6 rows × 16 columns, or any smaller tile.
static void sgemm_avx2(int64_t depth, const float *a, int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc,
                       int accumulate, int rows, int columns) {
    avx2_tiles[rows - 1][lda != 0][columns > 8](depth, a, lda, b, ldb, c, ldc, accumulate, columns);
}

// Transposes the 8×8 block whose rows are r[0..7] in place.
FLINT_AVX2 FLINT_INLINE void transpose8x8(__m256 r[8]) {
    __m256 t[8], s[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int h = 0; h < 2; h++) {
        s[4 * h + 0] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], _MM_SHUFFLE(1, 0, 1, 0));
        s[4 * h + 1] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], _MM_SHUFFLE(3, 2, 3, 2));
        s[4 * h + 2] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], _MM_SHUFFLE(1, 0, 1, 0));
        s[4 * h + 3] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x20);
        r[i + 4] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x31);
    }
}

// Packs lines that are contiguous along the depth (a transpose): 8×8 blocks in
// registers, 4×4 blocks for a group of four lines, single elements for the rest.
FLINT_AVX2 static void pack_depth_contiguous_avx2(int64_t count, int64_t depth, int64_t tile, const float *src,
                                                  int64_t stride, float *dst) {
    for (int64_t start = 0; start < count; start += tile, dst += depth * tile) {
        int64_t lines = count - start < tile ? count - start : tile;
        const float *first = src + start * stride;
        int64_t i = 0;
        for (; i + 8 <= lines; i += 8) {
            const float *line = first + i * stride;
            int64_t p = 0;
            for (; p + 8 <= depth; p += 8) {
                __m256 r[8];
                for (int q = 0; q < 8; q++) r[q] = _mm256_loadu_ps(line + q * stride + p);
                transpose8x8(r);
                for (int q = 0; q < 8; q++) _mm256_storeu_ps(dst + (p + q) * tile + i, r[q]);
            }
            for (; p < depth; p++) {
                for (int q = 0; q < 8; q++) dst[p * tile + i + q] = line[q * stride + p];
            }
        }
        for (; i + 4 <= lines; i += 4) {
            const float *line = first + i * stride;
            int64_t p = 0;
            for (; p + 4 <= depth; p += 4) {
                __m128 r0 = _mm_loadu_ps(line + p), r1 = _mm_loadu_ps(line + stride + p);
                __m128 r2 = _mm_loadu_ps(line + 2 * stride + p), r3 = _mm_loadu_ps(line + 3 * stride + p);
                _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
                _mm_storeu_ps(dst + p * tile + i, r0);
                _mm_storeu_ps(dst + (p + 1) * tile + i, r1);
                _mm_storeu_ps(dst + (p + 2) * tile + i, r2);
                _mm_storeu_ps(dst + (p + 3) * tile + i, r3);
            }
            for (; p < depth; p++) {
                for (int q = 0; q < 4; q++) dst[p * tile + i + q] = line[q * stride + p];
            }
        }
        for (; i < tile; i++) {
            const float *line = first + i * stride;
            for (int64_t p = 0; p < depth; p++) dst[p * tile + i] = i < lines ? line[p] : 0;
        }
    }
}

// Transposes the 16×16 block whose rows are r[0..15] in place.
FLINT_AVX512 FLINT_INLINE void transpose16x16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
        __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
        __m512d c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
        r[4 * i + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
        r[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
        r[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
        r[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
    }
    for (int i = 0; i < 4; i++) {
        t[i] = _mm512_shuffle_f32x4(r[i], r[4 + i], 0x88);
        t[4 + i] = _mm512_shuffle_f32x4(r[i], r[4 + i], 0xdd);
        t[8 + i] = _mm512_shuffle_f32x4(r[8 + i], r[12 + i], 0x88);
        t[12 + i] = _mm512_shuffle_f32x4(r[8 + i], r[12 + i], 0xdd);
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0x88);
        r[8 + i] = _mm512_shuffle_f32x4(t[i], t[8 + i], 0xdd);
        r[4 + i] = _mm512_shuffle_f32x4(t[4 + i], t[12 + i], 0x88);
        r[12 + i] = _mm512_shuffle_f32x4(t[4 + i], t[12 + i], 0xdd);
    }
}

// The AVX-512 counterpart of pack_depth_contiguous_avx2: groups of up to 16 lines,
// 16 steps of depth at a time, one full cache line per line and step group; missing
// lines read as zeros and masks cover the ends, so no element is handled alone.
FLINT_AVX512 static void pack_depth_contiguous_avx512(int64_t count, int64_t depth, int64_t tile, const float *src,
                                                      int64_t stride, float *dst) {
    for (int64_t start = 0; start < count; start += tile, dst += depth * tile) {
        int64_t lines = count - start < tile ? count - start : tile;
        const float *first = src + start * stride;
        for (int64_t i = 0; i < tile; i += 16) {
            int64_t present = lines - i < 0 ? 0 : lines - i < 16 ? lines - i : 16;
            int64_t width = tile - i < 16 ? tile - i : 16;
            __mmask16 columns = (__mmask16)((1u << width) - 1);
            const float *line = first + i * stride;
            for (int64_t p = 0; p < depth; p += 16) {
                int64_t steps = depth - p < 16 ? depth - p : 16;
                __mmask16 along = (__mmask16)((1u << steps) - 1);
                __m512 r[16];
#pragma clang loop unroll(full)
                for (int q = 0; q < 16; q++) {
                    r[q] = q < present ? _mm512_maskz_loadu_ps(along, line + q * stride + p) : _mm512_setzero_ps();
                }
                transpose16x16(r);
#pragma clang loop unroll(full)
                for (int q = 0; q < 16; q++) {
                    if (q < steps) _mm512_mask_storeu_ps(dst + (p + q) * tile + i, columns, r[q]);
                }
            }
        }
    }
}

// Sums of products along rows, C[i][j] (+)= Σ_s Σ_p A_s[i][p]·B_s[j][p], for an R×S
// tile: R·S zmm accumulators, each a running dot product reduced once at the end.
FLINT_AVX512 FLINT_INLINE void avx512_dot_tile(const int R, const int S, const flint_sgemm_dot_problem *d,
                                                int64_t i0, int64_t j0) {
    __m512 acc[4][4];
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
        for (int t = 0; t < S; t++) acc[r][t] = _mm512_setzero_ps();
    }
    __mmask16 tail = (__mmask16)((1u << (d->length % 16)) - 1);
    for (int64_t seg = 0; seg < d->segments; seg++) {
        const float *a = d->a + seg * d->a_segment + i0 * d->lda, *b = d->b + seg * d->b_segment + j0 * d->ldb;
        for (int64_t p = 0; p < d->length; p += 16) {
            __mmask16 m = p + 16 <= d->length ? 0xFFFF : tail;
            __m512 av[4], bv[4];
#pragma clang loop unroll(full)
            for (int r = 0; r < R; r++) av[r] = _mm512_maskz_loadu_ps(m, a + r * d->lda + p);
#pragma clang loop unroll(full)
            for (int t = 0; t < S; t++) bv[t] = _mm512_maskz_loadu_ps(m, b + t * d->ldb + p);
#pragma clang loop unroll(full)
            for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
                for (int t = 0; t < S; t++) acc[r][t] = _mm512_fmadd_ps(av[r], bv[t], acc[r][t]);
            }
        }
    }
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
        float *row = d->c + (i0 + r) * d->ldc + j0;
#pragma clang loop unroll(full)
        for (int t = 0; t < S; t++) {
            float v = _mm512_reduce_add_ps(acc[r][t]);
            row[t] = d->accumulate ? row[t] + v : v;
        }
    }
}

#define DOT_SIZES(X) X(1, 1) X(1, 2) X(1, 3) X(1, 4) X(2, 1) X(2, 2) X(2, 3) X(2, 4) \
                     X(3, 1) X(3, 2) X(3, 3) X(3, 4) X(4, 1) X(4, 2) X(4, 3) X(4, 4)
#define AVX512_DOT_VARIANT(R, S) \
    FLINT_AVX512 static void avx512_dot_##R##x##S(const flint_sgemm_dot_problem *d, int64_t i0, int64_t j0) \
    { avx512_dot_tile(R, S, d, i0, j0); }
DOT_SIZES(AVX512_DOT_VARIANT)
#define DOT_ENTRY(R, S) avx512_dot_##R##x##S,
static void (*const avx512_dot_tiles[16])(const flint_sgemm_dot_problem *, int64_t, int64_t) = {DOT_SIZES(DOT_ENTRY)};

// The whole product in 4×4 tiles (smaller at the edges).
static void sgemm_dot_avx512(const flint_sgemm_dot_problem *d) {
    for (int64_t i0 = 0; i0 < d->m; i0 += 4) {
        int64_t rows = d->m - i0 < 4 ? d->m - i0 : 4;
        for (int64_t j0 = 0; j0 < d->n; j0 += 4) {
            int64_t columns = d->n - j0 < 4 ? d->n - j0 : 4;
            avx512_dot_tiles[(rows - 1) * 4 + columns - 1](d, i0, j0);
        }
    }
}

static int has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
}

static int has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// Each instruction set's packing: lines contiguous along the depth are transposed in
// registers, other layouts copied by the plain loop.
#define PACK_FOR(SET, TARGET) \
    TARGET static void pack_##SET(int64_t count, int64_t depth, int64_t tile, const float *src, int64_t stride, \
                                  int64_t depth_stride, float *dst) { \
        if (depth_stride == 1 && stride != 1) { \
            pack_depth_contiguous_##SET(count, depth, tile, src, stride, dst); \
        } else { \
            pack_portable(count, depth, tile, src, stride, depth_stride, dst); \
        } \
    }
PACK_FOR(avx512, FLINT_AVX512)
PACK_FOR(avx2, FLINT_AVX2)

flint_sgemm_kernel_info flint_sgemm_kernel_named(const char *name) {
    if (strcmp(name, "avx512") == 0 && has_avx512()) {
        return (flint_sgemm_kernel_info){"avx512", 12, 32, sgemm_avx512, pack_avx512};
    }
    if (strcmp(name, "avx2") == 0 && has_avx2()) {
        return (flint_sgemm_kernel_info){"avx2", 6, 16, sgemm_avx2, pack_avx2};
    }
    return (flint_sgemm_kernel_info){"none", 0, 0, 0, 0};
}

void flint_sgemm_pack(int64_t count, int64_t depth, int64_t tile, const float *src, int64_t stride,
                      int64_t depth_stride, float *dst) {
    flint_sgemm_packer pack = has_avx512() ? pack_avx512 : has_avx2() ? pack_avx2 : pack_portable;
    pack(count, depth, tile, src, stride, depth_stride, dst);
}

flint_sgemm_dot_kernel flint_sgemm_dot_select(void) {
    return has_avx512() ? sgemm_dot_avx512 : 0;
}

#else

flint_sgemm_dot_kernel flint_sgemm_dot_select(void) { return 0; }

flint_sgemm_kernel_info flint_sgemm_kernel_named(const char *name) {
    (void)name;
    return (flint_sgemm_kernel_info){"none", 0, 0, 0, 0};
}

void flint_sgemm_pack(int64_t count, int64_t depth, int64_t tile, const float *src, int64_t stride,
                      int64_t depth_stride, float *dst) {
    pack_portable(count, depth, tile, src, stride, depth_stride, dst);
}

#endif

flint_sgemm_kernel_info flint_sgemm_select(void) {
    flint_sgemm_kernel_info best = flint_sgemm_kernel_named("avx512");
    if (best.kernel) return best;
    return flint_sgemm_kernel_named("avx2");
}
