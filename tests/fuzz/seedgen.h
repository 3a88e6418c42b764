/* Independent writers of small model files (llama2.c .bin, tokenizer, GGUF,
 * safetensors + config.json) for the loader tests and the fuzz seed corpus.
 * Deliberately separate from the loaders: they encode the formats from the
 * specs, so a loader bug is not mirrored by its own writer. Header-only. */
#ifndef BM_SEEDGEN_H
#define BM_SEEDGEN_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t *p;
    size_t n, cap;
} sg_buf;

static inline void sg_put(sg_buf *b, const void *src, size_t n)
{
    if (n == 0)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        if (!b->p)
            abort(); /* test code: out of memory is fatal */
        b->cap = cap;
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}
static inline void sg_u32(sg_buf *b, uint32_t v) { sg_put(b, &v, 4); }
static inline void sg_i32(sg_buf *b, int32_t v) { sg_put(b, &v, 4); }
static inline void sg_u64(sg_buf *b, uint64_t v) { sg_put(b, &v, 8); }
static inline void sg_f32(sg_buf *b, float v) { sg_put(b, &v, 4); }
static inline void sg_pad(sg_buf *b, size_t align, uint8_t fill)
{
    while (b->n % align)
        sg_put(b, &fill, 1);
}
static inline void sg_free(sg_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}
static inline int sg_save(const sg_buf *b, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(b->p, 1, b->n, f);
    return fclose(f) == 0 && w == b->n ? 0 : -1;
}

/* fp32 -> fp16 / bf16, round to nearest even (normal range; tests use values
 * that are exact in both). */
static inline uint16_t sg_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    int e = (int)((x >> 23) & 0xff) - 127 + 15;
    uint32_t man = x & 0x7fffff;
    if ((x & 0x7fffffff) == 0)
        return (uint16_t)sign;
    if (e <= 0 || e >= 31)
        return (uint16_t)(sign | (e >= 31 ? 0x7c00 : 0));
    uint32_t h = sign | (uint32_t)e << 10 | man >> 13, rem = man & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (h & 1)))
        h++;
    return (uint16_t)h;
}
static inline uint16_t sg_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    x += 0x7fff + ((x >> 16) & 1);
    return (uint16_t)(x >> 16);
}

/* A model as canonical tensors in llama2.c order and row layout. */
#define SG_MAX_T 64
typedef struct {
    int dim, hidden, layers, heads, kv_heads, vocab, seq_len, shared;
    int n;
    char name[SG_MAX_T][96];
    int rows[SG_MAX_T], cols[SG_MAX_T];
    float *data[SG_MAX_T];
} sg_model;

static inline uint64_t sg_rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static inline void sg_add(sg_model *m, const char *name, int rows, int cols, uint64_t *seed)
{
    int k = m->n++;
    snprintf(m->name[k], sizeof m->name[k], "%s", name);
    m->rows[k] = rows;
    m->cols[k] = cols;
    m->data[k] = malloc((size_t)rows * (size_t)cols * sizeof(float));
    for (size_t i = 0; i < (size_t)rows * (size_t)cols; i++) {
        /* m/64 with |m| < 256: exact in fp16 and bf16. */
        int v = (int)(sg_rng(seed) % 511) - 255;
        m->data[k][i] = (float)v / 64.0f;
    }
}

/* layers <= 6 so the table fits. */
static inline void sg_model_random(sg_model *m, int dim, int hidden, int layers, int heads,
                            int kv_heads, int vocab, int seq_len, int shared, uint64_t seed)
{
    memset(m, 0, sizeof *m);
    m->dim = dim, m->hidden = hidden, m->layers = layers, m->heads = heads;
    m->kv_heads = kv_heads, m->vocab = vocab, m->seq_len = seq_len, m->shared = shared;
    int kv = kv_heads * (dim / heads);
    char nm[96];
    sg_add(m, "token_embd", vocab, dim, &seed);
    static const char *const sfx[9] = {"attn_norm", "attn_q",   "attn_k",
                                       "attn_v",    "attn_output", "ffn_norm",
                                       "ffn_gate",  "ffn_down", "ffn_up"};
    for (int l = 0; l < layers; l++) {
        int shp[9][2] = {{1, dim}, {dim, dim}, {kv, dim},    {kv, dim},    {dim, dim},
                         {1, dim}, {hidden, dim}, {dim, hidden}, {hidden, dim}};
        for (int j = 0; j < 9; j++) {
            snprintf(nm, sizeof nm, "blk.%d.%s", l, sfx[j]);
            sg_add(m, nm, shp[j][0], shp[j][1], &seed);
        }
    }
    sg_add(m, "output_norm", 1, dim, &seed);
    if (!shared)
        sg_add(m, "output", vocab, dim, &seed);
}

static inline void sg_model_free(sg_model *m)
{
    for (int i = 0; i < m->n; i++)
        free(m->data[i]);
    memset(m, 0, sizeof *m);
}

static inline int sg_find(const sg_model *m, const char *name)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->name[i], name) == 0)
            return i;
    return -1;
}

/* llama2.c legacy .bin: negative vocab = separate classifier at the end. */
static inline void sg_write_llama2c(const sg_model *m, sg_buf *b)
{
    int32_t h[7] = {m->dim, m->hidden, m->layers, m->heads, m->kv_heads,
                    m->shared ? m->vocab : -m->vocab, m->seq_len};
    sg_put(b, h, sizeof h);
    char nm[96];
    sg_put(b, m->data[0], (size_t)m->vocab * m->dim * 4);
    static const char *const order[9] = {"attn_norm", "attn_q", "attn_k", "attn_v", "attn_output",
                                         "ffn_norm", "ffn_gate", "ffn_down", "ffn_up"};
    for (int j = 0; j < 9; j++)
        for (int l = 0; l < m->layers; l++) {
            snprintf(nm, sizeof nm, "blk.%d.%s", l, order[j]);
            int k = sg_find(m, nm);
            sg_put(b, m->data[k], (size_t)m->rows[k] * m->cols[k] * 4);
        }
    int k = sg_find(m, "output_norm");
    sg_put(b, m->data[k], (size_t)m->dim * 4);
    for (int i = 0; i < m->seq_len * (m->dim / m->heads); i++)
        sg_f32(b, 0.5f); /* legacy freq_cis tables: ignored by loaders */
    if (!m->shared) {
        k = sg_find(m, "output");
        sg_put(b, m->data[k], (size_t)m->vocab * m->dim * 4);
    }
}

/* llama2.c tokenizer: <unk>, <s>, </s>, 256 byte tokens, then pieces. */
static inline void sg_write_tokenizer(sg_buf *b, int vocab)
{
    static const char *const extra[] = {" ", "a", "b", "c", " a", "ab", " ab", "bc",
                                        " abc", "é", "ca", " b"};
    sg_i32(b, 8);
    for (int i = 0; i < vocab; i++) {
        char piece[16];
        if (i == 0)
            snprintf(piece, sizeof piece, "<unk>");
        else if (i == 1)
            snprintf(piece, sizeof piece, "\n<s>\n");
        else if (i == 2)
            snprintf(piece, sizeof piece, "\n</s>\n");
        else if (i < 259)
            snprintf(piece, sizeof piece, "<0x%02X>", i - 3);
        else if (i - 259 < (int)(sizeof extra / sizeof extra[0]))
            snprintf(piece, sizeof piece, "%s", extra[i - 259]);
        else
            snprintf(piece, sizeof piece, "x%d", i);
        sg_f32(b, i < 259 ? 0.0f : -(float)(i - 259));
        sg_i32(b, (int32_t)strlen(piece));
        sg_put(b, piece, strlen(piece));
    }
}

static inline void sg_gguf_str(sg_buf *b, const char *s)
{
    sg_u64(b, strlen(s));
    sg_put(b, s, strlen(s));
}
static inline void sg_gguf_kv_u32(sg_buf *b, const char *k, uint32_t v)
{
    sg_gguf_str(b, k);
    sg_u32(b, 4);
    sg_u32(b, v);
}

/* GGUF v3 with every tensor in `type` (0 F32, 1 F16, 30 BF16); the tensor
 * named override_name (if any) gets override_type instead. with_tok adds a
 * 3+256+4 token SentencePiece vocabulary. */
static inline void sg_write_gguf(const sg_model *m, uint32_t type, const char *override_name,
                          uint32_t override_type, int with_tok, sg_buf *b)
{
    sg_put(b, "GGUF", 4);
    sg_u32(b, 3);
    sg_u64(b, (uint64_t)m->n);
    sg_u64(b, with_tok ? 14 : 10);
    sg_gguf_str(b, "general.architecture");
    sg_u32(b, 8);
    sg_gguf_str(b, "llama");
    sg_gguf_kv_u32(b, "llama.embedding_length", (uint32_t)m->dim);
    sg_gguf_kv_u32(b, "llama.feed_forward_length", (uint32_t)m->hidden);
    sg_gguf_kv_u32(b, "llama.block_count", (uint32_t)m->layers);
    sg_gguf_kv_u32(b, "llama.attention.head_count", (uint32_t)m->heads);
    sg_gguf_kv_u32(b, "llama.attention.head_count_kv", (uint32_t)m->kv_heads);
    sg_gguf_kv_u32(b, "llama.context_length", (uint32_t)m->seq_len);
    sg_gguf_str(b, "llama.attention.layer_norm_rms_epsilon");
    sg_u32(b, 6);
    sg_f32(b, 1e-5f);
    /* An unknown key with a nested array, which loaders must skip. */
    sg_gguf_str(b, "test.nested");
    sg_u32(b, 9);
    sg_u32(b, 9);
    sg_u64(b, 2);
    for (int i = 0; i < 2; i++) {
        sg_u32(b, 8);
        sg_u64(b, 2);
        sg_gguf_str(b, "x");
        sg_gguf_str(b, "yz");
    }
    sg_gguf_kv_u32(b, "general.alignment", 64);
    if (with_tok) {
        int V = 3 + 256 + 4;
        static const char *const extra[4] = {"\xe2\x96\x81", "a", "b", "\xe2\x96\x81" "a"};
        sg_gguf_str(b, "tokenizer.ggml.model");
        sg_u32(b, 8);
        sg_gguf_str(b, "llama");
        sg_gguf_str(b, "tokenizer.ggml.tokens");
        sg_u32(b, 9);
        sg_u32(b, 8);
        sg_u64(b, (uint64_t)V);
        for (int i = 0; i < V; i++) {
            char piece[16];
            if (i < 3)
                snprintf(piece, sizeof piece, "%s", i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>");
            else if (i < 259)
                snprintf(piece, sizeof piece, "<0x%02X>", i - 3);
            else
                snprintf(piece, sizeof piece, "%s", extra[i - 259]);
            sg_gguf_str(b, piece);
        }
        sg_gguf_str(b, "tokenizer.ggml.scores");
        sg_u32(b, 9);
        sg_u32(b, 6);
        sg_u64(b, (uint64_t)V);
        for (int i = 0; i < V; i++)
            sg_f32(b, i < 259 ? 0.0f : -(float)(i - 259));
        sg_gguf_str(b, "tokenizer.ggml.token_type");
        sg_u32(b, 9);
        sg_u32(b, 5);
        sg_u64(b, (uint64_t)V);
        for (int i = 0; i < V; i++)
            sg_i32(b, i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1);
    }
    uint64_t off = 0;
    uint64_t offs[SG_MAX_T];
    for (int i = 0; i < m->n; i++) {
        char nm[128];
        snprintf(nm, sizeof nm, "%s.weight", m->name[i]);
        sg_gguf_str(b, nm);
        uint32_t ty = override_name && strcmp(override_name, m->name[i]) == 0 ? override_type : type;
        int vecs = m->rows[i] == 1;
        sg_u32(b, vecs ? 1 : 2);
        sg_u64(b, (uint64_t)m->cols[i]); /* ne[0] = fastest = cols */
        if (!vecs)
            sg_u64(b, (uint64_t)m->rows[i]);
        sg_u32(b, ty);
        offs[i] = off;
        sg_u64(b, off);
        off += (uint64_t)m->rows[i] * m->cols[i] * (ty == 0 ? 4 : 2);
        off = (off + 63) / 64 * 64;
    }
    sg_pad(b, 64, 0);
    size_t base = b->n;
    for (int i = 0; i < m->n; i++) {
        uint32_t ty = override_name && strcmp(override_name, m->name[i]) == 0 ? override_type : type;
        while (b->n < base + offs[i])
            sg_put(b, "", 1);
        for (size_t k = 0; k < (size_t)m->rows[i] * m->cols[i]; k++) {
            float v = m->data[i][k];
            if (ty == 0) {
                sg_f32(b, v);
            } else {
                uint16_t h = ty == 1 ? sg_f16(v) : sg_bf16(v);
                sg_put(b, &h, 2);
            }
        }
    }
}

/* Hugging Face names; q/k rows permuted to the rotate-half layout exactly
 * as transformers' convert_llama_weights_to_hf.py does: HF row
 * (h, c*hd/2 + i) holds interleaved row (h, 2i + c). */
static inline void sg_hf_name(const char *canon, char *out, size_t cap, int *perm_kind)
{
    static const char *const map[][2] = {
        {"attn_q", "self_attn.q_proj"},  {"attn_k", "self_attn.k_proj"},
        {"attn_v", "self_attn.v_proj"},  {"attn_output", "self_attn.o_proj"},
        {"ffn_gate", "mlp.gate_proj"},   {"ffn_up", "mlp.up_proj"},
        {"ffn_down", "mlp.down_proj"},   {"attn_norm", "input_layernorm"},
        {"ffn_norm", "post_attention_layernorm"}};
    *perm_kind = 0;
    if (!strcmp(canon, "token_embd")) {
        snprintf(out, cap, "model.embed_tokens.weight");
        return;
    }
    if (!strcmp(canon, "output_norm")) {
        snprintf(out, cap, "model.norm.weight");
        return;
    }
    if (!strcmp(canon, "output")) {
        snprintf(out, cap, "lm_head.weight");
        return;
    }
    int l = atoi(canon + 4);
    const char *s = strchr(canon + 4, '.') + 1;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(s, map[i][0])) {
            snprintf(out, cap, "model.layers.%d.%s.weight", l, map[i][1]);
            *perm_kind = i == 0 ? 1 : i == 1 ? 2 : 0;
        }
}

/* dtype: "F32", "F16" or "BF16". Writes the safetensors image and a
 * config.json text (tie_word_embeddings = m->shared). Tensors are written in
 * reverse order to exercise out-of-order data offsets. */
static inline void sg_write_safetensors(const sg_model *m, const char *dtype, sg_buf *b,
                                 char *config, size_t config_cap)
{
    int es = strcmp(dtype, "F32") == 0 ? 4 : 2;
    sg_buf hdr = {0}, data = {0};
    char tmp[512];
    const char *meta = "{\"__metadata__\":{\"format\":\"pt\"}";
    sg_put(&hdr, meta, strlen(meta));
    uint64_t off = 0;
    for (int i = m->n - 1; i >= 0; i--) {
        char hf[128];
        int pk;
        sg_hf_name(m->name[i], hf, sizeof hf, &pk);
        size_t ne = (size_t)m->rows[i] * m->cols[i];
        int k;
        if (m->rows[i] == 1)
            k = snprintf(tmp, sizeof tmp, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[%d],"
                         "\"data_offsets\":[%llu,%llu]}", hf, dtype, m->cols[i],
                         (unsigned long long)off, (unsigned long long)(off + ne * es));
        else
            k = snprintf(tmp, sizeof tmp, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[%d,%d],"
                         "\"data_offsets\":[%llu,%llu]}", hf, dtype, m->rows[i], m->cols[i],
                         (unsigned long long)off, (unsigned long long)(off + ne * es));
        sg_put(&hdr, tmp, (size_t)k);
        off += ne * es;
        int heads = pk == 1 ? m->heads : pk == 2 ? m->kv_heads : 0;
        int hd = heads ? m->rows[i] / heads : 0;
        for (int r = 0; r < m->rows[i]; r++) {
            int src = r;
            if (heads) {
                /* HF row r = (h, c*hd/2 + j) <- interleaved (h, 2j + c). */
                int h = r / hd, w = r % hd, c = w / (hd / 2), j = w % (hd / 2);
                src = h * hd + 2 * j + c;
            }
            const float *row = m->data[i] + (size_t)src * m->cols[i];
            for (int cc = 0; cc < m->cols[i]; cc++) {
                if (es == 4) {
                    sg_f32(&data, row[cc]);
                } else {
                    uint16_t h16 = dtype[0] == 'F' ? sg_f16(row[cc]) : sg_bf16(row[cc]);
                    sg_put(&data, &h16, 2);
                }
            }
        }
    }
    sg_put(&hdr, "}", 1);
    while (hdr.n % 8)
        sg_put(&hdr, " ", 1);
    sg_u64(b, hdr.n);
    sg_put(b, hdr.p, hdr.n);
    sg_put(b, data.p, data.n);
    sg_free(&hdr);
    sg_free(&data);
    snprintf(config, config_cap,
             "{\n  \"architectures\": [\"LlamaForCausalLM\"],\n  \"model_type\": \"llama\",\n"
             "  \"hidden_size\": %d,\n  \"intermediate_size\": %d,\n"
             "  \"num_hidden_layers\": %d,\n  \"num_attention_heads\": %d,\n"
             "  \"num_key_value_heads\": %d,\n  \"vocab_size\": %d,\n"
             "  \"max_position_embeddings\": %d,\n  \"rms_norm_eps\": 1e-05,\n"
             "  \"rope_theta\": 10000.0,\n  \"rope_scaling\": null,\n"
             "  \"tie_word_embeddings\": %s,\n  \"torch_dtype\": \"float16\"\n}\n",
             m->dim, m->hidden, m->layers, m->heads, m->kv_heads, m->vocab, m->seq_len,
             m->shared ? "true" : "false");
}

#endif
