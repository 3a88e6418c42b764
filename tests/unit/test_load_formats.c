/* Loader round trips on files the test writes itself: safetensors (F32, F16,
 * BF16; tied and untied lm_head; HF rotate-half q/k layout) with config.json,
 * GGUF with F16/BF16 tensors and an embedded tokenizer, a GGUF with a
 * quantized tensor (refused), llama2.c .bin with and without a separate
 * classifier, and stories260K re-written as safetensors. */
#include "bm_test.h"
#include "bm_llama.h"
#include "fuzz/seedgen.h"

#include <math.h>
#include <unistd.h>

static char tmpdir[64];

static void check_same(const char *label, const sg_model *s, const bm_model *m)
{
    CHECK_EQ_INT(m->cfg.dim, s->dim);
    CHECK_EQ_INT(m->cfg.hidden_dim, s->hidden);
    CHECK_EQ_INT(m->cfg.n_layers, s->layers);
    CHECK_EQ_INT(m->cfg.n_heads, s->heads);
    CHECK_EQ_INT(m->cfg.n_kv_heads, s->kv_heads);
    CHECK_EQ_INT(m->cfg.vocab_size, s->vocab);
    CHECK_EQ_INT(m->cfg.seq_len, s->seq_len);
    CHECK_EQ_INT(m->cfg.shared_classifier, s->shared);
    CHECK_EQ_INT(m->n_tensors, 3 + 9 * s->layers);
    int bad = 0;
    for (int i = 0; i < s->n; i++) {
        const bm_tensor *t = bm_model_find(m, s->name[i]);
        if (!t || t->rows != s->rows[i] || t->cols != s->cols[i]) {
            CHECK(0, "%s: tensor %s missing or misshapen", label, s->name[i]);
            continue;
        }
        if (memcmp(t->data, s->data[i], (size_t)t->rows * t->cols * sizeof(float)) != 0) {
            bad++;
            CHECK(0, "%s: tensor %s values differ", label, s->name[i]);
        }
    }
    CHECK(bad == 0, "%s: %d tensors differ", label, bad);
    const bm_tensor *o = bm_model_find(m, "output"), *e = bm_model_find(m, "token_embd");
    CHECK(o && e, "%s: output and token_embd present", label);
    if (s->shared && o && e)
        CHECK(o->data == e->data, "%s: shared classifier aliases token_embd", label);
}

static void test_safetensors(void)
{
    const char *dts[3] = {"F32", "F16", "BF16"};
    for (int d = 0; d < 3; d++)
        for (int tied = 0; tied < 2; tied++) {
            sg_model s;
            sg_model_random(&s, 16, 40, 2, 4, 2, 32, 64, tied, 1000 + d * 2 + tied);
            sg_buf b = {0}, cb = {0};
            char cfg[2048], path[256], label[64];
            sg_write_safetensors(&s, dts[d], &b, cfg, sizeof cfg);
            sg_put(&cb, cfg, strlen(cfg));
            snprintf(path, sizeof path, "%s/config.json", tmpdir);
            CHECK(sg_save(&cb, path) == 0, "write %s", path);
            snprintf(path, sizeof path, "%s/model.safetensors", tmpdir);
            CHECK(sg_save(&b, path) == 0, "write %s", path);
            snprintf(label, sizeof label, "safetensors %s %s", dts[d], tied ? "tied" : "untied");
            bm_model m;
            bm_err e = {0};
            int rc = bm_model_load(path, &m, &e);
            CHECK(rc == BM_OK, "%s: %s", label, e.msg);
            if (!rc)
                check_same(label, &s, &m);
            CHECK(fabsf(m.cfg.norm_eps - 1e-5f) < 1e-12f, "eps from config.json");
            bm_model_free(&m);
            sg_free(&b);
            sg_free(&cb);
            sg_model_free(&s);
        }
    /* Without config.json the error says so. */
    char path[256];
    snprintf(path, sizeof path, "%s/config.json", tmpdir);
    unlink(path);
    snprintf(path, sizeof path, "%s/model.safetensors", tmpdir);
    bm_model m;
    bm_err e = {0};
    CHECK(bm_model_load(path, &m, &e) == BM_E_IO && strstr(e.msg, "config.json"),
          "missing config.json: %s", e.msg);
    unlink(path);
}

static void test_gguf(void)
{
    const uint32_t types[3] = {0, 1, 30};
    for (int d = 0; d < 3; d++) {
        sg_model s;
        sg_model_random(&s, 16, 24, 2, 2, 1, 270, 32, d == 1, 77 + d);
        sg_buf b = {0};
        sg_write_gguf(&s, types[d], NULL, 0, 1, &b);
        char path[256], label[64];
        snprintf(path, sizeof path, "%s/m.gguf", tmpdir);
        CHECK(sg_save(&b, path) == 0, "write %s", path);
        snprintf(label, sizeof label, "gguf type %u", types[d]);
        bm_model m;
        bm_err e = {0};
        int rc = bm_model_load(path, &m, &e);
        CHECK(rc == BM_OK, "%s: %s", label, e.msg);
        if (!rc) {
            check_same(label, &s, &m);
            CHECK(m.has_tok && m.tok.vocab_size == 263, "%s: embedded tokenizer", label);
            /* U+2581 became a space; "a a" -> " a" merged twice. */
            CHECK(m.has_tok && strcmp(m.tok.vocab[262], " a") == 0, "piece ' a'");
            int toks[16], n = 0;
            CHECK(bm_tokenizer_encode(&m.tok, "a ab", 1, 1, toks, 16, &n, &e) == BM_OK, "%s",
                  e.msg);
            int want[] = {1, 262, 262, 261, 2};
            CHECK(n == 5 && memcmp(toks, want, sizeof want) == 0, "encode 'a ab': n=%d", n);
            /* Byte fallback for a character not in the vocabulary. */
            CHECK(bm_tokenizer_encode(&m.tok, "z", 0, 0, toks, 16, &n, &e) == BM_OK &&
                      n == 2 && toks[0] == 259 && toks[1] == 'z' + 3,
                  "byte fallback: n=%d", n);
        }
        bm_model_free(&m);
        sg_free(&b);
        sg_model_free(&s);
    }
    /* A quantized tensor is refused with a precise message. */
    sg_model s;
    sg_model_random(&s, 16, 24, 1, 2, 2, 16, 32, 1, 5);
    sg_buf b = {0};
    sg_write_gguf(&s, 0, "blk.0.attn_q", 2, 0, &b);
    bm_model m;
    bm_err e = {0};
    int rc = bm_model_load_gguf_mem(b.p, b.n, "q4.gguf", &m, &e);
    CHECK(rc == BM_E_UNSUPP, "quantized refused, rc %d", rc);
    CHECK(strstr(e.msg, "q4.gguf") && strstr(e.msg, "unsupported tensor type Q4_0 in tensor "
                                               "blk.0.attn_q"), "message: %s", e.msg);
    printf("quantized GGUF: %s\n", e.msg);
    sg_free(&b);
    sg_write_gguf(&s, 0, "blk.0.ffn_down", 12, 0, &b);
    rc = bm_model_load_gguf_mem(b.p, b.n, "q4k.gguf", &m, &e);
    CHECK(rc == BM_E_UNSUPP && strstr(e.msg, "unsupported tensor type Q4_K in tensor "
                                              "blk.0.ffn_down"), "message: %s", e.msg);
    sg_free(&b);
    sg_model_free(&s);
}

static void test_llama2c(void)
{
    for (int shared = 0; shared < 2; shared++) {
        sg_model s;
        sg_model_random(&s, 24, 40, 3, 6, 3, 48, 16, shared, 9 + shared);
        sg_buf b = {0};
        sg_write_llama2c(&s, &b);
        char path[256];
        snprintf(path, sizeof path, "%s/m%d.bin", tmpdir, shared);
        CHECK(sg_save(&b, path) == 0, "write");
        bm_model m;
        bm_err e = {0};
        int rc = bm_model_load(path, &m, &e);
        CHECK(rc == BM_OK, "llama2c shared=%d: %s", shared, e.msg);
        if (!rc)
            check_same(shared ? "llama2c shared" : "llama2c separate classifier", &s, &m);
        /* The forward pass runs on it and the separate classifier is used. */
        bm_llama *l = NULL;
        if (!rc && bm_llama_new(&m, 8, &l, &e) == BM_OK) {
            float logits[48];
            int tok = 3;
            CHECK(bm_llama_forward(l, &tok, 1, 0, logits, &e) == BM_OK, "%s", e.msg);
            int finite = 1;
            for (int i = 0; i < 48; i++)
                finite &= isfinite(logits[i]) != 0;
            CHECK(finite, "finite logits");
            bm_llama_free(l);
        }
        bm_model_free(&m);
        unlink(path);
        sg_free(&b);
        sg_model_free(&s);
    }
}

/* stories260K written as an HF safetensors checkpoint loads back equal to
 * the .bin: the rotate-half conversion of q/k is exact and consistent. */
static void test_stories_as_safetensors(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/stories260K.bin", bm_test_data_dir());
    bm_model ref;
    bm_err e = {0};
    int rc = bm_model_load(path, &ref, &e);
    CHECK(rc == BM_OK, "%s (set DATA_DIR to the shared data folder)", e.msg);
    if (rc)
        return;
    sg_model s;
    memset(&s, 0, sizeof s);
    const bm_model_cfg *c = &ref.cfg;
    s.dim = c->dim, s.hidden = c->hidden_dim, s.layers = c->n_layers, s.heads = c->n_heads;
    s.kv_heads = c->n_kv_heads, s.vocab = c->vocab_size, s.seq_len = c->seq_len;
    s.shared = c->shared_classifier;
    for (int i = 0; i < ref.n_tensors; i++) {
        if (s.shared && strcmp(ref.tensors[i].name, "output") == 0)
            continue;
        int k = s.n++;
        snprintf(s.name[k], sizeof s.name[k], "%s", ref.tensors[i].name);
        s.rows[k] = ref.tensors[i].rows;
        s.cols[k] = ref.tensors[i].cols;
        size_t bytes = (size_t)s.rows[k] * s.cols[k] * sizeof(float);
        s.data[k] = malloc(bytes);
        memcpy(s.data[k], ref.tensors[i].data, bytes);
    }
    sg_buf b = {0};
    char cfg[2048];
    sg_write_safetensors(&s, "F32", &b, cfg, sizeof cfg);
    bm_model m;
    rc = bm_model_load_safetensors_mem(b.p, b.n, "stories.safetensors", cfg, strlen(cfg),
                                       "config.json", &m, &e);
    CHECK(rc == BM_OK, "%s", e.msg);
    char why[256];
    CHECK(rc == BM_OK && bm_model_equal(&ref, &m, why, sizeof why), "not equal: %s", why);
    if (!rc)
        bm_model_free(&m);
    sg_free(&b);
    sg_model_free(&s);
    bm_model_free(&ref);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/bm_load_XXXXXX");
    if (!mkdtemp(tmpdir)) {
        CHECK(0, "mkdtemp");
        return bm_test_done("test_load_formats");
    }
    test_safetensors();
    test_gguf();
    test_llama2c();
    test_stories_as_safetensors();
    char p[128];
    snprintf(p, sizeof p, "%s/m.gguf", tmpdir);
    unlink(p);
    rmdir(tmpdir);
    return bm_test_done("test_load_formats");
}
