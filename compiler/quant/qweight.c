/* bm_qweight lifetime, dequantization and bits-per-weight accounting, plus
 * the input checks every quantizer shares (finite weights, sizes). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bm_quant_impl.h"

int bm_q_group_of(const bm_qconf *c, int K)
{
    return c->group == 0 || c->group > K ? K : c->group;
}

int bm_q_check_finite(const float *W, int N, int K, const char *tensor, bm_err *err)
{
    for (size_t i = 0, n = (size_t)N * (size_t)K; i < n; i++)
        if (!isfinite(W[i]))
            return bm_fail(err, BM_E_NUMERIC, "tensor %s: weight [%zu][%zu] is %s",
                           tensor ? tensor : "(unnamed)", i / (size_t)K, i % (size_t)K,
                           isnan(W[i]) ? "NaN" : "Inf");
    return BM_OK;
}

int bm_qweight_alloc(bm_qweight *q, int N, int K, const bm_qconf *c, int with_keep,
                     bm_err *err)
{
    memset(q, 0, sizeof *q);
    if (N <= 0 || K <= 0)
        return bm_fail(err, BM_E_INVAL, "quantizer: bad shape [%d][%d]", N, K);
    if ((size_t)N > SIZE_MAX / 8 / (size_t)K)
        return bm_fail(err, BM_E_RANGE, "quantizer: shape [%d][%d] overflows", N, K);
    q->N = N;
    q->K = K;
    q->conf = *c;
    q->group = bm_q_group_of(c, K);
    q->ngroups = (K + q->group - 1) / q->group;
    q->code_bits = c->dtype == BM_DT_ABQ ? 3 : c->bits;
    size_t nk = (size_t)N * K, ng = (size_t)N * q->ngroups;
    q->code = calloc(nk, 1);
    q->sel = calloc(ng, 1);
    q->zero = calloc(ng, 1);
    q->gscale = calloc(ng, sizeof(float));
    q->rscale = calloc((size_t)N, sizeof(float));
    if (c->scale_bits > 0)
        q->scode = calloc(ng, 1);
    if (with_keep)
        q->keep = calloc(nk, 1);
    if (!q->code || !q->sel || !q->zero || !q->gscale || !q->rscale ||
        (c->scale_bits > 0 && !q->scode) || (with_keep && !q->keep)) {
        bm_qweight_free(q);
        return bm_fail(err, BM_E_NOMEM, "quantizer: out of memory for [%d][%d]", N, K);
    }
    for (int n = 0; n < N; n++)
        q->rscale[n] = 1.0f;
    return BM_OK;
}

void bm_qweight_free(bm_qweight *q)
{
    if (!q)
        return;
    free(q->code);
    free(q->sel);
    free(q->zero);
    free(q->gscale);
    free(q->scode);
    free(q->rscale);
    free(q->keep);
    memset(q, 0, sizeof *q);
}

void bm_q_dequant(const bm_qweight *q, int two_level, float *W_out)
{
    const bm_qconf *c = &q->conf;
    int half = 1 << (c->bits - 1);
    for (int n = 0; n < q->N; n++) {
        for (int g = 0; g < q->ngroups; g++) {
            size_t gi = (size_t)n * q->ngroups + g;
            bm_gfit f = {0};
            f.sel = q->sel[gi];
            f.z = c->dtype == BM_DT_INT_ASYM ? q->zero[gi] + half : 0;
            f.scale = two_level && q->scode ? q->rscale[n] * (float)q->scode[gi] : q->gscale[gi];
            int k1 = g * q->group, k2 = k1 + q->group < q->K ? k1 + q->group : q->K;
            for (int k = k1; k < k2; k++) {
                size_t i = (size_t)n * q->K + k;
                W_out[i] = q->keep && !q->keep[i] ? 0.0f : bm_q_decode(c, &f, q->code[i]);
            }
        }
    }
}

double bm_q_bits_per_weight(const bm_qweight *q)
{
    const bm_qconf *c = &q->conf;
    double N = q->N, K = q->K, codes;
    if (q->keep) { /* 2:4: per run min(2, len) slots of code + 2-bit index */
        double slots = 2.0 * (q->K / 4) + (q->K % 4 > 2 ? 2 : q->K % 4);
        codes = N * slots * (q->code_bits + 2);
    } else {
        codes = N * K * q->code_bits;
    }
    int per_group = (c->scale_bits > 0 ? c->scale_bits : 32) +
                    (c->dtype == BM_DT_BITMOD ? 2 : 0) +
                    (c->dtype == BM_DT_INT_ASYM ? c->bits : 0);
    double meta = N * q->ngroups * per_group + (c->scale_bits > 0 ? N * 32.0 : 0.0);
    return (codes + meta) / (N * K);
}
