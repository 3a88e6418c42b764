/* Calibration capture; see bm_calib.h. A bm_linear_fn wrapper sees every
 * linear layer's input x [M][K], adds x^T x into that layer's H with
 * cblas_dsyrk (double, upper triangle), then runs the fp32 default. */
#include "bm_calib.h"

#include "bm_eval.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    bm_calib *c;
    const bm_model *m;
    double *xd;
    size_t xd_cap;
} capture;

static int capture_linear(void *ctx, const char *name, const float *x, int M, int K,
                          float *y, int N, bm_err *err)
{
    capture *cp = ctx;
    bm_calib *c = cp->c;
    bm_calib_layer *ly = NULL;
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->layers[i].name, name) == 0)
            ly = &c->layers[i];
    if (!ly) {
        bm_calib_layer *nl = realloc(c->layers, (size_t)(c->n + 1) * sizeof *nl);
        if (!nl)
            return bm_fail(err, BM_E_NOMEM, "calib: out of memory");
        c->layers = nl;
        ly = &c->layers[c->n];
        memset(ly, 0, sizeof *ly);
        snprintf(ly->name, sizeof ly->name, "%s", name);
        ly->K = K;
        ly->H = calloc((size_t)K * (size_t)K, sizeof(double));
        if (!ly->H)
            return bm_fail(err, BM_E_NOMEM, "calib: out of memory for a %dx%d Hessian", K, K);
        c->n++;
    }
    if (ly->K != K)
        return bm_fail(err, BM_E_INVAL, "calib: layer %s called with K %d, then %d", name,
                       ly->K, K);
    size_t need = (size_t)M * (size_t)K;
    if (need > cp->xd_cap) {
        double *p = realloc(cp->xd, need * sizeof *p);
        if (!p)
            return bm_fail(err, BM_E_NOMEM, "calib: out of memory");
        cp->xd = p;
        cp->xd_cap = need;
    }
    for (size_t i = 0; i < need; i++)
        cp->xd[i] = (double)x[i];
    /* H (upper) += X^T X with X = xd [M][K]. */
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, K, M, 1.0, cp->xd, K, 1.0, ly->H, K);
    ly->ntok += M;
    return bm_linear_fp32((void *)cp->m, name, x, M, K, y, N, err);
}

long bm_calib_span_tokens(int n_seq, int seq_len)
{
    return (long)n_seq * (long)(seq_len - 1);
}

int bm_calib_collect(const bm_model *m, const bm_tokenizer *t, const char *text, int n_seq,
                     int seq_len, bm_calib *out, bm_err *err)
{
    memset(out, 0, sizeof *out);
    if (n_seq < 1 || seq_len < 2 || seq_len > m->cfg.seq_len)
        return bm_fail(err, BM_E_INVAL, "calib: need n_seq >= 1 and 2 <= seq_len <= %d "
                       "(got %d, %d)", m->cfg.seq_len, n_seq, seq_len);
    int *tok;
    long n;
    int rc = bm_text_tokens(t, text, &tok, &n, err);
    if (rc)
        return rc;
    long need = bm_calib_span_tokens(n_seq, seq_len);
    if (n < need) {
        free(tok);
        return bm_fail(err, BM_E_RANGE, "calib: %d sequences of %d need %ld text tokens, the "
                       "text has %ld", n_seq, seq_len, need, n);
    }
    bm_llama *l = NULL;
    capture cp = {out, m, NULL, 0};
    int *in = malloc((size_t)seq_len * sizeof *in);
    float *logits = malloc((size_t)seq_len * (size_t)m->cfg.vocab_size * sizeof *logits);
    if (!in || !logits) {
        rc = bm_fail(err, BM_E_NOMEM, "calib: out of memory");
        goto out;
    }
    if ((rc = bm_llama_new(m, seq_len, &l, err)))
        goto out;
    bm_llama_set_linear(l, capture_linear, &cp);
    for (int k = 0; k < n_seq; k++) {
        in[0] = t->bos_id;
        memcpy(in + 1, tok + (size_t)k * (seq_len - 1), (size_t)(seq_len - 1) * sizeof *in);
        /* Logits requested so the classifier's input is captured too. */
        if ((rc = bm_llama_forward(l, in, seq_len, 0, logits, err)))
            goto out;
    }
    for (int i = 0; i < out->n; i++) {
        bm_calib_layer *ly = &out->layers[i];
        const double s = 2.0 / (double)ly->ntok;
        for (int r = 0; r < ly->K; r++)
            for (int c = r; c < ly->K; c++) {
                double v = ly->H[(size_t)r * ly->K + c] * s;
                ly->H[(size_t)r * ly->K + c] = v;
                ly->H[(size_t)c * ly->K + r] = v;
            }
    }
out:
    bm_llama_free(l);
    free(cp.xd);
    free(in);
    free(logits);
    free(tok);
    if (rc)
        bm_calib_free(out);
    return rc;
}

const bm_calib_layer *bm_calib_find(const bm_calib *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->layers[i].name, name) == 0)
            return &c->layers[i];
    return NULL;
}

void bm_calib_free(bm_calib *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->n; i++)
        free(c->layers[i].H);
    free(c->layers);
    memset(c, 0, sizeof *c);
}
