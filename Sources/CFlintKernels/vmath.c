// Vectorised float32 exp, tanh and sigmoid (Cephes-style range reduction and minimax
// polynomials, within a few ulp of libm) and a double-accumulating sum, for AVX-512 and
// AVX2, chosen at run time.
#include "CFlintKernels.h"
#include <math.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

// Scalar versions for loop tails, matching the vector formulas.
static inline float exp_scalar(float x) { return expf(x); }
static inline float tanh_scalar(float x) { return tanhf(x); }
static inline float sigmoid_scalar(float x) { return 1.0f / (1.0f + expf(-x)); }

// tanh: an odd polynomial below |x| = 0.625, else 1 − 2/(e^2|x| + 1) with the sign of x,
// the reciprocal from the CPU's estimate refined by one Newton step (a division costs
// more than the rest of the formula); |x| is capped at 10, where tanh is ±1 in float32.
// exp: x = n·ln2 + r with |r| <= ln2/2, e^r by a degree-7 polynomial, then scaled by 2^n
// so that overflow gives infinity and underflow is gradual (SCALE2: AVX-512's scalef, or
// two factors 2^(n/2)·2^(n-n/2) built from exponent bits). n is rounded by adding and
// subtracting 1.5·2^23 (two additions on any vector port; a rounding instruction is two
// micro-ops on one). exp_core takes x within [−104, 89]; exp clamps first (tanh's argument
// is already within [0, 20], and the clamp would be a tenth of its work).
// The clamp keeps NaN (max/min return their second operand when either is NaN).
#define DEFINE_VECTOR_MATH(ISA, TARGET, V, SET1, LOAD, STORE, ADD, SUB, MUL, DIV, FMADD, FNMADD, MAX, MIN, SCALE2, ABS, XORSIGN, LTMASK, BLEND, RCP) \
    TARGET static inline V exp_core_##ISA(V x) {                                                   \
        V n = SUB(FMADD(x, SET1(1.44269504088896341f), SET1(12582912.0f)), SET1(12582912.0f));     \
        V r = FMADD(n, SET1(-0.693359375f), x);                                                    \
        r = FMADD(n, SET1(2.12194440e-4f), r);                                                     \
        V p = SET1(1.9875691500e-4f);                                                              \
        p = FMADD(p, r, SET1(1.3981999507e-3f));                                                   \
        p = FMADD(p, r, SET1(8.3334519073e-3f));                                                   \
        p = FMADD(p, r, SET1(4.1665795894e-2f));                                                   \
        p = FMADD(p, r, SET1(1.6666665459e-1f));                                                   \
        p = FMADD(p, r, SET1(5.0000001201e-1f));                                                   \
        p = FMADD(MUL(p, r), r, ADD(r, SET1(1.0f)));                                               \
        return SCALE2(p, n);                                                                       \
    }                                                                                              \
    TARGET static inline V exp_##ISA(V x) {                                                        \
        return exp_core_##ISA(MIN(SET1(89.0f), MAX(SET1(-104.0f), x)));                            \
    }                                                                                              \
    TARGET static inline V tanh_##ISA(V x) {                                                       \
        V a = MIN(SET1(10.0f), ABS(x));                                                            \
        V z = MUL(x, x);                                                                           \
        V q = SET1(-5.70498872745e-3f);                                                            \
        q = FMADD(q, z, SET1(2.06390887954e-2f));                                                  \
        q = FMADD(q, z, SET1(-5.37397155531e-2f));                                                 \
        q = FMADD(q, z, SET1(1.33314422036e-1f));                                                  \
        q = FMADD(q, z, SET1(-3.33332819422e-1f));                                                 \
        V small = FMADD(MUL(q, z), x, x);                                                          \
        V e = exp_core_##ISA(ADD(a, a));                                                           \
        V d = ADD(e, SET1(1.0f)), r = RCP(d);                                                      \
        r = FMADD(r, FNMADD(d, r, SET1(1.0f)), r);                                                 \
        V large = FNMADD(SET1(2.0f), r, SET1(1.0f));                                               \
        large = XORSIGN(large, x);                                                                 \
        return BLEND(LTMASK(a, SET1(0.625f)), large, small);                                       \
    }                                                                                              \
    TARGET static void vexp_##ISA(const float *x, float *y, int64_t n) {                           \
        int64_t i = 0, lanes = sizeof(V) / sizeof(float);                                          \
        for (; i + lanes <= n; i += lanes) STORE(y + i, exp_##ISA(LOAD(x + i)));                   \
        for (; i < n; i++) y[i] = exp_scalar(x[i]);                                                \
    }                                                                                              \
    TARGET static void vtanh_##ISA(const float *x, float *y, int64_t n) {                          \
        int64_t i = 0, lanes = sizeof(V) / sizeof(float);                                          \
        for (; i + lanes <= n; i += lanes) STORE(y + i, tanh_##ISA(LOAD(x + i)));                  \
        for (; i < n; i++) y[i] = tanh_scalar(x[i]);                                               \
    }                                                                                              \
    TARGET static void vsigmoid_##ISA(const float *x, float *y, int64_t n) {                       \
        int64_t i = 0, lanes = sizeof(V) / sizeof(float);                                          \
        for (; i + lanes <= n; i += lanes) {                                                       \
            V e = exp_##ISA(SUB(SET1(0.0f), LOAD(x + i)));                                         \
            STORE(y + i, DIV(SET1(1.0f), ADD(SET1(1.0f), e)));                                     \
        }                                                                                          \
        for (; i < n; i++) y[i] = sigmoid_scalar(x[i]);                                            \
    }

#define AVX512 __attribute__((target("avx512f,avx512dq,fma")))
#define AVX2 __attribute__((target("avx2,fma")))

AVX512 static inline __m512 xorsign512(__m512 v, __m512 s) {
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(v), _mm512_and_si512(_mm512_castps_si512(s), _mm512_set1_epi32((int)0x80000000))));
}
AVX512 static inline __m512 abs512(__m512 v) { return _mm512_abs_ps(v); }
AVX512 static inline __mmask16 lt512(__m512 a, __m512 b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
AVX512 static inline __m512 blend512(__mmask16 m, __m512 a, __m512 b) { return _mm512_mask_blend_ps(m, a, b); }

DEFINE_VECTOR_MATH(avx512, AVX512, __m512, _mm512_set1_ps, _mm512_loadu_ps, _mm512_storeu_ps,
                   _mm512_add_ps, _mm512_sub_ps, _mm512_mul_ps, _mm512_div_ps, _mm512_fmadd_ps, _mm512_fnmadd_ps, _mm512_max_ps,
                   _mm512_min_ps, _mm512_scalef_ps, abs512, xorsign512, lt512, blend512, _mm512_rcp14_ps)

AVX2 static inline __m256 xorsign256(__m256 v, __m256 s) {
    return _mm256_or_ps(v, _mm256_and_ps(s, _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000))));
}
AVX2 static inline __m256 abs256(__m256 v) { return _mm256_andnot_ps(_mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000)), v); }
AVX2 static inline __m256 lt256(__m256 a, __m256 b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
AVX2 static inline __m256 blend256(__m256 m, __m256 a, __m256 b) { return _mm256_blendv_ps(a, b, m); }
AVX2 static inline __m256 scale2_256(__m256 p, __m256 n) {
    __m256i whole = _mm256_cvtps_epi32(n), half = _mm256_srai_epi32(whole, 1), rest = _mm256_sub_epi32(whole, half);
    __m256 first = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, _mm256_set1_epi32(127)), 23));
    __m256 second = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(rest, _mm256_set1_epi32(127)), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, first), second);
}

DEFINE_VECTOR_MATH(avx2, AVX2, __m256, _mm256_set1_ps, _mm256_loadu_ps, _mm256_storeu_ps,
                   _mm256_add_ps, _mm256_sub_ps, _mm256_mul_ps, _mm256_div_ps, _mm256_fmadd_ps, _mm256_fnmadd_ps, _mm256_max_ps,
                   _mm256_min_ps, scale2_256, abs256, xorsign256, lt256, blend256, _mm256_rcp_ps)

AVX512 static double sum_avx512(const float *x, int64_t n) {
    __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd(), s2 = _mm512_setzero_pd(), s3 = _mm512_setzero_pd();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm256_loadu_ps(x + i)));
        s1 = _mm512_add_pd(s1, _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 8)));
        s2 = _mm512_add_pd(s2, _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 16)));
        s3 = _mm512_add_pd(s3, _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 24)));
    }
    double total = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(s0, s1), _mm512_add_pd(s2, s3)));
    for (; i < n; i++) total += x[i];
    return total;
}

AVX2 static double sum_avx2(const float *x, int64_t n) {
    __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd(), s2 = _mm256_setzero_pd(), s3 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm_loadu_ps(x + i)));
        s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4)));
        s2 = _mm256_add_pd(s2, _mm256_cvtps_pd(_mm_loadu_ps(x + i + 8)));
        s3 = _mm256_add_pd(s3, _mm256_cvtps_pd(_mm_loadu_ps(x + i + 12)));
    }
    __m256d s = _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3));
    double lanes[4];
    _mm256_storeu_pd(lanes, s);
    double total = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for (; i < n; i++) total += x[i];
    return total;
}

flint_vector_math flint_vector_math_select(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma")) {
        return (flint_vector_math){"avx512", vexp_avx512, vtanh_avx512, vsigmoid_avx512, sum_avx512};
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        return (flint_vector_math){"avx2", vexp_avx2, vtanh_avx2, vsigmoid_avx2, sum_avx2};
    }
    return (flint_vector_math){"none", 0, 0, 0, 0};
}

#else

flint_vector_math flint_vector_math_select(void) { return (flint_vector_math){"none", 0, 0, 0, 0}; }

#endif
