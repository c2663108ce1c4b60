// Max pooling over 2×2 windows with stride 2, written with selects: which of four
// values wins is random, so a compare-and-branch loop mispredicts about half the time.
#include "CFlintKernels.h"

void flint_max_pool_2x2(const float *x, int64_t planes, int64_t height, int64_t width, float *out, int64_t *indices) {
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
