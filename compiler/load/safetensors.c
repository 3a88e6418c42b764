/* Hugging Face safetensors loader (single file) with config.json beside it:
 * 8-byte header length, JSON header {name: {dtype, shape, data_offsets}},
 * raw data. HF Llama names map to canonical ones; q/k rows are converted from
 * HF's rotate-half layout back to interleaved RoPE pairs (docs/models.md). */
#include "bm_json.h"
#include "bm_load_priv.h"
#include "bm_rd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HEADER (100u << 20)

static int json_int(const bm_json *j, const bm_json_node *root, const char *key, int dflt,
                    int *out, const char *file, bm_err *err)
{
    const bm_json_node *v = bm_json_get(j, root, key);
    if (!v || v->type == BM_JSON_NULL) {
        if (dflt < 0)
            return bm_fail(err, BM_E_FORMAT, "%s: missing key \"%s\"", file, key);
        *out = dflt;
        return BM_OK;
    }
    if (v->type != BM_JSON_NUM || v->num != floor(v->num) || v->num < 0 ||
        v->num > BM_MAX_DIM)
        return bm_fail(err, BM_E_FORMAT,
                       "%s: offset %zu: \"%s\" must be an integer in [0, %d]", file,
                       v->off, key, BM_MAX_DIM);
    *out = (int)v->num;
    return BM_OK;
}

static int json_float(const bm_json *j, const bm_json_node *root, const char *key,
                      float dflt, float *out, const char *file, bm_err *err)
{
    const bm_json_node *v = bm_json_get(j, root, key);
    if (!v || v->type == BM_JSON_NULL) {
        *out = dflt;
        return BM_OK;
    }
    if (v->type != BM_JSON_NUM || !isfinite(v->num))
        return bm_fail(err, BM_E_FORMAT, "%s: offset %zu: \"%s\" must be a number", file,
                       v->off, key);
    *out = (float)v->num;
    return BM_OK;
}

int bm_hf_config_parse(const char *json, size_t n, const char *name, bm_model_cfg *c,
                       bm_err *err)
{
    memset(c, 0, sizeof *c);
    bm_json j;
    int rc = bm_json_parse(json, n, name, &j, err);
    if (rc)
        return rc;
    const bm_json_node *root = &j.nodes[0], *v;
    if (root->type != BM_JSON_OBJ) {
        rc = bm_fail(err, BM_E_FORMAT, "%s: offset 0: expected a JSON object", name);
        goto out;
    }
    if ((v = bm_json_get(&j, root, "model_type")) &&
        (v->type != BM_JSON_STR || strcmp(v->str, "llama") != 0)) {
        rc = bm_fail(err, BM_E_UNSUPP, "%s: offset %zu: model_type must be \"llama\"", name,
                     v->off);
        goto out;
    }
    if ((v = bm_json_get(&j, root, "rope_scaling")) && v->type != BM_JSON_NULL) {
        rc = bm_fail(err, BM_E_UNSUPP, "%s: offset %zu: rope_scaling is not supported",
                     name, v->off);
        goto out;
    }
    if ((rc = json_int(&j, root, "hidden_size", -1, &c->dim, name, err)) ||
        (rc = json_int(&j, root, "intermediate_size", -1, &c->hidden_dim, name, err)) ||
        (rc = json_int(&j, root, "num_hidden_layers", -1, &c->n_layers, name, err)) ||
        (rc = json_int(&j, root, "num_attention_heads", -1, &c->n_heads, name, err)) ||
        (rc = json_int(&j, root, "num_key_value_heads", c->n_heads, &c->n_kv_heads, name,
                       err)) ||
        (rc = json_int(&j, root, "vocab_size", -1, &c->vocab_size, name, err)) ||
        (rc = json_int(&j, root, "max_position_embeddings", 2048, &c->seq_len, name, err)) ||
        (rc = json_float(&j, root, "rms_norm_eps", 1e-6f, &c->norm_eps, name, err)) ||
        (rc = json_float(&j, root, "rope_theta", 10000.0f, &c->rope_theta, name, err)))
        goto out;
    /* Hugging Face's LlamaConfig default is an untied classifier. */
    v = bm_json_get(&j, root, "tie_word_embeddings");
    if (v && v->type != BM_JSON_BOOL && v->type != BM_JSON_NULL) {
        rc = bm_fail(err, BM_E_FORMAT, "%s: offset %zu: tie_word_embeddings must be a "
                     "boolean", name, v->off);
        goto out;
    }
    c->shared_classifier = v && v->type == BM_JSON_BOOL && v->boolean;
    if ((rc = bm_cfg_check(c, name, err)))
        goto out;
    int hd = c->head_dim;
    if ((rc = json_int(&j, root, "head_dim", c->head_dim, &hd, name, err)))
        goto out;
    if (hd != c->head_dim)
        rc = bm_fail(err, BM_E_UNSUPP, "%s: head_dim %d != hidden_size / heads = %d", name,
                     hd, c->head_dim);
out:
    bm_json_free(&j);
    return rc;
}

typedef struct {
    const char *name;
    bm_dtype dt;
    int n_dims;
    int shape[4];
    uint64_t begin, end;
    size_t hoff; /* offset of its header entry, for messages */
} stens;

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const stens *)a)->name, ((const stens *)b)->name);
}

static int cmp_begin(const void *a, const void *b)
{
    const stens *x = a, *y = b;
    return (x->begin > y->begin) - (x->begin < y->begin);
}

/* HF name -> canonical name and q/k permutation heads; 0 if not ours. */
static int map_name(const char *hf, const bm_model_cfg *c, char *canon, size_t cap,
                    int *perm)
{
    static const struct { const char *hf, *bm; int perm; } layer[] = {
        {"self_attn.q_proj.weight", "attn_q", 1},
        {"self_attn.k_proj.weight", "attn_k", 2},
        {"self_attn.v_proj.weight", "attn_v", 0},
        {"self_attn.o_proj.weight", "attn_output", 0},
        {"mlp.gate_proj.weight", "ffn_gate", 0},
        {"mlp.up_proj.weight", "ffn_up", 0},
        {"mlp.down_proj.weight", "ffn_down", 0},
        {"input_layernorm.weight", "attn_norm", 0},
        {"post_attention_layernorm.weight", "ffn_norm", 0},
    };
    *perm = 0;
    if (strcmp(hf, "model.embed_tokens.weight") == 0)
        return snprintf(canon, cap, "token_embd") > 0;
    if (strcmp(hf, "model.norm.weight") == 0)
        return snprintf(canon, cap, "output_norm") > 0;
    if (strcmp(hf, "lm_head.weight") == 0)
        return snprintf(canon, cap, "output") > 0;
    const char *pre = "model.layers.";
    if (strncmp(hf, pre, strlen(pre)) != 0)
        return 0;
    const char *s = hf + strlen(pre);
    long l = 0;
    int nd = 0;
    while (*s >= '0' && *s <= '9' && nd < 7) {
        l = l * 10 + (*s++ - '0');
        nd++;
    }
    if (nd == 0 || *s != '.' || (nd > 1 && hf[strlen(pre)] == '0'))
        return 0;
    s++;
    for (size_t i = 0; i < sizeof layer / sizeof layer[0]; i++)
        if (strcmp(s, layer[i].hf) == 0) {
            *perm = layer[i].perm == 1 ? c->n_heads : layer[i].perm == 2 ? c->n_kv_heads : 0;
            return snprintf(canon, cap, "blk.%ld.%s", l, layer[i].bm) > 0;
        }
    return 0;
}

static int parse_entry(const bm_json *j, const bm_json_node *e, stens *t, uint64_t dlen,
                       const char *file, bm_err *err)
{
    t->name = e->key;
    t->hoff = e->off;
    if (e->type != BM_JSON_OBJ)
        return bm_fail(err, BM_E_FORMAT, "%s: header offset %zu: tensor '%s' must be an "
                       "object", file, e->off, e->key);
    const bm_json_node *dt = bm_json_get(j, e, "dtype"), *sh = bm_json_get(j, e, "shape"),
                       *of = bm_json_get(j, e, "data_offsets");
    if (!dt || dt->type != BM_JSON_STR || !sh || sh->type != BM_JSON_ARR || !of ||
        of->type != BM_JSON_ARR || of->n_children != 2)
        return bm_fail(err, BM_E_FORMAT, "%s: header offset %zu: tensor '%s' needs dtype, "
                       "shape and data_offsets [begin, end]", file, e->off, e->key);
    if (strcmp(dt->str, "F32") == 0)
        t->dt = BM_DT_F32;
    else if (strcmp(dt->str, "F16") == 0)
        t->dt = BM_DT_F16;
    else if (strcmp(dt->str, "BF16") == 0)
        t->dt = BM_DT_BF16;
    else
        return bm_fail(err, BM_E_UNSUPP, "%s: header offset %zu: unsupported dtype %s in "
                       "tensor %s", file, dt->off, dt->str, e->key);
    if (sh->n_children > 4)
        return bm_fail(err, BM_E_FORMAT, "%s: header offset %zu: tensor '%s' has %d "
                       "dimensions", file, sh->off, e->key, sh->n_children);
    t->n_dims = sh->n_children;
    uint64_t ne = 1;
    int d = 0;
    for (const bm_json_node *x = bm_json_child(j, sh); x; x = bm_json_next(j, x), d++) {
        if (x->type != BM_JSON_NUM || x->num != floor(x->num) || x->num < 0 ||
            x->num > BM_MAX_DIM)
            return bm_fail(err, BM_E_RANGE, "%s: header offset %zu: tensor '%s' dimension "
                           "%d must be an integer in [0, %d]", file, x->off, e->key, d,
                           BM_MAX_DIM);
        t->shape[d] = (int)x->num;
        ne *= (uint64_t)t->shape[d]; /* <= 2^40 * 2^20 before the check */
        if (ne > (uint64_t)1 << 40)
            return bm_fail(err, BM_E_RANGE, "%s: header offset %zu: tensor '%s' is too "
                           "large", file, x->off, e->key);
    }
    const bm_json_node *b = bm_json_child(j, of), *en = bm_json_next(j, b);
    if (b->type != BM_JSON_NUM || en->type != BM_JSON_NUM || b->num < 0 || en->num < 0 ||
        b->num != floor(b->num) || en->num != floor(en->num) || b->num > (double)dlen ||
        en->num > (double)dlen || b->num > en->num)
        return bm_fail(err, BM_E_FORMAT, "%s: header offset %zu: tensor '%s' data_offsets "
                       "must be integers 0 <= begin <= end <= %llu (the data size)", file,
                       of->off, e->key, (unsigned long long)dlen);
    t->begin = (uint64_t)b->num;
    t->end = (uint64_t)en->num;
    uint64_t want = ne * (uint64_t)bm_dtype_size(t->dt);
    if (t->end - t->begin != want)
        return bm_fail(err, BM_E_FORMAT, "%s: header offset %zu: tensor '%s' spans %llu "
                       "bytes, its shape and dtype need %llu", file, of->off, e->key,
                       (unsigned long long)(t->end - t->begin), (unsigned long long)want);
    return BM_OK;
}

int bm_model_load_safetensors_mem(const void *buf, size_t n, const char *name,
                                  const char *config_json, size_t config_len,
                                  const char *config_name, bm_model *m, bm_err *err)
{
    memset(m, 0, sizeof *m);
    bm_model_cfg c;
    int rc = bm_hf_config_parse(config_json, config_len, config_name, &c, err);
    if (rc)
        return rc;
    bm_rd r;
    bm_rd_init(&r, buf, n, name, err);
    uint64_t hlen;
    const uint8_t *hdr;
    if ((rc = bm_rd_u64(&r, &hlen, "header length")))
        return rc;
    if (hlen > MAX_HEADER)
        return bm_fail(err, BM_E_FORMAT, "%s: offset 0: header length %llu exceeds %u",
                       name, (unsigned long long)hlen, MAX_HEADER);
    if ((rc = bm_rd_bytes(&r, (size_t)hlen, &hdr, "JSON header")))
        return rc;
    const uint8_t *data = hdr + hlen;
    const uint64_t dlen = n - 8 - hlen;
    bm_json j;
    char jname[300];
    snprintf(jname, sizeof jname, "%s header (file offset 8+)", name);
    if ((rc = bm_json_parse((const char *)hdr, (size_t)hlen, jname, &j, err)))
        return rc;
    stens *ts = NULL;
    const bm_json_node *root = &j.nodes[0];
    if (root->type != BM_JSON_OBJ) {
        rc = bm_fail(err, BM_E_FORMAT, "%s: offset 8: header must be a JSON object", name);
        goto out;
    }
    ts = calloc((size_t)root->n_children + 1, sizeof *ts);
    if (!ts) {
        rc = bm_fail(err, BM_E_NOMEM, "%s: out of memory", name);
        goto out;
    }
    int nt = 0, has_lm_head = 0;
    for (const bm_json_node *e = bm_json_child(&j, root); e; e = bm_json_next(&j, e)) {
        if (strcmp(e->key, "__metadata__") == 0)
            continue;
        if ((rc = parse_entry(&j, e, &ts[nt], dlen, name, err)))
            goto out;
        has_lm_head |= strcmp(e->key, "lm_head.weight") == 0;
        nt++;
    }
    qsort(ts, (size_t)nt, sizeof *ts, cmp_name);
    for (int i = 1; i < nt; i++)
        if (strcmp(ts[i - 1].name, ts[i].name) == 0) {
            rc = bm_fail(err, BM_E_FORMAT, "%s: header offset %zu: duplicate tensor '%s'",
                         name, ts[i].hoff, ts[i].name);
            goto out;
        }
    qsort(ts, (size_t)nt, sizeof *ts, cmp_begin);
    for (int i = 1; i < nt; i++)
        if (ts[i].begin < ts[i - 1].end) {
            rc = bm_fail(err, BM_E_FORMAT, "%s: offset %llu: tensor '%s' overlaps tensor "
                         "'%s'", name, (unsigned long long)(8 + hlen + ts[i].begin),
                         ts[i].name, ts[i - 1].name);
            goto out;
        }
    /* The tensor present decides, whatever tie_word_embeddings says. */
    c.shared_classifier = !has_lm_head;
    if ((rc = bm_model_begin(m, &c, name, dlen / 2, err)))
        goto out;
    for (int i = 0; i < nt; i++) {
        char canon[96];
        int perm, idx;
        if (!map_name(ts[i].name, &c, canon, sizeof canon, &perm) ||
            (idx = bm_model_index(m, canon)) < 0)
            continue; /* e.g. rotary_emb.inv_freq, or a layer beyond n_layers */
        int rows = ts[i].n_dims == 2 ? ts[i].shape[0] : ts[i].n_dims == 1 ? 1 : -1;
        int cols = ts[i].n_dims == 2 ? ts[i].shape[1] : ts[i].n_dims == 1 ? ts[i].shape[0] : -1;
        if ((rc = bm_model_set(m, idx, data + ts[i].begin, ts[i].dt, rows, cols, perm, name,
                               8 + hlen + ts[i].begin, ts[i].name, err)))
            goto fail_model;
    }
    if ((rc = bm_model_end(m, name, err)))
        goto fail_model;
    goto out;
fail_model:
    bm_model_free(m);
out:
    free(ts);
    bm_json_free(&j);
    return rc;
}

int bm_model_load_safetensors(const char *path, bm_model *m, bm_err *err)
{
    memset(m, 0, sizeof *m);
    char cfg_path[4096];
    const char *slash = strrchr(path, '/');
    int dl = slash ? (int)(slash - path) : 0;
    if (snprintf(cfg_path, sizeof cfg_path, "%.*s%sconfig.json", dl, path,
                 slash ? "/" : "") >= (int)sizeof cfg_path)
        return bm_fail(err, BM_E_INVAL, "%s: path too long", path);
    bm_file f, cf;
    int rc = bm_file_open(cfg_path, &cf, err);
    if (rc)
        return bm_wrap(err, "%s: needs config.json beside it", bm_basename(path));
    if ((rc = bm_file_open(path, &f, err))) {
        bm_file_close(&cf);
        return rc;
    }
    rc = bm_model_load_safetensors_mem(f.data, f.size, bm_basename(path),
                                       (const char *)cf.data, cf.size, "config.json", m, err);
    if (!rc)
        snprintf(m->source, sizeof m->source, "%s", path);
    bm_file_close(&f);
    bm_file_close(&cf);
    return rc;
}
