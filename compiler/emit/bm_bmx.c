/* .bmx writer and reader; see bm_bmx.h. The reader treats the file as
 * untrusted: every offset, size and count is checked before use, every
 * section's CRC is verified, and the layer descriptors are re-derived from
 * the preset so a forged descriptor cannot make the scheduler misbehave. */
#include "bm_bmx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_crc.h"
#include "bm_isa.h"
#include "sched/bm_sched.h"

#define HDR_BYTES 64
#define SEC_BYTES 64
#define MAX_SECTIONS 100000
#define LDESC_WORDS 32

/* ---- little-endian helpers ---------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }
static uint32_t fbits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}
static float bitsf(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* ---- writer --------------------------------------------------------------- */

typedef struct sec {
    uint32_t type, flags;
    char name[32];
    uint8_t *data;
    uint64_t size;
} sec;

typedef struct wr {
    sec *s;
    int n, cap, oom;
} wr;

static uint8_t *add_sec(wr *w, uint32_t type, uint32_t flags, const char *name, uint64_t size)
{
    if (w->oom)
        return NULL;
    if (w->n == w->cap) {
        int cap = w->cap ? 2 * w->cap : 32;
        sec *ns = realloc(w->s, sizeof(sec) * (size_t)cap);
        if (!ns) {
            w->oom = 1;
            return NULL;
        }
        w->s = ns;
        w->cap = cap;
    }
    sec *x = &w->s[w->n];
    memset(x, 0, sizeof *x);
    x->type = type;
    x->flags = flags;
    snprintf(x->name, sizeof x->name, "%s", name);
    x->size = size;
    x->data = calloc(size ? size : 1, 1);
    if (!x->data) {
        w->oom = 1;
        return NULL;
    }
    w->n++;
    return x->data;
}

static void ldesc_put(uint8_t *p, const bm_layer_hw *h)
{
    uint32_t v[LDESC_WORDS] = {h->N, h->K, h->Kpad, h->ntiles, h->ksteps, h->gsteps, h->chunk_steps,
                               h->nchunks, h->dtype, h->bits, h->code_bits, h->sparse, h->dmode, h->offset,
                               h->zp, h->sel, h->terms, h->act_bits, h->group, h->tab_bytes,
                               (uint32_t)h->tile_bytes, (uint32_t)(h->tile_bytes >> 32),
                               (uint32_t)h->blob_bytes, (uint32_t)(h->blob_bytes >> 32), 0, 0, 0, 0, 0, 0, 0, 0};
    uint64_t bpw;
    memcpy(&bpw, &h->bpw, 8);
    v[24] = (uint32_t)bpw;
    v[25] = (uint32_t)(bpw >> 32);
    for (int i = 0; i < LDESC_WORDS; i++)
        put32(p + 4 * i, v[i]);
}

static char *manifest_json(const bm_model *m, const bm_compile_opts *o, const bm_packed_layer *L, int n,
                           const uint32_t *prog_n)
{
    static const char *dt[] = {"int", "int-asym", "bitmod", "abq"};
    static const char *pr[] = {"none", "magnitude", "wanda", "sparsegpt"};
    size_t cap = 4096 + (size_t)n * 512 + (size_t)m->n_tensors * 128;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    size_t k = 0;
    double bits = 0, w = 0;
    for (int i = 0; i < n; i++) {
        bits += L[i].hw.bpw * (double)L[i].hw.N * L[i].hw.K;
        w += (double)L[i].hw.N * L[i].hw.K;
    }
#define P(...) k += (size_t)snprintf(s + k, cap - k, __VA_ARGS__)
    P("{\n  \"format\": \"bmx\", \"version\": %d, \"isa_hash\": \"0x%08X\",\n", BM_BMX_VERSION, BM_ISA_HASH);
    P("  \"preset\": \"%s\", \"preset_hash\": \"0x%08X\",\n", o->preset->name, o->preset->hash);
    P("  \"source\": \"%s\",\n", m->source);
    P("  \"compile\": {\"dtype\": \"%s\", \"bits\": %d, \"group\": %d, \"scale_bits\": %d, \"act_bits\": %d, "
      "\"method\": \"%s\", \"prune\": \"%s\", \"classifier\": %s},\n",
      dt[o->q.dtype], o->q.bits, o->q.group, o->q.scale_bits, o->act_bits,
      o->method == BM_METHOD_GPTQ ? "gptq" : "rtn", pr[o->prune], o->classifier ? "true" : "false");
    P("  \"bits_per_weight\": %.4f, \"quantized_weights\": %.0f,\n", w > 0 ? bits / w : 0, w);
    P("  \"layers\": [\n");
    for (int i = 0; i < n; i++) {
        const bm_layer_hw *h = &L[i].hw;
        P("    {\"name\": \"%s\", \"n\": %u, \"k\": %u, \"code_bits\": %u, \"terms\": %u, \"decode\": \"%s\", "
          "\"sparse\": %s, \"group\": %u, \"bits_per_weight\": %.4f, \"blob_bytes\": %llu, "
          "\"m1_program_insns\": %u}%s\n",
          L[i].name, h->N, h->K, h->code_bits, h->terms, h->dmode ? "booth" : "table",
          h->sparse ? "true" : "false", h->group, h->bpw, (unsigned long long)h->blob_bytes, prog_n[i],
          i + 1 < n ? "," : "");
    }
    P("  ],\n  \"host_fp32\": [");
    int first = 1;
    for (int i = 0; i < m->n_tensors; i++)
        if (!bm_compile_selects(m->tensors[i].name, o->classifier)) {
            P("%s\"%s\"", first ? "" : ", ", m->tensors[i].name);
            first = 0;
        }
    P("]\n}\n");
#undef P
    return s;
}

int bm_bmx_write(const char *path, const bm_model *m, const bm_compile_opts *o,
                 const bm_packed_layer *L, int n, bm_err *err)
{
    wr w = {0};
    int rc = BM_OK;
    uint32_t *prog_n = calloc((size_t)n + 1, sizeof(uint32_t));
    uint8_t *p;
    if (!prog_n)
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    /* CONFIG */
    if ((p = add_sec(&w, BM_SEC_CONFIG, 0, "config", 11 * 4))) {
        const bm_model_cfg *c = &m->cfg;
        uint32_t v[11] = {(uint32_t)c->dim, (uint32_t)c->hidden_dim, (uint32_t)c->n_layers,
                          (uint32_t)c->n_heads, (uint32_t)c->n_kv_heads, (uint32_t)c->vocab_size,
                          (uint32_t)c->seq_len, (uint32_t)c->head_dim, fbits(c->norm_eps),
                          fbits(c->rope_theta), (uint32_t)c->shared_classifier};
        for (int i = 0; i < 11; i++)
            put32(p + 4 * i, v[i]);
    }
    /* TOKENIZER in llama2.c format */
    if (m->has_tok) {
        uint64_t sz = 4;
        for (int i = 0; i < m->tok.vocab_size; i++)
            sz += 8 + strlen(m->tok.vocab[i]);
        if ((p = add_sec(&w, BM_SEC_TOKENIZER, 0, "tokenizer", sz))) {
            put32(p, (uint32_t)m->tok.max_token_length);
            uint64_t k = 4;
            for (int i = 0; i < m->tok.vocab_size; i++) {
                uint32_t len = (uint32_t)strlen(m->tok.vocab[i]);
                put32(p + k, fbits(m->tok.scores[i]));
                put32(p + k + 4, len);
                memcpy(p + k + 8, m->tok.vocab[i], len);
                k += 8 + len;
            }
        }
    }
    /* Host tensors (everything not quantized); a classifier tied to the
     * embedding is stored once (flag 1 = alias of token_embd). */
    const bm_tensor *emb = bm_model_find(m, "token_embd");
    for (int i = 0; i < m->n_tensors; i++) {
        const bm_tensor *t = &m->tensors[i];
        if (bm_compile_selects(t->name, o->classifier) && strcmp(t->name, "output") != 0)
            continue;
        int alias = strcmp(t->name, "output") == 0 &&
                    (bm_compile_selects(t->name, o->classifier) || (emb && t->data == emb->data));
        uint64_t sz = 8 + (alias ? 0 : (uint64_t)t->rows * t->cols * 4);
        if (!(p = add_sec(&w, BM_SEC_TENSOR, (uint32_t)alias, t->name, sz)))
            break;
        put32(p, (uint32_t)t->rows);
        put32(p + 4, (uint32_t)t->cols);
        if (!alias)
            for (uint64_t j = 0; j < (uint64_t)t->rows * t->cols; j++)
                put32(p + 8 + 4 * j, fbits(t->data[j]));
    }
    /* Layers and their M=1 programs */
    for (int i = 0; i < n && !rc && !w.oom; i++) {
        const bm_layer_hw *h = &L[i].hw;
        uint64_t sz = LDESC_WORDS * 4 + (uint64_t)h->N * 4 + h->blob_bytes;
        if (!(p = add_sec(&w, BM_SEC_LAYER, 0, L[i].name, sz)))
            break;
        ldesc_put(p, h);
        for (uint32_t r = 0; r < h->N; r++)
            put32(p + LDESC_WORDS * 4 + 4 * r, fbits(L[i].rscale[r]));
        memcpy(p + LDESC_WORDS * 4 + (uint64_t)h->N * 4, L[i].blob, h->blob_bytes);
        bm_prog pg;
        rc = bm_sched_layer(o->preset, h, 1, &pg, err);
        if (rc)
            break;
        prog_n[i] = pg.n;
        if ((p = add_sec(&w, BM_SEC_PROGRAM, 0, L[i].name, (uint64_t)pg.n * BM_INSN_BYTES)))
            memcpy(p, pg.bytes, (size_t)pg.n * BM_INSN_BYTES);
        bm_prog_free(&pg);
    }
    char *man = (!rc && !w.oom) ? manifest_json(m, o, L, n, prog_n) : NULL;
    if (!rc && !w.oom && man && (p = add_sec(&w, BM_SEC_MANIFEST, 0, "manifest", strlen(man))))
        memcpy(p, man, strlen(man));
    free(man);
    free(prog_n);
    if (!rc && w.oom)
        rc = bm_fail(err, BM_E_NOMEM, "out of memory writing %s", path);
    FILE *f = NULL;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (!rc) {
        f = fopen(tmp, "wb");
        if (!f)
            rc = bm_fail(err, BM_E_IO, "%s: cannot create", tmp);
    }
    if (!rc) {
        uint64_t off = HDR_BYTES + (uint64_t)w.n * SEC_BYTES;
        uint8_t *tab = calloc((size_t)w.n, SEC_BYTES);
        uint8_t hdr[HDR_BYTES] = {'B', 'M', 'X', 1};
        if (!tab)
            rc = bm_fail(err, BM_E_NOMEM, "out of memory");
        for (int i = 0; i < w.n && !rc; i++) {
            off = (off + 15) & ~15ull;
            uint8_t *e = tab + (size_t)i * SEC_BYTES;
            put32(e, w.s[i].type);
            put32(e + 4, w.s[i].flags);
            memcpy(e + 8, w.s[i].name, 32);
            put64(e + 40, off);
            put64(e + 48, w.s[i].size);
            put32(e + 56, bm_crc32(0, w.s[i].data, w.s[i].size));
            off += w.s[i].size;
        }
        put32(hdr + 4, BM_BMX_VERSION);
        put32(hdr + 8, BM_ISA_HASH);
        put32(hdr + 12, o->preset->hash);
        put32(hdr + 16, (uint32_t)w.n);
        put32(hdr + 20, HDR_BYTES);
        put64(hdr + 24, off);
        if (!rc)
            put32(hdr + 32, bm_crc32(0, tab, (size_t)w.n * SEC_BYTES));
        int ok = !rc && fwrite(hdr, 1, HDR_BYTES, f) == HDR_BYTES &&
                 fwrite(tab, 1, (size_t)w.n * SEC_BYTES, f) == (size_t)w.n * SEC_BYTES;
        uint64_t pos = HDR_BYTES + (uint64_t)w.n * SEC_BYTES;
        static const uint8_t zero[16];
        for (int i = 0; i < w.n && ok; i++) {
            uint64_t pad = ((pos + 15) & ~15ull) - pos;
            ok = fwrite(zero, 1, pad, f) == pad && fwrite(w.s[i].data, 1, w.s[i].size, f) == w.s[i].size;
            pos += pad + w.s[i].size;
        }
        free(tab);
        if (fclose(f) != 0)
            ok = 0;
        if (!rc && !ok)
            rc = bm_fail(err, BM_E_IO, "%s: write failed", tmp);
        if (!rc && rename(tmp, path) != 0)
            rc = bm_fail(err, BM_E_IO, "%s: cannot rename to %s", tmp, path);
        if (rc)
            remove(tmp);
    }
    for (int i = 0; i < w.n; i++)
        free(w.s[i].data);
    free(w.s);
    return rc;
}

/* ---- reader --------------------------------------------------------------- */

int bm_bmx_sniff(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t m[4] = {0};
    if (!f)
        return 0;
    size_t k = fread(m, 1, 4, f);
    fclose(f);
    return k == 4 && m[0] == 'B' && m[1] == 'M' && m[2] == 'X' && m[3] == 1;
}

void bm_bmx_free(bm_bmx *b)
{
    if (!b)
        return;
    bm_model_free(&b->model);
    bm_packed_free(b->layers, b->nl);
    free(b->layers);
    if (b->progs)
        for (int i = 0; i < b->np; i++)
            bm_prog_free(&b->progs[i]);
    free(b->progs);
    free(b->manifest);
    memset(b, 0, sizeof *b);
}

/* Re-derive everything derivable in a layer descriptor and compare. */
static int check_layer(const bm_preset *p, const bm_layer_hw *h, const char *file, const char *name, bm_err *err)
{
#define BAD(...) return bm_fail(err, BM_E_FORMAT, "%s: layer %s: " __VA_ARGS__)
    if (!h->N || !h->K || h->N > (1u << 20) || h->K > (1u << 20))
        BAD("absurd shape %ux%u", file, name, h->N, h->K);
    if (h->code_bits < 1 || h->code_bits > p->max_bits || h->terms < 1 || h->terms > p->max_terms ||
        h->act_bits < 2 || h->act_bits > 8 || h->sparse > 1 || h->dmode > 1 || h->zp > 1 || h->sel > 1 ||
        h->offset > 1 || h->dtype > 3)
        BAD("format fields out of range", file, name);
    uint32_t kstep = h->sparse ? 2 * p->lanes : p->lanes;
    if (h->sparse && (p->lanes & 1))
        BAD("2:4 on an odd LANES", file, name);
    if (h->Kpad != (h->K + kstep - 1) / kstep * kstep || h->ksteps != h->Kpad / kstep ||
        h->ntiles != (h->N + p->rows - 1) / p->rows)
        BAD("geometry does not match preset %s", file, name, p->name);
    if (!h->gsteps || (uint64_t)h->gsteps * p->lanes > BM_GROUP_MAX || !h->chunk_steps ||
        (h->chunk_steps % h->gsteps && h->chunk_steps != h->ksteps) || h->chunk_steps > h->ksteps ||
        h->nchunks != (h->ksteps + h->chunk_steps - 1) / h->chunk_steps)
        BAD("group/chunk fields inconsistent", file, name);
    uint64_t W = h->code_bits + 2u * h->sparse;
    if (((uint64_t)h->chunk_steps * p->rows * p->lanes * W + 7) / 8 + 16 > p->wgt_bytes / 2 ||
        2ull * p->rows * ((h->chunk_steps + h->gsteps - 1) / h->gsteps) + 16 > p->meta_bytes / 2)
        BAD("chunk does not fit the scratchpads of preset %s", file, name, p->name);
    if (h->tab_bytes != (h->dmode ? 0 : 4u * (1u << p->table_bits) * p->max_terms))
        BAD("decode table size", file, name);
    uint64_t tb = 0;
    for (uint32_t c = 0; c < h->nchunks; c++) {
        uint32_t st;
        uint64_t wb, mb;
        bm_layer_chunk(p, h, 0, c, &st, &wb, &mb);
        tb += ((wb + 15) & ~15ull) + ((mb + 15) & ~15ull);
    }
    if (tb != h->tile_bytes || h->blob_bytes != ((h->tab_bytes + 15) & ~15ull) + h->ntiles * tb)
        BAD("blob size does not match its geometry", file, name);
#undef BAD
    return BM_OK;
}

int bm_bmx_read_mem(const void *buf, size_t n, const char *name, bm_bmx *out, bm_err *err)
{
    const uint8_t *b = buf;
    memset(out, 0, sizeof *out);
#define BAD(code, ...) do { rc = bm_fail(err, code, __VA_ARGS__); goto fail; } while (0)
    int rc = BM_OK;
    if (n < HDR_BYTES || memcmp(b, "BMX\1", 4) != 0)
        BAD(BM_E_FORMAT, "%s: not a .bmx program (bad magic or shorter than its header)", name);
    if (get32(b + 4) != BM_BMX_VERSION)
        BAD(BM_E_UNSUPP, "%s: .bmx version %u, this build reads version %d", name, get32(b + 4), BM_BMX_VERSION);
    out->isa_hash = get32(b + 8);
    out->preset_hash = get32(b + 12);
    uint32_t ns = get32(b + 16);
    if (out->isa_hash != BM_ISA_HASH)
        BAD(BM_E_MISMATCH, "%s: compiled for ISA 0x%08X, this build implements 0x%08X (recompile it)", name,
            out->isa_hash, BM_ISA_HASH);
    out->preset = bm_preset_by_hash(out->preset_hash);
    if (!out->preset)
        BAD(BM_E_MISMATCH, "%s: compiled for an unknown preset (hash 0x%08X)", name, out->preset_hash);
    if (get32(b + 20) != HDR_BYTES || ns == 0 || ns > MAX_SECTIONS || get64(b + 24) != n)
        BAD(BM_E_FORMAT, "%s: header: %u sections, file size field %llu, actual %zu", name, ns,
            (unsigned long long)get64(b + 24), n);
    if ((uint64_t)HDR_BYTES + (uint64_t)ns * SEC_BYTES > n)
        BAD(BM_E_FORMAT, "%s: section table (%u entries) runs past the end of the file", name, ns);
    if (bm_crc32(0, b + HDR_BYTES, (size_t)ns * SEC_BYTES) != get32(b + 32))
        BAD(BM_E_FORMAT, "%s: section table checksum mismatch (corrupted file)", name);
    uint64_t prev_end = HDR_BYTES + (uint64_t)ns * SEC_BYTES;
    int nl = 0, np = 0, nt = 0, have_cfg = 0;
    for (uint32_t i = 0; i < ns; i++) {
        const uint8_t *e = b + HDR_BYTES + (size_t)i * SEC_BYTES;
        uint64_t off = get64(e + 40), sz = get64(e + 48);
        if (e[8 + 31] != 0)
            BAD(BM_E_FORMAT, "%s: section %u: name not terminated", name, i);
        if (off < prev_end || off > n || sz > n - off)
            BAD(BM_E_FORMAT, "%s: section %u (%s) at offset %llu size %llu overlaps or leaves the file", name,
                i, (const char *)e + 8, (unsigned long long)off, (unsigned long long)sz);
        if (bm_crc32(0, b + off, sz) != get32(e + 56))
            BAD(BM_E_FORMAT, "%s: section %u (%s) at offset %llu: checksum mismatch", name, i,
                (const char *)e + 8, (unsigned long long)off);
        prev_end = off + sz;
        uint32_t t = get32(e);
        nl += t == BM_SEC_LAYER;
        np += t == BM_SEC_PROGRAM;
        nt += t == BM_SEC_TENSOR;
        have_cfg += t == BM_SEC_CONFIG;
        if (t < BM_SEC_MANIFEST || t > BM_SEC_PROGRAM)
            BAD(BM_E_FORMAT, "%s: section %u has unknown type %u", name, i, t);
    }
    if (have_cfg != 1 || nl != np || !nt)
        BAD(BM_E_FORMAT, "%s: needs one config, host tensors and a program per layer", name);
    out->layers = calloc((size_t)nl + 1, sizeof(bm_packed_layer));
    out->progs = calloc((size_t)nl + 1, sizeof(bm_prog));
    out->model.tensors = calloc((size_t)nt + 1, sizeof(bm_tensor));
    if (!out->layers || !out->progs || !out->model.tensors)
        BAD(BM_E_NOMEM, "out of memory");
    /* Size the tensor arena first. */
    uint64_t floats = 0;
    for (uint32_t i = 0; i < ns; i++) {
        const uint8_t *e = b + HDR_BYTES + (size_t)i * SEC_BYTES;
        if (get32(e) != BM_SEC_TENSOR)
            continue;
        uint64_t sz = get64(e + 48), off = get64(e + 40);
        if (sz < 8)
            BAD(BM_E_FORMAT, "%s: tensor %s: truncated", name, (const char *)e + 8);
        uint64_t r = get32(b + off), c = get32(b + off + 4);
        if (r > (1u << 24) || c > (1u << 24) || (!get32(e + 4) && sz != 8 + r * c * 4) || (get32(e + 4) && sz != 8))
            BAD(BM_E_FORMAT, "%s: tensor %s: %llux%llu does not match its %llu bytes", name,
                (const char *)e + 8, (unsigned long long)r, (unsigned long long)c, (unsigned long long)sz);
        if (!get32(e + 4))
            floats += r * c;
    }
    out->model.arena = malloc(sizeof(float) * (floats ? floats : 1));
    if (!out->model.arena)
        BAD(BM_E_NOMEM, "out of memory for %llu floats", (unsigned long long)floats);
    uint64_t fa = 0;
    int li = 0, pi = 0;
    for (uint32_t i = 0; i < ns; i++) {
        const uint8_t *e = b + HDR_BYTES + (size_t)i * SEC_BYTES;
        const char *sname = (const char *)e + 8;
        const uint8_t *d = b + get64(e + 40);
        uint64_t sz = get64(e + 48);
        switch (get32(e)) {
        case BM_SEC_MANIFEST:
            free(out->manifest);
            out->manifest = malloc(sz + 1);
            if (!out->manifest)
                BAD(BM_E_NOMEM, "out of memory");
            memcpy(out->manifest, d, sz);
            out->manifest[sz] = 0;
            break;
        case BM_SEC_CONFIG: {
            if (sz != 44)
                BAD(BM_E_FORMAT, "%s: config section has %llu bytes, expected 44", name, (unsigned long long)sz);
            bm_model_cfg *c = &out->model.cfg;
            c->dim = (int)get32(d); c->hidden_dim = (int)get32(d + 4); c->n_layers = (int)get32(d + 8);
            c->n_heads = (int)get32(d + 12); c->n_kv_heads = (int)get32(d + 16); c->vocab_size = (int)get32(d + 20);
            c->seq_len = (int)get32(d + 24); c->head_dim = (int)get32(d + 28); c->norm_eps = bitsf(get32(d + 32));
            c->rope_theta = bitsf(get32(d + 36)); c->shared_classifier = (int)get32(d + 40);
            if (c->dim <= 0 || c->dim > (1 << 16) || c->n_layers <= 0 || c->n_layers > 1024 || c->n_heads <= 0 ||
                c->n_kv_heads <= 0 || c->n_heads % c->n_kv_heads || c->vocab_size <= 0 || c->vocab_size > (1 << 22) ||
                c->seq_len <= 0 || c->seq_len > (1 << 20) || c->head_dim * c->n_heads != c->dim ||
                c->hidden_dim <= 0 || c->hidden_dim > (1 << 20))
                BAD(BM_E_FORMAT, "%s: config hyper-parameters are inconsistent", name);
            break;
        }
        case BM_SEC_TOKENIZER:
            break; /* after CONFIG (vocab size), below */
        case BM_SEC_TENSOR: {
            bm_tensor *t = &out->model.tensors[out->model.n_tensors++];
            snprintf(t->name, sizeof t->name, "%s", sname);
            t->rows = (int)get32(d);
            t->cols = (int)get32(d + 4);
            if (get32(e + 4)) {
                t->data = NULL; /* alias: resolved after all tensors are in */
            } else {
                t->data = out->model.arena + fa;
                for (uint64_t j = 0; j < (uint64_t)t->rows * t->cols; j++)
                    t->data[j] = bitsf(get32(d + 8 + 4 * j));
                fa += (uint64_t)t->rows * t->cols;
            }
            break;
        }
        case BM_SEC_LAYER: {
            bm_packed_layer *L = &out->layers[li];
            bm_layer_hw *h = &L->hw;
            if (sz < LDESC_WORDS * 4)
                BAD(BM_E_FORMAT, "%s: layer %s: truncated descriptor", name, sname);
            uint32_t v[LDESC_WORDS];
            for (int k = 0; k < LDESC_WORDS; k++)
                v[k] = get32(d + 4 * k);
            snprintf(L->name, sizeof L->name, "%s", sname);
            snprintf(h->name, sizeof h->name, "%s", sname);
            h->N = v[0]; h->K = v[1]; h->Kpad = v[2]; h->ntiles = v[3]; h->ksteps = v[4]; h->gsteps = v[5];
            h->chunk_steps = v[6]; h->nchunks = v[7];
            if (v[8] > 3 || v[9] > 8 || v[10] > 8 || v[11] > 1 || v[12] > 1 || v[13] > 1 || v[14] > 1 || v[15] > 1 ||
                v[16] > 8 || v[17] > 8)
                BAD(BM_E_FORMAT, "%s: layer %s: format fields out of range", name, sname);
            h->dtype = (uint8_t)v[8]; h->bits = (uint8_t)v[9]; h->code_bits = (uint8_t)v[10];
            h->sparse = (uint8_t)v[11]; h->dmode = (uint8_t)v[12]; h->offset = (uint8_t)v[13];
            h->zp = (uint8_t)v[14]; h->sel = (uint8_t)v[15]; h->terms = (uint8_t)v[16]; h->act_bits = (uint8_t)v[17];
            h->group = v[18]; h->tab_bytes = v[19];
            h->tile_bytes = v[20] | (uint64_t)v[21] << 32;
            h->blob_bytes = v[22] | (uint64_t)v[23] << 32;
            uint64_t bpw = v[24] | (uint64_t)v[25] << 32;
            memcpy(&h->bpw, &bpw, 8);
            if ((rc = check_layer(out->preset, h, name, sname, err)))
                goto fail;
            if (sz != LDESC_WORDS * 4 + (uint64_t)h->N * 4 + h->blob_bytes)
                BAD(BM_E_FORMAT, "%s: layer %s: %llu bytes, descriptor says %llu", name, sname,
                    (unsigned long long)sz, (unsigned long long)(LDESC_WORDS * 4 + (uint64_t)h->N * 4 + h->blob_bytes));
            L->rscale = malloc(sizeof(float) * h->N);
            L->blob = malloc(h->blob_bytes ? h->blob_bytes : 1);
            li++;
            out->nl = li;
            if (!L->rscale || !L->blob)
                BAD(BM_E_NOMEM, "out of memory");
            for (uint32_t r = 0; r < h->N; r++)
                L->rscale[r] = bitsf(get32(d + LDESC_WORDS * 4 + 4 * r));
            memcpy(L->blob, d + LDESC_WORDS * 4 + (uint64_t)h->N * 4, h->blob_bytes);
            out->act_bits = h->act_bits;
            break;
        }
        case BM_SEC_PROGRAM: {
            if (sz % BM_INSN_BYTES || sz > (1ull << 30))
                BAD(BM_E_FORMAT, "%s: program %s: %llu bytes is not a whole number of instructions", name, sname,
                    (unsigned long long)sz);
            bm_prog *pg = &out->progs[pi++];
            out->np = pi;
            bm_prog_init(pg);
            pg->bytes = malloc(sz ? sz : 1);
            if (!pg->bytes)
                BAD(BM_E_NOMEM, "out of memory");
            memcpy(pg->bytes, d, sz);
            pg->n = pg->cap = (uint32_t)(sz / BM_INSN_BYTES);
            break;
        }
        }
    }
    /* Tokenizer needs the vocabulary size from CONFIG. */
    for (uint32_t i = 0; i < ns; i++) {
        const uint8_t *e = b + HDR_BYTES + (size_t)i * SEC_BYTES;
        if (get32(e) != BM_SEC_TOKENIZER)
            continue;
        if ((rc = bm_tokenizer_load_llama2c_mem(b + get64(e + 40), get64(e + 48), name, out->model.cfg.vocab_size,
                                                &out->model.tok, err)))
            goto fail;
        out->model.has_tok = 1;
    }
    const bm_tensor *emb = bm_model_find(&out->model, "token_embd");
    for (int i = 0; i < out->model.n_tensors; i++)
        if (!out->model.tensors[i].data) {
            if (!emb || strcmp(out->model.tensors[i].name, "output") != 0)
                BAD(BM_E_FORMAT, "%s: alias tensor %s without token_embd", name, out->model.tensors[i].name);
            out->model.tensors[i].data = emb->data;
            out->model.tensors[i].rows = emb->rows;
            out->model.tensors[i].cols = emb->cols;
        }
    snprintf(out->model.source, sizeof out->model.source, "%s", name);
    return BM_OK;
#undef BAD
fail:
    bm_bmx_free(out);
    return rc;
}

int bm_bmx_read(const char *path, bm_bmx *out, bm_err *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return bm_fail(err, BM_E_IO, "%s: cannot open", path);
    long n = -1;
    uint8_t *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
        buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return bm_fail(err, BM_E_IO, "%s: read failed", path);
    }
    fclose(f);
    int rc = bm_bmx_read_mem(buf, (size_t)n, path, out, err);
    free(buf);
    return rc;
}
