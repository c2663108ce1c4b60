// Max pooling over 2×2 windows with stride 2, written with selects: which of four
// values wins is random, so a compare-and-branch loop mispredicts about half the time.
// With AVX-512, sixteen windows at a time: each row pair is loaded as two vectors and
// split into even and odd columns, and the four candidates are weighed in the scalar
// order (first maximum wins, the first NaN wins over numbers).
#include "CFlintKernels.h"

static void max_pool_2x2_scalar(const float *x, int64_t planes, int64_t height, int64_t width, float *out, int64_t *indices) {
    int64_t oh = height / 2, ow = width / 2, o = 0;
    for (int64_t p = 0; p < planes; p++) {
        const float *src = x + p * height * width;
        for (int64_t r = 0; r < oh; r++) {
            for (int64_t q = 0; q < ow; q++) {
                int64_t first = 2 * r * width + 2 * q, at = first;
                float best = src[first];
#define CONSIDER(k)                                                     \
    {                                                                   \
        float v = src[k];                                               \
        int wins = (v > best) | ((v != v) & (best == best));            \
        best = wins ? v : best;                                         \
        at = wins ? (k) : at;                                           \
    }
                CONSIDER(first + 1)
                CONSIDER(first + width)
                CONSIDER(first + width + 1)
#undef CONSIDER
                out[o] = best;
                indices[o] = at;
                o++;
            }
        }
    }
}

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

#define POOL_AVX512 __attribute__((target("avx512f")))

// Columns 2q and 2q+1 of `count` (≤ 16) windows starting at `row`, as even and odd lanes.
POOL_AVX512 static inline void split_columns(const float *row, int64_t count, __m512 *even, __m512 *odd) {
    int64_t n = 2 * count;
    __m512 a = _mm512_maskz_loadu_ps((__mmask16)(n >= 16 ? 0xFFFF : (1u << n) - 1), row);
    __m512 b = _mm512_maskz_loadu_ps((__mmask16)(n <= 16 ? 0 : (1u << (n - 16)) - 1), row + 16);
    const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odds = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    *even = _mm512_permutex2var_ps(a, evens, b);
    *odd = _mm512_permutex2var_ps(a, odds, b);
}

// Lets candidate `v` (at flat index `k`) replace the best so far where it wins.
POOL_AVX512 static inline void consider(__m512 v, __m512i k, __m512 *best, __m512i *at) {
    __mmask16 wins = _mm512_cmp_ps_mask(v, *best, _CMP_GT_OQ)
                   | (_mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q) & _mm512_cmp_ps_mask(*best, *best, _CMP_ORD_Q));
    *best = _mm512_mask_mov_ps(*best, wins, v);
    *at = _mm512_mask_mov_epi32(*at, wins, k);
}

POOL_AVX512 static void max_pool_2x2_avx512(const float *x, int64_t planes, int64_t height, int64_t width, float *out, int64_t *indices) {
    int64_t oh = height / 2, ow = width / 2, o = 0;
    const __m512i lanes = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    for (int64_t p = 0; p < planes; p++) {
        const float *src = x + p * height * width;
        for (int64_t r = 0; r < oh; r++) {
            for (int64_t q = 0; q < ow; q += 16) {
                int64_t count = ow - q < 16 ? ow - q : 16, first = 2 * r * width + 2 * q;
                __m512 v0, v1, v2, v3;
                split_columns(src + first, count, &v0, &v1);
                split_columns(src + first + width, count, &v2, &v3);
                __m512i k0 = _mm512_add_epi32(lanes, _mm512_set1_epi32((int)first));
                __m512 best = v0;
                __m512i at = k0;
                consider(v1, _mm512_add_epi32(k0, _mm512_set1_epi32(1)), &best, &at);
                consider(v2, _mm512_add_epi32(k0, _mm512_set1_epi32((int)width)), &best, &at);
                consider(v3, _mm512_add_epi32(k0, _mm512_set1_epi32((int)width + 1)), &best, &at);
                __mmask16 keep = (__mmask16)(count == 16 ? 0xFFFF : (1u << count) - 1);
                _mm512_mask_storeu_ps(out + o, keep, best);
                _mm512_mask_storeu_epi64(indices + o, (__mmask8)keep, _mm512_cvtepi32_epi64(_mm512_castsi512_si256(at)));
                _mm512_mask_storeu_epi64(indices + o + 8, (__mmask8)(keep >> 8), _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(at, 1)));
                o += count;
            }
        }
    }
}

void flint_max_pool_2x2(const float *x, int64_t planes, int64_t height, int64_t width, float *out, int64_t *indices) {
    __builtin_cpu_init();
    // Indices are computed in 32-bit lanes.
    if (__builtin_cpu_supports("avx512f") && height * width < (1LL << 31)) {
        max_pool_2x2_avx512(x, planes, height, width, out, indices);
    } else {
        max_pool_2x2_scalar(x, planes, height, width, out, indices);
    }
}

#else

void flint_max_pool_2x2(const float *x, int64_t planes, int64_t height, int64_t width, float *out, int64_t *indices) {
    max_pool_2x2_scalar(x, planes, height, width, out, indices);
}

#endif
