/* Round-to-nearest quantization of a whole tensor: fp32 group fits, then,
 * with two-level scales, the row scale and a re-fit of every group for the
 * effective scale rscale*scode it will really be multiplied by. */
#include <stdlib.h>

#include "bm_quant_impl.h"
#include "sparse/bm_sparse.h"

/* Store one group's fit and codes. */
static void emit_group(bm_qweight *q, int n, int g, const float *w, const uint8_t *keep, int len,
                       const bm_gfit *f)
{
    const bm_qconf *c = &q->conf;
    size_t gi = (size_t)n * q->ngroups + g, base = (size_t)n * q->K + (size_t)g * q->group;
    q->sel[gi] = (uint8_t)f->sel;
    q->zero[gi] = (int8_t)(c->dtype == BM_DT_INT_ASYM ? f->z - (1 << (c->bits - 1)) : 0);
    q->gscale[gi] = f->gscale;
    if (q->scode)
        q->scode[gi] = (uint8_t)f->scode;
    int zc = bm_q_zero_code(c, f);
    for (int k = 0; k < len; k++)
        q->code[base + k] = (uint8_t)(keep && !keep[k] ? zc : bm_q_encode(c, f, w[k]));
}

int bm_quantize_rtn(const float *W, int N, int K, const bm_qconf *c, const uint8_t *keep,
                    const char *tensor, bm_qweight *out, bm_err *err)
{
    int rc = bm_qconf_check(c, err);
    if (rc)
        return rc;
    if (!W || !out)
        return bm_fail(err, BM_E_INVAL, "quantizer: NULL argument");
    if ((rc = bm_qweight_alloc(out, N, K, c, keep != NULL, err)))
        return rc;
    if ((rc = bm_q_check_finite(W, N, K, tensor, err)))
        goto fail;
    if (keep && !bm_check_24(keep, N, K)) {
        rc = bm_fail(err, BM_E_INVAL, "tensor %s: keep mask is not 2:4",
                     tensor ? tensor : "(unnamed)");
        goto fail;
    }
    if (keep)
        for (size_t i = 0; i < (size_t)N * K; i++)
            out->keep[i] = keep[i] ? 1 : 0;
    bm_gfit *fits = malloc(sizeof *fits * (size_t)out->ngroups);
    if (!fits) {
        rc = bm_fail(err, BM_E_NOMEM, "quantizer: out of memory");
        goto fail;
    }
    int G = out->group;
    for (int n = 0; n < N; n++) {
        const float *row = W + (size_t)n * K;
        const uint8_t *krow = keep ? out->keep + (size_t)n * K : NULL;
        for (int g = 0; g < out->ngroups; g++) {
            int len = g * G + G <= K ? G : K - g * G;
            bm_q_fit(c, row + (size_t)g * G, krow ? krow + (size_t)g * G : NULL, len, 0.0f,
                     &fits[g]);
        }
        if (c->scale_bits > 0) {
            float rs = bm_q_rscale(c, fits, out->ngroups);
            out->rscale[n] = rs;
            for (int g = 0; g < out->ngroups; g++) {
                int len = g * G + G <= K ? G : K - g * G;
                bm_q_fit(c, row + (size_t)g * G, krow ? krow + (size_t)g * G : NULL, len, rs,
                         &fits[g]);
            }
        }
        for (int g = 0; g < out->ngroups; g++) {
            int len = g * G + G <= K ? G : K - g * G;
            emit_group(out, n, g, row + (size_t)g * G, krow ? krow + (size_t)g * G : NULL, len,
                       &fits[g]);
        }
    }
    free(fits);
    return BM_OK;
fail:
    bm_qweight_free(out);
    return rc;
}
