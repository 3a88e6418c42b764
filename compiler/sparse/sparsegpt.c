/* Dense-valued SparseGPT 2:4: the OBS engine of compiler/quant/gptq.c run
 * without a quantizer, so pruning and its error update share one loop with
 * joint SparseGPT+GPTQ. */
#include "bm_sparse.h"
#include "quant/bm_quant_impl.h"

int bm_sparsegpt_24(const float *W, int N, int K, const double *H, float *W_out, uint8_t *keep,
                    bm_err *err)
{
    if (!W || !H || !W_out || !keep)
        return bm_fail(err, BM_E_INVAL, "sparsegpt: NULL argument");
    bm_obs_job j = {.W = W, .N = N, .K = K, .H = H, .opts = BM_GPTQ_DEFAULTS, .sparse24 = 1,
                    .tensor = "(sparsegpt)"};
    return bm_obs_run(&j, NULL, W_out, keep, err);
}
