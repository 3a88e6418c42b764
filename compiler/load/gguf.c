/* GGUF v2/v3 loader: header, key/value metadata (every value type, unknown
 * keys skipped), tensor infos, aligned data. F32/F16/BF16 tensors become
 * fp32; quantized types are refused. Tensors are taken in llama2.c row order
 * (llama.cpp already permutes q/k to interleaved RoPE pairs). */
#include "bm_load_priv.h"
#include "bm_rd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { GT_U8, GT_I8, GT_U16, GT_I16, GT_U32, GT_I32, GT_F32, GT_BOOL, GT_STRING,
       GT_ARRAY, GT_U64, GT_I64, GT_F64, GT_COUNT };
static const int gt_size[GT_COUNT] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};

#define MAX_KEY 65535
#define MAX_TENSORS (1 << 16)
#define MAX_DEPTH 4

static const char *ggml_type_name(uint32_t t)
{
    static const char *const n[] = {
        "F32",     "F16",     "Q4_0",    "Q4_1",  "Q4_2",   "Q4_3",   "Q5_0",
        "Q5_1",    "Q8_0",    "Q8_1",    "Q2_K",  "Q3_K",   "Q4_K",   "Q5_K",
        "Q6_K",    "Q8_K",    "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL",
        "IQ3_S",   "IQ2_S",   "IQ4_XS",  "I8",    "I16",    "I32",    "I64",
        "F64",     "IQ1_M",   "BF16",    "Q4_0_4_4", "Q4_0_4_8", "Q4_0_8_8",
        "TQ1_0",   "TQ2_0"};
    return t < sizeof n / sizeof n[0] ? n[t] : "unknown";
}

/* Metadata we use; everything else is skipped. */
typedef struct {
    double v;
    int set;
} num;
typedef struct {
    uint32_t etype;
    uint64_t count;
    size_t off; /* of the first element */
    int set;
} arr;
typedef struct {
    num emb, ffn, blocks, heads, kv_heads, ctx, eps, theta, rope_dims, align, bos, eos;
    arr tokens, scores, types;
    char arch[32], tok_model[32];
    int arch_set;
} meta;

static int rd_str(bm_rd *r, const uint8_t **s, uint64_t *len, const char *what)
{
    int rc = bm_rd_u64(r, len, what);
    if (!rc)
        rc = bm_rd_bytes(r, *len > SIZE_MAX ? SIZE_MAX : (size_t)*len, s, what);
    return rc;
}

static int skip_value(bm_rd *r, uint32_t type, int depth, const char *key)
{
    if (type >= GT_COUNT)
        return bm_fail(r->err, BM_E_FORMAT, "%s: offset %zu: key '%s' has value type %u",
                       r->name, r->off - 4, key, type);
    if (gt_size[type])
        return bm_rd_skip(r, (uint64_t)gt_size[type], key);
    if (type == GT_STRING) {
        const uint8_t *s;
        uint64_t n;
        return rd_str(r, &s, &n, key);
    }
    if (depth >= MAX_DEPTH)
        return bm_fail(r->err, BM_E_FORMAT, "%s: offset %zu: key '%s': arrays nested too deep",
                       r->name, r->off, key);
    uint32_t et;
    uint64_t cnt;
    int rc = bm_rd_u32(r, &et, key);
    if (!rc)
        rc = bm_rd_u64(r, &cnt, key);
    if (rc)
        return rc;
    if (et >= GT_COUNT)
        return bm_fail(r->err, BM_E_FORMAT,
                       "%s: offset %zu: key '%s' has array element type %u", r->name,
                       r->off - 12, key, et);
    if (gt_size[et]) {
        uint64_t bytes;
        if (!bm_mul_ok(cnt, (uint64_t)gt_size[et], &bytes))
            return bm_fail(r->err, BM_E_FORMAT, "%s: offset %zu: key '%s': array of %llu "
                           "elements overflows", r->name, r->off, key,
                           (unsigned long long)cnt);
        return bm_rd_skip(r, bytes, key);
    }
    /* Every variable-size element takes at least 8 bytes: an absurd count
     * runs out of file quickly, each step bounds-checked. */
    for (uint64_t i = 0; i < cnt; i++)
        if ((rc = skip_value(r, et, depth + 1, key)))
            return rc;
    return BM_OK;
}

static int read_num(bm_rd *r, uint32_t type, const char *key, num *out)
{
    const uint8_t *p;
    if (type >= GT_COUNT || !gt_size[type] )
        return bm_fail(r->err, BM_E_FORMAT,
                       "%s: offset %zu: key '%s' must be a number, has type %u", r->name,
                       r->off - 4, key, type);
    int rc = bm_rd_bytes(r, (size_t)gt_size[type], &p, key);
    if (rc)
        return rc;
    double v = 0;
    switch (type) {
    case GT_U8: case GT_BOOL: v = p[0]; break;
    case GT_I8: v = (int8_t)p[0]; break;
    case GT_U16: v = (uint16_t)(p[0] | p[1] << 8); break;
    case GT_I16: v = (int16_t)(uint16_t)(p[0] | p[1] << 8); break;
    case GT_U32: v = bm_le32(p); break;
    case GT_I32: v = (int32_t)bm_le32(p); break;
    case GT_U64: v = (double)bm_le64(p); break;
    case GT_I64: v = (double)(int64_t)bm_le64(p); break;
    case GT_F32: { float f; memcpy(&f, p, 4); v = f; break; }
    case GT_F64: memcpy(&v, p, 8); break;
    }
    out->v = v;
    out->set = 1;
    return BM_OK;
}

static int read_arr(bm_rd *r, uint32_t type, const char *key, arr *out)
{
    if (type != GT_ARRAY)
        return bm_fail(r->err, BM_E_FORMAT, "%s: offset %zu: key '%s' must be an array",
                       r->name, r->off - 4, key);
    size_t start = r->off;
    int rc = bm_rd_u32(r, &out->etype, key);
    if (!rc)
        rc = bm_rd_u64(r, &out->count, key);
    if (rc)
        return rc;
    out->off = r->off;
    out->set = 1;
    /* Re-read through the generic skipper so the whole array is validated. */
    r->off = start;
    return skip_value(r, type, 0, key);
}

static void read_small_str(bm_rd *r, uint32_t type, char *dst, size_t cap, int *rc,
                           const char *key)
{
    if (type != GT_STRING) {
        *rc = bm_fail(r->err, BM_E_FORMAT, "%s: offset %zu: key '%s' must be a string",
                      r->name, r->off - 4, key);
        return;
    }
    const uint8_t *s;
    uint64_t n;
    if ((*rc = rd_str(r, &s, &n, key)))
        return;
    size_t k = n < cap - 1 ? (size_t)n : cap - 1;
    memcpy(dst, s, k);
    dst[k] = 0;
}

static int read_kv(bm_rd *r, meta *md)
{
    const uint8_t *ks;
    uint64_t klen;
    size_t koff = r->off;
    int rc = rd_str(r, &ks, &klen, "metadata key");
    if (rc)
        return rc;
    if (klen == 0 || klen > MAX_KEY)
        return bm_fail(r->err, BM_E_FORMAT, "%s: offset %zu: metadata key of %llu bytes",
                       r->name, koff, (unsigned long long)klen);
    char key[256];
    size_t kl = klen < sizeof key - 1 ? (size_t)klen : sizeof key - 1;
    memcpy(key, ks, kl);
    key[kl] = 0;
    if (memchr(key, 0, kl))
        key[0] = '?'; /* embedded NUL: matches nothing we know, still skipped */
    uint32_t type;
    if ((rc = bm_rd_u32(r, &type, key)))
        return rc;
    struct { const char *k; num *n; } nums[] = {
        {"llama.embedding_length", &md->emb},
        {"llama.feed_forward_length", &md->ffn},
        {"llama.block_count", &md->blocks},
        {"llama.attention.head_count", &md->heads},
        {"llama.attention.head_count_kv", &md->kv_heads},
        {"llama.context_length", &md->ctx},
        {"llama.attention.layer_norm_rms_epsilon", &md->eps},
        {"llama.rope.freq_base", &md->theta},
        {"llama.rope.dimension_count", &md->rope_dims},
        {"general.alignment", &md->align},
        {"tokenizer.ggml.bos_token_id", &md->bos},
        {"tokenizer.ggml.eos_token_id", &md->eos},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        if (strcmp(key, nums[i].k) == 0)
            return read_num(r, type, key, nums[i].n);
    if (strcmp(key, "tokenizer.ggml.tokens") == 0)
        return read_arr(r, type, key, &md->tokens);
    if (strcmp(key, "tokenizer.ggml.scores") == 0)
        return read_arr(r, type, key, &md->scores);
    if (strcmp(key, "tokenizer.ggml.token_type") == 0)
        return read_arr(r, type, key, &md->types);
    if (strcmp(key, "general.architecture") == 0) {
        read_small_str(r, type, md->arch, sizeof md->arch, &rc, key);
        md->arch_set = 1;
        return rc;
    }
    if (strcmp(key, "tokenizer.ggml.model") == 0) {
        read_small_str(r, type, md->tok_model, sizeof md->tok_model, &rc, key);
        return rc;
    }
    return skip_value(r, type, 0, key);
}

typedef struct {
    char name[256];
    int n_dims;
    uint64_t ne[4];
    uint32_t type;
    uint64_t off;   /* relative to the data section */
    uint64_t bytes;
    size_t info_off;
} tinfo;

static int cmp_off(const void *a, const void *b)
{
    const tinfo *x = *(const tinfo *const *)a, *y = *(const tinfo *const *)b;
    return (x->off > y->off) - (x->off < y->off);
}

static int cmp_name(const void *a, const void *b)
{
    const tinfo *x = *(const tinfo *const *)a, *y = *(const tinfo *const *)b;
    return strcmp(x->name, y->name);
}

/* Integer hyper-parameter from metadata: required unless dflt >= 0. */
static int md_int(const num *n, const char *key, int dflt, int *out, const char *file,
                  bm_err *err)
{
    if (!n->set) {
        if (dflt < 0)
            return bm_fail(err, BM_E_FORMAT, "%s: missing metadata key '%s'", file, key);
        *out = dflt;
        return BM_OK;
    }
    if (!(n->v >= 0 && n->v <= BM_MAX_DIM) || n->v != floor(n->v))
        return bm_fail(err, BM_E_RANGE, "%s: metadata '%s' = %g is outside [0, %d]", file,
                       key, n->v, BM_MAX_DIM);
    *out = (int)n->v;
    return BM_OK;
}

static int load_tokenizer(bm_rd *r, const meta *md, bm_tokenizer *t)
{
    const char *file = r->name;
    bm_err *err = r->err;
    const arr *tk = &md->tokens;
    if (tk->etype != GT_STRING || tk->count < 1 || tk->count > BM_MAX_DIM)
        return bm_fail(err, BM_E_FORMAT,
                       "%s: offset %zu: tokenizer.ggml.tokens must be 1..%d strings",
                       file, tk->off, BM_MAX_DIM);
    int V = (int)tk->count;
    if (md->scores.set && (md->scores.etype != GT_F32 || md->scores.count != tk->count))
        return bm_fail(err, BM_E_FORMAT,
                       "%s: offset %zu: tokenizer.ggml.scores must be %d F32 values",
                       file, md->scores.off, V);
    if (md->types.set && (md->types.etype != GT_I32 || md->types.count != tk->count))
        return bm_fail(err, BM_E_FORMAT,
                       "%s: offset %zu: tokenizer.ggml.token_type must be %d I32 values",
                       file, md->types.off, V);
    char **vocab = calloc((size_t)V, sizeof *vocab);
    float *scores = calloc((size_t)V, sizeof *scores);
    unsigned char *excl = calloc((size_t)V, 1);
    int rc = BM_OK;
    if (!vocab || !scores || !excl) {
        rc = bm_fail(err, BM_E_NOMEM, "%s: out of memory for tokenizer", file);
        goto fail;
    }
    /* The arrays were validated while parsing metadata: reads cannot fail. */
    r->off = tk->off;
    for (int i = 0; i < V; i++) {
        const uint8_t *s;
        uint64_t n;
        if ((rc = rd_str(r, &s, &n, "token")))
            goto fail;
        if (!(vocab[i] = malloc((size_t)n + 1))) {
            rc = bm_fail(err, BM_E_NOMEM, "%s: out of memory for tokenizer", file);
            goto fail;
        }
        /* SentencePiece writes a space as U+2581 (e2 96 81). */
        size_t k = 0;
        for (size_t j = 0; j < n; j++) {
            if (j + 2 < n && s[j] == 0xe2 && s[j + 1] == 0x96 && s[j + 2] == 0x81) {
                vocab[i][k++] = ' ';
                j += 2;
            } else {
                vocab[i][k++] = (char)s[j];
            }
        }
        vocab[i][k] = 0;
    }
    if (md->scores.set)
        memcpy(scores, r->p + md->scores.off, (size_t)V * 4);
    if (md->types.set)
        for (int i = 0; i < V; i++) {
            int32_t ty = (int32_t)bm_le32(r->p + md->types.off + 4 * (size_t)i);
            /* 2 unknown, 3 control, 5 unused: never produced from text. */
            excl[i] = ty == 2 || ty == 3 || ty == 5;
        }
    int bos = 1, eos = 2;
    if ((rc = md_int(&md->bos, "tokenizer.ggml.bos_token_id", 1, &bos, file, err)) ||
        (rc = md_int(&md->eos, "tokenizer.ggml.eos_token_id", 2, &eos, file, err)))
        goto fail;
    rc = bm_tokenizer_build(t, V, vocab, scores, bos, eos, excl, file, err);
    free(excl);
    return rc;
fail:
    if (vocab)
        for (int i = 0; i < V; i++)
            free(vocab[i]);
    free(vocab);
    free(scores);
    free(excl);
    return rc;
}

int bm_model_load_gguf_mem(const void *buf, size_t n, const char *name, bm_model *m,
                           bm_err *err)
{
    memset(m, 0, sizeof *m);
    bm_rd r;
    bm_rd_init(&r, buf, n, name, err);
    const uint8_t *magic;
    uint32_t version;
    uint64_t n_tensors, n_kv;
    int rc = bm_rd_bytes(&r, 4, &magic, "magic");
    if (rc)
        return rc;
    if (memcmp(magic, "GGUF", 4) != 0)
        return bm_fail(err, BM_E_FORMAT, "%s: offset 0: bad magic, expected 'GGUF'", name);
    if ((rc = bm_rd_u32(&r, &version, "version")))
        return rc;
    if (version != 2 && version != 3)
        return bm_fail(err, BM_E_UNSUPP,
                       "%s: offset 4: GGUF version %u is not supported (2 or 3)", name,
                       version);
    if ((rc = bm_rd_u64(&r, &n_tensors, "tensor count")) ||
        (rc = bm_rd_u64(&r, &n_kv, "metadata count")))
        return rc;
    if (n_tensors > MAX_TENSORS)
        return bm_fail(err, BM_E_RANGE, "%s: offset 8: %llu tensors (max %d)", name,
                       (unsigned long long)n_tensors, MAX_TENSORS);
    /* Each key/value takes at least 13 bytes. */
    if (n_kv > (n - r.off) / 13)
        return bm_fail(err, BM_E_FORMAT,
                       "%s: offset 16: %llu metadata entries cannot fit in %zu bytes",
                       name, (unsigned long long)n_kv, n - r.off);
    meta md;
    memset(&md, 0, sizeof md);
    for (uint64_t i = 0; i < n_kv; i++)
        if ((rc = read_kv(&r, &md)))
            return rc;
    if (md.arch_set && strcmp(md.arch, "llama") != 0)
        return bm_fail(err, BM_E_UNSUPP,
                       "%s: general.architecture '%s' is not supported (llama)", name,
                       md.arch);

    tinfo *ti = calloc(n_tensors ? (size_t)n_tensors : 1, sizeof *ti);
    tinfo **by = calloc(n_tensors ? (size_t)n_tensors : 1, sizeof *by);
    if (!ti || !by) {
        free(ti);
        free(by);
        return bm_fail(err, BM_E_NOMEM, "%s: out of memory for tensor infos", name);
    }
    for (uint64_t i = 0; i < n_tensors; i++) {
        tinfo *t = &ti[i];
        by[i] = t;
        t->info_off = r.off;
        const uint8_t *s;
        uint64_t len;
        uint32_t nd;
        if ((rc = rd_str(&r, &s, &len, "tensor name")))
            goto out;
        if (len == 0 || len >= sizeof t->name || memchr(s, 0, (size_t)len)) {
            rc = bm_fail(err, BM_E_FORMAT, "%s: offset %zu: tensor name of %llu bytes",
                         name, t->info_off, (unsigned long long)len);
            goto out;
        }
        memcpy(t->name, s, (size_t)len);
        if ((rc = bm_rd_u32(&r, &nd, t->name)))
            goto out;
        if (nd < 1 || nd > 4) {
            rc = bm_fail(err, BM_E_FORMAT, "%s: offset %zu: tensor '%s' has %u dimensions",
                         name, r.off - 4, t->name, nd);
            goto out;
        }
        t->n_dims = (int)nd;
        uint64_t ne = 1;
        for (int d = 0; d < t->n_dims; d++) {
            if ((rc = bm_rd_u64(&r, &t->ne[d], t->name)))
                goto out;
            if (t->ne[d] < 1 || t->ne[d] > BM_MAX_DIM) {
                rc = bm_fail(err, BM_E_RANGE,
                             "%s: offset %zu: tensor '%s' dimension %d is %llu (max %d)",
                             name, r.off - 8, t->name, d,
                             (unsigned long long)t->ne[d], BM_MAX_DIM);
                goto out;
            }
            ne *= t->ne[d]; /* <= 2^40 * 2^20: cannot overflow */
            if (ne > (uint64_t)1 << 40) {
                rc = bm_fail(err, BM_E_RANGE, "%s: offset %zu: tensor '%s' is too large",
                             name, r.off - 8, t->name);
                goto out;
            }
        }
        if ((rc = bm_rd_u32(&r, &t->type, t->name)) || (rc = bm_rd_u64(&r, &t->off, t->name)))
            goto out;
        char canon[256];
        snprintf(canon, sizeof canon, "%s", t->name);
        size_t cl = strlen(canon);
        if (cl > 7 && strcmp(canon + cl - 7, ".weight") == 0)
            canon[cl - 7] = 0;
        if (t->type != 0 && t->type != 1 && t->type != 30) {
            rc = bm_fail(err, BM_E_UNSUPP, "%s: offset %zu: unsupported tensor type %s in "
                         "tensor %s", name, r.off - 12, ggml_type_name(t->type), canon);
            goto out;
        }
        t->bytes = ne * (t->type == 0 ? 4 : 2);
    }
    uint64_t align = 32;
    if (md.align.set) {
        if (!(md.align.v >= 1 && md.align.v <= 65536) || md.align.v != floor(md.align.v) ||
            ((uint64_t)md.align.v & ((uint64_t)md.align.v - 1))) {
            rc = bm_fail(err, BM_E_FORMAT, "%s: general.alignment %g is not a power of two "
                         "in [1, 65536]", name, md.align.v);
            goto out;
        }
        align = (uint64_t)md.align.v;
    }
    uint64_t data = (r.off + align - 1) / align * align;
    if (data > n) {
        rc = bm_fail(err, BM_E_FORMAT, "%s: offset %zu: data section starts at %llu, past "
                     "the end of the file", name, n, (unsigned long long)data);
        goto out;
    }
    const uint64_t avail = n - data;
    for (uint64_t i = 0; i < n_tensors; i++) {
        tinfo *t = &ti[i];
        if (t->off % align) {
            rc = bm_fail(err, BM_E_FORMAT, "%s: offset %zu: tensor '%s' data offset %llu is "
                         "not a multiple of the alignment %llu", name, t->info_off, t->name,
                         (unsigned long long)t->off, (unsigned long long)align);
            goto out;
        }
        if (t->off > avail || t->bytes > avail - t->off) {
            rc = bm_fail(err, BM_E_FORMAT, "%s: offset %llu: tensor '%s' needs %llu bytes, "
                         "file has %llu", name, (unsigned long long)(data + t->off), t->name,
                         (unsigned long long)t->bytes,
                         (unsigned long long)(t->off > avail ? 0 : avail - t->off));
            goto out;
        }
    }
    if (n_tensors > 1) {
        qsort(by, (size_t)n_tensors, sizeof *by, cmp_name);
        for (uint64_t i = 1; i < n_tensors; i++)
            if (strcmp(by[i - 1]->name, by[i]->name) == 0) {
                rc = bm_fail(err, BM_E_FORMAT, "%s: offset %zu: duplicate tensor '%s'",
                             name, by[i]->info_off, by[i]->name);
                goto out;
            }
        qsort(by, (size_t)n_tensors, sizeof *by, cmp_off);
        for (uint64_t i = 1; i < n_tensors; i++)
            if (by[i - 1]->off + by[i - 1]->bytes > by[i]->off) {
                rc = bm_fail(err, BM_E_FORMAT, "%s: offset %llu: tensor '%s' overlaps "
                             "tensor '%s'", name, (unsigned long long)(data + by[i]->off),
                             by[i]->name, by[i - 1]->name);
                goto out;
            }
    }

    bm_model_cfg c = {0};
    const tinfo *emb = NULL;
    int has_output = 0;
    for (uint64_t i = 0; i < n_tensors; i++) {
        if (strcmp(ti[i].name, "token_embd.weight") == 0 || strcmp(ti[i].name, "token_embd") == 0)
            emb = &ti[i];
        if (strcmp(ti[i].name, "output.weight") == 0 || strcmp(ti[i].name, "output") == 0)
            has_output = 1;
    }
    if (!emb) {
        rc = bm_fail(err, BM_E_FORMAT, "%s: missing tensor 'token_embd'", name);
        goto out;
    }
    if ((rc = md_int(&md.emb, "llama.embedding_length", -1, &c.dim, name, err)) ||
        (rc = md_int(&md.ffn, "llama.feed_forward_length", -1, &c.hidden_dim, name, err)) ||
        (rc = md_int(&md.blocks, "llama.block_count", -1, &c.n_layers, name, err)) ||
        (rc = md_int(&md.heads, "llama.attention.head_count", -1, &c.n_heads, name, err)) ||
        (rc = md_int(&md.kv_heads, "llama.attention.head_count_kv", c.n_heads,
                     &c.n_kv_heads, name, err)) ||
        (rc = md_int(&md.ctx, "llama.context_length", 2048, &c.seq_len, name, err)))
        goto out;
    c.vocab_size = emb->n_dims >= 2 ? (int)emb->ne[1] : 0;
    c.norm_eps = md.eps.set ? (float)md.eps.v : 1e-5f;
    c.rope_theta = md.theta.set ? (float)md.theta.v : 10000.0f;
    c.shared_classifier = !has_output;
    if ((rc = bm_cfg_check(&c, name, err)))
        goto out;
    if (md.rope_dims.set && md.rope_dims.v != c.head_dim) {
        rc = bm_fail(err, BM_E_UNSUPP, "%s: llama.rope.dimension_count %g != head_dim %d "
                     "(partial rotary is not supported)", name, md.rope_dims.v, c.head_dim);
        goto out;
    }
    if ((rc = bm_model_begin(m, &c, name, avail / 2, err)))
        goto out;
    for (uint64_t i = 0; i < n_tensors; i++) {
        const tinfo *t = &ti[i];
        char canon[256];
        snprintf(canon, sizeof canon, "%s", t->name);
        size_t cl = strlen(canon);
        if (cl > 7 && strcmp(canon + cl - 7, ".weight") == 0)
            canon[cl - 7] = 0;
        int idx = bm_model_index(m, canon);
        if (idx < 0)
            continue; /* e.g. rope_freqs: not part of the model we run */
        for (int d = 2; d < t->n_dims; d++)
            if (t->ne[d] != 1) {
                rc = bm_fail(err, BM_E_FORMAT, "%s: offset %zu: tensor '%s' has %d "
                             "non-trivial dimensions", name, t->info_off, t->name, t->n_dims);
                goto fail_model;
            }
        int rows = t->n_dims >= 2 ? (int)t->ne[1] : 1, cols = (int)t->ne[0];
        bm_dtype dt = t->type == 0 ? BM_DT_F32 : t->type == 1 ? BM_DT_F16 : BM_DT_BF16;
        if ((rc = bm_model_set(m, idx, (const uint8_t *)buf + data + t->off, dt, rows, cols,
                               0, name, data + t->off, t->name, err)))
            goto fail_model;
    }
    if ((rc = bm_model_end(m, name, err)))
        goto fail_model;
    if (md.tokens.set &&
        (!md.tok_model[0] || strcmp(md.tok_model, "llama") == 0)) {
        if ((rc = load_tokenizer(&r, &md, &m->tok)))
            goto fail_model;
        m->has_tok = 1;
    }
    goto out;
fail_model:
    bm_model_free(m);
out:
    free(ti);
    free(by);
    return rc;
}

int bm_model_load_gguf(const char *path, bm_model *m, bm_err *err)
{
    memset(m, 0, sizeof *m);
    bm_file f;
    int rc = bm_file_open(path, &f, err);
    if (rc)
        return rc;
    rc = bm_model_load_gguf_mem(f.data, f.size, bm_basename(path), m, err);
    if (!rc)
        snprintf(m->source, sizeof m->source, "%s", path);
    bm_file_close(&f);
    return rc;
}
