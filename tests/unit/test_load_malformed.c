/* Malformed inputs for every loader: truncation at every length (written
 * files, and the real stories260K.gguf at many lengths), wrong magic and
 * version, absurd dimensions, shape/size mismatches, overlapping and
 * out-of-range data, duplicate and missing tensors, bad JSON. Each must
 * return a BM_E_* code with a message naming the file; buffers are copied
 * to exact-size allocations so ASan catches any over-read. */
#include "bm_test.h"
#include "fuzz/seedgen.h"
#include "load/bm_model.h"

typedef enum { F_L2C, F_TOK, F_GGUF, F_ST, F_CFG } fmt;

static char cfg_text[4096];

static int load(fmt f, const uint8_t *p, size_t n, const char *name, bm_err *e)
{
    uint8_t *c = malloc(n ? n : 1);
    memcpy(c, p, n);
    bm_model m;
    bm_tokenizer t;
    bm_model_cfg cfg;
    int rc = BM_E_INVAL;
    switch (f) {
    case F_L2C: rc = bm_model_load_llama2c_mem(c, n, name, &m, e); break;
    case F_GGUF: rc = bm_model_load_gguf_mem(c, n, name, &m, e); break;
    case F_ST:
        rc = bm_model_load_safetensors_mem(c, n, name, cfg_text, strlen(cfg_text),
                                           "config.json", &m, e);
        break;
    case F_TOK: rc = bm_tokenizer_load_llama2c_mem(c, n, name, 263, &t, e); break;
    case F_CFG: rc = bm_hf_config_parse((const char *)c, n, name, &cfg, e); break;
    }
    if (rc == BM_OK) {
        if (f == F_TOK)
            bm_tokenizer_free(&t);
        else if (f != F_CFG)
            bm_model_free(&m);
    }
    free(c);
    return rc;
}

/* Expect failure, a message naming `name`, and `want` in it (if given). */
#define EXPECT_FAIL(f, p, n, name, want)                                               \
    do {                                                                               \
        bm_err e_ = {0};                                                               \
        int rc_ = load(f, p, n, name, &e_);                                            \
        CHECK(rc_ < 0 && strstr(e_.msg, name) && (!(want) || strstr(e_.msg, want)),    \
              "rc %d msg '%s' (wanted '%s')", rc_, e_.msg, (want) ? (want) : "");      \
        if (verbose)                                                                   \
            printf("  %-28s -> %s\n", name, e_.msg);                                   \
    } while (0)

static int verbose = 1;

static void truncations(fmt f, const sg_buf *b, const char *label)
{
    int bad = 0;
    char name[64];
    snprintf(name, sizeof name, "trunc.%s", label);
    for (size_t n = 0; n < b->n; n++) {
        bm_err e = {0};
        int rc = load(f, b->p, n, name, &e);
        if (rc >= 0 || !strstr(e.msg, name)) {
            if (bad++ < 3)
                CHECK(0, "%s truncated to %zu bytes: rc %d '%s'", label, n, rc, e.msg);
        }
    }
    CHECK(bad == 0, "%s: %d truncations accepted", label, bad);
    bm_err e = {0};
    CHECK(load(f, b->p, b->n, name, &e) == BM_OK, "%s intact: %s", label, e.msg);
}

static size_t find(const sg_buf *b, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= b->n; i++)
        if (memcmp(b->p + i, s, k) == 0)
            return i;
    CHECK(0, "pattern '%s' not found", s);
    return 0;
}

static sg_buf copy(const sg_buf *b)
{
    sg_buf c = {0};
    sg_put(&c, b->p, b->n);
    return c;
}

static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static void test_llama2c(void)
{
    sg_model s;
    sg_model_random(&s, 8, 16, 1, 2, 1, 8, 4, 0, 3);
    sg_buf b = {0};
    sg_write_llama2c(&s, &b);
    truncations(F_L2C, &b, "bin");
    sg_buf c = copy(&b);
    sg_put(&c, "x", 1);
    EXPECT_FAIL(F_L2C, c.p, c.n, "extra.bin", "needs");
    sg_free(&c);
    int32_t cases[][2] = {{0, 1 << 30}, {0, 0}, {0, -8}, {3, 3}, {4, 4}, {0, 0x616b3432},
                          {5, (int32_t)0x80000000}, {2, 1 << 24}, {6, 0}};
    const char *want[] = {"dim", "dim", "dim", "multiple", "n_kv_heads", "ak42",
                          "vocab_size", "n_layers", "seq_len"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        c = copy(&b);
        memcpy(c.p + 4 * cases[i][0], &cases[i][1], 4);
        char nm[32];
        snprintf(nm, sizeof nm, "hdr%zu.bin", i);
        EXPECT_FAIL(F_L2C, c.p, c.n, nm, want[i]);
        sg_free(&c);
    }
    /* A header of a bigger model than the file holds. */
    c = copy(&b);
    int32_t big = 4096;
    memcpy(c.p + 4, &big, 4);
    EXPECT_FAIL(F_L2C, c.p, c.n, "bighidden.bin", "needs");
    sg_free(&c);
    sg_free(&b);
    sg_model_free(&s);
}

static void test_tokenizer(void)
{
    sg_buf b = {0};
    sg_write_tokenizer(&b, 263);
    truncations(F_TOK, &b, "tok");
    sg_buf c = copy(&b);
    put32(c.p + 8, 0xfffffff0u); /* first token length: negative */
    EXPECT_FAIL(F_TOK, c.p, c.n, "neglen.tok", "length");
    put32(c.p + 8, 0x7ffffff0u);
    EXPECT_FAIL(F_TOK, c.p, c.n, "hugelen.tok", "needs");
    sg_free(&c);
    bm_tokenizer t;
    bm_err e = {0};
    CHECK(bm_tokenizer_load_llama2c_mem(b.p, b.n, "v.tok", 1 << 21, &t, &e) == BM_E_RANGE &&
              strstr(e.msg, "v.tok"), "absurd vocab: %s", e.msg);
    CHECK(bm_tokenizer_load_llama2c_mem(b.p, b.n, "v.tok", 100000, &t, &e) == BM_E_FORMAT &&
              strstr(e.msg, "v.tok"), "vocab beyond file: %s", e.msg);
    sg_free(&b);
}

/* Offset of tensor info fields after the name `tn` (a .weight name). */
static size_t tinfo(const sg_buf *b, const char *tn)
{
    return find(b, tn) + strlen(tn);
}

static void test_gguf(void)
{
    sg_model s;
    sg_model_random(&s, 8, 16, 1, 2, 1, 8, 4, 0, 4);
    sg_buf b = {0}, c;
    sg_write_gguf(&s, 1, NULL, 0, 1, &b);
    truncations(F_GGUF, &b, "gguf");
#define PATCH(label, code, want)                                                        \
    do {                                                                               \
        c = copy(&b);                                                                  \
        code;                                                                          \
        EXPECT_FAIL(F_GGUF, c.p, c.n, label, want);                                    \
        sg_free(&c);                                                                   \
    } while (0)
    PATCH("magic.gguf", c.p[0] = 'X', "magic");
    PATCH("v1.gguf", put32(c.p + 4, 1), "version 1");
    PATCH("v4.gguf", put32(c.p + 4, 4), "version 4");
    PATCH("ntensors.gguf", put64(c.p + 8, 1ull << 40), "tensors");
    PATCH("nkv.gguf", put64(c.p + 16, 1ull << 40), "metadata");
    PATCH("kvtype.gguf", put32(c.p + find(&b, "test.nested") + 11, 99), "value type 99");
    PATCH("etype.gguf", put32(c.p + find(&b, "test.nested") + 15, 99), "element type 99");
    PATCH("wrongtype.gguf", put32(c.p + find(&b, "general.architecture") + 20, 4),
          "must be a string");
    PATCH("arch.gguf", c.p[find(&b, "general.architecture") + 32] = 'x', "architecture");
    PATCH("nokey.gguf", memcpy(c.p + find(&b, "llama.block_count"), "llama.block_cnt!", 16),
          "llama.block_count");
    PATCH("align.gguf", put32(c.p + find(&b, "general.alignment") + 21, 48), "alignment");
    PATCH("strlen.gguf", put64(c.p + find(&b, "tokenizer.ggml.tokens") + 33, 1ull << 62),
          "token");
    size_t q = tinfo(&b, "blk.0.attn_k.weight");
    PATCH("ndims.gguf", put32(c.p + q, 5), "dimensions");
    PATCH("dim0.gguf", put64(c.p + q + 4, 0), "dimension 0");
    PATCH("dimhuge.gguf", put64(c.p + q + 12, 1ull << 40), "dimension 1");
    /* [8][4] stored as [4][8]: same bytes, wrong shape. */
    PATCH("shape.gguf", (put64(c.p + q + 4, 4), put64(c.p + q + 12, 8)), "shape");
    PATCH("ttype.gguf", put32(c.p + q + 20, 99), "unsupported tensor type unknown");
    PATCH("unaligned.gguf", put64(c.p + q + 24, 8), "alignment");
    PATCH("range.gguf", put64(c.p + q + 24, 1ull << 20), "needs");
    PATCH("range2.gguf", put64(c.p + q + 24, ~0ull - 63), "needs");
    PATCH("overlap.gguf", put64(c.p + q + 24, 0), "overlaps");
    PATCH("dup.gguf", memcpy(c.p + find(&b, "blk.0.attn_v.weight"), "blk.0.attn_k", 12),
          "duplicate tensor 'blk.0.attn_k.weight'");
    PATCH("missing.gguf", memcpy(c.p + find(&b, "blk.0.ffn_up.weight"), "blk.0.ffn_uq", 12),
          "missing tensor 'blk.0.ffn_up'");
    PATCH("scores.gguf", put64(c.p + find(&b, "tokenizer.ggml.scores") + 29, 5), "");
    PATCH("ttypes.gguf", put32(c.p + find(&b, "tokenizer.ggml.token_type") + 29, 6),
          "token_type");
    sg_free(&b);
    sg_model_free(&s);

    /* The real file, truncated at many lengths through header and data. */
    char p[1024];
    snprintf(p, sizeof p, "%s/stories260K.gguf", bm_test_data_dir());
    FILE *f = fopen(p, "rb");
    CHECK(f != NULL, "open %s (set DATA_DIR to the shared data folder)", p);
    if (!f)
        return;
    sg_buf real = {0};
    uint8_t chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        sg_put(&real, chunk, k);
    fclose(f);
    int bad = 0, tried = 0;
    for (size_t n = 0; n < real.n; n += n < 14400 ? 37 : 9973) {
        bm_err e = {0};
        int rc = load(F_GGUF, real.p, n, "stories260K.gguf", &e);
        tried++;
        if (rc >= 0 || !strstr(e.msg, "stories260K.gguf"))
            bad++;
    }
    printf("stories260K.gguf: %d truncations refused, %d accepted\n", tried - bad, bad);
    CHECK_EQ_INT(bad, 0);
    sg_free(&real);
}

/* Rebuild a safetensors image with its JSON header edited (first match). */
static void st_edit(const sg_buf *b, const char *from, const char *to, sg_buf *out)
{
    uint64_t hl;
    memcpy(&hl, b->p, 8);
    char *h = malloc(hl + 1);
    memcpy(h, b->p + 8, hl);
    h[hl] = 0;
    char *at = strstr(h, from);
    CHECK(at != NULL, "pattern '%s' in header", from);
    sg_buf nh = {0};
    if (at) {
        sg_put(&nh, h, (size_t)(at - h));
        sg_put(&nh, to, strlen(to));
        sg_put(&nh, at + strlen(from), strlen(at + strlen(from)));
    } else {
        sg_put(&nh, h, hl);
    }
    memset(out, 0, sizeof *out);
    sg_u64(out, nh.n);
    sg_put(out, nh.p, nh.n);
    sg_put(out, b->p + 8 + hl, b->n - 8 - hl);
    sg_free(&nh);
    free(h);
}

static void test_safetensors(void)
{
    sg_model s;
    sg_model_random(&s, 8, 16, 1, 2, 1, 8, 4, 0, 5);
    sg_buf b = {0}, c;
    sg_write_safetensors(&s, "F16", &b, cfg_text, sizeof cfg_text);
    truncations(F_ST, &b, "st");
#define STED(label, from, to, want)                                                    \
    do {                                                                               \
        st_edit(&b, from, to, &c);                                                     \
        EXPECT_FAIL(F_ST, c.p, c.n, label, want);                                      \
        sg_free(&c);                                                                   \
    } while (0)
    STED("dtype.safetensors", "\"F16\"", "\"I8\"", "unsupported dtype I8 in tensor");
    STED("shape.safetensors", "[8,8]", "[8,9]", "need");
    STED("absurd.safetensors", "[8,8]", "[1099511627776,8]", "dimension 0");
    STED("neg.safetensors", "[8,8]", "[-8,8]", "dimension 0");
    STED("ndims.safetensors", "[8,8]", "[1,1,1,1,8,8]", "dimensions");
    STED("range.safetensors", "\"data_offsets\":[0,", "\"data_offsets\":[1e30,", "data_offsets");
    STED("order.safetensors", "\"data_offsets\":[0,", "\"data_offsets\":[99999,", "data_offsets");
    STED("overlap.safetensors", "[128,144]", "[120,136]", "overlaps");
    STED("json.safetensors", "\"pt\"}", "\"pt\",}", "member name");
    STED("json2.safetensors", "\"dtype\":", "\"dtype\"", "expected ':'");
    STED("json3.safetensors", "{\"__metadata__\"", "[", "");
    STED("dup.safetensors", "model.norm.weight", "lm_head.weight", "duplicate tensor");
    STED("missing.safetensors", "model.norm.weight", "model.nrm.weight",
         "missing tensor 'output_norm'");
    STED("qk.safetensors", "layers.0.self_attn.q_proj", "layers.0.self_attn.k_proj",
         "duplicate");
    STED("esc.safetensors", "model.norm.weight", "model.norm\\ud800.weight", "surrogate");
    STED("ctl.safetensors", "model.norm.weight", "model.norm\x01.weight", "control");
    c = copy(&b);
    put64(c.p, 1ull << 40);
    EXPECT_FAIL(F_ST, c.p, c.n, "hlen.safetensors", "header length");
    put64(c.p, b.n);
    EXPECT_FAIL(F_ST, c.p, c.n, "hlen2.safetensors", "JSON header");
    sg_free(&c);

    /* Config problems surface with the config's name. */
    char saved[4096];
    snprintf(saved, sizeof saved, "%s", cfg_text);
    sg_buf cb = {0};
    sg_put(&cb, saved, strlen(saved) - 1); /* without the final newline */
    truncations(F_CFG, &cb, "config.json");
    sg_free(&cb);
    const char *cfg_edits[][3] = {
        {"\"hidden_size\": 8", "\"hidden_size\": 16", "imply"},
        {"\"hidden_size\": 8", "\"hidden_size\": 8.5", "integer"},
        {"\"hidden_size\": 8", "\"hidden_sz\": 8", "hidden_size"},
        {"\"num_attention_heads\": 2", "\"num_attention_heads\": 3", "multiple"},
        {"\"vocab_size\": 8", "\"vocab_size\": 1e300", "integer"},
        {"\"model_type\": \"llama\"", "\"model_type\": \"gpt2\"", "model_type"},
        {"\"rope_scaling\": null", "\"rope_scaling\": {}", "rope_scaling"},
        {"\"tie_word_embeddings\": false", "\"tie_word_embeddings\": 0", "boolean"},
    };
    for (size_t i = 0; i < sizeof cfg_edits / sizeof cfg_edits[0]; i++) {
        char *at = strstr(saved, cfg_edits[i][0]);
        CHECK(at != NULL, "config pattern %s", cfg_edits[i][0]);
        if (!at)
            continue;
        snprintf(cfg_text, sizeof cfg_text, "%.*s%s%s", (int)(at - saved), saved,
                 cfg_edits[i][1], at + strlen(cfg_edits[i][0]));
        bm_err e = {0};
        int rc = load(F_ST, b.p, b.n, "model.safetensors", &e);
        CHECK(rc < 0 && (strstr(e.msg, "config.json") || strstr(e.msg, "model.safetensors")) &&
                  strstr(e.msg, cfg_edits[i][2]), "config edit %zu: rc %d '%s'", i, rc, e.msg);
        printf("  config edit %-20s -> %s\n", cfg_edits[i][1], e.msg);
    }
    snprintf(cfg_text, sizeof cfg_text, "%s", saved);
    sg_free(&b);
    sg_model_free(&s);
}

int main(void)
{
    test_llama2c();
    test_tokenizer();
    test_gguf();
    test_safetensors();
    bm_model m;
    bm_err e = {0};
    CHECK(bm_model_load("/nonexistent/x.gguf", &m, &e) == BM_E_IO &&
              strstr(e.msg, "/nonexistent/x.gguf"), "missing file: %s", e.msg);
    CHECK(bm_model_load("/tmp", &m, &e) == BM_E_IO, "directory: %s", e.msg);
    (void)verbose;
    return bm_test_done("test_load_malformed");
}
