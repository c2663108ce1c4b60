// Fused optimizer updates over float32 arrays: one pass over a parameter, its gradient
// and its state, in the same operations and order as the op-by-op update.
#include "CFlintKernels.h"

void flint_sgd_step(int64_t n, float *restrict param, const float *restrict grad, float *restrict buffer,
                    float negative_lr, float momentum, float one_minus_dampening, float weight_decay, int nesterov) {
    // The common case in a loop of its own: the general loop's per-element selects make
    // it about twice as slow.
    if (weight_decay == 0 && !nesterov && one_minus_dampening == 1) {
        for (int64_t i = 0; i < n; i++) {
            float b = buffer[i] * momentum + grad[i];
            buffer[i] = b;
            param[i] = param[i] + negative_lr * b;
        }
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
