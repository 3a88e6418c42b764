/* Linear-layer offload; see bm_offload.h. */
#include "bm_offload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_llama.h"
#include "sched/bm_sched.h"

typedef struct olayer {
    char name[96];
    bm_layer_hw hw;
    float *rscale;
    uint64_t blob_addr;
} olayer;

struct bm_offload {
    bm_dev *dev;
    const bm_model *m;
    const bm_preset *p;
    int act_bits;
    olayer *L;
    int nl;
    uint64_t act_addr, act_cap, out_addr, out_cap, prog_addr, prog_cap;
    bm_offload_stats st;
};

/* Grow a device buffer to at least `need` bytes. */
static int ensure(bm_dev *d, uint64_t *addr, uint64_t *cap, uint64_t need, bm_err *err)
{
    if (*cap >= need)
        return BM_OK;
    if (*cap)
        bm_buf_free(d, *addr);
    *cap = 0;
    uint64_t sz = need < 4096 ? 4096 : need * 2;
    int rc = bm_buf_alloc(d, sz, addr, err);
    if (!rc)
        *cap = sz;
    return rc;
}

int bm_offload_new_packed(bm_dev *dev, const bm_model *m, const bm_packed_layer *pl, int n,
                          int act_bits, bm_offload **out, bm_err *err)
{
    *out = NULL;
    const bm_dev_info *info = bm_dev_query(dev);
    if (!info->preset)
        return bm_fail(err, BM_E_NODEV, "device preset 0x%08x is unknown to this build", info->preset_hash);
    bm_offload *f = calloc(1, sizeof *f);
    if (!f)
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    f->dev = dev;
    f->m = m;
    f->p = info->preset;
    f->act_bits = act_bits ? act_bits : 8;
    f->L = calloc((size_t)n + 1, sizeof(olayer));
    if (!f->L) {
        free(f);
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    }
    double bits = 0;
    int rc = BM_OK;
    for (int i = 0; i < n && !rc; i++) {
        olayer *L = &f->L[i];
        snprintf(L->name, sizeof L->name, "%s", pl[i].name);
        L->hw = pl[i].hw;
        L->rscale = malloc(sizeof(float) * L->hw.N);
        if (!L->rscale) {
            rc = bm_fail(err, BM_E_NOMEM, "out of memory");
            break;
        }
        memcpy(L->rscale, pl[i].rscale, sizeof(float) * L->hw.N);
        f->nl++;
        rc = bm_buf_alloc(dev, L->hw.blob_bytes, &L->blob_addr, err);
        if (!rc)
            rc = bm_buf_write(dev, L->blob_addr, pl[i].blob, L->hw.blob_bytes, err);
        else
            L->blob_addr = 0;
        bits += L->hw.bpw * (double)L->hw.N * L->hw.K;
        f->st.weights += (uint64_t)L->hw.N * L->hw.K;
    }
    if (rc) {
        bm_offload_free(f);
        return rc;
    }
    f->st.bits_per_weight = f->st.weights ? bits / (double)f->st.weights : 0;
    *out = f;
    return BM_OK;
}

int bm_offload_new(bm_dev *dev, const bm_model *m, const bm_compile_opts *o, bm_offload **out,
                   bm_err *err)
{
    const bm_dev_info *info = bm_dev_query(dev);
    if (!info->preset)
        return bm_fail(err, BM_E_NODEV, "device preset 0x%08x is unknown to this build", info->preset_hash);
    bm_compile_opts co = *o;
    co.preset = info->preset;
    bm_packed_layer *pl;
    int n;
    int rc = bm_compile_model(m, &co, &pl, &n, NULL, NULL, err);
    if (rc)
        return rc;
    rc = bm_offload_new_packed(dev, m, pl, n, co.act_bits, out, err);
    bm_packed_free(pl, n);
    free(pl);
    return rc;
}

void bm_offload_free(bm_offload *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->nl; i++) {
        free(f->L[i].rscale);
        if (f->L[i].blob_addr)
            bm_buf_free(f->dev, f->L[i].blob_addr);
    }
    if (f->act_cap) bm_buf_free(f->dev, f->act_addr);
    if (f->out_cap) bm_buf_free(f->dev, f->out_addr);
    if (f->prog_cap) bm_buf_free(f->dev, f->prog_addr);
    free(f->L);
    free(f);
}

const bm_offload_stats *bm_offload_get_stats(const bm_offload *f) { return &f->st; }

void bm_offload_reset_stats(bm_offload *f)
{
    uint64_t w = f->st.weights;
    double b = f->st.bits_per_weight;
    memset(&f->st, 0, sizeof f->st);
    f->st.weights = w;
    f->st.bits_per_weight = b;
}

int bm_offload_linear(void *ctx, const char *name, const float *x, int M, int K, float *y, int N,
                      bm_err *err)
{
    bm_offload *f = ctx;
    olayer *L = NULL;
    for (int i = 0; i < f->nl; i++)
        if (strcmp(f->L[i].name, name) == 0)
            L = &f->L[i];
    if (!L && f->m)
        return bm_linear_fp32((void *)f->m, name, x, M, K, y, N, err);
    if (!L)
        return bm_fail(err, BM_E_INVAL, "no offloaded layer named %s", name);
    if ((uint32_t)K != L->hw.K || (uint32_t)N != L->hw.N)
        return bm_fail(err, BM_E_INVAL, "%s: called with %dx%d, compiled for %ux%u", name, N, K,
                       L->hw.N, L->hw.K);
    /* Per-token absmax activation quantization. */
    const int qmax = (1 << (f->act_bits - 1)) - 1;
    int8_t *xq = malloc((size_t)M * K);
    float *xs = malloc(sizeof(float) * (size_t)M);
    uint64_t ab = bm_act_bytes(f->p, &L->hw, M);
    uint8_t *act = malloc(ab);
    int32_t *acc = malloc(sizeof(int32_t) * (size_t)M * N);
    bm_prog pg = {0};
    int rc = (!xq || !xs || !act || !acc) ? bm_fail(err, BM_E_NOMEM, "out of memory") : BM_OK;
    for (int m = 0; m < M && !rc; m++) {
        float amax = 0;
        for (int k = 0; k < K; k++)
            amax = fmaxf(amax, fabsf(x[(size_t)m * K + k]));
        xs[m] = amax > 0 ? amax / (float)qmax : 1.0f;
        for (int k = 0; k < K; k++) {
            float v = rintf(x[(size_t)m * K + k] / xs[m]);
            v = v > qmax ? (float)qmax : v < -qmax ? (float)-qmax : v;
            xq[(size_t)m * K + k] = (int8_t)v;
        }
    }
    if (!rc) {
        bm_act_pack(f->p, &L->hw, xq, M, act);
        rc = bm_sched_layer(f->p, &L->hw, M, &pg, err);
    }
    if (!rc) rc = ensure(f->dev, &f->act_addr, &f->act_cap, ab, err);
    if (!rc) rc = ensure(f->dev, &f->out_addr, &f->out_cap, (uint64_t)M * N * 4, err);
    if (!rc) rc = ensure(f->dev, &f->prog_addr, &f->prog_cap, (uint64_t)pg.n * BM_INSN_BYTES, err);
    if (!rc) rc = bm_buf_write(f->dev, f->act_addr, act, ab, err);
    if (!rc) rc = bm_buf_write(f->dev, f->prog_addr, pg.bytes, (uint64_t)pg.n * BM_INSN_BYTES, err);
    bm_run_result r;
    if (!rc) {
        bm_run_args a = {f->prog_addr, pg.n, {L->blob_addr, f->act_addr, f->out_addr, 0}};
        rc = bm_dev_run(f->dev, &a, 600000, &r, err);
    }
    if (!rc) rc = bm_buf_read(f->dev, f->out_addr, acc, (uint64_t)M * N * 4, err);
    if (!rc) {
        for (int m = 0; m < M; m++)
            for (int n = 0; n < N; n++)
                y[(size_t)m * N + n] = (float)acc[(size_t)m * N + n] * L->rscale[n] * xs[m];
        f->st.calls++;
        f->st.tokens += (uint64_t)M;
        f->st.cycles += r.counters[BM_CNT_CYCLES];
        f->st.ideal_cycles_x100 += (uint64_t)(100.0 * bm_sched_ideal_cycles(f->p, &L->hw, M));
        f->st.step_cycles += r.counters[BM_CNT_CP_STEP];
        for (int i = 0; i < BM_N_COUNTERS; i++)
            f->st.counters[i] += r.counters[i];
    } else {
        bm_wrap(err, "offloading %s", name);
    }
    bm_prog_free(&pg);
    free(xq); free(xs); free(act); free(acc);
    return rc;
}
