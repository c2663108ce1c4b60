// Single-precision GEMM micro-kernels, each compiled for its instruction set with a
// target attribute and chosen at run time from the CPU's features, so one build runs on
// every x86-64 machine at the speed its CPU allows.
#include "CFlintKernels.h"
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

#define FLINT_AVX512 __attribute__((target("avx512f,fma")))
#define FLINT_AVX2 __attribute__((target("avx2,fma")))

// 12 rows × 32 columns: 24 zmm accumulators, two B vectors, one broadcast per row.
FLINT_AVX512 static void sgemm_avx512_12x32(int64_t depth, const float *a, const float *b, int64_t ldb,
                                            float *c, int64_t ldc, int accumulate) {
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
#define DECLARE(i) __m512 lo##i = _mm512_setzero_ps(), hi##i = _mm512_setzero_ps();
    ROWS(DECLARE)
    for (int64_t p = 0; p < depth; p++) {
        __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#define STEP(i) { __m512 s = _mm512_set1_ps(a[i]); lo##i = _mm512_fmadd_ps(s, b0, lo##i); hi##i = _mm512_fmadd_ps(s, b1, hi##i); }
        ROWS(STEP)
        a += 12;
        b += ldb;
    }
#define STORE(i) { float *row = c + (i) * ldc; \
        if (accumulate) { lo##i = _mm512_add_ps(lo##i, _mm512_loadu_ps(row)); hi##i = _mm512_add_ps(hi##i, _mm512_loadu_ps(row + 16)); } \
        _mm512_storeu_ps(row, lo##i); _mm512_storeu_ps(row + 16, hi##i); }
    ROWS(STORE)
#undef STORE
#undef STEP
#undef DECLARE
#undef ROWS
}

// 6 rows × 16 columns: 12 ymm accumulators, two B vectors, one broadcast per row.
FLINT_AVX2 static void sgemm_avx2_6x16(int64_t depth, const float *a, const float *b, int64_t ldb,
                                       float *c, int64_t ldc, int accumulate) {
#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define DECLARE(i) __m256 lo##i = _mm256_setzero_ps(), hi##i = _mm256_setzero_ps();
    ROWS(DECLARE)
    for (int64_t p = 0; p < depth; p++) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
#define STEP(i) { __m256 s = _mm256_broadcast_ss(a + (i)); lo##i = _mm256_fmadd_ps(s, b0, lo##i); hi##i = _mm256_fmadd_ps(s, b1, hi##i); }
        ROWS(STEP)
        a += 6;
        b += ldb;
    }
#define STORE(i) { float *row = c + (i) * ldc; \
        if (accumulate) { lo##i = _mm256_add_ps(lo##i, _mm256_loadu_ps(row)); hi##i = _mm256_add_ps(hi##i, _mm256_loadu_ps(row + 8)); } \
        _mm256_storeu_ps(row, lo##i); _mm256_storeu_ps(row + 8, hi##i); }
    ROWS(STORE)
#undef STORE
#undef STEP
#undef DECLARE
#undef ROWS
}

flint_sgemm_kernel_info flint_sgemm_kernel_named(const char *name) {
    __builtin_cpu_init();
    if (strcmp(name, "avx512") == 0 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma")) {
        return (flint_sgemm_kernel_info){"avx512", 12, 32, sgemm_avx512_12x32};
    }
    if (strcmp(name, "avx2") == 0 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        return (flint_sgemm_kernel_info){"avx2", 6, 16, sgemm_avx2_6x16};
    }
    return (flint_sgemm_kernel_info){"none", 0, 0, 0};
}

#else

flint_sgemm_kernel_info flint_sgemm_kernel_named(const char *name) {
    (void)name;
    return (flint_sgemm_kernel_info){"none", 0, 0, 0};
}

#endif

flint_sgemm_kernel_info flint_sgemm_select(void) {
    flint_sgemm_kernel_info best = flint_sgemm_kernel_named("avx512");
    if (best.kernel) return best;
    return flint_sgemm_kernel_named("avx2");
}
