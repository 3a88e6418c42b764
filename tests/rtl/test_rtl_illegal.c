/* test_rtl_illegal: every error code. Each illegal program must stop with the
 * engine's STATUS and ERR_PC within a bounded number of cycles, and a valid
 * program must run (bit- and cycle-exact) on the same model right after. */
#include <stdio.h>

#include "bm_test.h"
#include "rtl_gen.h"
#include "rtl_util.h"

static uint64_t MB;   /* memory window: ends at 2^addr_bits on narrow presets */
#define MBYTES GEN_MEM_BYTES

static const bm_preset *P;
static bm_sim *S;
static uint8_t code[64][16];
static int ncode;
static gen_prog prog;

static bm_insn I(int op) { bm_insn in; memset(&in, 0, sizeof in); in.op = (uint8_t)op; return in; }
static void put(bm_insn in) { bm_insn_encode(&in, code[ncode++]); }
static void raw_set(unsigned lsb, unsigned w, uint64_t v) { bm_bits_set(code[ncode - 1], lsb, w, v); }
static bm_insn cfg_ok(void) {
    bm_insn c = I(BM_OP_CONFIG);
    c.bits = 4; c.terms = 2; c.dmode = 1; c.act_bits = 8; c.gsteps = 2;
    return c;
}

static void run_case(const char *what, int expect, uint64_t insn_addr, uint32_t count,
                     uint64_t b3) {
    uint8_t *mem = bm_sim_mem(S);
    memset(mem, 0, MBYTES);
    for (int i = 0; i < ncode; i++) memcpy(mem + 16 * i, code[i], 16);
    uint64_t base[4] = {MB + GEN_IN_OFF, MB + GEN_OUT_OFF, MB, b3};
    bm_run_result er; rtl_run rr;
    int bad = rtl_compare(P, S, MB, MBYTES, P->mem_latency, P->mem_bpc, insn_addr, count, base, &er, &rr);
    CHECK(!bad, "%s: RTL and engine disagree", what);
    CHECK(er.hw_error == expect, "%s: engine error %d, expected %d (%s)", what, er.hw_error, expect, er.msg);
    CHECK(rr.done && rr.wall_cycles < 200000, "%s: stopped after %llu cycles", what,
          (unsigned long long)rr.wall_cycles);
    CHECK((rr.status & 0x100) == 0, "%s: still busy", what);
    uint32_t epc = rr.err_pc; uint64_t ecyc = rr.wall_cycles;
    /* the machine must run a valid program right after */
    gen_program(P, 77, &prog);
    gen_memory(&prog, 77, mem);
    uint64_t vb[4] = {MB + GEN_IN_OFF, MB + GEN_OUT_OFF, MB + GEN_IN_OFF - 64, MB};
    bad = rtl_compare(P, S, MB, MBYTES, P->mem_latency, P->mem_bpc, MB + prog.insn_off, prog.n, vb, &er, &rr);
    CHECK(!bad && !er.hw_error, "%s: valid program after the error failed", what);
    printf("%-34s -> %-9s pc %u (stopped within %llu cycles)\n", what, bm_hwerr_name(expect), epc,
           (unsigned long long)ecyc);
    ncode = 0;
}

int main(void) {
    P = bm_preset_find(bm_sim_preset_name());
    if (!P) { CHECK(0, "preset"); return bm_test_done("rtl_illegal"); }
    MB = rtl_mem_base(P, MBYTES, 1);
    bm_sim_opts o = {MB, MBYTES, P->mem_latency, P->mem_bpc, getenv("BM_TRACE")};
    S = bm_sim_new(&o);
    if (!S) { CHECK(0, "bm_sim_new"); return bm_test_done("rtl_illegal"); }
    uint32_t acc_words = P->acc_bytes / 4;
    bm_insn in;

    put(I(BM_OP_NOP)); code[0][1] = 1; put(I(BM_OP_FINISH)); raw_set(0, 4, 9);
    run_case("undefined opcode", BM_HWERR_OPCODE, MB, 2, 0);
    put(cfg_ok()); raw_set(100, 1, 1); put(I(BM_OP_FINISH));
    run_case("reserved bit in CONFIG", BM_HWERR_FIELD, MB, 2, 0);
    in = I(BM_OP_LOAD); in.rows = 1; in.row_bytes = 4; put(in); raw_set(4, 1, 1); put(I(BM_OP_FINISH));
    run_case("LOAD pop_prev", BM_HWERR_FIELD, MB, 2, 0);
    in = I(BM_OP_NOP); put(in); raw_set(8, 2, 3); put(I(BM_OP_FINISH));
    run_case("NOP queue 3", BM_HWERR_FIELD, MB, 2, 0);
    put(I(BM_OP_FINISH)); raw_set(7, 1, 1);
    run_case("FINISH with a token flag", BM_HWERR_FIELD, MB, 1, 0);
    in = I(BM_OP_STORE); in.rows = 1; in.row_bytes = 6; put(in); put(I(BM_OP_FINISH));
    run_case("STORE row_bytes 6", BM_HWERR_FIELD, MB, 2, 0);
    in = I(BM_OP_LOAD); in.rows = 0; in.row_bytes = 4; put(in); put(I(BM_OP_FINISH));
    run_case("LOAD rows 0", BM_HWERR_FIELD, MB, 2, 0);
    put(cfg_ok()); in = I(BM_OP_COMPUTE); in.ksteps = 0; in.reps = 1; put(in); put(I(BM_OP_FINISH));
    run_case("COMPUTE ksteps 0", BM_HWERR_FIELD, MB, 3, 0);
    in = I(BM_OP_LOAD); in.rows = 1; in.row_bytes = 8; in.sp_addr = P->wgt_bytes - 4; put(in);
    put(I(BM_OP_FINISH));
    run_case("LOAD beyond WGT", BM_HWERR_SP_RANGE, MB, 2, 0);
    put(cfg_ok()); in = I(BM_OP_COMPUTE); in.ksteps = 2; in.reps = 1;
    in.acc_addr = acc_words - P->rows * P->cols + 1; put(in); put(I(BM_OP_FINISH));
    run_case("COMPUTE beyond ACC", BM_HWERR_SP_RANGE, MB, 3, 0);
    put(cfg_ok()); in = I(BM_OP_COMPUTE); in.ksteps = 3; in.reps = 2;
    in.wgt_addr = P->wgt_bytes - 8; put(in); put(I(BM_OP_FINISH));
    run_case("COMPUTE beyond WGT", BM_HWERR_SP_RANGE, MB, 3, 0);
    in = I(BM_OP_STORE); in.rows = 2; in.row_bytes = 8; in.sp_addr = acc_words - 2; in.sp_stride = 1;
    put(in); put(I(BM_OP_FINISH));
    run_case("STORE beyond ACC", BM_HWERR_SP_RANGE, MB, 2, 0);
    in = I(BM_OP_LOAD); in.rows = 2; in.row_bytes = 64; in.dram_off = MBYTES - GEN_IN_OFF - 64; in.dram_stride = 64;
    put(in); put(I(BM_OP_FINISH));
    run_case("LOAD outside memory", BM_HWERR_DRAM, MB, 2, 0);
    in = I(BM_OP_STORE); in.base = 1; in.rows = 1; in.row_bytes = 64; in.dram_off = 0x7fff0;
    put(in); put(I(BM_OP_FINISH));
    run_case("STORE outside memory", BM_HWERR_DRAM, MB, 2, 0);
    in = I(BM_OP_LOAD); in.base = 3; in.rows = 1; in.row_bytes = 16; in.dram_off = 0x1000;
    put(in); put(I(BM_OP_FINISH));
    run_case("LOAD address overflow", BM_HWERR_DRAM, MB, 2, 0xfffffffffffff800ull);
    /* device addresses have addr_bits bits: a row that reaches 2^addr_bits
     * fails at the LOAD's/STORE's start (on narrow presets the window ends
     * there, so its first 64 bytes are in memory) */
    uint64_t top = P->addr_bits >= 64 ? 0 : 1ull << P->addr_bits;
    in = I(BM_OP_LOAD); in.base = 3; in.rows = 2; in.row_bytes = 64; in.dram_stride = 64;
    put(in); put(I(BM_OP_FINISH));
    run_case("LOAD reaching 2^addr_bits", BM_HWERR_DRAM, MB, 2, top - 64);
    in = I(BM_OP_STORE); in.base = 3; in.rows = 1; in.row_bytes = 68;
    put(in); put(I(BM_OP_FINISH));
    run_case("STORE reaching 2^addr_bits", BM_HWERR_DRAM, MB, 2, top - 64);
    if (P->addr_bits < 64) {
        /* fetch addresses wrap at 2^addr_bits: instruction 1 of a stream at
         * 2^addr_bits - 16 is fetched from 0, outside memory */
        uint8_t *mem = bm_sim_mem(S);
        memset(mem, 0, MBYTES);
        in = I(BM_OP_NOP); bm_insn_encode(&in, mem + MBYTES - 16);
        uint64_t base[4] = {MB, MB, MB, MB};
        bm_run_result er; rtl_run rr;
        int bad = rtl_compare(P, S, MB, MBYTES, P->mem_latency, P->mem_bpc, top - 16, 2, base, &er, &rr);
        CHECK(!bad && er.hw_error == BM_HWERR_DRAM && er.err_pc == 1 && rr.err_pc == 1,
              "fetch wrapping at 2^addr_bits: engine %d pc %u (%s)", er.hw_error, er.err_pc, er.msg);
        printf("%-34s -> %-9s pc %u\n", "fetch wrapping at 2^addr_bits", "DRAM", rr.err_pc);
    }
    put(I(BM_OP_FINISH));
    run_case("fetch outside memory", BM_HWERR_DRAM, MB + MBYTES, 1, 0);
    /* TOKEN: 300 NOPs pushing L2C, nobody pops */
    {
        uint8_t *mem = bm_sim_mem(S);
        memset(mem, 0, MBYTES);
        in = I(BM_OP_NOP); in.queue = 0; in.push_next = 1;
        for (int i = 0; i < 300; i++) bm_insn_encode(&in, mem + 16 * i);
        in = I(BM_OP_FINISH); bm_insn_encode(&in, mem + 16 * 300);
        uint64_t base[4] = {MB, MB, MB, MB};
        bm_run_result er; rtl_run rr;
        int bad = rtl_compare(P, S, MB, MBYTES, P->mem_latency, P->mem_bpc, MB, 301, base, &er, &rr);
        CHECK(!bad && er.hw_error == BM_HWERR_TOKEN, "token overflow");
        printf("%-34s -> %-9s pc %u\n", "token overflow", "TOKEN", rr.err_pc);
    }
    put(cfg_ok()); in = I(BM_OP_COMPUTE); in.ksteps = 1; in.reps = 1; in.pop_prev = 1; put(in);
    put(I(BM_OP_FINISH));
    run_case("COMPUTE waits for a missing LOAD", BM_HWERR_DEADLOCK, MB, 3, 0);
    in = I(BM_OP_STORE); in.rows = 1; in.row_bytes = 4; in.pop_prev = 1; put(in);
    in = I(BM_OP_NOP); in.queue = 0; in.pop_next = 1; put(in); put(I(BM_OP_FINISH));
    run_case("STORE and LOAD both wait", BM_HWERR_DEADLOCK, MB, 3, 0);
    in = I(BM_OP_COMPUTE); in.ksteps = 1; in.reps = 1; put(in); put(I(BM_OP_FINISH));
    run_case("COMPUTE before CONFIG", BM_HWERR_CONFIG, MB, 2, 0);
    in = cfg_ok(); in.bits = 0; put(in); put(I(BM_OP_FINISH));
    run_case("CONFIG bits 0", BM_HWERR_CONFIG, MB, 2, 0);
    in = cfg_ok(); in.dmode = 0; in.bits = P->table_bits + 1; in.terms = 1; put(in); put(I(BM_OP_FINISH));
    run_case("CONFIG table mode too wide", BM_HWERR_CONFIG, MB, 2, 0);
    in = cfg_ok(); in.terms = 3; put(in); put(I(BM_OP_FINISH));
    run_case("CONFIG Booth terms != ceil(b/2)", BM_HWERR_CONFIG, MB, 2, 0);
    put(I(BM_OP_NOP)); put(I(BM_OP_NOP));
    run_case("no FINISH", BM_HWERR_NO_FINISH, MB, 2, 0);
    run_case("INSN_COUNT 0", BM_HWERR_NO_FINISH, MB, 0, 0);
    bm_sim_free(S);
    return bm_test_done("rtl_illegal");
}
