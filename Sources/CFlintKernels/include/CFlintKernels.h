#ifndef CFLINT_KERNELS_H
#define CFLINT_KERNELS_H

#include <stdint.h>

/// A register-tiled single-precision GEMM micro-kernel: C[rows×columns] (row stride
/// ldc) = or += A·B over `depth`, from A packed as a depth-major sliver of mr rows (`lda`
/// 0) or read in place as `rows` rows contiguous along the depth, `lda` elements apart,
/// and B read as `depth` rows of nr contiguous columns, `ldb` elements apart (nr when
/// packed). `rows` ≤ mr and `columns` ≤ nr: edge tiles are computed and stored in place
/// (packed slivers are always full width, zero-padded).
typedef void (*flint_sgemm_micro_kernel)(int64_t depth, const float *a, int64_t lda, const float *b, int64_t ldb,
                                         float *c, int64_t ldc, int accumulate, int rows, int columns);

/// Packs `count` lines (`stride` apart, elements `depth_stride` apart) into slivers of
/// `tile` lines stored depth-major (`depth` rows of `tile`), the last sliver padded with
/// zeros: the layout the micro-kernels read.
typedef void (*flint_sgemm_packer)(int64_t count, int64_t depth, int64_t tile, const float *src, int64_t stride,
                                   int64_t depth_stride, float *dst);

/// A micro-kernel for one instruction set, its tile shape and the packing of the same set.
typedef struct {
    /// "avx512", "avx2" or "none" (use the portable kernel).
    const char *name;
    int rows;
    int columns;
    flint_sgemm_micro_kernel kernel;
    flint_sgemm_packer pack;
} flint_sgemm_kernel_info;

/// The fastest micro-kernel this CPU runs (AVX-512F, else AVX2+FMA, else none).
flint_sgemm_kernel_info flint_sgemm_select(void);

/// The micro-kernel for one instruction set ("avx512", "avx2"), or "none" when the CPU
/// lacks it.
flint_sgemm_kernel_info flint_sgemm_kernel_named(const char *name);

/// A product whose operands are both contiguous along the summed dimension, in
/// `segments` pieces: C[i][j] (+)= Σ_s Σ_p A_s[i][p]·B_s[j][p] for p < length, where
/// A_s[i][p] = a[s·a_segment + i·lda + p] and likewise B. Weight gradients of
/// convolutions have this shape (the segments are the images of a batch).
typedef struct {
    int64_t m, n, length, segments;
    const float *a;
    int64_t lda, a_segment;
    const float *b;
    int64_t ldb, b_segment;
    float *c;
    int64_t ldc;
    int accumulate;
} flint_sgemm_dot_problem;

/// Computes a `flint_sgemm_dot_problem` with register-blocked dot products (no packing).
typedef void (*flint_sgemm_dot_kernel)(const flint_sgemm_dot_problem *problem);

/// The dot-product kernel of this CPU (AVX-512F), or null.
flint_sgemm_dot_kernel flint_sgemm_dot_select(void);

/// A `flint_sgemm_packer` with the widest instruction set of this CPU: lines contiguous
/// along the depth are transposed in registers where the CPU has AVX-512 or AVX2.
void flint_sgemm_pack(int64_t count, int64_t depth, int64_t tile, const float *src, int64_t stride,
                      int64_t depth_stride, float *dst);

/// Max over the 2×2, stride-2 windows of `planes` contiguous `height × width` float32
/// planes, with the flat in-plane index of each maximum (NaN wins, as in PyTorch).
void flint_max_pool_2x2(const float *x, int64_t planes, int64_t height, int64_t width, float *out, int64_t *indices);

/// One SGD step over n float32 elements: d = grad + weight_decay·param,
/// buffer = momentum·buffer + (1 − dampening)·d, param += −lr·(nesterov ? d +
/// momentum·buffer : buffer).
void flint_sgd_step(int64_t n, float *restrict param, const float *restrict grad, float *restrict buffer,
                    float negative_lr, float momentum, float one_minus_dampening, float weight_decay, int nesterov);

/// One piece of a parallel job: runs chunk `chunk` of the work `context` describes.
typedef void (*flint_parallel_body)(void *context, int64_t chunk);

/// Runs chunks 0..<chunks of `body` on the calling thread and up to `threads − 1` pool
/// workers, each chunk once, and returns 1 when all are done. Workers spin for a moment
/// after a job before sleeping, so back-to-back jobs start without waking them. A call
/// made while another thread's job runs (or from inside a job), or with one thread or
/// one chunk, runs nothing and returns 0: the caller does the whole work itself.
int flint_parallel_run(int64_t chunks, int threads, flint_parallel_body body, void *context);

/// A 64-byte aligned buffer of at least `bytes` bytes that belongs to the calling thread
/// (grown on demand, freed when the thread exits), for the packing buffers of matrix
/// products: a buffer another core wrote last is fetched from that core's cache line by
/// line. Valid until the thread's next call; null when memory runs out.
void *flint_thread_scratch(int64_t bytes);

#endif

/// Vectorised float32 math over contiguous arrays: y[i] = f(x[i]) for i < n.
typedef void (*flint_vector_function)(const float *x, float *y, int64_t n);

/// The vectorised elementwise functions for this CPU; members are null when only the
/// portable code applies.
typedef struct {
    const char *name;
    flint_vector_function exp;
    flint_vector_function tanh;
    flint_vector_function sigmoid;
    /// Sum of n floats, accumulated in double precision.
    double (*sum)(const float *x, int64_t n);
} flint_vector_math;

/// The vectorised math of the best instruction set this CPU runs.
flint_vector_math flint_vector_math_select(void);
