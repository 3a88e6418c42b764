/* llama2.c checkpoint loader (legacy "version 0" export): 7 int32 header,
 * then fp32 arrays in a fixed order (see docs/models.md). A negative
 * vocab_size marks a separate classifier stored after the legacy RoPE
 * tables. The file size must match the header exactly. */
#include "bm_load_priv.h"
#include "bm_rd.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

int bm_model_load_llama2c_mem(const void *buf, size_t n, const char *name,
                              bm_model *m, bm_err *err)
{
    memset(m, 0, sizeof *m);
    bm_rd r;
    bm_rd_init(&r, buf, n, name, err);
    static const char *const hdr[7] = {"dim", "hidden_dim", "n_layers", "n_heads",
                                       "n_kv_heads", "vocab_size", "seq_len"};
    int32_t h[7];
    for (int i = 0; i < 7; i++) {
        char what[48];
        snprintf(what, sizeof what, "header field %s", hdr[i]);
        int rc = bm_rd_i32(&r, &h[i], what);
        if (rc)
            return rc;
    }
    if (h[0] == 0x616b3432)
        return bm_fail(err, BM_E_UNSUPP,
                       "%s: offset 0: llama2.c 'ak42' export (version 1/2) is not "
                       "supported; export with the legacy version 0 format",
                       name);
    bm_model_cfg c = {0};
    c.dim = h[0];
    c.hidden_dim = h[1];
    c.n_layers = h[2];
    c.n_heads = h[3];
    c.n_kv_heads = h[4];
    c.shared_classifier = h[5] > 0;
    c.vocab_size = h[5] == INT_MIN ? 0 : h[5] < 0 ? -h[5] : h[5];
    c.seq_len = h[6];
    c.norm_eps = 1e-5f;
    c.rope_theta = 10000.0f;
    int rc = bm_cfg_check(&c, name, err);
    if (rc)
        return rc;

    const uint64_t D = (uint64_t)c.dim, H = (uint64_t)c.hidden_dim, L = (uint64_t)c.n_layers,
                   V = (uint64_t)c.vocab_size, KV = (uint64_t)c.n_kv_heads * (uint64_t)c.head_dim;
    /* Sections in file order; the sizes are products of values <= 2^20 and
     * L <= 2^12, far below 2^64. */
    const uint64_t sec[] = {V * D,     L * D,     L * D * D, L * KV * D, L * KV * D,
                            L * D * D, L * D,     L * H * D, L * D * H,  L * H * D,
                            D,         (uint64_t)c.seq_len * (uint64_t)c.head_dim,
                            c.shared_classifier ? 0 : V * D};
    uint64_t off[sizeof sec / sizeof sec[0]], total = 0;
    for (size_t i = 0; i < sizeof sec / sizeof sec[0]; i++) {
        off[i] = 28 + 4 * total;
        total += sec[i];
    }
    uint64_t want = 28 + 4 * total;
    if (want != n)
        return bm_fail(err, BM_E_FORMAT,
                       "%s: offset %zu: header (dim=%d hidden=%d layers=%d heads=%d "
                       "kv_heads=%d vocab=%d seq_len=%d) needs %llu bytes, file has %zu",
                       name, n < want ? n : (size_t)want, c.dim, c.hidden_dim,
                       c.n_layers, c.n_heads, c.n_kv_heads, h[5], c.seq_len,
                       (unsigned long long)want, n);
    rc = bm_model_begin(m, &c, name, (n - 28) / 4, err);
    if (rc)
        return rc;
    const uint8_t *p = buf;
#define SET(canon, section, index, rows, cols)                                      \
    do {                                                                            \
        int idx_ = bm_model_index(m, canon);                                        \
        uint64_t o_ = off[section] + 4 * (uint64_t)(index) * (rows) * (cols);       \
        rc = bm_model_set(m, idx_, p + o_, BM_DT_F32, (int)(rows), (int)(cols), 0, \
                          name, o_, canon, err);                                    \
        if (rc)                                                                     \
            goto fail;                                                              \
    } while (0)
    SET("token_embd", 0, 0, V, D);
    for (int l = 0; l < c.n_layers; l++) {
        char nm[9][96];
        static const char *const sfx[9] = {"attn_norm", "attn_q", "attn_k",
                                           "attn_v", "attn_output", "ffn_norm",
                                           "ffn_gate", "ffn_down", "ffn_up"};
        for (int j = 0; j < 9; j++)
            snprintf(nm[j], sizeof nm[j], "blk.%d.%s", l, sfx[j]);
        SET(nm[0], 1, l, 1, D);
        SET(nm[1], 2, l, D, D);
        SET(nm[2], 3, l, KV, D);
        SET(nm[3], 4, l, KV, D);
        SET(nm[4], 5, l, D, D);
        SET(nm[5], 6, l, 1, D);
        SET(nm[6], 7, l, H, D);
        SET(nm[7], 8, l, D, H);
        SET(nm[8], 9, l, H, D);
    }
    SET("output_norm", 10, 0, 1, D);
    if (!c.shared_classifier)
        SET("output", 12, 0, V, D);
#undef SET
    rc = bm_model_end(m, name, err);
    if (rc)
        goto fail;
    return BM_OK;
fail:
    bm_model_free(m);
    return rc;
}

int bm_model_load_llama2c(const char *path, bm_model *m, bm_err *err)
{
    memset(m, 0, sizeof *m);
    bm_file f;
    int rc = bm_file_open(path, &f, err);
    if (rc)
        return rc;
    rc = bm_model_load_llama2c_mem(f.data, f.size, bm_basename(path), m, err);
    if (!rc)
        snprintf(m->source, sizeof m->source, "%s", path);
    bm_file_close(&f);
    return rc;
}
