/* Term decomposition: every INT2..INT8 code in Booth mode (plain and
 * offset-binary) decodes to its value in ceil(b/2) signed power-of-two terms;
 * the decode tables the compiler builds give every BitMoD FP3/FP4 value (all
 * four selectors) in at most 2 terms, W2* in 1, INT2..INT4 in their CSD
 * count; and the int32 accumulator saturates (and counts it) instead of
 * wrapping. */
#include "bm_test.h"
#include "bm_engine.h"
#include "bm_exec.h"
#include "emit/bm_prog.h"
#include "pack/bm_pack.h"

static int popcount_terms(const uint8_t *tab, const bm_preset *p, int sel, int code)
{
    int n = 0;
    for (unsigned t = 0; t < p->max_terms; t++)
        n += (tab[((size_t)(sel << p->table_bits) | (size_t)code) * p->max_terms + t] & 0x80) != 0;
    return n;
}

int main(void)
{
    const bm_preset *p = bm_preset_find("default");
    /* Booth: every code of every width, both code spaces. */
    for (int b = 2; b <= 8; b++)
        for (int off = 0; off <= 1; off++)
            for (int c = 0; c < (1 << b); c++) {
                bm_insn cfg = {0};
                cfg.bits = (uint32_t)b; cfg.terms = (uint32_t)(b + 1) / 2; cfg.dmode = 1; cfg.offset = (uint32_t)off;
                int want = off ? c - (1 << (b - 1)) : (c >= (1 << (b - 1)) ? c - (1 << b) : c);
                int got = bm_decode_value(p, &cfg, NULL, 0, (unsigned)c);
                if (got != want)
                    CHECK(got == want, "booth b=%d off=%d code %d: %d != %d", b, off, c, got, want);
                else
                    CHECK(1, "ok");
            }
    /* Tables built by the compiler. */
    struct { bm_dtype dt; int bits, max_terms; } f[] = {
        {BM_DT_BITMOD, 3, 2}, {BM_DT_BITMOD, 4, 2}, {BM_DT_ABQ, 2, 1}, {BM_DT_INT, 2, 1},
        {BM_DT_INT, 3, 2}, {BM_DT_INT, 4, 2}, {BM_DT_INT_ASYM, 3, 2}, {BM_DT_INT_ASYM, 4, 2},
    };
    uint8_t tab[1024];
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        bm_qweight q = {0};
        q.conf.dtype = f[i].dt;
        q.conf.bits = f[i].bits;
        q.code_bits = f[i].dt == BM_DT_ABQ ? 3 : f[i].bits;
        int T;
        bm_err err = {0};
        CHECK_EQ_INT(bm_decode_table(p, &q, tab, &T, &err), BM_OK);
        CHECK(T == f[i].max_terms, "dtype %d bits %d: %d terms, expected %d", f[i].dt, f[i].bits, T, f[i].max_terms);
        bm_insn cfg = {0};
        cfg.bits = (uint32_t)q.code_bits; cfg.terms = (uint32_t)T;
        int nsel = f[i].dt == BM_DT_BITMOD ? 4 : 1;
        for (int s = 0; s < nsel; s++)
            for (int c = 0; c < (1 << q.code_bits); c++) {
                int v = bm_q_value(f[i].dt, f[i].bits, s, c);
                if (v == BM_Q_BADVALUE || (f[i].dt == BM_DT_ABQ && (v < -2 || v > 2)))
                    continue; /* never emitted */
                CHECK(bm_decode_value(p, &cfg, tab, (unsigned)s, (unsigned)c) == v, "dtype %d sel %d code %d", f[i].dt, s, c);
                CHECK(popcount_terms(tab, p, s, c) <= f[i].max_terms, "dtype %d sel %d code %d terms", f[i].dt, s, c);
            }
    }
    /* Every BitMoD extra value is reachable: ER/EA +-3,+-6 (FP3), +-10,+-16 (FP4). */
    static const int extra3[4] = {3, -3, 6, -6}, extra4[4] = {10, -10, 16, -16};
    for (int s = 0; s < 4; s++) {
        CHECK_EQ_INT(bm_q_value(BM_DT_BITMOD, 3, s, 4), extra3[s]);
        CHECK_EQ_INT(bm_q_value(BM_DT_BITMOD, 4, s, 8), extra4[s]);
    }

    /* Saturation: default preset (8x8 PEs of 4 lanes), INT4 Booth code 7
     * everywhere, activations 127, groups of 4096 weights with scale 255:
     * each group adds 255 * 4096 * 127 * 7 = 928,523,520 to every PE, so the
     * third group passes INT32_MAX in all 64 PEs. */
    static uint8_t mem[1 << 18];
    const uint64_t base = 0x400000000ull;
    const uint32_t ksteps = 3 * 1024, wbytes = ksteps * 8 * 4 / 2, abytes = ksteps * 8 * 4;
    memset(mem, 0x77, wbytes);                                  /* weights at 0 */
    for (int i = 0; i < 3 * 8; i++) { mem[0x10000 + 2 * i] = 255; mem[0x10001 + 2 * i] = 0; }
    memset(mem + 0x18000, 127, abytes);                         /* activations */
    bm_prog pg;
    bm_prog_init(&pg);
    bm_insn cf = {0}; cf.op = BM_OP_CONFIG; cf.bits = 4; cf.terms = 2; cf.dmode = 1; cf.act_bits = 8; cf.gsteps = 1024;
    bm_insn lw = {0}; lw.op = BM_OP_LOAD; lw.sp = BM_SP_WGT; lw.rows = 1; lw.row_bytes = wbytes;
    bm_insn lm = {0}; lm.op = BM_OP_LOAD; lm.sp = BM_SP_META; lm.rows = 1; lm.row_bytes = 48; lm.dram_off = 0x10000;
    bm_insn la = {0}; la.op = BM_OP_LOAD; la.sp = BM_SP_ACT; la.rows = 3; la.row_bytes = abytes / 3;
    la.dram_off = 0x18000; la.dram_stride = abytes / 3; la.push_next = 1;
    bm_insn cp = {0}; cp.op = BM_OP_COMPUTE; cp.ksteps = ksteps; cp.reps = 1; cp.pop_prev = 1; cp.push_next = 1;
    bm_insn st = {0}; st.op = BM_OP_STORE; st.rows = 8; st.row_bytes = 32; st.sp_stride = 8; st.dram_stride = 32;
    st.base = 2; st.pop_prev = 1;
    bm_insn fin = {0}; fin.op = BM_OP_FINISH;
    bm_insn all[] = {cf, lw, lm, la, cp, st, fin};
    for (size_t i = 0; i < 7; i++) bm_prog_add(&pg, &all[i]);
    memcpy(mem + 0x38000, pg.bytes, pg.n * 16);
    bm_run_args a = {base + 0x38000, pg.n, {base, base, base + 0x3C000, 0}};
    bm_engine_opts o = {p->mem_latency, p->mem_bpc, 0, 0};
    bm_run_result r;
    CHECK_EQ_INT(bm_engine_run(p, &o, mem, base, sizeof mem, &a, &r), BM_OK);
    CHECK(r.hw_error == 0, "%s", r.msg);
    int sat = 0;
    for (int i = 0; i < 64; i++) {
        int32_t y;
        memcpy(&y, mem + 0x3C000 + 4 * i, 4);
        sat += y == INT32_MAX;
    }
    CHECK(sat == 64, "all 64 outputs saturated to INT32_MAX (%d)", sat);
    CHECK_EQ_INT(r.counters[BM_CNT_SAT_EVENTS], 64);
    bm_prog_free(&pg);
    return bm_test_done("test_decode");
}
