/* stories260K from the shared data: the llama2.c .bin and the GGUF load to
 * identical models (bm_model_equal), the configuration matches the data
 * README, tensor shapes are canonical, and both tokenizers (tok512.bin and
 * the GGUF's embedded one) encode text identically. Prints load times. */
#include "bm_test.h"
#include "load/bm_model.h"

#include <math.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static char *read_text(const char *path, size_t max)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *s = malloc(max + 1);
    size_t n = fread(s, 1, max, f);
    s[n] = 0;
    fclose(f);
    return s;
}

int main(void)
{
    const char *dir = bm_test_data_dir();
    char p[1024];
    bm_err e = {0};
    bm_model bin, gg;
    snprintf(p, sizeof p, "%s/stories260K.bin", dir);
    double t0 = now();
    int rb = bm_model_load(p, &bin, &e);
    double t1 = now();
    CHECK(rb == BM_OK, "load %s: %s (set DATA_DIR to the shared data folder)", p, e.msg);
    snprintf(p, sizeof p, "%s/stories260K.gguf", dir);
    int rg = bm_model_load(p, &gg, &e);
    double t2 = now();
    CHECK(rg == BM_OK, "load %s: %s", p, e.msg);
    if (rb || rg)
        return bm_test_done("test_load_stories");
    printf("load times (ASan build): .bin %.1f ms, .gguf %.1f ms\n", 1e3 * (t1 - t0),
           1e3 * (t2 - t1));

    /* README facts. */
    const bm_model_cfg *c = &bin.cfg;
    CHECK_EQ_INT(c->dim, 64);
    CHECK_EQ_INT(c->hidden_dim, 172);
    CHECK_EQ_INT(c->n_layers, 5);
    CHECK_EQ_INT(c->n_heads, 8);
    CHECK_EQ_INT(c->n_kv_heads, 4);
    CHECK_EQ_INT(c->vocab_size, 512);
    CHECK_EQ_INT(c->seq_len, 512);
    CHECK_EQ_INT(c->head_dim, 8);
    CHECK_EQ_INT(c->shared_classifier, 1);
    CHECK(c->norm_eps == 1e-5f && c->rope_theta == 10000.0f, "eps/theta");
    /* The GGUF stores the tied classifier a second time and a 2048 context. */
    CHECK_EQ_INT(gg.cfg.seq_len, 2048);
    CHECK_EQ_INT(gg.cfg.shared_classifier, 1);
    CHECK(gg.cfg.norm_eps == 1e-5f, "GGUF eps %g", (double)gg.cfg.norm_eps);

    long params = 0;
    for (int i = 0; i < bin.n_tensors; i++)
        if (strcmp(bin.tensors[i].name, "output") != 0)
            params += (long)bin.tensors[i].rows * bin.tensors[i].cols;
    CHECK_EQ_INT(params, 260032);
    CHECK_EQ_INT(bin.n_tensors, 48);
    const bm_tensor *t;
    CHECK((t = bm_model_find(&bin, "blk.4.attn_k")) && t->rows == 32 && t->cols == 64, "attn_k");
    CHECK((t = bm_model_find(&bin, "blk.0.ffn_down")) && t->rows == 64 && t->cols == 172,
          "ffn_down");
    CHECK((t = bm_model_find(&bin, "output_norm")) && t->rows == 1 && t->cols == 64, "norm");
    CHECK(bm_model_find(&bin, "output")->data == bm_model_find(&bin, "token_embd")->data,
          "tied classifier aliases the embedding");
    CHECK(bm_model_find(&bin, "blk.5.attn_q") == NULL, "no layer 5");

    char why[256];
    CHECK(bm_model_equal(&bin, &gg, why, sizeof why), ".bin and .gguf differ: %s", why);
    CHECK(bm_model_equal(&gg, &bin, why, sizeof why), ".gguf and .bin differ: %s", why);
    /* bm_model_equal notices a one-bit change. */
    float *w = bm_model_find(&gg, "blk.2.ffn_up")->data;
    float saved = w[100];
    w[100] = nextafterf(w[100], 1e9f);
    CHECK(!bm_model_equal(&bin, &gg, why, sizeof why) && strstr(why, "blk.2.ffn_up"),
          "change detected: %s", why);
    w[100] = saved;

    /* Tokenizers: tok512.bin and the GGUF vocabulary agree on real text. */
    bm_tokenizer tok;
    snprintf(p, sizeof p, "%s/tok512.bin", dir);
    int rt = bm_tokenizer_load_llama2c(p, 512, &tok, &e);
    CHECK(rt == BM_OK, "%s", e.msg);
    snprintf(p, sizeof p, "%s/tinystories_val.txt", dir);
    char *text = read_text(p, 20000);
    CHECK(text != NULL, "read %s", p);
    if (!rt && text && gg.has_tok) {
        int cap = 20004, *a = malloc(cap * sizeof(int)), *b = malloc(cap * sizeof(int)), na, nb;
        CHECK(bm_tokenizer_encode(&tok, text, 1, 0, a, cap, &na, &e) == BM_OK, "%s", e.msg);
        CHECK(bm_tokenizer_encode(&gg.tok, text, 1, 0, b, cap, &nb, &e) == BM_OK, "%s", e.msg);
        CHECK(na == nb && memcmp(a, b, (size_t)na * sizeof(int)) == 0,
              "tokenizers disagree (%d vs %d tokens)", na, nb);
        printf("20000 bytes of tinystories_val.txt -> %d tokens\n", na);
        int once[8], n1;
        CHECK(bm_tokenizer_encode(&tok, "Once upon a time", 1, 0, once, 8, &n1, &e) == BM_OK,
              "%s", e.msg);
        CHECK(n1 >= 2 && once[0] == 1 && strcmp(tok.vocab[once[1]], " Once") == 0 &&
                  strcmp(bm_tokenizer_piece(&tok, 1, once[1]), "Once") == 0,
              "BOS then ' Once', decoded without the space after BOS");
        free(a);
        free(b);
    }
    free(text);
    bm_tokenizer_free(&tok);
    bm_model_free(&bin);
    bm_model_free(&gg);
    return bm_test_done("test_load_stories");
}
