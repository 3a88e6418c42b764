/* Calibration capture: one H per linear layer (36 for stories260K), each
 * symmetric, positive semi-definite (eigenvalues >= 0 within rounding), with
 * ntok = n_seq*seq_len; on a tiny case H equals a direct computation from
 * recorded inputs, and blk.0.attn_q's H equals one built from the embedding
 * and RMSNorm by hand. */
#include "bm_test.h"
#include "bm_stories.h"
#include "bm_calib.h"
#include "bm_eval.h"

#include <lapacke.h>
#include <cblas.h>
#include <math.h>

/* Records sum x x^T per layer naively, in double, from the same forward. */
typedef struct {
    const bm_model *m;
    char names[64][96];
    int K[64], n;
    double *S[64];
    long rows[64];
} recorder;

static int record_linear(void *ctx, const char *name, const float *x, int M, int K, float *y,
                         int N, bm_err *err)
{
    recorder *r = ctx;
    int i = 0;
    while (i < r->n && strcmp(r->names[i], name) != 0)
        i++;
    if (i == r->n) {
        snprintf(r->names[i], 96, "%s", name);
        r->K[i] = K;
        r->S[i] = calloc((size_t)K * K, sizeof(double));
        r->n++;
    }
    for (int t = 0; t < M; t++)
        for (int a = 0; a < K; a++)
            for (int b = 0; b < K; b++)
                r->S[i][(size_t)a * K + b] += (double)x[t * K + a] * (double)x[t * K + b];
    r->rows[i] += M;
    return bm_linear_fp32((void *)r->m, name, x, M, K, y, N, err);
}

int main(void)
{
    /* Tiny matrices: OpenBLAS threads only spin against each other here. */
    openblas_set_num_threads(1);
    char p[1024];
    bm_err e = {0};
    bm_model m;
    bm_tokenizer t;
    int rl = bm_test_load_stories(&m, &t);
    snprintf(p, sizeof p, "%s/tinystories_val.txt", bm_test_data_dir());
    FILE *f = fopen(p, "rb");
    CHECK(f != NULL, "cannot read %s", p);
    if (rl || !f)
        return bm_test_done("test_model_calib");
    static char text[60000];
    text[fread(text, 1, sizeof text - 1, f)] = 0;
    fclose(f);

    /* Realistic run: 8 x 128. */
    bm_calib c;
    int rc = bm_calib_collect(&m, &t, text, 8, 128, &c, &e);
    CHECK(rc == BM_OK, "%s", e.msg);
    CHECK_EQ_INT(c.n, 5 * 7 + 1);
    int asym = 0, negdiag = 0, badn = 0;
    for (int i = 0; i < c.n; i++) {
        const bm_calib_layer *ly = &c.layers[i];
        badn += ly->ntok != 8 * 128;
        for (int a = 0; a < ly->K; a++) {
            negdiag += ly->H[(size_t)a * ly->K + a] < 0;
            for (int b = 0; b < a; b++)
                asym += ly->H[(size_t)a * ly->K + b] != ly->H[(size_t)b * ly->K + a];
        }
    }
    CHECK_EQ_INT(badn, 0);
    CHECK_EQ_INT(asym, 0);
    CHECK_EQ_INT(negdiag, 0);
    const char *psd[3] = {"blk.0.attn_q", "blk.3.ffn_down", "output"};
    int Ks[3] = {64, 172, 64};
    for (int i = 0; i < 3; i++) {
        const bm_calib_layer *ly = bm_calib_find(&c, psd[i]);
        CHECK(ly && ly->K == Ks[i], "layer %s with K %d", psd[i], Ks[i]);
        if (!ly)
            continue;
        size_t K = (size_t)ly->K;
        double *A = malloc(K * K * sizeof(double)), *w = malloc(K * sizeof(double));
        memcpy(A, ly->H, K * K * sizeof(double));
        CHECK(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', (int)K, A, (int)K, w) == 0, "dsyev");
        printf("%s: eigenvalues [%.3g, %.3g]\n", psd[i], w[0], w[K - 1]);
        CHECK(w[0] >= -1e-9 * w[K - 1], "%s not PSD: min eigenvalue %g", psd[i], w[0]);
        free(A);
        free(w);
    }
    CHECK(bm_calib_find(&c, "blk.9.attn_q") == NULL, "absent layer");
    bm_calib_free(&c);

    /* Tiny case: 2 sequences of 5, against a naive recording of the same
     * forward passes. */
    rc = bm_calib_collect(&m, &t, text, 2, 5, &c, &e);
    CHECK(rc == BM_OK, "%s", e.msg);
    CHECK_EQ_INT(bm_calib_span_tokens(2, 5), 8);
    int *tk;
    long nt;
    CHECK(bm_text_tokens(&t, text, &tk, &nt, &e) == BM_OK, "%s", e.msg);
    recorder rec;
    memset(&rec, 0, sizeof rec);
    rec.m = &m;
    bm_llama *l;
    CHECK(bm_llama_new(&m, 5, &l, &e) == BM_OK, "%s", e.msg);
    bm_llama_set_linear(l, record_linear, &rec);
    float logits[5 * 512];
    for (int s = 0; s < 2; s++) {
        int in[5] = {t.bos_id, tk[4 * s], tk[4 * s + 1], tk[4 * s + 2], tk[4 * s + 3]};
        CHECK(bm_llama_forward(l, in, 5, 0, logits, &e) == BM_OK, "%s", e.msg);
    }
    CHECK_EQ_INT(rec.n, c.n);
    double maxd = 0;
    for (int i = 0; i < rec.n; i++) {
        const bm_calib_layer *ly = bm_calib_find(&c, rec.names[i]);
        CHECK(ly && ly->ntok == 10 && rec.rows[i] == 10, "layer %s ntok", rec.names[i]);
        if (!ly)
            continue;
        for (size_t k = 0; k < (size_t)ly->K * ly->K; k++) {
            double d = fabs(ly->H[k] - 2.0 / 10 * rec.S[i][k]);
            maxd = d > maxd ? d : maxd;
        }
    }
    printf("tiny case: max |H - direct| = %.3g\n", maxd);
    CHECK(maxd < 1e-9, "H differs from direct computation by %g", maxd);

    /* blk.0.attn_q's input from first principles: RMSNorm of embeddings. */
    const bm_calib_layer *q = bm_calib_find(&c, "blk.0.attn_q");
    const float *emb = bm_model_find(&m, "token_embd")->data;
    const float *g = bm_model_find(&m, "blk.0.attn_norm")->data;
    double H0[64 * 64] = {0};
    for (int s = 0; s < 2; s++)
        for (int j = 0; j < 5; j++) {
            int id = j == 0 ? t.bos_id : tk[4 * s + j - 1];
            const float *x = emb + (size_t)id * 64;
            double ss = 0, xn[64];
            for (int k = 0; k < 64; k++)
                ss += (double)x[k] * x[k];
            double r = 1.0 / sqrt(ss / 64 + 1e-5);
            for (int k = 0; k < 64; k++)
                xn[k] = g[k] * r * x[k];
            for (int a = 0; a < 64; a++)
                for (int b = 0; b < 64; b++)
                    H0[a * 64 + b] += 2.0 / 10 * xn[a] * xn[b];
        }
    double md = 0, mx = 0;
    for (int k = 0; k < 64 * 64; k++) {
        md = fmax(md, fabs(q->H[k] - H0[k]));
        mx = fmax(mx, fabs(H0[k]));
    }
    CHECK(md <= 1e-5 * mx, "attn_q H vs first principles: %g (scale %g)", md, mx);

    /* Errors: text too short, bad sizes. */
    bm_calib c2;
    CHECK(bm_calib_collect(&m, &t, "Once upon a time", 4, 64, &c2, &e) == BM_E_RANGE,
          "short text refused");
    CHECK(strstr(e.msg, "text tokens") != NULL, "message: %s", e.msg);
    CHECK(bm_calib_collect(&m, &t, text, 1, 1, &c2, &e) == BM_E_INVAL, "seq_len 1 refused");
    CHECK(bm_calib_collect(&m, &t, text, 1, 4096, &c2, &e) == BM_E_INVAL, "seq_len > cfg");

    for (int i = 0; i < rec.n; i++)
        free(rec.S[i]);
    free(tk);
    bm_llama_free(l);
    bm_calib_free(&c);
    bm_tokenizer_free(&t);
    bm_model_free(&m);
    return bm_test_done("test_model_calib");
}
