/* Canonical model table shared by all loaders: hyper-parameter checks, tensor
 * names and shapes, dtype conversion into one fp32 arena, plus the public
 * find / equal / free / load-dispatch functions. */
#include "bm_load_priv.h"
#include "bm_rd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bm_dtype_size(bm_dtype dt)
{
    return dt == BM_DT_F32 ? 4 : 2;
}

const char *bm_dtype_name(bm_dtype dt)
{
    return dt == BM_DT_F32 ? "F32" : dt == BM_DT_F16 ? "F16" : "BF16";
}

float bm_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 0x1f, man = h & 0x3ff;
    uint32_t bits;
    if (e == 0x1f) {
        bits = sign | 0x7f800000u | man << 13;
    } else if (e == 0) {
        /* Zero or subnormal: value = man * 2^-24, exact in fp32. */
        float v = ldexpf((float)man, -24);
        return sign ? -v : v;
    } else {
        bits = sign | (e + 112) << 23 | man << 13;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

float bm_bf16_to_f32(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

int bm_cfg_check(bm_model_cfg *c, const char *file, bm_err *err)
{
    struct { const char *name; int v, lo, hi; } f[] = {
        {"dim", c->dim, 1, BM_MAX_DIM},
        {"hidden_dim", c->hidden_dim, 1, BM_MAX_DIM},
        {"n_layers", c->n_layers, 1, BM_MAX_LAYERS},
        {"n_heads", c->n_heads, 1, BM_MAX_DIM},
        {"n_kv_heads", c->n_kv_heads, 1, BM_MAX_DIM},
        {"vocab_size", c->vocab_size, 1, BM_MAX_DIM},
        {"seq_len", c->seq_len, 1, BM_MAX_DIM},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (f[i].v < f[i].lo || f[i].v > f[i].hi)
            return bm_fail(err, BM_E_RANGE, "%s: %s = %d is outside [%d, %d]", file,
                           f[i].name, f[i].v, f[i].lo, f[i].hi);
    if (c->dim % c->n_heads)
        return bm_fail(err, BM_E_FORMAT, "%s: dim %d is not a multiple of n_heads %d",
                       file, c->dim, c->n_heads);
    if (c->n_kv_heads > c->n_heads || c->n_heads % c->n_kv_heads)
        return bm_fail(err, BM_E_FORMAT,
                       "%s: n_heads %d is not a multiple of n_kv_heads %d", file,
                       c->n_heads, c->n_kv_heads);
    c->head_dim = c->dim / c->n_heads;
    if (c->head_dim % 2)
        return bm_fail(err, BM_E_FORMAT, "%s: head_dim %d is odd (RoPE needs pairs)",
                       file, c->head_dim);
    if (!(c->norm_eps > 0 && c->norm_eps < 1))
        return bm_fail(err, BM_E_RANGE, "%s: norm_eps %g is outside (0, 1)", file,
                       (double)c->norm_eps);
    if (!(c->rope_theta > 1 && c->rope_theta < 1e12f))
        return bm_fail(err, BM_E_RANGE, "%s: rope_theta %g is outside (1, 1e12)", file,
                       (double)c->rope_theta);
    return BM_OK;
}

enum { T_ATTN_NORM, T_Q, T_K, T_V, T_O, T_FFN_NORM, T_GATE, T_DOWN, T_UP, T_PER_LAYER };
static const char *const layer_names[T_PER_LAYER] = {
    "attn_norm", "attn_q", "attn_k", "attn_v", "attn_output",
    "ffn_norm", "ffn_gate", "ffn_down", "ffn_up"};

static void set_shape(bm_tensor *t, const char *name, int rows, int cols)
{
    snprintf(t->name, sizeof t->name, "%s", name);
    t->rows = rows;
    t->cols = cols;
}

int bm_model_begin(bm_model *m, const bm_model_cfg *cfg, const char *source,
                   uint64_t max_elems, bm_err *err)
{
    memset(m, 0, sizeof *m);
    m->cfg = *cfg;
    snprintf(m->source, sizeof m->source, "%s", source);
    const int L = cfg->n_layers, D = cfg->dim, H = cfg->hidden_dim, V = cfg->vocab_size;
    const int KV = cfg->n_kv_heads * cfg->head_dim;
    m->n_tensors = 3 + T_PER_LAYER * L;
    m->tensors = calloc((size_t)m->n_tensors, sizeof *m->tensors);
    m->filled = calloc((size_t)m->n_tensors, 1);
    if (!m->tensors || !m->filled) {
        bm_model_free(m);
        return bm_fail(err, BM_E_NOMEM, "%s: out of memory for tensor table", source);
    }
    int k = 0;
    char nm[96];
    set_shape(&m->tensors[k++], "token_embd", V, D);
    for (int l = 0; l < L; l++) {
        int shp[T_PER_LAYER][2] = {{1, D}, {D, D}, {KV, D}, {KV, D}, {D, D},
                                   {1, D}, {H, D}, {D, H}, {H, D}};
        for (int j = 0; j < T_PER_LAYER; j++) {
            snprintf(nm, sizeof nm, "blk.%d.%s", l, layer_names[j]);
            set_shape(&m->tensors[k++], nm, shp[j][0], shp[j][1]);
        }
    }
    set_shape(&m->tensors[k++], "output_norm", 1, D);
    set_shape(&m->tensors[k++], "output", V, D);

    /* All dims are <= 2^20 and layers <= 4096, so no product below can
     * overflow 64 bits; still use checked adds for the total. */
    uint64_t total = 0;
    for (int i = 0; i < m->n_tensors; i++) {
        if (i == m->n_tensors - 1 && cfg->shared_classifier)
            break;
        uint64_t e = (uint64_t)m->tensors[i].rows * (uint64_t)m->tensors[i].cols;
        if (!bm_add_ok(total, e, &total))
            total = UINT64_MAX;
    }
    if (total > max_elems) {
        bm_model_free(m);
        return bm_fail(err, BM_E_FORMAT,
                       "%s: hyper-parameters imply %llu parameters, the file can hold "
                       "at most %llu",
                       source, (unsigned long long)total, (unsigned long long)max_elems);
    }
    m->arena = malloc((size_t)total * sizeof(float));
    if (!m->arena) {
        bm_model_free(m);
        return bm_fail(err, BM_E_NOMEM, "%s: cannot allocate %llu floats", source,
                       (unsigned long long)total);
    }
    float *p = m->arena;
    for (int i = 0; i < m->n_tensors; i++) {
        if (i == m->n_tensors - 1 && cfg->shared_classifier)
            break;
        m->tensors[i].data = p;
        p += (size_t)m->tensors[i].rows * (size_t)m->tensors[i].cols;
    }
    return BM_OK;
}

int bm_model_index(const bm_model *m, const char *name)
{
    for (int i = 0; i < m->n_tensors; i++)
        if (strcmp(m->tensors[i].name, name) == 0)
            return i;
    return -1;
}

static float load_elem(const uint8_t *p, bm_dtype dt)
{
    if (dt == BM_DT_F32) {
        float f;
        memcpy(&f, p, 4);
        return f;
    }
    uint16_t h = (uint16_t)(p[0] | p[1] << 8);
    return dt == BM_DT_F16 ? bm_f16_to_f32(h) : bm_bf16_to_f32(h);
}

int bm_model_set(bm_model *m, int idx, const uint8_t *src, bm_dtype dt, int rows,
                 int cols, int perm_heads, const char *file, uint64_t off,
                 const char *src_name, bm_err *err)
{
    bm_tensor *t = &m->tensors[idx];
    if (m->filled[idx])
        return bm_fail(err, BM_E_FORMAT, "%s: offset %llu: duplicate tensor '%s'", file,
                       (unsigned long long)off, src_name);
    if (!t->data)
        return BM_OK; /* shared classifier: its data is token_embd's */
    if (rows != t->rows || cols != t->cols)
        return bm_fail(err, BM_E_FORMAT,
                       "%s: offset %llu: tensor '%s' has shape [%d][%d], the "
                       "hyper-parameters need [%d][%d]",
                       file, (unsigned long long)off, src_name, rows, cols, t->rows,
                       t->cols);
    if (perm_heads > 0 && (rows % perm_heads || (rows / perm_heads) % 2))
        return bm_fail(err, BM_E_FORMAT,
                       "%s: tensor '%s': %d rows do not split into %d heads of even size",
                       file, src_name, rows, perm_heads);
    const size_t es = (size_t)bm_dtype_size(dt), nc = (size_t)cols;
    const int hd = perm_heads > 0 ? rows / perm_heads : 0;
    for (int r = 0; r < rows; r++) {
        /* Hugging Face stores each head's rows as [all cos-halves, all
         * sin-halves] (rotate-half); llama2.c/GGUF interleave the pairs. Row
         * (h, 2i+c) of ours is row (h, c*hd/2 + i) of theirs. */
        int sr = r;
        if (hd) {
            int h = r / hd, j = r % hd;
            sr = h * hd + (j % 2) * (hd / 2) + j / 2;
        }
        const uint8_t *s = src + (size_t)sr * nc * es;
        float *d = t->data + (size_t)r * nc;
        if (dt == BM_DT_F32)
            memcpy(d, s, nc * 4);
        else
            for (size_t c = 0; c < nc; c++)
                d[c] = load_elem(s + c * es, dt);
    }
    m->filled[idx] = 1;
    return BM_OK;
}

int bm_model_end(bm_model *m, const char *file, bm_err *err)
{
    for (int i = 0; i < m->n_tensors; i++) {
        if (!m->filled[i] && m->tensors[i].data)
            return bm_fail(err, BM_E_FORMAT, "%s: missing tensor '%s' ([%d][%d])", file,
                           m->tensors[i].name, m->tensors[i].rows, m->tensors[i].cols);
    }
    free(m->filled);
    m->filled = NULL;
    bm_tensor *emb = &m->tensors[0], *out = &m->tensors[m->n_tensors - 1];
    size_t bytes = (size_t)emb->rows * (size_t)emb->cols * sizeof(float);
    /* A tied classifier stored twice (as in stories260K.gguf) is the same
     * model as one stored once: alias it so both files compare equal. */
    if (!m->cfg.shared_classifier && memcmp(emb->data, out->data, bytes) == 0)
        m->cfg.shared_classifier = 1;
    if (m->cfg.shared_classifier)
        out->data = emb->data;
    return BM_OK;
}

void bm_model_free(bm_model *m)
{
    if (!m)
        return;
    free(m->arena);
    free(m->tensors);
    free(m->filled);
    if (m->has_tok)
        bm_tokenizer_free(&m->tok);
    memset(m, 0, sizeof *m);
}

const bm_tensor *bm_model_find(const bm_model *m, const char *name)
{
    int i = bm_model_index(m, name);
    return i < 0 ? NULL : &m->tensors[i];
}

int bm_model_equal(const bm_model *a, const bm_model *b, char *why, size_t why_len)
{
    char dummy[8];
    if (!why) {
        why = dummy;
        why_len = sizeof dummy;
    }
    const bm_model_cfg *x = &a->cfg, *y = &b->cfg;
#define CMP_I(f)                                                                \
    if (x->f != y->f) {                                                         \
        snprintf(why, why_len, "cfg." #f " differs: %d vs %d", x->f, y->f);     \
        return 0;                                                               \
    }
    CMP_I(dim) CMP_I(hidden_dim) CMP_I(n_layers) CMP_I(n_heads) CMP_I(n_kv_heads)
    CMP_I(vocab_size) CMP_I(head_dim) CMP_I(shared_classifier)
#undef CMP_I
    if (x->norm_eps != y->norm_eps || x->rope_theta != y->rope_theta) {
        snprintf(why, why_len, "cfg norm_eps/rope_theta differ: %g/%g vs %g/%g",
                 (double)x->norm_eps, (double)x->rope_theta, (double)y->norm_eps,
                 (double)y->rope_theta);
        return 0;
    }
    if (a->n_tensors != b->n_tensors) {
        snprintf(why, why_len, "%d vs %d tensors", a->n_tensors, b->n_tensors);
        return 0;
    }
    for (int i = 0; i < a->n_tensors; i++) {
        const bm_tensor *s = &a->tensors[i], *t = bm_model_find(b, s->name);
        if (!t) {
            snprintf(why, why_len, "tensor '%s' missing in the second model", s->name);
            return 0;
        }
        if (s->rows != t->rows || s->cols != t->cols) {
            snprintf(why, why_len, "tensor '%s': shape [%d][%d] vs [%d][%d]", s->name,
                     s->rows, s->cols, t->rows, t->cols);
            return 0;
        }
        size_t n = (size_t)s->rows * (size_t)s->cols;
        for (size_t k = 0; k < n; k++) {
            if (memcmp(&s->data[k], &t->data[k], sizeof(float)) != 0) {
                snprintf(why, why_len, "tensor '%s': element %zu differs: %.9g vs %.9g",
                         s->name, k, (double)s->data[k], (double)t->data[k]);
                return 0;
            }
        }
    }
    if (why_len)
        why[0] = 0;
    return 1;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

int bm_model_load(const char *path, bm_model *m, bm_err *err)
{
    memset(m, 0, sizeof *m);
    if (ends_with(path, ".safetensors"))
        return bm_model_load_safetensors(path, m, err);
    if (ends_with(path, ".gguf"))
        return bm_model_load_gguf(path, m, err);
    bm_file f;
    int rc = bm_file_open(path, &f, err);
    if (rc)
        return rc;
    int kind = 0; /* 0 llama2.c, 1 GGUF, 2 safetensors */
    if (f.size >= 4 && memcmp(f.data, "GGUF", 4) == 0)
        kind = 1;
    else if (f.size >= 9 && f.data[8] == '{' && bm_le64(f.data) <= f.size - 8)
        kind = 2;
    bm_file_close(&f);
    if (kind == 1)
        return bm_model_load_gguf(path, m, err);
    if (kind == 2)
        return bm_model_load_safetensors(path, m, err);
    return bm_model_load_llama2c(path, m, err);
}
