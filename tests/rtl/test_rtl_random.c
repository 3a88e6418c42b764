/* test_rtl_random: randomized whole programs (rtl_gen.h) run on the reference
 * + cycle engine (driver/ref) and on the RTL (Verilator, this preset); device
 * memory, STATUS, ERR_PC, CYCLES and every counter must be identical.
 * BM_SEED=<seed> BM_PROGS=<n> reproduce; a failure prints the command. */
#include <stdio.h>
#include <stdlib.h>

#include "bm_engine.h"
#include "bm_test.h"
#include "rtl_gen.h"
#include "rtl_util.h"


static gen_prog prog;

int main(int argc, char **argv) {
    (void)argc;
    const char *name = bm_sim_preset_name();
    const bm_preset *p = bm_preset_find(name);
    CHECK(p != NULL, "preset %s", name);
    if (!p) return bm_test_done("rtl_random");
    uint64_t seed = bm_test_seed("rtl_random", 1000);
    const char *np = getenv("BM_PROGS");
    int nprog = np ? atoi(np) : 40;
    int verbose = getenv("BM_VERBOSE") != NULL;
    uint8_t *ref = malloc(GEN_MEM_BYTES);
    uint64_t sim_cycles = 0, total_insns = 0;
    int compared = 0;
    bm_sim *s = NULL;
    uint32_t s_lat = 0, s_bpc = 0;
    uint64_t s_base = 0;
    for (int k = 0; k < nprog; k++) {
        uint64_t ps = seed + (uint64_t)k;
        gen_program(p, ps, &prog);
        /* on presets with fewer than 64 address bits every other program
         * runs in a window that ends at 2^addr_bits: its output rows and
         * instructions reach the last bytes below it */
        const uint64_t MEM_BASE = rtl_mem_base(p, GEN_MEM_BYTES, (int)(ps & 1));
        if (!s || s_lat != prog.mem_latency || s_bpc != prog.mem_bpc || s_base != MEM_BASE) {
            bm_sim_free(s);
            bm_sim_opts o = {MEM_BASE, GEN_MEM_BYTES, prog.mem_latency, prog.mem_bpc,
                             getenv("BM_TRACE")};
            s = bm_sim_new(&o);
            s_lat = prog.mem_latency; s_bpc = prog.mem_bpc; s_base = MEM_BASE;
            if (!s) { CHECK(0, "bm_sim_new"); break; }
        }
        uint8_t *mem = bm_sim_mem(s);
        gen_memory(&prog, ps, mem);
        memcpy(ref, mem, GEN_MEM_BYTES);
        uint64_t base[4] = {MEM_BASE + GEN_IN_OFF, MEM_BASE + GEN_OUT_OFF,
                            MEM_BASE + GEN_IN_OFF - 64, MEM_BASE};
        bm_run_args a = {MEM_BASE + prog.insn_off, prog.n, {base[0], base[1], base[2], base[3]}};
        bm_engine_opts eo = {prog.mem_latency, prog.mem_bpc, 0, 0};
        bm_run_result er;
        int rc = bm_engine_run(p, &eo, ref, MEM_BASE, GEN_MEM_BYTES, &a, &er);
        rtl_run rr;
        int hrc = rtl_run_prog(s, a.insn_addr, prog.n, base, 50000000ull, &rr);
        int bad = 0;
        if (rc != 0 || er.hw_error) { bad = 1; fprintf(stderr, "engine: rc %d hw_error %d pc %u: %s\n", rc, er.hw_error, er.err_pc, er.msg); }
        if (hrc != 0) { bad = 1; fprintf(stderr, "rtl: no ap_done\n"); }
        if ((rr.status & 0xff) != (uint32_t)er.hw_error) { bad = 1; fprintf(stderr, "status rtl %x engine %d (pc rtl %u engine %u)\n", rr.status, er.hw_error, rr.err_pc, er.err_pc); }
        for (int i = 0; i < BM_N_COUNTERS; i++) {
            if (rr.counters[i] != er.counters[i]) {
                bad = 1;
                fprintf(stderr, "counter %s: rtl %llu engine %llu\n", bm_counter_names[i],
                        (unsigned long long)rr.counters[i], (unsigned long long)er.counters[i]);
            }
        }
        if (memcmp(ref, mem, GEN_MEM_BYTES)) {
            bad = 1;
            uint32_t first = 0, cnt = 0;
            for (uint32_t i = 0; i < GEN_MEM_BYTES; i++)
                if (ref[i] != mem[i]) { if (!cnt) first = i; cnt++; }
            fprintf(stderr, "memory differs in %u bytes, first at +0x%x (rtl %02x engine %02x)\n",
                    cnt, first, mem[first], ref[first]);
        }
        CHECK(!bad, "program seed %llu (%u insns) differs; reproduce: BM_SEED=%llu BM_PROGS=1 %s",
              (unsigned long long)ps, prog.n, (unsigned long long)ps, argv[0]);
        if (bad && verbose) {
            char buf[256];
            for (uint32_t i = 0; i < prog.n; i++)
                fprintf(stderr, "  %3u %s\n", i, bm_insn_format(&prog.in[i], buf, sizeof buf));
        }
        compared++;
        sim_cycles += rr.counters[BM_CNT_CYCLES];
        total_insns += prog.n;
        if (bad && !getenv("BM_KEEP_GOING")) break;
    }
    bm_sim_free(s);
    free(ref);
    printf("rtl_random[%s]: %d programs compared, %llu instructions, %llu device cycles\n", name,
           compared, (unsigned long long)total_insns, (unsigned long long)sim_cycles);
    return bm_test_done("rtl_random");
}
