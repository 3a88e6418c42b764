/* fp32 forward pass acceptance: greedy decoding of stories260K from "Once
 * upon a time" reproduces the upstream text exactly (.bin with tok512.bin,
 * and .gguf with its embedded tokenizer); batched prefill equals
 * token-by-token logits; reports decode and prefill speed. */
#include "bm_test.h"
#include "bm_llama.h"

#include <cblas.h>
#include <math.h>
#include <time.h>

static const char *EXPECT =
    "Once upon a time, there was a little girl named Lily. She loved to play outside in "
    "the park. One day, she saw a big, red ball. She wanted to play with it, but it was "
    "too high.";
static const char *CONT = "Lily's mom said, \"Lily, let's go to the park.\"";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void check_generate(const char *label, bm_model *m, const bm_tokenizer *t)
{
    bm_err e = {0};
    bm_llama *l = NULL;
    int rc = bm_llama_new(m, 0, &l, &e);
    CHECK(rc == BM_OK, "%s: llama_new: %s", label, e.msg);
    if (rc)
        return;
    char out[4096];
    double t0 = now();
    rc = bm_generate_greedy(l, t, "Once upon a time", 120, out, sizeof out, &e);
    double dt = now() - t0;
    CHECK(rc == BM_OK, "%s: generate: %s", label, e.msg);
    printf("%s: greedy output: %s\n", label, out);
    printf("%s: 120 steps in %.3f s (%.0f tokens/s, ASan build)\n", label, dt, 120 / dt);
    CHECK(strncmp(out, EXPECT, strlen(EXPECT)) == 0, "%s: output differs from README", label);
    const char *rest = out + strlen(EXPECT);
    while (*rest == ' ' || *rest == '\n')
        rest++;
    CHECK(strncmp(rest, CONT, strlen(CONT)) == 0, "%s: continuation differs: '%.60s'", label,
          rest);
    bm_llama_free(l);
}

/* Batched prefill (M = n) must match token-by-token (M = 1) logits. */
static void check_batched(bm_model *m, const bm_tokenizer *t)
{
    bm_err e = {0};
    bm_llama *a = NULL, *b = NULL;
    int toks[64], n = 0, V = m->cfg.vocab_size;
    CHECK(bm_tokenizer_encode(t, "Once upon a time, there was a big dog named Max. He liked "
                              "to run.", 1, 0, toks, 64, &n, &e) == BM_OK, "%s", e.msg);
    CHECK(bm_llama_new(m, 128, &a, &e) == BM_OK && bm_llama_new(m, 128, &b, &e) == BM_OK,
          "%s", e.msg);
    float *la = malloc((size_t)n * V * sizeof(float)), *lb = malloc((size_t)V * sizeof(float));
    /* Batched in two chunks (prefill then a second batch at an offset). */
    int half = n / 2;
    CHECK(bm_llama_forward(a, toks, half, 0, la, &e) == BM_OK, "%s", e.msg);
    CHECK(bm_llama_forward(a, toks + half, n - half, half, la + (size_t)half * V, &e) == BM_OK,
          "%s", e.msg);
    double maxd = 0;
    for (int i = 0; i < n; i++) {
        CHECK(bm_llama_forward(b, &toks[i], 1, i, lb, &e) == BM_OK, "%s", e.msg);
        for (int j = 0; j < V; j++) {
            double d = fabs((double)la[(size_t)i * V + j] - lb[j]);
            if (d > maxd)
                maxd = d;
        }
    }
    printf("batched vs token-by-token over %d tokens: max |dlogit| = %.3g\n", n, maxd);
    CHECK(maxd < 1e-4, "batched prefill differs by %g", maxd);

    /* Speed: decode (M = 1) and prefill (M = 256). */
    int seq[256];
    for (int i = 0; i < 256; i++)
        seq[i] = toks[i % n];
    bm_llama *c = NULL;
    CHECK(bm_llama_new(m, 256, &c, &e) == BM_OK, "%s", e.msg);
    float *lc = malloc((size_t)256 * V * sizeof(float));
    float *ld = malloc((size_t)V * sizeof(float));
    double t0 = now();
    for (int i = 0; i < 256; i++)
        bm_llama_forward(c, &seq[i], 1, i, ld, &e);
    double t1 = now();
    bm_llama_forward(c, seq, 256, 0, lc, &e);
    double t2 = now();
    /* Timing is informational (speed lives in `make bench`); what is checked
     * is that 256 decode steps and one 256-token prefill agree. */
    printf("speed (this build): decode %.0f tokens/s, prefill(256) %.0f tokens/s\n",
           256 / (t1 - t0), 256 / (t2 - t1));
    double dmax = 0;
    for (int v = 0; v < V; v++) {
        double d = fabs((double)ld[v] - lc[(size_t)255 * V + v]);
        if (d > dmax) dmax = d;
    }
    CHECK(dmax < 1e-3, "256 decode steps differ from prefill(256) by %g", dmax);
    free(ld);
    /* Out-of-range requests are refused. */
    CHECK(bm_llama_forward(c, seq, 2, 255, lc, &e) == BM_E_RANGE, "past max_seq");
    int bad = V;
    CHECK(bm_llama_forward(c, &bad, 1, 0, lc, &e) == BM_E_RANGE, "token outside vocab");
    free(la);
    free(lb);
    free(lc);
    bm_llama_free(a);
    bm_llama_free(b);
    bm_llama_free(c);
}

int main(void)
{
    const char *dir = bm_test_data_dir();
    /* Tiny matrices: OpenBLAS threads only spin against each other here. */
    openblas_set_num_threads(1);
    char p[1024];
    bm_err e = {0};
    bm_model bin, gg;
    bm_tokenizer tok;
    snprintf(p, sizeof p, "%s/stories260K.bin", dir);
    int rb = bm_model_load(p, &bin, &e);
    CHECK(rb == BM_OK, "load %s: %s (set DATA_DIR to the shared data folder)", p, e.msg);
    snprintf(p, sizeof p, "%s/tok512.bin", dir);
    int rt = bm_tokenizer_load_llama2c(p, 512, &tok, &e);
    CHECK(rt == BM_OK, "load %s: %s", p, e.msg);
    snprintf(p, sizeof p, "%s/stories260K.gguf", dir);
    int rg = bm_model_load(p, &gg, &e);
    CHECK(rg == BM_OK, "load %s: %s", p, e.msg);
    if (rb || rt || rg)
        return bm_test_done("test_model_generate");
    CHECK(gg.has_tok, "GGUF has an embedded tokenizer");
    check_generate("stories260K.bin+tok512.bin", &bin, &tok);
    check_generate("stories260K.gguf", &gg, &gg.tok);
    check_batched(&bin, &tok);
    bm_model_free(&bin);
    bm_model_free(&gg);
    bm_tokenizer_free(&tok);
    return bm_test_done("test_model_generate");
}
