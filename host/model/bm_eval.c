/* Perplexity evaluation; see bm_eval.h and docs/eval.md for the protocol.
 * Each window is one batched forward pass (M = window rows per linear), so
 * an offloaded linear sees the same shapes as prefill. */
#include "bm_eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int bm_text_tokens(const bm_tokenizer *t, const char *text, int **tokens, long *n,
                   bm_err *err)
{
    *tokens = NULL;
    *n = 0;
    size_t len = strlen(text);
    if (len > (size_t)1 << 30)
        return bm_fail(err, BM_E_RANGE, "text of %zu bytes is too long (1 GiB max)", len);
    int *tk = malloc((len + 3) * sizeof *tk), cnt = 0;
    if (!tk)
        return bm_fail(err, BM_E_NOMEM, "out of memory for %zu tokens", len + 3);
    int rc = bm_tokenizer_encode(t, text, 0, 0, tk, (int)len + 3, &cnt, err);
    if (rc) {
        free(tk);
        return rc;
    }
    *tokens = tk;
    *n = cnt;
    return BM_OK;
}

int bm_eval_ppl_from(bm_llama *l, const bm_tokenizer *t, const char *text, long skip_tokens,
                     long max_tokens, int window, int stride, bm_ppl_progress_fn cb,
                     void *cb_ctx, double *ppl, long *n_scored, bm_err *err)
{
    *ppl = NAN;
    *n_scored = 0;
    if (window <= 0)
        window = BM_EVAL_WINDOW_DEFAULT;
    if (stride <= 0)
        stride = window;
    if (window > bm_llama_max_seq(l) || stride > window)
        return bm_fail(err, BM_E_INVAL,
                       "eval: need 1 <= stride (%d) <= window (%d) <= max_seq (%d)", stride,
                       window, bm_llama_max_seq(l));
    const int V = bm_llama_model(l)->cfg.vocab_size;
    int *all;
    long n_all;
    int rc = bm_text_tokens(t, text, &all, &n_all, err);
    if (rc)
        return rc;
    if (skip_tokens < 0 || skip_tokens >= n_all) {
        free(all);
        return bm_fail(err, BM_E_RANGE, "eval: skipping %ld of the text's %ld tokens leaves "
                       "nothing to score", skip_tokens, n_all);
    }
    const int *s = all + skip_tokens;
    long N = n_all - skip_tokens;
    if (max_tokens > 0 && max_tokens < N)
        N = max_tokens;
    int *in = malloc((size_t)window * sizeof *in);
    float *logits = malloc((size_t)window * (size_t)V * sizeof *logits);
    if (!in || !logits) {
        rc = bm_fail(err, BM_E_NOMEM, "eval: out of memory for a %d-token window", window);
        goto out;
    }
    double nll = 0;
    long scored_end = 0; /* tokens s[0..scored_end) are scored */
    for (long b = 0; scored_end < N; b += stride) {
        long e = b + window < N ? b + window : N;
        int w = (int)(e - b);
        /* Position 0 is BOS; position j (j >= 1) is s[b+j-1]; the logits at
         * position j predict s[b+j]. */
        in[0] = t->bos_id;
        for (int j = 1; j < w; j++)
            in[j] = s[b + j - 1];
        if ((rc = bm_llama_forward(l, in, w, 0, logits, err)))
            goto out;
        for (long k = scored_end > b ? scored_end : b; k < e; k++) {
            const float *lg = logits + (size_t)(k - b) * V;
            double mx = lg[0], sum = 0;
            for (int v = 1; v < V; v++)
                if (lg[v] > mx)
                    mx = lg[v];
            for (int v = 0; v < V; v++)
                sum += exp((double)lg[v] - mx);
            int tgt = s[k];
            if (tgt < 0 || tgt >= V) {
                rc = bm_fail(err, BM_E_RANGE, "eval: token %d outside the model's vocabulary",
                             tgt);
                goto out;
            }
            nll += mx + log(sum) - (double)lg[tgt];
        }
        scored_end = e;
        if (cb)
            cb(cb_ctx, scored_end, N);
    }
    *n_scored = N;
    *ppl = exp(nll / (double)N);
    if (!isfinite(*ppl))
        rc = bm_fail(err, BM_E_NUMERIC, "eval: perplexity is not finite (NaN/Inf logits?)");
out:
    free(in);
    free(logits);
    free(all);
    return rc;
}

int bm_eval_ppl(bm_llama *l, const bm_tokenizer *t, const char *text, long max_tokens,
                int window, int stride, bm_ppl_progress_fn cb, void *cb_ctx, double *ppl,
                long *n_scored, bm_err *err)
{
    return bm_eval_ppl_from(l, t, text, 0, max_tokens, window, stride, cb, cb_ctx, ppl,
                            n_scored, err);
}
