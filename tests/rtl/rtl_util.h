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

#endif
