/* fp32 Llama forward pass; see bm_llama.h. Arithmetic follows llama2.c
 * (same RMSNorm, RoPE, softmax and SiLU formulas in fp32) so its documented
 * greedy output is reproduced; linears are batched GEMMs. */
#include "bm_llama.h"

#include <cblas.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { W_Q, W_K, W_V, W_O, W_GATE, W_DOWN, W_UP, W_COUNT };
static const char *const lin_names[W_COUNT] = {"attn_q", "attn_k", "attn_v", "attn_output",
                                               "ffn_gate", "ffn_down", "ffn_up"};

typedef struct {
    char name[W_COUNT][96];
    const float *attn_norm, *ffn_norm;
} layer;

struct bm_llama {
    const bm_model *m;
    bm_model_cfg c;
    int max_seq, kv_dim;
    bm_linear_fn fn;
    void *ctx;
    layer *layers;
    const float *emb, *out_norm;
    float *freq;            /* [head_dim/2] RoPE inverse frequencies */
    float *kc, *vc;         /* [L][max_seq][kv_dim] */
    float *att;             /* [max_seq] attention scores */
    int cap;                /* batch rows the buffers below hold */
    float *x, *xb, *xb2, *q, *k, *v, *hb, *hb2;
    float *scores;          /* [cap][max_seq] batched attention */
};

int bm_linear_fp32(void *ctx, const char *name, const float *x, int M, int K, float *y,
                   int N, bm_err *err)
{
    const bm_tensor *w = bm_model_find((const bm_model *)ctx, name);
    if (!w)
        return bm_fail(err, BM_E_INVAL, "linear: no tensor '%s'", name);
    if (w->rows != N || w->cols != K)
        return bm_fail(err, BM_E_INVAL, "linear '%s': weight is [%d][%d], call wants [%d][%d]",
                       name, w->rows, w->cols, N, K);
    if (M == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, N, K, 1.0f, w->data, K, x, 1, 0.0f, y, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, x, K, w->data, K,
                    0.0f, y, N);
    return BM_OK;
}

static const float *vec(const bm_model *m, const char *name)
{
    const bm_tensor *t = bm_model_find(m, name);
    return t ? t->data : NULL;
}

void bm_llama_free(bm_llama *l)
{
    if (!l)
        return;
    free(l->layers);
    free(l->freq);
    free(l->kc);
    free(l->vc);
    free(l->att);
    free(l->x);
    free(l->xb);
    free(l->xb2);
    free(l->q);
    free(l->k);
    free(l->v);
    free(l->hb);
    free(l->hb2);
    free(l->scores);
    free(l);
}

int bm_llama_new(const bm_model *m, int max_seq, bm_llama **out, bm_err *err)
{
    *out = NULL;
    if (!m || !m->tensors)
        return bm_fail(err, BM_E_INVAL, "llama_new: no model");
    bm_llama *l = calloc(1, sizeof *l);
    if (!l)
        return bm_fail(err, BM_E_NOMEM, "llama_new: out of memory");
    l->m = m;
    l->c = m->cfg;
    l->max_seq = max_seq <= 0 || max_seq > m->cfg.seq_len ? m->cfg.seq_len : max_seq;
    l->kv_dim = l->c.n_kv_heads * l->c.head_dim;
    l->fn = bm_linear_fp32;
    l->ctx = (void *)m;
    const int L = l->c.n_layers, hd = l->c.head_dim;
    size_t kvn = (size_t)L * (size_t)l->max_seq * (size_t)l->kv_dim;
    l->layers = calloc((size_t)L, sizeof *l->layers);
    l->freq = malloc((size_t)(hd / 2) * sizeof *l->freq);
    l->kc = calloc(kvn, sizeof(float));
    l->vc = calloc(kvn, sizeof(float));
    l->att = malloc((size_t)l->max_seq * sizeof(float));
    if (!l->layers || !l->freq || !l->kc || !l->vc || !l->att) {
        bm_llama_free(l);
        return bm_fail(err, BM_E_NOMEM, "llama_new: out of memory for a %d-token KV cache",
                       l->max_seq);
    }
    l->emb = vec(m, "token_embd");
    l->out_norm = vec(m, "output_norm");
    int ok = l->emb && l->out_norm && bm_model_find(m, "output");
    for (int i = 0; i < L && ok; i++) {
        char nm[96];
        snprintf(nm, sizeof nm, "blk.%d.attn_norm", i);
        l->layers[i].attn_norm = vec(m, nm);
        snprintf(nm, sizeof nm, "blk.%d.ffn_norm", i);
        l->layers[i].ffn_norm = vec(m, nm);
        ok = l->layers[i].attn_norm && l->layers[i].ffn_norm;
        for (int j = 0; j < W_COUNT; j++)
            snprintf(l->layers[i].name[j], sizeof l->layers[i].name[j], "blk.%d.%s", i,
                     lin_names[j]);
    }
    if (!ok) {
        bm_llama_free(l);
        return bm_fail(err, BM_E_INVAL, "llama_new: %s lacks canonical tensors", m->source);
    }
    for (int i = 0; i < hd / 2; i++)
        l->freq[i] = 1.0f / powf(l->c.rope_theta, (float)(2 * i) / (float)hd);
    *out = l;
    return BM_OK;
}

void bm_llama_set_linear(bm_llama *l, bm_linear_fn fn, void *ctx)
{
    l->fn = fn ? fn : bm_linear_fp32;
    l->ctx = fn ? ctx : (void *)l->m;
}

void bm_llama_reset(bm_llama *l)
{
    /* Positions are overwritten before they are read; nothing to clear. */
    (void)l;
}

int bm_llama_max_seq(const bm_llama *l)
{
    return l->max_seq;
}

const bm_model *bm_llama_model(const bm_llama *l)
{
    return l->m;
}

static int grow(bm_llama *l, int n, bm_err *err)
{
    if (n <= l->cap)
        return BM_OK;
    const size_t D = (size_t)l->c.dim, H = (size_t)l->c.hidden_dim, KV = (size_t)l->kv_dim;
    struct { float **p; size_t w; } b[] = {{&l->x, D},   {&l->xb, D},  {&l->xb2, D},
                                           {&l->q, D},   {&l->k, KV},  {&l->v, KV},
                                           {&l->hb, H},  {&l->hb2, H},
                                           {&l->scores, (size_t)l->max_seq}};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) {
        float *p = realloc(*b[i].p, (size_t)n * b[i].w * sizeof(float));
        if (!p)
            return bm_fail(err, BM_E_NOMEM, "llama_forward: out of memory for %d tokens", n);
        *b[i].p = p;
    }
    l->cap = n;
    return BM_OK;
}

static void rmsnorm(float *o, const float *x, const float *w, int size, float eps)
{
    float ss = 0.0f;
    for (int j = 0; j < size; j++)
        ss += x[j] * x[j];
    ss /= (float)size;
    ss += eps;
    ss = 1.0f / sqrtf(ss);
    for (int j = 0; j < size; j++)
        o[j] = w[j] * (ss * x[j]);
}

static void rope(float *v, int n_heads, int hd, const float *freq, int p)
{
    for (int h = 0; h < n_heads; h++) {
        float *x = v + (size_t)h * (size_t)hd;
        for (int i = 0; i < hd / 2; i++) {
            float val = (float)p * freq[i];
            float fcr = cosf(val), fci = sinf(val);
            float a = x[2 * i], b = x[2 * i + 1];
            x[2 * i] = a * fcr - b * fci;
            x[2 * i + 1] = a * fci + b * fcr;
        }
    }
}

static int lin(bm_llama *l, const char *name, const float *x, int M, int K, float *y, int N,
               bm_err *err)
{
    int rc = l->fn(l->ctx, name, x, M, K, y, N, err);
    if (rc && err && !err->msg[0])
        bm_fail(err, rc, "linear '%s' failed", name);
    return rc;
}

/* One query token (decode): llama2.c's loop, scalar. */
static void attend_one(bm_llama *l, const float *kc, const float *vc, int pos)
{
    const bm_model_cfg *c = &l->c;
    const int KV = l->kv_dim, hd = c->head_dim, kv_mul = c->n_heads / c->n_kv_heads;
    const float scale = 1.0f / sqrtf((float)hd);
    const int T = pos + 1;
    for (int h = 0; h < c->n_heads; h++) {
        const float *q = l->q + (size_t)h * hd;
        const size_t ko = (size_t)(h / kv_mul) * hd;
        float *att = l->att, mx = -INFINITY, sum = 0.0f;
        for (int t = 0; t < T; t++) {
            const float *k = kc + (size_t)t * KV + ko;
            float s = 0.0f;
            for (int j = 0; j < hd; j++)
                s += q[j] * k[j];
            att[t] = s * scale;
            if (att[t] > mx)
                mx = att[t];
        }
        for (int t = 0; t < T; t++) {
            att[t] = expf(att[t] - mx);
            sum += att[t];
        }
        float *o = l->xb + (size_t)h * hd;
        memset(o, 0, (size_t)hd * sizeof(float));
        for (int t = 0; t < T; t++) {
            const float *v = vc + (size_t)t * KV + ko;
            const float a = att[t] / sum;
            for (int j = 0; j < hd; j++)
                o[j] += a * v[j];
        }
    }
}

/* A batch of n queries at pos..pos+n-1: per head, scores = Q K^T and
 * out = P V as GEMMs over the cache (rows past a query's position are
 * masked to zero probability). */
static void attend_batch(bm_llama *l, const float *kc, const float *vc, int n, int pos)
{
    const bm_model_cfg *c = &l->c;
    const int D = c->dim, KV = l->kv_dim, hd = c->head_dim, kv_mul = c->n_heads / c->n_kv_heads;
    const float scale = 1.0f / sqrtf((float)hd);
    const int T = pos + n;
    float *S = l->scores;
    for (int h = 0; h < c->n_heads; h++) {
        const size_t ko = (size_t)(h / kv_mul) * hd;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, T, hd, scale,
                    l->q + (size_t)h * hd, D, kc + ko, KV, 0.0f, S, T);
        for (int i = 0; i < n; i++) {
            float *row = S + (size_t)i * T, mx = -INFINITY, sum = 0.0f;
            const int Ti = pos + i + 1;
            for (int t = 0; t < Ti; t++)
                mx = row[t] > mx ? row[t] : mx;
            for (int t = 0; t < Ti; t++) {
                row[t] = expf(row[t] - mx);
                sum += row[t];
            }
            const float inv = 1.0f / sum;
            for (int t = 0; t < Ti; t++)
                row[t] *= inv;
            for (int t = Ti; t < T; t++)
                row[t] = 0.0f;
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, hd, T, 1.0f, S, T,
                    vc + ko, KV, 0.0f, l->xb + (size_t)h * hd, D);
    }
}

int bm_llama_forward(bm_llama *l, const int *tokens, int n, int pos, float *logits,
                     bm_err *err)
{
    const bm_model_cfg *c = &l->c;
    if (n < 1 || pos < 0 || pos > l->max_seq - n)
        return bm_fail(err, BM_E_RANGE,
                       "llama_forward: %d tokens at position %d exceed max_seq %d", n, pos,
                       l->max_seq);
    for (int i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= c->vocab_size)
            return bm_fail(err, BM_E_RANGE, "llama_forward: token %d outside vocabulary of %d",
                           tokens[i], c->vocab_size);
    int rc = grow(l, n, err);
    if (rc)
        return rc;
    const int D = c->dim, H = c->hidden_dim, KV = l->kv_dim, hd = c->head_dim;
    for (int i = 0; i < n; i++)
        memcpy(l->x + (size_t)i * D, l->emb + (size_t)tokens[i] * D, (size_t)D * sizeof(float));

    for (int li = 0; li < c->n_layers; li++) {
        const layer *ly = &l->layers[li];
        float *kc = l->kc + (size_t)li * l->max_seq * KV, *vc = l->vc + (size_t)li * l->max_seq * KV;
        for (int i = 0; i < n; i++)
            rmsnorm(l->xb + (size_t)i * D, l->x + (size_t)i * D, ly->attn_norm, D, c->norm_eps);
        if ((rc = lin(l, ly->name[W_Q], l->xb, n, D, l->q, D, err)) ||
            (rc = lin(l, ly->name[W_K], l->xb, n, D, l->k, KV, err)) ||
            (rc = lin(l, ly->name[W_V], l->xb, n, D, l->v, KV, err)))
            return rc;
        for (int i = 0; i < n; i++) {
            rope(l->q + (size_t)i * D, c->n_heads, hd, l->freq, pos + i);
            rope(l->k + (size_t)i * KV, c->n_kv_heads, hd, l->freq, pos + i);
            memcpy(kc + (size_t)(pos + i) * KV, l->k + (size_t)i * KV, (size_t)KV * sizeof(float));
            memcpy(vc + (size_t)(pos + i) * KV, l->v + (size_t)i * KV, (size_t)KV * sizeof(float));
        }
        /* Causal attention: token i sees cache positions 0..pos+i. */
        if (n == 1)
            attend_one(l, kc, vc, pos);
        else
            attend_batch(l, kc, vc, n, pos);
        if ((rc = lin(l, ly->name[W_O], l->xb, n, D, l->xb2, D, err)))
            return rc;
        for (size_t j = 0; j < (size_t)n * D; j++)
            l->x[j] += l->xb2[j];
        for (int i = 0; i < n; i++)
            rmsnorm(l->xb + (size_t)i * D, l->x + (size_t)i * D, ly->ffn_norm, D, c->norm_eps);
        if ((rc = lin(l, ly->name[W_GATE], l->xb, n, D, l->hb, H, err)) ||
            (rc = lin(l, ly->name[W_UP], l->xb, n, D, l->hb2, H, err)))
            return rc;
        for (size_t j = 0; j < (size_t)n * H; j++) {
            float g = l->hb[j];
            g *= 1.0f / (1.0f + expf(-g));
            l->hb[j] = g * l->hb2[j];
        }
        if ((rc = lin(l, ly->name[W_DOWN], l->hb, n, H, l->xb2, D, err)))
            return rc;
        for (size_t j = 0; j < (size_t)n * D; j++)
            l->x[j] += l->xb2[j];
    }
    if (!logits)
        return BM_OK;
    for (int i = 0; i < n; i++)
        rmsnorm(l->xb + (size_t)i * D, l->x + (size_t)i * D, l->out_norm, D, c->norm_eps);
    return lin(l, "output", l->xb, n, D, logits, c->vocab_size, err);
}

static int append(char *out, size_t out_len, size_t *used, const char *piece, bm_err *err)
{
    /* Drop lone control bytes (llama2.c's safe_printf), keep whitespace. */
    if (piece[0] && !piece[1] && iscntrl((unsigned char)piece[0]) &&
        !isspace((unsigned char)piece[0]))
        return BM_OK;
    size_t k = strlen(piece);
    if (*used + k + 1 > out_len)
        return bm_fail(err, BM_E_RANGE, "generate: output buffer of %zu bytes is full",
                       out_len);
    memcpy(out + *used, piece, k + 1);
    *used += k;
    return BM_OK;
}

int bm_generate_greedy(bm_llama *l, const bm_tokenizer *t, const char *prompt, int steps,
                       char *out, size_t out_len, bm_err *err)
{
    if (!out || out_len == 0)
        return bm_fail(err, BM_E_INVAL, "generate: no output buffer");
    out[0] = 0;
    const int V = l->c.vocab_size;
    size_t plen = strlen(prompt);
    if (plen > (size_t)l->max_seq * 64)
        return bm_fail(err, BM_E_RANGE, "generate: prompt of %zu bytes is too long", plen);
    int *toks = malloc((plen + 3) * sizeof *toks);
    float *logits = malloc((size_t)V * sizeof *logits);
    int n = 0, rc;
    size_t used = 0;
    if (!toks || !logits) {
        rc = bm_fail(err, BM_E_NOMEM, "generate: out of memory");
        goto out;
    }
    if ((rc = bm_tokenizer_encode(t, prompt, 1, 0, toks, (int)plen + 3, &n, err)))
        goto out;
    if (n > l->max_seq) {
        rc = bm_fail(err, BM_E_RANGE, "generate: prompt has %d tokens, max_seq is %d", n,
                     l->max_seq);
        goto out;
    }
    bm_llama_reset(l);
    if (n > 1 && (rc = bm_llama_forward(l, toks, n - 1, 0, NULL, err)))
        goto out;
    if ((rc = bm_llama_forward(l, toks + n - 1, 1, n - 1, logits, err)))
        goto out;
    for (int i = 1; i < n; i++)
        if ((rc = append(out, out_len, &used, bm_tokenizer_piece(t, toks[i - 1], toks[i]), err)))
            goto out;
    int prev = toks[n - 1], pos = n;
    for (int s = 0; s < steps; s++) {
        int next = 0;
        for (int i = 1; i < V; i++)
            if (logits[i] > logits[next])
                next = i;
        if (next == t->bos_id || next == t->eos_id)
            break;
        if ((rc = append(out, out_len, &used, bm_tokenizer_piece(t, prev, next), err)))
            goto out;
        if (pos >= l->max_seq || s + 1 == steps)
            break;
        if ((rc = bm_llama_forward(l, &next, 1, pos, logits, err)))
            goto out;
        prev = next;
        pos++;
    }
out:
    free(toks);
    free(logits);
    return rc;
}
