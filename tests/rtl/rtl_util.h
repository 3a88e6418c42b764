/* rtl_util.h: helpers shared by the RTL test programs: instruction builders,
 * running a program on the Verilator model (bm_sim_api.h) through the same
 * register sequence a driver uses, and reading the counters. */
#ifndef RTL_UTIL_H
#define RTL_UTIL_H

#include <stdint.h>
#include <string.h>

#include "bm_insn.h"
#include "bm_isa.h"
#include "bm_presets.h"
#include "bm_regs.h"
#include "bm_sim_api.h"

typedef struct rtl_run {
    int done;            /* ap_done seen */
    uint32_t status, err_pc;
    uint64_t counters[BM_N_COUNTERS];
    uint64_t wall_cycles; /* harness cycles from ap_start to done seen */
} rtl_run;

static inline void rtl_put_insn(uint8_t *mem, const bm_insn *in) {
    bm_insn_encode(in, mem);
}

/* Device address of a test memory window of `bytes`: 0x400000000 (above
 * 4 GiB) on presets with 64 address bits; on presets with fewer, the window
 * ends at 2^addr_bits with `top` (transfers and fetches then touch the last
 * bytes below it) and starts at 0x80000000 (the iCE40 board's) without. */
static inline uint64_t rtl_mem_base(const bm_preset *p, uint64_t bytes, int top) {
    if (p->addr_bits >= 64) return 0x400000000ull;
    return top ? (1ull << p->addr_bits) - bytes : 0x80000000ull;
}

/* Start a program and poll until ap_done (or max_cycles). Polls CTRL every
 * `poll` cycles; returns 0 when done. */
static inline int rtl_run_prog(bm_sim *s, uint64_t insn_addr, uint32_t count,
                               const uint64_t base[4], uint64_t max_cycles, rtl_run *r) {
    memset(r, 0, sizeof *r);
    bm_sim_reg_write(s, BM_REG_INSN_LO, (uint32_t)insn_addr);
    bm_sim_reg_write(s, BM_REG_INSN_HI, (uint32_t)(insn_addr >> 32));
    bm_sim_reg_write(s, BM_REG_INSN_COUNT, count);
    for (int i = 0; i < 4; i++) {
        bm_sim_reg_write(s, BM_REG_BASE0_LO + 8 * i, (uint32_t)base[i]);
        bm_sim_reg_write(s, BM_REG_BASE0_HI + 8 * i, (uint32_t)(base[i] >> 32));
    }
    uint64_t c0 = bm_sim_cycle(s);
    bm_sim_reg_write(s, BM_REG_CTRL, BM_CTRL_START);
    for (;;) {
        uint32_t ctrl = bm_sim_reg_read(s, BM_REG_CTRL);
        if (ctrl & BM_CTRL_DONE) break;
        if (bm_sim_cycle(s) - c0 > max_cycles) return -1;
        bm_sim_step(s, 64);
    }
    r->done = 1;
    r->wall_cycles = bm_sim_cycle(s) - c0;
    r->status = bm_sim_reg_read(s, BM_REG_STATUS);
    r->err_pc = bm_sim_reg_read(s, BM_REG_ERR_PC);
    for (int i = 0; i < BM_N_COUNTERS; i++) {
        if (i == BM_CNT_CYCLES) {
            uint64_t lo = bm_sim_reg_read(s, BM_REG_CYCLES_LO);
            uint64_t hi = bm_sim_reg_read(s, BM_REG_CYCLES_HI);
            r->counters[i] = lo | hi << 32;
        } else {
            r->counters[i] = bm_sim_reg_read(s, bm_counter_offsets[i]);
        }
    }
    return 0;
}

/* Run one program on the engine (on a copy of the memory) and on the RTL,
 * compare STATUS, ERR_PC, every counter (only when no error: error paths are
 * not cycle-modelled) and, when no error, the whole device memory. Prints
 * differences; returns 0 when identical. */
#include <stdio.h>
#include <stdlib.h>
#include "bm_engine.h"
static inline int rtl_compare(const bm_preset *p, bm_sim *s, uint64_t mem_base, uint64_t mem_bytes,
                              uint32_t lat, uint32_t bpc, uint64_t insn_addr, uint32_t count,
                              const uint64_t base[4], bm_run_result *er, rtl_run *rr) {
    uint8_t *mem = bm_sim_mem(s);
    uint8_t *ref = (uint8_t *)malloc(mem_bytes);
    if (!ref) return -1;
    memcpy(ref, mem, mem_bytes);
    bm_run_args a = {insn_addr, count, {base[0], base[1], base[2], base[3]}};
    bm_engine_opts eo = {lat, bpc, 0, 0};
    int rc = bm_engine_run(p, &eo, ref, mem_base, mem_bytes, &a, er);
    int hrc = rtl_run_prog(s, insn_addr, count, base, 50000000ull, rr);
    int bad = 0;
    if (rc != 0) { bad = 1; fprintf(stderr, "engine rc %d\n", rc); }
    if (hrc != 0) { bad = 1; fprintf(stderr, "rtl: no ap_done\n"); }
    if ((rr->status & 0xff) != (uint32_t)er->hw_error || (er->hw_error && rr->err_pc != er->err_pc)) {
        bad = 1;
        fprintf(stderr, "status rtl %x pc %u, engine %d pc %u (%s)\n", rr->status, rr->err_pc,
                er->hw_error, er->err_pc, er->msg);
    }
    if (!er->hw_error) {
        for (int i = 0; i < BM_N_COUNTERS; i++) {
            if (rr->counters[i] != er->counters[i]) {
                bad = 1;
                fprintf(stderr, "counter %s: rtl %llu engine %llu\n", bm_counter_names[i],
                        (unsigned long long)rr->counters[i], (unsigned long long)er->counters[i]);
            }
        }
        if (memcmp(ref, mem, mem_bytes)) {
            uint64_t first = 0, cnt = 0;
            for (uint64_t i = 0; i < mem_bytes; i++)
                if (ref[i] != mem[i]) { if (!cnt) first = i; cnt++; }
            bad = 1;
            fprintf(stderr, "memory differs in %llu bytes, first at +0x%llx (rtl %02x engine %02x)\n",
                    (unsigned long long)cnt, (unsigned long long)first, mem[first], ref[first]);
        }
    }
    free(ref);
    return bad;
}

#endif
