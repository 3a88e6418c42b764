/* Compile -> execute: random layers quantized in every format, packed and
 * scheduled for every preset, run on the reference engine; the int32 outputs
 * must equal the integer matmul computed directly from the quantizer's codes,
 * selectors, zero offsets and scale codes, bit for bit. */
#include <math.h>

#include "bm_lower_ref.h"
#include "bm_test.h"
#include "bm_driver.h"
#include "bm_engine.h"
#include "pack/bm_pack.h"
#include "sched/bm_sched.h"

/* the preset's device-memory window (below 2^addr_bits, bm_dev_mem_base) */
#define BASE bm_dev_mem_base(p, 1ull << 30)

static int run_case(const bm_preset *p, bm_dtype dt, int bits, int group, int sparse, int N, int K, int M)
{
    float *W = malloc(sizeof(float) * N * K);
    uint8_t *keep = NULL;
    for (int i = 0; i < N * K; i++) W[i] = frand() * frand();
    if (sparse) {
        keep = calloc((size_t)N * K, 1);
        for (int n = 0; n < N; n++)
            for (int k0 = 0; k0 < K; k0 += 4) {
                int a = rnd() % 4, b = (a + 1 + rnd() % 3) % 4, cnt = rnd() % 3; /* keep 0..2 */
                if (cnt >= 1 && k0 + a < K) keep[(size_t)n * K + k0 + a] = 1;
                if (cnt >= 2 && k0 + b < K) keep[(size_t)n * K + k0 + b] = 1;
            }
    }
    bm_qconf qc = {dt, bits, group, 8, 0, 0};
    bm_qweight q;
    bm_err err = {0};
    int rc = bm_quantize_rtn(W, N, K, &qc, keep, "t", &q, &err);
    CHECK(rc == BM_OK, "quantize: %s", err.msg);
    bm_layer_hw hw;
    rc = bm_layer_plan(p, &q, "t", 8, &hw, &err);
    /* Codes wider than the table go to the Booth path, (bits+1)/2 terms: a
     * preset with fewer terms (ice40) must refuse the layer, not truncate it. */
    if (q.code_bits > (int)p->table_bits && (q.code_bits + 1) / 2 > (int)p->max_terms) {
        CHECK(rc == BM_E_RANGE && strstr(err.msg, "max_terms"), "plan %s b=%d refused: rc %d %s", p->name, bits,
              rc, err.msg);
        bm_qweight_free(&q); free(W); free(keep);
        return 0;
    }
    CHECK(rc == BM_OK, "plan %s dt=%d b=%d g=%d sp=%d: %s", p->name, dt, bits, group, sparse, err.msg);
    if (rc) { bm_qweight_free(&q); free(W); free(keep); return 1; }
    uint8_t *blob = calloc(hw.blob_bytes, 1);
    float *rs = malloc(sizeof(float) * N);
    rc = bm_layer_pack(p, &q, &hw, blob, rs, &err);
    CHECK(rc == BM_OK, "pack: %s", err.msg);
    bm_prog pg;
    rc = bm_sched_layer(p, &hw, M, &pg, &err);
    CHECK(rc == BM_OK, "sched: %s", err.msg);
    int8_t *x = malloc((size_t)M * K);
    for (int i = 0; i < M * K; i++) x[i] = (int8_t)(rnd() % 256 - 128);
    uint64_t ab = bm_act_bytes(p, &hw, M);
    uint64_t o_w = 0, o_a = (hw.blob_bytes + 4095) & ~4095ull, o_o = (o_a + ab + 4095) & ~4095ull,
             o_i = (o_o + (uint64_t)M * N * 4 + 4095) & ~4095ull;
    uint64_t memsz = o_i + (uint64_t)pg.n * 16;
    uint8_t *mem = calloc(memsz, 1);
    memcpy(mem + o_w, blob, hw.blob_bytes);
    bm_act_pack(p, &hw, x, M, mem + o_a);
    memcpy(mem + o_i, pg.bytes, (size_t)pg.n * 16);
    bm_run_args a = {BASE + o_i, pg.n, {BASE + o_w, BASE + o_a, BASE + o_o, 0}};
    bm_engine_opts eo = {p->mem_latency, p->mem_bpc, 0, 0};
    bm_run_result r;
    rc = bm_engine_run(p, &eo, mem, BASE, memsz, &a, &r);
    CHECK(rc == BM_OK && r.hw_error == 0, "run %s: rc %d hw %d at %u: %s", p->name, rc, r.hw_error, r.err_pc, r.msg);
    int bad = 0;
    for (int m = 0; m < M && !bad; m++)
        for (int n = 0; n < N && !bad; n++) {
            int32_t got;
            memcpy(&got, mem + o_o + ((size_t)m * N + n) * 4, 4);
            int64_t want = expect_acc(&q, x, m, n);
            if (got != want) {
                bad = 1;
                CHECK(got == want, "%s dt=%d b=%d g=%d sp=%d N=%d K=%d M=%d: y[%d][%d] = %d, want %lld",
                      p->name, dt, bits, group, sparse, N, K, M, m, n, got, (long long)want);
            }
        }
    if (!bad) CHECK(1, "ok");
    /* Utilization is a real ratio of the run. */
    double ideal = bm_sched_ideal_cycles(p, &hw, M);
    CHECK(ideal > 0 && ideal <= (double)r.counters[BM_CNT_CYCLES] * 1.0001, "ideal %.0f <= cycles %llu", ideal,
          (unsigned long long)r.counters[BM_CNT_CYCLES]);
    free(mem); free(x); bm_prog_free(&pg); free(blob); free(rs); bm_qweight_free(&q); free(W); free(keep);
    return bad;
}

int main(void)
{
    rng = bm_test_seed("test_lower", 0x5eed1234) | 1;
    struct { bm_dtype dt; int bits; } fmt[] = {
        {BM_DT_INT, 2}, {BM_DT_INT, 3}, {BM_DT_INT, 4}, {BM_DT_INT, 5}, {BM_DT_INT, 8},
        {BM_DT_INT_ASYM, 3}, {BM_DT_INT_ASYM, 4}, {BM_DT_INT_ASYM, 6}, {BM_DT_BITMOD, 3},
        {BM_DT_BITMOD, 4}, {BM_DT_ABQ, 2},
    };
    for (int pi = 0; pi < BM_N_PRESETS; pi++) {
        const bm_preset *p = &bm_presets[pi];
        for (size_t f = 0; f < sizeof fmt / sizeof fmt[0]; f++)
            for (int sparse = 0; sparse <= (p->lanes % 2 == 0); sparse++) {
                int kstep = sparse ? 2 * p->lanes : p->lanes;
                int group = kstep * (1 + rnd() % 4);
                int N = 1 + rnd() % 40, K = 1 + rnd() % 150, M = 1 + rnd() % 20;
                run_case(p, fmt[f].dt, fmt[f].bits, group, sparse, N, K, M);
            }
        /* stories260K shapes: K=172 (w2), 32-row k/v, per-channel group. */
        run_case(p, BM_DT_BITMOD, 4, 4 * p->lanes * (p->lanes % 2 ? 1 : 2), 0, 64, 172, 3);
        run_case(p, BM_DT_INT, 4, 0, 0, 32, 64, 1);
    }
    return bm_test_done("test_lower");
}
