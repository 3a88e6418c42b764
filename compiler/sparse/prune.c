/* 2:4 masks from a score per weight: magnitude |w|, Wanda |w|*||X_j|| (with
 * ||X_j||^2 proportional to H_jj), SparseGPT via bm_sparsegpt_24. Each aligned
 * run of 4 along K keeps its 2 highest scores; ties keep the lower k. */
#include <math.h>
#include <stdlib.h>

#include "bm_sparse.h"
#include "quant/bm_quant_impl.h"

int bm_check_24(const uint8_t *keep, int N, int K)
{
    for (int n = 0; n < N; n++)
        for (int k0 = 0; k0 < K; k0 += 4) {
            int kept = 0;
            for (int k = k0; k < k0 + 4 && k < K; k++)
                kept += keep[(size_t)n * K + k] != 0;
            if (kept > 2)
                return 0;
        }
    return 1;
}

/* Keep the 2 best of s[0..len) (len <= 4): a position is pruned when at
 * least two others beat it, where "beat" means a higher score or an equal
 * score at a lower k. */
static void keep_top2(const double *s, int len, uint8_t *keep)
{
    for (int i = 0; i < len; i++) {
        int better = 0;
        for (int j = 0; j < len; j++)
            if (j != i && (s[j] > s[i] || (s[j] == s[i] && j < i)))
                better++;
        keep[i] = better < 2;
    }
}

int bm_prune_24_mask(const float *W, int N, int K, bm_prune method, const double *H_or_null,
                     uint8_t *keep, bm_err *err)
{
    if (!W || !keep || N <= 0 || K <= 0)
        return bm_fail(err, BM_E_INVAL, "prune: bad arguments");
    size_t nk = (size_t)N * K;
    if (method == BM_PRUNE_NONE) {
        for (size_t i = 0; i < nk; i++)
            keep[i] = 1;
        return BM_OK;
    }
    if ((method == BM_PRUNE_WANDA || method == BM_PRUNE_SPARSEGPT) && !H_or_null)
        return bm_fail(err, BM_E_INVAL, "prune: Wanda and SparseGPT need the Hessian H");
    int rc = bm_q_check_finite(W, N, K, "(2:4 prune)", err); /* NaN scores would order arbitrarily */
    if (rc)
        return rc;
    if (method == BM_PRUNE_SPARSEGPT) {
        float *tmp = malloc(nk * sizeof *tmp);
        if (!tmp)
            return bm_fail(err, BM_E_NOMEM, "prune: out of memory");
        rc = bm_sparsegpt_24(W, N, K, H_or_null, tmp, keep, err);
        free(tmp);
        return rc;
    }
    if (method != BM_PRUNE_MAGNITUDE && method != BM_PRUNE_WANDA)
        return bm_fail(err, BM_E_INVAL, "prune: unknown method %d", (int)method);
    for (int n = 0; n < N; n++)
        for (int k0 = 0; k0 < K; k0 += 4) {
            int len = K - k0 < 4 ? K - k0 : 4;
            double s[4];
            for (int t = 0; t < len; t++) {
                int k = k0 + t;
                s[t] = fabs((double)W[(size_t)n * K + k]);
                if (method == BM_PRUNE_WANDA) {
                    double h = H_or_null[(size_t)k * K + k];
                    s[t] *= sqrt(h > 0.0 ? h : 0.0);
                }
            }
            keep_top2(s, len, keep + (size_t)n * K + k0);
        }
    return BM_OK;
}
