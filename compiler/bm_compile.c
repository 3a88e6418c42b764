/* Compiler driver; see bm_compile.h. */
#include "bm_compile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_calib.h"

int bm_compile_selects(const char *name, int classifier)
{
    static const char *suffix[] = {".attn_q", ".attn_k", ".attn_v", ".attn_output",
                                   ".ffn_gate", ".ffn_down", ".ffn_up"};
    if (strcmp(name, "output") == 0)
        return classifier;
    if (strncmp(name, "blk.", 4) != 0)
        return 0;
    const char *dot = strchr(name + 4, '.');
    for (size_t i = 0; dot && i < sizeof suffix / sizeof suffix[0]; i++)
        if (strcmp(dot, suffix[i]) == 0)
            return 1;
    return 0;
}

int bm_compile_tensor(const bm_tensor *t, const double *H, const bm_compile_opts *o,
                      bm_packed_layer *out, bm_err *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", t->name);
    const int N = t->rows, K = t->cols;
    int needH = o->method == BM_METHOD_GPTQ || o->prune == BM_PRUNE_WANDA || o->prune == BM_PRUNE_SPARSEGPT;
    if (needH && !H)
        return bm_fail(err, BM_E_INVAL, "%s: GPTQ/Wanda/SparseGPT need calibration data (--calib TEXT)",
                       t->name);
    uint8_t *keep = NULL;
    float *Wp = NULL; /* SparseGPT's updated weights (RTN after dense-valued SparseGPT) */
    const float *W = t->data;
    bm_qweight q;
    int rc = BM_OK;
    int joint = o->prune == BM_PRUNE_SPARSEGPT && o->method == BM_METHOD_GPTQ;
    if (o->prune != BM_PRUNE_NONE && !joint) {
        keep = malloc((size_t)N * K);
        if (!keep)
            return bm_fail(err, BM_E_NOMEM, "out of memory");
        if (o->prune == BM_PRUNE_SPARSEGPT) {
            Wp = malloc(sizeof(float) * (size_t)N * K);
            rc = Wp ? bm_sparsegpt_24(t->data, N, K, H, Wp, keep, err)
                    : bm_fail(err, BM_E_NOMEM, "out of memory");
            W = Wp;
        } else {
            rc = bm_prune_24_mask(t->data, N, K, o->prune, H, keep, err);
        }
    }
    if (!rc) {
        if (o->method == BM_METHOD_GPTQ) {
            bm_gptq_opts go = BM_GPTQ_DEFAULTS;
            rc = bm_quantize_gptq(W, N, K, H, &o->q, &go, keep, joint, t->name, &q, err);
        } else {
            rc = bm_quantize_rtn(W, N, K, &o->q, keep, t->name, &q, err);
        }
    }
    free(keep);
    free(Wp);
    if (rc)
        return rc;
    rc = bm_layer_plan(o->preset, &q, t->name, o->act_bits, &out->hw, err);
    if (!rc) {
        out->blob = calloc(out->hw.blob_bytes, 1);
        out->rscale = malloc(sizeof(float) * (size_t)N);
        if (!out->blob || !out->rscale)
            rc = bm_fail(err, BM_E_NOMEM, "out of memory");
    }
    if (!rc)
        rc = bm_layer_pack(o->preset, &q, &out->hw, out->blob, out->rscale, err);
    bm_qweight_free(&q);
    if (rc) {
        bm_packed_free(out, 1);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

void bm_packed_free(bm_packed_layer *l, int n)
{
    if (!l)
        return;
    for (int i = 0; i < n; i++) {
        free(l[i].blob);
        free(l[i].rscale);
        l[i].blob = NULL;
        l[i].rscale = NULL;
    }
}

int bm_compile_model(const bm_model *m, const bm_compile_opts *o, bm_packed_layer **out, int *n,
                     void (*progress)(void *ctx, int done, int total, const char *name), void *ctx,
                     bm_err *err)
{
    *out = NULL;
    *n = 0;
    int total = 0;
    for (int i = 0; i < m->n_tensors; i++)
        total += bm_compile_selects(m->tensors[i].name, o->classifier);
    bm_packed_layer *L = calloc((size_t)total + 1, sizeof *L);
    if (!L)
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    bm_calib cal = {0};
    int needH = o->method == BM_METHOD_GPTQ || o->prune == BM_PRUNE_WANDA || o->prune == BM_PRUNE_SPARSEGPT;
    int rc = BM_OK;
    if (needH) {
        if (!o->calib_text || !m->has_tok)
            rc = bm_fail(err, BM_E_INVAL, "GPTQ/Wanda/SparseGPT need calibration text and a tokenizer");
        else
            rc = bm_calib_collect(m, &m->tok, o->calib_text, o->calib_seqs ? o->calib_seqs : 16,
                                  o->calib_len ? o->calib_len : 256, &cal, err);
    }
    int k = 0;
    for (int i = 0; i < m->n_tensors && !rc; i++) {
        const bm_tensor *t = &m->tensors[i];
        if (!bm_compile_selects(t->name, o->classifier))
            continue;
        const double *H = NULL;
        if (needH) {
            const bm_calib_layer *cl = bm_calib_find(&cal, t->name);
            if (!cl) {
                rc = bm_fail(err, BM_E_INVAL, "no calibration statistics for %s", t->name);
                break;
            }
            H = cl->H;
        }
        if (progress)
            progress(ctx, k, total, t->name);
        rc = bm_compile_tensor(t, H, o, &L[k], err);
        if (!rc)
            k++;
    }
    if (needH)
        bm_calib_free(&cal);
    if (rc) {
        bm_packed_free(L, k);
        free(L);
        return rc;
    }
    if (progress)
        progress(ctx, k, total, "");
    *out = L;
    *n = k;
    return BM_OK;
}
