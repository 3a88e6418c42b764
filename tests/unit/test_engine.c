/* Reference + cycle engine on hand-computed cases: arithmetic of one INT4
 * tile, cycle counts of small programs derived by hand from docs/timing.md,
 * and every error status with its ERR_PC. */
#include "bm_test.h"
#include "bm_engine.h"
#include "bm_insn.h"
#include "emit/bm_prog.h"

#define BASE 0x400000000ull
#define MEMSZ (1u << 16)
static uint8_t mem[MEMSZ];

static bm_run_result run(const char *preset, bm_prog *pg, uint32_t bpc)
{
    const bm_preset *p = bm_preset_find(preset);
    memcpy(mem + 0x8000, pg->bytes, (size_t)pg->n * 16);
    bm_run_args a = {BASE + 0x8000, pg->n, {BASE, BASE + 0x1000, BASE + 0x2000, BASE + 0x3000}};
    bm_engine_opts o = {p->mem_latency, bpc ? bpc : p->mem_bpc, 1000000, 0};
    bm_run_result r;
    int rc = bm_engine_run(p, &o, mem, BASE, MEMSZ, &a, &r);
    CHECK_EQ_INT(rc, BM_OK);
    return r;
}

static bm_insn I(int op) { bm_insn in = {0}; in.op = (uint8_t)op; return in; }

/* addr_bits (docs/isa.md, "Device addresses") on ice40 (32 bits), memory
 * [2^32 - MEMSZ, 2^32): bits above 31 of INSN/BASEn are dropped, a row
 * reaching 2^32 is DRAM at the start, fetch addresses wrap at 2^32. */
static void addr_bits_cases(void)
{
    const bm_preset *p = bm_preset_find("ice40");
    CHECK_EQ_INT(p->addr_bits, 32);
    CHECK(bm_addr_mask(p) == 0xffffffffull, "ice40 mask");
    CHECK(bm_addr_mask(bm_preset_find("default")) == UINT64_MAX, "default mask");
    const uint64_t mb = (1ull << 32) - MEMSZ, junk = 0x1234567800000000ull;
    bm_engine_opts o = {p->mem_latency, p->mem_bpc, 1000000, 0};
    bm_run_result r;
    bm_insn ld = I(BM_OP_LOAD), fin = I(BM_OP_FINISH), nop = I(BM_OP_NOP);
    ld.sp = BM_SP_ACT; ld.rows = 2; ld.row_bytes = 32; ld.dram_stride = 32; ld.dram_off = MEMSZ - 64;
    for (int c = 0; c < 3; c++) {
        memset(mem, 0, MEMSZ);
        bm_insn l = ld;
        if (c == 1) l.row_bytes = 33;            /* last byte at 2^32 */
        if (c == 2) l.dram_off += 64;            /* whole rows at and above 2^32 */
        bm_insn_encode(&l, mem);
        bm_insn_encode(&fin, mem + 16);
        bm_run_args a = {mb | junk, 2, {mb | junk, 0, 0, 0}};
        CHECK_EQ_INT(bm_engine_run(p, &o, mem, mb, MEMSZ, &a, &r), BM_OK);
        CHECK(r.hw_error == (c ? BM_HWERR_DRAM : 0), "case %d: error %d (%s)", c, r.hw_error, r.msg);
        CHECK_EQ_INT(r.err_pc, 0);
    }
    /* a stream at 2^32 - 16: instruction 1 is fetched from 0, outside memory */
    memset(mem, 0, MEMSZ);
    bm_insn_encode(&nop, mem + MEMSZ - 16);
    bm_run_args a = {0xfffffff0ull | junk, 2, {0, 0, 0, 0}};
    CHECK_EQ_INT(bm_engine_run(p, &o, mem, mb, MEMSZ, &a, &r), BM_OK);
    CHECK_EQ_INT(r.hw_error, BM_HWERR_DRAM);
    CHECK_EQ_INT(r.err_pc, 1);
    CHECK_EQ_INT(r.counters[BM_CNT_FETCH_BEATS], 4);
}

int main(void)
{
    bm_prog pg;
    /* FINISH only (minimal: LAT 7, 8-byte bus): fetch AR at 0, 2 beats at 7,8;
     * dispatch FINISH at 9; finished at 10. */
    bm_prog_init(&pg);
    bm_insn f = I(BM_OP_FINISH);
    bm_prog_add(&pg, &f);
    bm_run_result r = run("minimal", &pg, 0);
    CHECK_EQ_INT(r.hw_error, 0);
    CHECK_EQ_INT(r.counters[BM_CNT_CYCLES], 10);
    CHECK_EQ_INT(r.counters[BM_CNT_FETCH_BEATS], 2);
    CHECK_EQ_INT(r.counters[BM_CNT_INSNS], 1);
    bm_prog_free(&pg);

    /* NOP + FINISH: 4 beats end at 10, dispatch 11/12, NOP runs at 12, done 13. */
    bm_prog_init(&pg);
    bm_insn nop = I(BM_OP_NOP);
    nop.queue = 1;
    bm_prog_add(&pg, &nop);
    bm_prog_add(&pg, &f);
    r = run("minimal", &pg, 0);
    CHECK_EQ_INT(r.counters[BM_CNT_CYCLES], 13);
    CHECK_EQ_INT(r.counters[BM_CNT_CP_BUSY], 1);
    CHECK_EQ_INT(r.counters[BM_CNT_INSNS], 2);
    bm_prog_free(&pg);

    /* LOAD of 20 bytes crossing a 4 KiB boundary at 4090: bursts of 1 and 2
     * beats. Starts at 12; AR 12, beat 19; AR 20, beats 27,28; tail 2 -> end
     * 30; done 31. Busy 19 cycles, 3 beats. */
    bm_prog_init(&pg);
    bm_insn ld = I(BM_OP_LOAD);
    ld.sp = BM_SP_ACT; ld.rows = 1; ld.row_bytes = 20; ld.dram_off = 4090; ld.base = 0;
    bm_prog_add(&pg, &ld);
    bm_prog_add(&pg, &f);
    r = run("minimal", &pg, 0);
    CHECK_EQ_INT(r.hw_error, 0);
    CHECK_EQ_INT(r.counters[BM_CNT_CYCLES], 31);
    CHECK_EQ_INT(r.counters[BM_CNT_LD_BUSY], 19);
    CHECK_EQ_INT(r.counters[BM_CNT_RD_BEATS], 3);
    CHECK_EQ_INT(r.counters[BM_CNT_LD_WAIT_MEM], 16);
    /* Half bandwidth (4 B/cycle on the 8-byte bus): beats every 2 cycles.
     * Fetch beats 7,9,11,13; dispatch 14,15; LOAD AR 15, beat 22; AR 23,
     * beats 30, 32; end 34; done 35. */
    r = run("minimal", &pg, 4);
    CHECK_EQ_INT(r.counters[BM_CNT_CYCLES], 35);
    bm_prog_free(&pg);

    /* Arithmetic: one INT4 (Booth) row, 8 weights in 2 groups of 4.
     * gp0 = 10*1 + -3*-2 + 2*3 + 100*-8 = -778, x3 = -2334
     * gp1 = -128*7 + 5*0 + 7*-1 + 1*5 = -898, x2 = -1796; total -4130. */
    memset(mem, 0, sizeof mem);
    static const uint8_t wbytes[] = {0xE1, 0x83, 0x07, 0x5F};
    static const uint8_t meta[] = {3, 0, 2, 0};
    static const int8_t act[] = {10, -3, 2, 100, -128, 5, 7, 1};
    memcpy(mem + 0, wbytes, 4);
    memcpy(mem + 16, meta, 4);
    memcpy(mem + 32, act, 8);
    bm_prog_init(&pg);
    bm_insn cf = I(BM_OP_CONFIG);
    cf.bits = 4; cf.terms = 2; cf.dmode = 1; cf.act_bits = 8; cf.gsteps = 1;
    bm_prog_add(&pg, &cf);
    bm_insn l1 = I(BM_OP_LOAD); l1.sp = BM_SP_WGT; l1.rows = 1; l1.row_bytes = 4;
    bm_insn l2 = l1; l2.sp = BM_SP_META; l2.dram_off = 16;
    bm_insn l3 = l1; l3.sp = BM_SP_ACT; l3.dram_off = 32; l3.row_bytes = 8; l3.push_next = 1;
    bm_prog_add(&pg, &l1); bm_prog_add(&pg, &l2); bm_prog_add(&pg, &l3);
    bm_insn cp = I(BM_OP_COMPUTE); cp.pop_prev = 1; cp.push_next = 1; cp.ksteps = 2; cp.reps = 1;
    bm_prog_add(&pg, &cp);
    bm_insn st = I(BM_OP_STORE); st.pop_prev = 1; st.base = 2; st.rows = 1; st.row_bytes = 4;
    bm_prog_add(&pg, &st);
    bm_prog_add(&pg, &f);
    r = run("minimal", &pg, 0);
    CHECK_EQ_INT(r.hw_error, 0);
    int32_t y;
    memcpy(&y, mem + 0x2000, 4);
    CHECK_EQ_INT(y, -4130);
    /* COMPUTE: ksteps*T + CMP_PIPE + C = 4 + 3 + 1 cycles. */
    CHECK_EQ_INT(r.counters[BM_CNT_CP_STEP], 4);
    CHECK_EQ_INT(r.counters[BM_CNT_CP_BUSY], 1 + 8);
    /* Zero-point: the same codes read as offset-binary with aux = zero. In
     * table-free Booth offset mode value = code - 8; with zp=1, aux=-8 each
     * group computes sum a*(value+8) = sum a*code (unsigned codes). */
    cf.offset = 1; cf.zp = 1;
    static const uint8_t meta_zp[] = {1, 0xF8, 1, 0xF8};
    memcpy(mem + 16, meta_zp, 4);
    bm_prog_free(&pg);
    bm_prog_init(&pg);
    bm_prog_add(&pg, &cf); bm_prog_add(&pg, &l1); bm_prog_add(&pg, &l2); bm_prog_add(&pg, &l3);
    bm_prog_add(&pg, &cp); bm_prog_add(&pg, &st); bm_prog_add(&pg, &f);
    r = run("minimal", &pg, 0);
    memcpy(&y, mem + 0x2000, 4);
    /* unsigned codes: 1,14,3,8 | 7,0,15,5 */
    int expect = 10 * 1 + -3 * 14 + 2 * 3 + 100 * 8 + -128 * 7 + 5 * 0 + 7 * 15 + 1 * 5;
    CHECK_EQ_INT(y, expect);
    bm_prog_free(&pg);

    /* Saturation: scale 255 on a large group clamps to INT32_MAX. */
    {
        memset(mem, 0, 64);
        for (int i = 0; i < 4; i++) mem[i] = 0x77;           /* codes 7 */
        for (int i = 0; i < 8; i++) mem[32 + i] = 127;
        mem[16] = 255; mem[18] = 255;
        bm_insn c8 = cf; c8.offset = 0; c8.zp = 0; c8.gsteps = 2;
        bm_prog_init(&pg);
        bm_prog_add(&pg, &c8); bm_prog_add(&pg, &l1); bm_prog_add(&pg, &l2); bm_prog_add(&pg, &l3);
        bm_insn cp2 = cp; cp2.reps = 1;
        bm_prog_add(&pg, &cp2);
        bm_prog_add(&pg, &st); bm_prog_add(&pg, &f);
        r = run("minimal", &pg, 0);
        memcpy(&y, mem + 0x2000, 4);
        CHECK_EQ_INT(y, 127 * 7 * 8 * 255); /* fits: 1813560 */
        CHECK_EQ_INT(r.counters[BM_CNT_SAT_EVENTS], 0);
        bm_prog_free(&pg);
    }

    /* ---- errors ---- */
    /* Undefined opcode at index 1. */
    bm_prog_init(&pg);
    bm_prog_add(&pg, &nop);
    bm_prog_add(&pg, &f);
    pg.bytes[16] = 0x0F;
    r = run("minimal", &pg, 0);
    CHECK_EQ_INT(r.hw_error, BM_HWERR_OPCODE);
    CHECK_EQ_INT(r.err_pc, 1);
    bm_prog_free(&pg);
    /* Deadlock: COMPUTE pops a token nobody pushes. */
    bm_prog_init(&pg);
    bm_insn dl = nop; dl.pop_prev = 1;
    bm_prog_add(&pg, &nop); bm_prog_add(&pg, &dl); bm_prog_add(&pg, &f);
    r = run("minimal", &pg, 0);
    CHECK_EQ_INT(r.hw_error, BM_HWERR_DEADLOCK);
    CHECK_EQ_INT(r.err_pc, 1);
    bm_prog_free(&pg);
    /* No FINISH. */
    bm_prog_init(&pg);
    bm_prog_add(&pg, &nop);
    r = run("minimal", &pg, 0);
    CHECK_EQ_INT(r.hw_error, BM_HWERR_NO_FINISH);
    bm_prog_free(&pg);
    /* Token overflow: 256 pushes towards COMPUTE that never pops. */
    bm_prog_init(&pg);
    bm_insn pn = I(BM_OP_NOP); pn.queue = 0; pn.push_next = 1;
    for (int i = 0; i < 256; i++) bm_prog_add(&pg, &pn);
    bm_prog_add(&pg, &f);
    r = run("minimal", &pg, 0);
    CHECK_EQ_INT(r.hw_error, BM_HWERR_TOKEN);
    CHECK_EQ_INT(r.err_pc, 255);
    bm_prog_free(&pg);
    /* Scratchpad range, DRAM range, COMPUTE without CONFIG, bad CONFIG. */
    struct { bm_insn in; int err; } bad[4];
    bad[0].in = l1; bad[0].in.row_bytes = 8193; bad[0].err = BM_HWERR_SP_RANGE;
    bad[1].in = l1; bad[1].in.dram_off = MEMSZ - 2; bad[1].err = BM_HWERR_DRAM;
    bad[2].in = cp; bad[2].in.pop_prev = 0; bad[2].in.push_next = 0; bad[2].err = BM_HWERR_CONFIG;
    bad[3].in = cf; bad[3].in.dmode = 0; bad[3].in.offset = 0; bad[3].in.bits = 5; bad[3].err = BM_HWERR_CONFIG;
    for (int i = 0; i < 4; i++) {
        bm_prog_init(&pg);
        bm_prog_add(&pg, &nop);
        bm_prog_add(&pg, &bad[i].in);
        bm_prog_add(&pg, &f);
        r = run("minimal", &pg, 0);
        CHECK(r.hw_error == bad[i].err, "case %d: error %d, expected %d (%s)", i, r.hw_error, bad[i].err, r.msg);
        CHECK_EQ_INT(r.err_pc, 1);
        bm_prog_free(&pg);
    }
    addr_bits_cases();
    return bm_test_done("test_engine");
}
