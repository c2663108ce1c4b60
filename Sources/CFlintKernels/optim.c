// Fused optimizer updates over float32 arrays: one pass over a parameter, its gradient
// and its state, in the same operations and order as the op-by-op update.
#include "CFlintKernels.h"

// The common case (no weight decay, dampening or Nesterov): `b = b·momentum + g`,
// `p = p + (−lr)·b`, each product rounded before its sum (no fused multiply-add, so the
// result is the op-by-op step's). The portable loop is for the baseline target (SSE2).
static void sgd_momentum(int64_t n, float *restrict param, const float *restrict grad, float *restrict buffer,
                         float negative_lr, float momentum) {
    for (int64_t i = 0; i < n; i++) {
        float b = buffer[i] * momentum;
        b = b + grad[i];
        buffer[i] = b;
        float step = negative_lr * b;
        param[i] = param[i] + step;
    }
}

typedef void (*momentum_step)(int64_t, float *restrict, const float *restrict, float *restrict, float, float);

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

// The same loop sixteen lanes at a time, the tail under a mask.
__attribute__((target("avx512f"))) static void sgd_momentum_avx512(int64_t n, float *restrict param, const float *restrict grad,
                                                                   float *restrict buffer, float negative_lr, float momentum) {
    const __m512 m = _mm512_set1_ps(momentum), lr = _mm512_set1_ps(negative_lr);
    for (int64_t i = 0; i < n; i += 16) {
        __mmask16 k = (__mmask16)(n - i >= 16 ? 0xFFFF : (1u << (n - i)) - 1);
        __m512 b = _mm512_add_ps(_mm512_mul_ps(_mm512_maskz_loadu_ps(k, buffer + i), m), _mm512_maskz_loadu_ps(k, grad + i));
        _mm512_mask_storeu_ps(buffer + i, k, b);
        _mm512_mask_storeu_ps(param + i, k, _mm512_add_ps(_mm512_maskz_loadu_ps(k, param + i), _mm512_mul_ps(lr, b)));
    }
}

// The momentum loop of the best instruction set this CPU runs.
static momentum_step select_momentum_step(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? sgd_momentum_avx512 : sgd_momentum;
}
#else
static momentum_step select_momentum_step(void) { return sgd_momentum; }
#endif

void flint_sgd_step(int64_t n, float *restrict param, const float *restrict grad, float *restrict buffer,
                    float negative_lr, float momentum, float one_minus_dampening, float weight_decay, int nesterov) {
    // The common case in a loop of its own: the general loop's per-element selects make
    // it about twice as slow.
    if (weight_decay == 0 && !nesterov && one_minus_dampening == 1) {
        select_momentum_step()(n, param, grad, buffer, negative_lr, momentum);
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        float d = weight_decay != 0 ? grad[i] + param[i] * weight_decay : grad[i];
        float b = buffer[i] * momentum;
        b = one_minus_dampening == 1 ? b + d : b + one_minus_dampening * d;
        buffer[i] = b;
        float step = nesterov ? d + b * momentum : b;
        param[i] = param[i] + negative_lr * step;
    }
}
