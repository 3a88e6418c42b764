/* Shared by the lowering and scheduler tests: a small xorshift generator and
 * the exact accumulator of docs/isa.md computed from a quantizer's output,
 * against which the engine's and the RTL's results are compared. */
#ifndef BM_LOWER_REF_H
#define BM_LOWER_REF_H

#include <stddef.h>
#include <stdint.h>

#include "quant/bm_quant.h"

static uint64_t rng;
static inline uint32_t rnd(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}
static inline float frand(void) { return ((float)(rnd() % 20001) - 10000.f) / 10000.f; }

/* acc[m][n] exactly as docs/isa.md defines it, from the quantizer output. */
static inline int64_t expect_acc(const bm_qweight *q, const int8_t *x, int m, int n)
{
    int64_t acc = 0;
    for (int g = 0; g < q->ngroups; g++) {
        int64_t gp = 0;
        int sel = q->sel[(size_t)n * q->ngroups + g], z = q->zero[(size_t)n * q->ngroups + g];
        for (int k = g * q->group; k < (g + 1) * q->group && k < q->K; k++) {
            if (q->keep && !q->keep[(size_t)n * q->K + k])
                continue;
            int v = bm_q_value(q->conf.dtype, q->conf.bits, sel, q->code[(size_t)n * q->K + k]);
            gp += (int64_t)x[(size_t)m * q->K + k] * (v - z);
        }
        acc += (int64_t)q->scode[(size_t)n * q->ngroups + g] * gp;
        if (acc > INT32_MAX) acc = INT32_MAX;
        if (acc < INT32_MIN) acc = INT32_MIN;
    }
    return acc;
}

#endif
