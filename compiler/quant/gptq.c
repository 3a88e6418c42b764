/* GPTQ and SparseGPT in one OBS loop (BRIEF section 5): lazy blocks with a
 * rank-1 update per column and one GEMM per block, group refit from the
 * current error-updated weights, 2:4 choice per aligned run of 4. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bm_quant_impl.h"
#include "sparse/bm_sparse.h"

typedef struct obs_state {
    const bm_obs_job *j;
    const bm_qconf *c;
    int N, K, G, B, ng;
    double *Wd, *U, *Wb, *Err;
    uint8_t *dead, *mask;    /* mask [N][K] in original column order, NULL = dense */
    int *perm;               /* act-order permutation, NULL = identity */
    float *rscale;           /* [N] two-level row scales, NULL without */
    bm_gfit *cur, *stat;     /* current fit per row; static fits [N][ng] (act-order) */
    float *gbuf;
    uint8_t *kbuf;
} obs_state;

static int gcd(int a, int b) { return b ? gcd(b, a % b) : a; }

/* Lazy batching is exact reorganization, so the block may be adjusted
 * freely: group boundaries must fall where every column of the group is
 * current (block start, or group inside one block) and 2:4 runs must lie
 * inside one block. */
static int pick_block(int B, int G, int K, int sparse, int act_order)
{
    int g = (G < K && !act_order) ? G : 1;
    int a = sparse ? g / gcd(g, 4) * 4 : g;
    if (B % a == 0 || (a % B == 0 && (!sparse || B % 4 == 0)))
        return B;
    return a <= B ? a * (B / a) : a;
}

/* Fit every row's group starting at permuted column col (= original column,
 * no act-order here) from the current weights: in-block columns live in Wb. */
static void refit(obs_state *s, int col, int i1, int i2, bm_qweight *out)
{
    int len = col + s->G <= s->K ? s->G : s->K - col, g = col / s->G;
    for (int n = 0; n < s->N; n++) {
        for (int u = 0; u < len; u++) {
            int cc = col + u;
            double v = cc < i2 ? s->Wb[(size_t)(cc - i1) * s->N + n] : s->Wd[(size_t)n * s->K + cc];
            s->gbuf[u] = (float)v;
            /* SparseGPT decides later runs' masks later: fit on all weights, as SparseGPT does. */
            s->kbuf[u] = s->mask && !s->j->sparse24 ? s->mask[(size_t)n * s->K + cc] : 1;
        }
        bm_q_fit(s->c, s->gbuf, s->kbuf, len, s->rscale ? s->rscale[n] : 0.0f, &s->cur[n]);
        const bm_gfit *f = &s->cur[n];
        size_t gi = (size_t)n * s->ng + g;
        out->sel[gi] = (uint8_t)f->sel;
        out->zero[gi] = (int8_t)(s->c->dtype == BM_DT_INT_ASYM ? f->z - (1 << (s->c->bits - 1)) : 0);
        out->gscale[gi] = f->gscale;
        if (out->scode)
            out->scode[gi] = (uint8_t)f->scode;
    }
}

/* 2:4 choice for the run starting at column col: prune, per row, the 2
 * smallest w^2 / U_cc^2 (ties keep the lower k, as bm_prune_24_mask). */
static void choose_run(obs_state *s, int col, int i1)
{
    int len = s->K - col < 4 ? s->K - col : 4;
    for (int n = 0; n < s->N; n++) {
        double sc[4];
        for (int u = 0; u < len; u++) {
            double w = s->Wb[(size_t)(col + u - i1) * s->N + n], d = s->U[(size_t)(col + u) * s->K + col + u];
            sc[u] = w * w / (d * d);
        }
        for (int u = 0; u < len; u++) {
            int better = 0;
            for (int v = 0; v < len; v++)
                if (v != u && (sc[v] > sc[u] || (sc[v] == sc[u] && v < u)))
                    better++;
            s->mask[(size_t)n * s->K + col + u] = better < 2;
        }
    }
}

/* Fit every group of every row from the current Wd (original order). */
static void fit_all(obs_state *s, float rs_mode, bm_gfit *fits_row, int n)
{
    for (int g = 0; g < s->ng; g++) {
        int k1 = g * s->G, len = k1 + s->G <= s->K ? s->G : s->K - k1;
        for (int u = 0; u < len; u++) {
            s->gbuf[u] = (float)s->Wd[(size_t)n * s->K + k1 + u];
            s->kbuf[u] = s->mask ? s->mask[(size_t)n * s->K + k1 + u] : 1;
        }
        bm_q_fit(s->c, s->gbuf, s->kbuf, len, rs_mode, &fits_row[g]);
    }
}

static int obs_loop(obs_state *s, bm_qweight *out, float *W_out, bm_err *err)
{
    const bm_obs_job *j = s->j;
    int N = s->N, K = s->K;
    for (int i1 = 0; i1 < K; i1 += s->B) {
        int i2 = i1 + s->B < K ? i1 + s->B : K, cnt = i2 - i1;
        for (int t = 0; t < cnt; t++)
            for (int n = 0; n < N; n++)
                s->Wb[(size_t)t * N + n] = s->Wd[(size_t)n * K + i1 + t];
        for (int t = 0; t < cnt; t++) {
            int col = i1 + t, oc = s->perm ? s->perm[col] : col;
            double d = s->U[(size_t)col * K + col];
            if (j->sparse24 && col % 4 == 0)
                choose_run(s, col, i1);
            if (s->c && !s->perm && col % s->G == 0)
                refit(s, col, i1, i2, out);
            double *wcol = s->Wb + (size_t)t * N, *ecol = s->Err + (size_t)t * N;
            for (int n = 0; n < N; n++) {
                size_t i = (size_t)n * K + oc;
                double w = wcol[n], qv = w;
                int pruned = s->mask && !s->mask[i];
                if (s->c) {
                    const bm_gfit *f = s->perm ? &s->stat[(size_t)n * s->ng + oc / s->G] : &s->cur[n];
                    float wf = (float)w;
                    if (!isfinite(wf))
                        return bm_fail(err, BM_E_NUMERIC,
                                       "tensor %s: GPTQ diverged at weight [%d][%d]",
                                       j->tensor ? j->tensor : "(unnamed)", n, oc);
                    int code = pruned ? bm_q_zero_code(s->c, f) : bm_q_encode(s->c, f, wf);
                    out->code[i] = (uint8_t)code;
                    qv = pruned ? 0.0 : bm_q_decode(s->c, f, code);
                } else if (pruned) {
                    qv = 0.0;
                }
                ecol[n] = (w - qv) / d;
                if (W_out)
                    W_out[i] = (float)qv;
            }
            if (t + 1 < cnt)
                cblas_dger(CblasRowMajor, cnt - t - 1, N, -1.0, s->U + (size_t)col * K + col + 1, 1,
                           ecol, 1, s->Wb + (size_t)(t + 1) * N, N);
        }
        if (i2 < K)
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, N, K - i2, cnt, -1.0, s->Err, N,
                        s->U + (size_t)i1 * K + i2, K, 1.0, s->Wd + i2, K);
    }
    return BM_OK;
}

/* Inputs checks shared by GPTQ and SparseGPT. */
static int obs_check(const bm_obs_job *j, bm_err *err)
{
    const char *t = j->tensor ? j->tensor : "(unnamed)";
    if (!j->W || !j->H || j->N <= 0 || j->K <= 0)
        return bm_fail(err, BM_E_INVAL, "tensor %s: bad GPTQ arguments", t);
    if (j->opts.block <= 0 || !(j->opts.percdamp >= 0.0))
        return bm_fail(err, BM_E_INVAL, "tensor %s: GPTQ block %d / percdamp %g invalid", t,
                       j->opts.block, j->opts.percdamp);
    if (j->opts.act_order && (j->keep_in || j->sparse24))
        return bm_fail(err, BM_E_INVAL,
                       "tensor %s: act-order permutes K and breaks 2:4 runs; not combinable", t);
    if (j->keep_in && j->sparse24)
        return bm_fail(err, BM_E_INVAL, "tensor %s: fixed mask and SparseGPT mask both given", t);
    if ((size_t)j->K > SIZE_MAX / 8 / (size_t)j->K || (size_t)j->N > SIZE_MAX / 8 / (size_t)j->K)
        return bm_fail(err, BM_E_RANGE, "tensor %s: shape overflows", t);
    if (j->keep_in && !bm_check_24(j->keep_in, j->N, j->K))
        return bm_fail(err, BM_E_INVAL, "tensor %s: keep mask is not 2:4", t);
    int rc = bm_q_check_finite(j->W, j->N, j->K, t, err);
    if (rc)
        return rc;
    for (size_t i = 0, n = (size_t)j->K * j->K; i < n; i++)
        if (!isfinite(j->H[i]))
            return bm_fail(err, BM_E_NUMERIC, "tensor %s: Hessian H[%zu][%zu] is %s", t,
                           i / (size_t)j->K, i % (size_t)j->K, isnan(j->H[i]) ? "NaN" : "Inf");
    return BM_OK;
}

typedef struct { double d; int k; } diag_k;
static int cmp_diag_desc(const void *a, const void *b)
{
    const diag_k *x = a, *y = b;
    return x->d > y->d ? -1 : x->d < y->d ? 1 : x->k - y->k; /* ties: lower k first */
}

int bm_obs_run(const bm_obs_job *j, bm_qweight *out, float *W_out, uint8_t *keep_out, bm_err *err)
{
    int rc = obs_check(j, err);
    if (rc)
        return rc;
    if (j->c && (rc = bm_qconf_check(j->c, err)))
        return rc;
    obs_state s = {.j = j, .c = j->c, .N = j->N, .K = j->K};
    int N = j->N, K = j->K;
    s.G = j->c ? bm_q_group_of(j->c, K) : K;
    s.ng = (K + s.G - 1) / s.G;
    s.B = pick_block(j->opts.block, s.G, K, j->sparse24, j->opts.act_order);
    int Bc = s.B < K ? s.B : K, two = j->c && j->c->scale_bits > 0;
    size_t nk = (size_t)N * K;
    if (j->c && (rc = bm_qweight_alloc(out, N, K, j->c, j->keep_in || j->sparse24, err)))
        return rc;
    s.Wd = malloc(nk * sizeof(double));
    s.U = malloc((size_t)K * K * sizeof(double));
    s.Wb = malloc((size_t)Bc * N * sizeof(double));
    s.Err = malloc((size_t)Bc * N * sizeof(double));
    s.dead = calloc((size_t)K, 1);
    s.cur = calloc((size_t)N, sizeof *s.cur);
    s.gbuf = malloc((size_t)s.G * sizeof(float));
    s.kbuf = malloc((size_t)s.G);
    int ok = s.Wd && s.U && s.Wb && s.Err && s.dead && s.cur && s.gbuf && s.kbuf;
    if (ok && (j->keep_in || j->sparse24))
        ok = (s.mask = malloc(nk)) != NULL;
    if (ok && two)
        ok = (s.rscale = malloc((size_t)N * sizeof(float))) != NULL;
    if (ok && j->opts.act_order)
        ok = (s.perm = malloc((size_t)K * sizeof(int))) && (s.stat = malloc(sizeof *s.stat * (size_t)N * s.ng));
    if (!ok) {
        rc = bm_fail(err, BM_E_NOMEM, "tensor %s: out of memory for GPTQ [%d][%d]",
                     j->tensor ? j->tensor : "(unnamed)", N, K);
        goto done;
    }
    for (size_t i = 0; i < nk; i++)
        s.Wd[i] = j->W[i];
    if (s.mask)
        for (size_t i = 0; i < nk; i++)
            s.mask[i] = j->keep_in ? j->keep_in[i] != 0 : 1;
    for (int k = 0; k < K; k++) /* dead inputs: nothing to calibrate, the weight cannot matter */
        if (j->H[(size_t)k * K + k] == 0.0) {
            s.dead[k] = 1;
            for (int n = 0; n < N; n++)
                s.Wd[(size_t)n * K + k] = 0.0;
        }
    if (j->c && (two || s.perm)) {
        /* The row scale must exist before the first refit: take it from the
         * fp32 fits of the (dead-zeroed) input; later refits saturate at the
         * top code if GPTQ grows a group past the row maximum. */
        bm_gfit *row = s.perm ? NULL : malloc(sizeof *row * (size_t)s.ng);
        if (!s.perm && !row) {
            rc = bm_fail(err, BM_E_NOMEM, "GPTQ: out of memory");
            goto done;
        }
        for (int n = 0; n < N; n++) {
            bm_gfit *fr = s.perm ? s.stat + (size_t)n * s.ng : row;
            fit_all(&s, 0.0f, fr, n);
            if (two) {
                s.rscale[n] = bm_q_rscale(j->c, fr, s.ng);
                if (s.perm) /* static groups (act-order): final fits now */
                    fit_all(&s, s.rscale[n], fr, n);
            }
        }
        free(row);
    }
    if (s.perm) {
        diag_k *diag = malloc((size_t)K * sizeof *diag);
        double *tmp = malloc((size_t)K * sizeof(double));
        if (!diag || !tmp) {
            free(diag);
            free(tmp);
            rc = bm_fail(err, BM_E_NOMEM, "GPTQ: out of memory");
            goto done;
        }
        for (int k = 0; k < K; k++)
            diag[k] = (diag_k){s.dead[k] ? 1.0 : j->H[(size_t)k * K + k], k};
        qsort(diag, (size_t)K, sizeof *diag, cmp_diag_desc);
        for (int k = 0; k < K; k++)
            s.perm[k] = diag[k].k;
        for (int n = 0; n < N; n++) {
            double *r = s.Wd + (size_t)n * K;
            for (int k = 0; k < K; k++)
                tmp[k] = r[s.perm[k]];
            memcpy(r, tmp, (size_t)K * sizeof(double));
        }
        free(diag);
        free(tmp);
        for (int n = 0; n < N; n++)
            for (int g = 0; g < s.ng; g++) {
                const bm_gfit *f = &s.stat[(size_t)n * s.ng + g];
                size_t gi = (size_t)n * s.ng + g;
                out->sel[gi] = (uint8_t)f->sel;
                out->zero[gi] = (int8_t)(j->c->dtype == BM_DT_INT_ASYM ? f->z - (1 << (j->c->bits - 1)) : 0);
                out->gscale[gi] = f->gscale;
                if (out->scode)
                    out->scode[gi] = (uint8_t)f->scode;
            }
    }
    if ((rc = bm_obs_hinv_chol(s.U, j->H, s.dead, s.perm, K, j->opts.percdamp, NULL, err))) {
        bm_wrap(err, "tensor %s", j->tensor ? j->tensor : "(unnamed)");
        goto done;
    }
    if ((rc = obs_loop(&s, out, W_out, err)))
        goto done;
    if (two)
        memcpy(out->rscale, s.rscale, (size_t)N * sizeof(float));
    if (s.mask && out && out->keep)
        memcpy(out->keep, s.mask, nk);
    if (s.mask && keep_out)
        memcpy(keep_out, s.mask, nk);
done:
    if (rc && j->c)
        bm_qweight_free(out);
    free(s.Wd);
    free(s.U);
    free(s.Wb);
    free(s.Err);
    free(s.dead);
    free(s.mask);
    free(s.perm);
    free(s.rscale);
    free(s.cur);
    free(s.stat);
    free(s.gbuf);
    free(s.kbuf);
    return rc;
}

int bm_quantize_gptq(const float *W, int N, int K, const double *H, const bm_qconf *c,
                     const bm_gptq_opts *o, const uint8_t *keep_or_null, int sparsegpt_24,
                     const char *tensor, bm_qweight *out, bm_err *err)
{
    if (!c || !out)
        return bm_fail(err, BM_E_INVAL, "GPTQ: NULL configuration or output");
    bm_obs_job j = {.W = W, .N = N, .K = K, .H = H, .c = c, .opts = o ? *o : BM_GPTQ_DEFAULTS,
                    .keep_in = keep_or_null, .sparse24 = sparsegpt_24 != 0, .tensor = tensor};
    return bm_obs_run(&j, out, NULL, NULL, err);
}
