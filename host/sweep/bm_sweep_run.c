/* One sweep point: compile each layer for the point's shape, run it on the
 * cycle model (bm_engine, directly, so synthesized shapes work), cross-check
 * cycles on sim:// where a Verilator model exists, and for model workloads
 * measure perplexity on ref:// the way `bitmill eval` does. */
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bm_eval.h"
#include "bm_llama.h"
#include "bm_offload.h"
#include "bm_sweep_row.h"
#include "sched/bm_sched.h"

#define MEM_BASE 0x10000000ull

static float gauss(uint64_t *rs)
{
    double u = 0;
    for (int i = 0; i < 12; i++) {
        *rs = *rs * 6364136223846793005ull + 1442695040888963407ull;
        u += (double)(*rs >> 11) / 9007199254740992.0;
    }
    return (float)(u - 6.0);
}

static uint64_t align4k(uint64_t x) { return (x + 4095) & ~4095ull; }

/* Per-token absmax INT-a quantization, as bm_offload_linear does. */
static void quant_act(const float *x, int M, int K, int act_bits, int8_t *xq, float *xs)
{
    const int qmax = (1 << (act_bits - 1)) - 1;
    for (int m = 0; m < M; m++) {
        float amax = 0;
        for (int k = 0; k < K; k++) amax = fmaxf(amax, fabsf(x[(size_t)m * K + k]));
        xs[m] = amax > 0 ? amax / (float)qmax : 1.0f;
        for (int k = 0; k < K; k++) {
            float v = rintf(x[(size_t)m * K + k] / xs[m]);
            v = v > qmax ? (float)qmax : v < -qmax ? (float)-qmax : v;
            xq[(size_t)m * K + k] = (int8_t)v;
        }
    }
}

/* Schedule and run one layer on the cycle model. blob == NULL: timing only
 * (device memory stays zero; cycles do not depend on values). */
static int engine_layer(const bm_preset *p, const bm_engine_opts *eo, const bm_layer_hw *hw,
                        const uint8_t *blob, const int8_t *xq, int M, int32_t *acc, bm_run_result *r,
                        bm_err *err)
{
    bm_prog pg;
    bm_prog_init(&pg);
    int rc = bm_sched_layer(p, hw, M, &pg, err);
    if (rc) {
        bm_prog_free(&pg);
        return rc;
    }
    uint64_t ab = bm_act_bytes(p, hw, M);
    uint64_t o_blob = align4k((uint64_t)pg.n * BM_INSN_BYTES), o_act = align4k(o_blob + hw->blob_bytes);
    uint64_t o_out = align4k(o_act + ab), total = align4k(o_out + (uint64_t)M * hw->N * 4);
    uint8_t *mem = calloc(1, total);
    if (!mem) {
        bm_prog_free(&pg);
        return bm_fail(err, BM_E_NOMEM, "%s: cannot allocate %llu bytes of model memory", hw->name,
                       (unsigned long long)total);
    }
    memcpy(mem, pg.bytes, (size_t)pg.n * BM_INSN_BYTES);
    if (blob) memcpy(mem + o_blob, blob, hw->blob_bytes);
    if (xq) bm_act_pack(p, hw, xq, M, mem + o_act);
    bm_run_args a = {MEM_BASE, pg.n, {MEM_BASE + o_blob, MEM_BASE + o_act, MEM_BASE + o_out, 0}};
    bm_engine_opts o = *eo;
    o.timing_only = blob == NULL;
    rc = bm_engine_run(p, &o, mem, MEM_BASE, total, &a, r);
    if (!rc && r->hw_error)
        rc = bm_fail(err, BM_E_DEVICE, "%s: cycle model stopped with error %d at %u: %s", hw->name, r->hw_error,
                     r->err_pc, r->msg);
    if (!rc && acc) memcpy(acc, mem + o_out, (size_t)M * hw->N * 4);
    free(mem);
    bm_prog_free(&pg);
    return rc;
}

/* The same layer on sim:// through the runtime (the path `bitmill layer`
 * takes); counters of that one call in c. */
static int sim_layer(const bm_preset *p, const bm_engine_opts *eo, const bm_packed_layer *pl,
                     const float *x, int M, uint64_t *c, bm_err *err)
{
    char uri[64];
    snprintf(uri, sizeof uri, "sim://%s", p->name);
    bm_dev_opts o = {0};
    o.mem_latency = eo->mem_latency;
    o.mem_bpc = eo->mem_bpc;
    o.mem_bytes = 64ull << 20;
    if (pl->hw.blob_bytes + (uint64_t)M * pl->hw.N * 4 + (8ull << 20) > o.mem_bytes)
        o.mem_bytes = pl->hw.blob_bytes * 2 + (uint64_t)M * pl->hw.N * 8 + (16ull << 20);
    bm_dev *d = NULL;
    bm_offload *off = NULL;
    float *y = malloc(sizeof(float) * (size_t)M * pl->hw.N);
    int rc = y ? bm_dev_open(uri, &o, &d, err) : bm_fail(err, BM_E_NOMEM, "out of memory");
    if (!rc) rc = bm_offload_new_packed(d, NULL, pl, 1, pl->hw.act_bits, &off, err);
    if (!rc) rc = bm_offload_linear(off, pl->name, x, M, (int)pl->hw.K, y, (int)pl->hw.N, err);
    if (!rc) memcpy(c, bm_offload_get_stats(off)->counters, sizeof(uint64_t) * BM_N_COUNTERS);
    bm_offload_free(off);
    bm_dev_close(d);
    free(y);
    return rc;
}

/* Fill the cycle columns of row from a run. */
static void row_counters(bm_sweep_row *row, const bm_preset *p, const bm_layer_hw *hw, int M, const uint64_t *c)
{
    memcpy(row->cnt, c, sizeof row->cnt);
    row->ideal = bm_sched_ideal_cycles(p, hw, M);
    row->bpw = hw->bpw;
    row->terms = hw->terms;
}

/* A layer's full measurement: cycle model (with arithmetic when x is given
 * and the GEMM is small enough), optional RTL check, relative error. */
static int measure(const bm_sweep_spec *s, const bm_sweep_shape *sh, const bm_engine_opts *eo,
                   const bm_packed_layer *pl, const float *W, const float *x, int M, bm_sweep_row *row,
                   bm_err *err)
{
    const bm_preset *p = &sh->p;
    const int N = (int)pl->hw.N, K = (int)pl->hw.K;
    bm_run_result r;
    int arith = pl->blob && x && (double)M * N * K <= (double)s->arith_max_macs;
    int8_t *xq = NULL;
    float *xs = NULL;
    int32_t *acc = NULL;
    int rc = BM_OK;
    if (arith) {
        xq = malloc((size_t)M * K);
        xs = malloc(sizeof(float) * (size_t)M);
        acc = malloc(sizeof(int32_t) * (size_t)M * N);
        if (!xq || !xs || !acc) rc = bm_fail(err, BM_E_NOMEM, "out of memory");
        else quant_act(x, M, K, pl->hw.act_bits, xq, xs);
    }
    if (!rc) rc = engine_layer(p, eo, &pl->hw, arith ? pl->blob : NULL, xq, M, acc, &r, err);
    if (!rc) {
        row_counters(row, p, &pl->hw, M, r.counters);
        row->timing_only = !arith;
    }
    if (!rc && arith && W) {
        double num = 0, den = 0;
        for (int m = 0; m < M; m++)
            for (int n = 0; n < N; n++) {
                double ref = 0;
                for (int k = 0; k < K; k++) ref += (double)x[(size_t)m * K + k] * W[(size_t)n * K + k];
                double y = (double)acc[(size_t)m * N + n] * pl->rscale[n] * xs[m];
                num += (y - ref) * (y - ref);
                den += ref * ref;
            }
        row->rel_error = den > 0 ? sqrt(num / den) : 0;
    }
    /* RTL check: preset shapes with a Verilator model, cheap enough. */
    row->rtl_checked = 0;
    if (!rc && s->rtl && sh->is_preset && x && pl->blob && row->ideal <= (double)s->rtl_max_cycles &&
        bm_sim_available(p->name)) {
        uint64_t c[BM_N_COUNTERS];
        rc = sim_layer(p, eo, pl, x, M, c, err);
        if (!rc) {
            row->rtl_checked = 1;
            row->rtl_cycles = c[BM_CNT_CYCLES];
            row->rtl_counter_diffs = 0;
            for (int i = 0; i < BM_N_COUNTERS; i++)
                row->rtl_counter_diffs += c[i] != r.counters[i];
        }
    }
    free(xq); free(xs); free(acc);
    return rc;
}

static void row_init(bm_sweep_row *row, const bm_sweep_spec *s, const bm_sweep_point *pt,
                     const bm_engine_opts *eo, const bm_sweep_env *env, const bm_sweep_res *res)
{
    memset(row, 0, sizeof *row);
    row->spec = s;
    row->pt = pt;
    row->env = env;
    row->res = res;
    row->mem_bpc = eo->mem_bpc;
    row->mem_latency = eo->mem_latency;
    row->rel_error = NAN;
    row->ppl = NAN;
    row->fp32_ppl = NAN;
}

static int run_gemms(const bm_sweep_spec *s, const bm_sweep_point *pt, const bm_sweep_shape *sh,
                     const bm_engine_opts *eo, const bm_sweep_env *env, const bm_sweep_res *res, FILE *out,
                     bm_err *err)
{
    const bm_sweep_workload *w = &s->wl[pt->wl];
    bm_compile_opts co = pt->co;
    co.preset = &sh->p;
    int rc = BM_OK;
    for (int i = 0; i < w->ng && !rc; i++) {
        const bm_sweep_gemm *g = &w->g[i];
        uint64_t rs = (uint64_t)s->seed * 0x9E3779B97F4A7C15ull + (uint64_t)i + 1;
        int arith = (double)g->M * g->N * g->K <= (double)s->arith_max_macs;
        /* Timing-only GEMMs: quantize a sample of rows to learn the term
         * count and bits, then plan the full N (cycles do not depend on
         * weight values). */
        int Nq = arith ? g->N : (g->N < 64 ? g->N : 64);
        float *W = malloc(sizeof(float) * (size_t)Nq * g->K);
        float *x = arith ? malloc(sizeof(float) * (size_t)g->M * g->K) : NULL;
        double *H = NULL;
        if (!W || (arith && !x)) {
            free(W); free(x);
            return bm_fail(err, BM_E_NOMEM, "out of memory");
        }
        for (long k = 0; k < (long)Nq * g->K; k++) W[k] = 0.02f * gauss(&rs);
        for (long k = 0; arith && k < (long)g->M * g->K; k++) x[k] = gauss(&rs);
        int needH = co.method == BM_METHOD_GPTQ || co.prune == BM_PRUNE_WANDA || co.prune == BM_PRUNE_SPARSEGPT;
        if (needH) {
            /* Random GEMMs have white activations: H = 2 I. */
            H = calloc((size_t)g->K * g->K, sizeof(double));
            if (!H) rc = bm_fail(err, BM_E_NOMEM, "out of memory");
            for (int k = 0; H && k < g->K; k++) H[(size_t)k * g->K + k] = 2.0;
        }
        bm_tensor t = {{0}, Nq, g->K, W};
        snprintf(t.name, sizeof t.name, "%s", g->label);
        bm_packed_layer pl = {0};
        if (!rc) rc = bm_compile_tensor(&t, H, &co, &pl, err);
        if (!rc && !arith) {
            /* Re-plan for the full N; the sample's blob is not used. */
            pl.hw.N = (uint32_t)g->N;
            pl.hw.ntiles = (pl.hw.N + sh->p.rows - 1) / sh->p.rows;
            pl.hw.blob_bytes = pl.hw.blob_bytes - (uint64_t)((Nq + sh->p.rows - 1) / sh->p.rows) * pl.hw.tile_bytes +
                               (uint64_t)pl.hw.ntiles * pl.hw.tile_bytes;
            free(pl.blob);
            pl.blob = NULL;
        }
        if (!rc) {
            bm_sweep_row row;
            row_init(&row, s, pt, eo, env, res);
            snprintf(row.layer, sizeof row.layer, "%s", g->label);
            row.M = g->M; row.N = g->N; row.K = g->K;
            rc = measure(s, sh, eo, &pl, W, x, g->M, &row, err);
            if (!rc) rc = bm_sweep_row_write(out, &row, err);
        }
        bm_packed_free(&pl, 1);
        free(W); free(x); free(H);
        if (rc) bm_wrap(err, "%s %s", w->name, g->label);
    }
    return rc;
}

static int load_model(const char *path, bm_model *m, bm_err *err)
{
    int rc = bm_model_load(path, m, err);
    if (rc || m->has_tok) return rc;
    char tmp[1024], tp[1200];
    snprintf(tmp, sizeof tmp, "%s", path);
    snprintf(tp, sizeof tp, "%s/tok%d.bin", dirname(tmp), m->cfg.vocab_size);
    rc = bm_tokenizer_load_llama2c(tp, m->cfg.vocab_size, &m->tok, err);
    if (rc) {
        bm_model_free(m);
        return bm_wrap(err, "tokenizer for %s", path);
    }
    m->has_tok = 1;
    return BM_OK;
}

static char *slurp(const char *path, bm_err *err)
{
    FILE *f = fopen(path, "rb");
    char *s = NULL;
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
        s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        if (f) fclose(f);
        bm_fail(err, BM_E_IO, "%s: cannot read", path);
        return NULL;
    }
    s[n] = 0;
    fclose(f);
    return s;
}

/* Perplexity as `bitmill eval` computes it; dev_uri NULL = fp32. */
static int perplexity(const bm_sweep_spec *s, const bm_model *m, const char *text, const char *dev_uri,
                      const bm_engine_opts *eo, const bm_packed_layer *pl, int npl, int act_bits, double *ppl,
                      long *scored, bm_err *err)
{
    bm_llama *l = NULL;
    bm_dev *d = NULL;
    bm_offload *off = NULL;
    bm_dev_opts o = {0};
    o.mem_latency = eo->mem_latency;
    o.mem_bpc = eo->mem_bpc;
    int rc = bm_llama_new(m, s->window, &l, err);
    if (!rc && dev_uri) {
        rc = bm_dev_open(dev_uri, &o, &d, err);
        if (!rc) rc = bm_offload_new_packed(d, m, pl, npl, act_bits, &off, err);
        if (!rc) bm_llama_set_linear(l, bm_offload_linear, off);
    }
    if (!rc)
        rc = bm_eval_ppl(l, &m->tok, text, s->max_tokens, s->window, s->window, NULL, NULL, ppl, scored, err);
    bm_llama_free(l);
    bm_offload_free(off);
    bm_dev_close(d);
    return rc;
}

static int run_model(const bm_sweep_spec *s, const bm_sweep_point *pt, const bm_sweep_shape *sh,
                     const bm_engine_opts *eo, const bm_sweep_env *env, const bm_sweep_res *res, FILE *out,
                     bm_err *err)
{
    const bm_sweep_workload *w = &s->wl[pt->wl];
    bm_model m;
    int rc = load_model(w->model, &m, err);
    if (rc) return rc;
    char *text = slurp(w->text, err), *calib = NULL;
    if (!text) {
        bm_model_free(&m);
        return BM_E_IO;
    }
    bm_compile_opts co = pt->co;
    co.preset = &sh->p;
    int needH = co.method == BM_METHOD_GPTQ || co.prune == BM_PRUNE_WANDA || co.prune == BM_PRUNE_SPARSEGPT;
    if (needH) {
        if (!s->calib[0]) rc = bm_fail(err, BM_E_INVAL, "%s: gptq/wanda/sparsegpt need 'calib: PATH' in the spec", pt->id);
        else if (!(calib = slurp(s->calib, err))) rc = BM_E_IO;
        co.calib_text = calib;
    }
    bm_packed_layer *pl = NULL;
    int npl = 0;
    if (!rc) rc = bm_compile_model(&m, &co, &pl, &npl, NULL, NULL, err);
    double ppl = NAN, ppl32 = NAN;
    long scored = 0;
    /* Perplexity runs on ref:// of the preset (bit-identical to sim://, as
     * the e2e tests show); a synthesized shape has no device to run on. */
    if (!rc && sh->is_preset) {
        char uri[64];
        snprintf(uri, sizeof uri, "ref://%s", sh->p.name);
        rc = perplexity(s, &m, text, uri, eo, pl, npl, co.act_bits, &ppl, &scored, err);
        if (!rc) rc = perplexity(s, &m, text, NULL, eo, NULL, 0, 0, &ppl32, &scored, err);
    }
    uint64_t rs = (uint64_t)s->seed * 0x9E3779B97F4A7C15ull + 7;
    for (int i = 0; i < npl && !rc; i++) {
        const bm_tensor *t = bm_model_find(&m, pl[i].name);
        const int M = s->tokens, K = (int)pl[i].hw.K;
        float *x = malloc(sizeof(float) * (size_t)M * K);
        if (!x || !t) {
            free(x);
            rc = bm_fail(err, BM_E_NOMEM, "out of memory");
            break;
        }
        for (long k = 0; k < (long)M * K; k++) x[k] = gauss(&rs);
        bm_sweep_row row;
        row_init(&row, s, pt, eo, env, res);
        snprintf(row.layer, sizeof row.layer, "%s", pl[i].name);
        row.M = M; row.N = (int)pl[i].hw.N; row.K = K;
        row.ppl = ppl; row.fp32_ppl = ppl32; row.ppl_tokens = scored;
        rc = measure(s, sh, eo, &pl[i], t->data, x, M, &row, err);
        if (!rc) rc = bm_sweep_row_write(out, &row, err);
        free(x);
    }
    if (rc) bm_wrap(err, "%s", w->name);
    bm_packed_free(pl, npl);
    free(pl);
    free(text);
    free(calib);
    bm_model_free(&m);
    return rc;
}

int bm_sweep_run_point(const bm_sweep_spec *s, const bm_sweep_point *pt, const bm_sweep_env *env, FILE *out,
                       bm_err *err)
{
    return bm_sweep_run_point_res(s, pt, env, NULL, out, err);
}

int bm_sweep_run_point_res(const bm_sweep_spec *s, const bm_sweep_point *pt, const bm_sweep_env *env,
                           const bm_sweep_res *res, FILE *out, bm_err *err)
{
    const bm_sweep_shape *sh = &s->shape[pt->shape];
    bm_engine_opts eo = {0};
    eo.mem_latency = s->mem_latency ? (uint32_t)s->mem_latency : sh->p.mem_latency;
    eo.mem_bpc = s->mem_bpc ? (uint32_t)s->mem_bpc : sh->p.mem_bpc;
    int rc = s->wl[pt->wl].is_model ? run_model(s, pt, sh, &eo, env, res, out, err)
                                    : run_gemms(s, pt, sh, &eo, env, res, out, err);
    return rc ? bm_wrap(err, "point %s", pt->id) : BM_OK;
}
