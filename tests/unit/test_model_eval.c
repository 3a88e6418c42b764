/* Perplexity protocol on stories260K / tinystories_val.txt: the fp32 value is
 * finite and within 10% of the measured baseline, every token is scored once
 * for non-overlapping and overlapping strides, progress is reported, a tiny
 * case equals a hand-rolled token-by-token computation, bad arguments fail. */
#include "bm_test.h"
#include "bm_stories.h"
#include "bm_calib.h"
#include "bm_eval.h"

#include <cblas.h>
#include <math.h>

/* Measured with this build: window 256, stride 256, first 8192 tokens. */
#define PPL_BASELINE 4.4500

typedef struct {
    long calls, last_done, last_total;
    int monotone;
} prog;

static void on_progress(void *ctx, long done, long total)
{
    prog *p = ctx;
    if (done < p->last_done)
        p->monotone = 0;
    p->calls++;
    p->last_done = done;
    p->last_total = total;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = 0;
    fclose(f);
    return s;
}

/* Independent NLL: each window fed token by token (M = 1). */
static double manual_ppl(const bm_model *m, const bm_tokenizer *t, const char *text, long N,
                         int W)
{
    bm_err e = {0};
    int *tk = NULL;
    long n;
    bm_text_tokens(t, text, &tk, &n, &e);
    bm_llama *l;
    bm_llama_new(m, W, &l, &e);
    int V = m->cfg.vocab_size;
    float *lg = malloc((size_t)V * sizeof(float));
    double nll = 0;
    for (long b = 0; b < N; b += W) {
        for (long k = b; k < b + W && k < N; k++) {
            int in = k == b ? t->bos_id : tk[k - 1];
            bm_llama_forward(l, &in, 1, (int)(k - b), lg, &e);
            double mx = -1e30, s = 0;
            for (int v = 0; v < V; v++)
                mx = lg[v] > mx ? lg[v] : mx;
            for (int v = 0; v < V; v++)
                s += exp(lg[v] - mx);
            nll += mx + log(s) - lg[tk[k]];
        }
    }
    free(lg);
    free(tk);
    bm_llama_free(l);
    return exp(nll / (double)N);
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
    char *text = read_file(p);
    CHECK(text != NULL, "cannot read %s", p);
    if (rl || !text)
        return bm_test_done("test_model_eval");
    /* Only the first 64 kB (~31k tokens, more than any call below scores):
     * each call tokenizes the whole text it is given, and ASan is slow. The
     * scored tokens are the same as with the whole file. */
    if (strlen(text) > 65536)
        text[65536] = 0;
    bm_llama *l = NULL;
    CHECK(bm_llama_new(&m, 0, &l, &e) == BM_OK, "%s", e.msg);

    double ppl;
    long ns;
    prog pg = {0, 0, 0, 1};
    int rc = bm_eval_ppl(l, &t, text, 8192, 256, 0, on_progress, &pg, &ppl, &ns, &e);
    CHECK(rc == BM_OK, "%s", e.msg);
    printf("fp32 ppl = %.4f (stories260K, tinystories_val.txt, tok512, window 256, stride 256, "
           "BOS per window, first 8192 tokens, %ld scored)\n", ppl, ns);
    CHECK(isfinite(ppl) && ppl > 1.0, "ppl %g", ppl);
    CHECK(fabs(ppl - PPL_BASELINE) <= 0.10 * PPL_BASELINE, "ppl %.4f not within 10%% of %.4f",
          ppl, PPL_BASELINE);
    CHECK_EQ_INT(ns, 8192);
    CHECK_EQ_INT(pg.calls, 32);
    CHECK(pg.monotone && pg.last_done == 8192 && pg.last_total == 8192, "progress");

    /* Overlapping windows still score each token once, with more context. */
    double ppl2;
    rc = bm_eval_ppl(l, &t, text, 8192, 256, 128, NULL, NULL, &ppl2, &ns, &e);
    CHECK(rc == BM_OK && ns == 8192, "stride 128: %s", e.msg);
    printf("stride 128: ppl = %.4f\n", ppl2);
    CHECK(ppl2 < ppl && ppl2 > 0.8 * ppl, "more context should help a little");

    /* After a calibration span of 16 x 128: a different, sane slice. */
    double ppl3;
    long skip = bm_calib_span_tokens(16, 128);
    rc = bm_eval_ppl_from(l, &t, text, skip, 4096, 256, 0, NULL, NULL, &ppl3, &ns, &e);
    CHECK(rc == BM_OK && ns == 4096, "skip: %s", e.msg);
    printf("after skipping %ld calibration tokens: ppl = %.4f over %ld tokens\n", skip, ppl3, ns);
    CHECK(fabs(ppl3 - ppl) < 0.25 * ppl, "skipped slice is comparable");

    /* Tiny case against a token-by-token computation (last window partial). */
    double want = manual_ppl(&m, &t, text, 20, 8), got;
    rc = bm_eval_ppl(l, &t, text, 20, 8, 8, NULL, NULL, &got, &ns, &e);
    CHECK(rc == BM_OK && ns == 20, "%s", e.msg);
    CHECK(fabs(got - want) < 1e-4 * want, "tiny case %.6f vs manual %.6f", got, want);

    /* Bad arguments. */
    CHECK(bm_eval_ppl(l, &t, text, 100, 1024, 0, NULL, NULL, &got, &ns, &e) == BM_E_INVAL,
          "window > max_seq");
    CHECK(bm_eval_ppl(l, &t, text, 100, 64, 65, NULL, NULL, &got, &ns, &e) == BM_E_INVAL,
          "stride > window");
    CHECK(bm_eval_ppl_from(l, &t, "tiny", 50, 0, 64, 0, NULL, NULL, &got, &ns, &e) ==
              BM_E_RANGE, "skip past the end");
    bm_llama_free(l);
    free(text);
    bm_tokenizer_free(&t);
    bm_model_free(&m);
    return bm_test_done("test_model_eval");
}
