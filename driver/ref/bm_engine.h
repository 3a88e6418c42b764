/* Reference model and cycle model of the bitmill accelerator in one engine:
 * it executes a program against a flat device memory bit-exactly (docs/isa.md)
 * and in exactly the cycles the RTL takes (docs/timing.md). */
#ifndef BM_ENGINE_H
#define BM_ENGINE_H

#include <stdint.h>

#include "bm_presets.h"
#include "bm_regs.h"

typedef struct bm_run_args {
    uint64_t insn_addr;   /* device address of the first instruction (16-aligned) */
    uint32_t insn_count;  /* instructions available */
    uint64_t base[4];     /* BASE0..BASE3 */
} bm_run_args;

typedef struct bm_run_result {
    int hw_error;         /* BM_HWERR_* (0 = none) */
    uint32_t err_pc;      /* instruction index of the error */
    uint64_t counters[BM_N_COUNTERS]; /* register order; [BM_CNT_CYCLES] first */
    char msg[256];        /* human-readable account of an error */
} bm_run_result;

typedef struct bm_engine_opts {
    uint32_t mem_latency; /* cycles (>= 1) */
    uint32_t mem_bpc;     /* bytes per cycle (>= 1) */
    uint64_t max_cycles;  /* give up (BM_E_TIMEOUT) past this; 0 = 2^40 */
    int timing_only;      /* 1: skip the arithmetic (cycle model only, for sweeps) */
} bm_engine_opts;

/* Run the program in `mem` (device addresses [mem_base, mem_base+mem_bytes)).
 * Returns BM_OK when the machine stopped (check r->hw_error), BM_E_INVAL for
 * bad arguments, BM_E_NOMEM, or BM_E_TIMEOUT when max_cycles passed. */
int bm_engine_run(const bm_preset *p, const bm_engine_opts *o, uint8_t *mem,
                  uint64_t mem_base, uint64_t mem_bytes, const bm_run_args *a,
                  bm_run_result *r);

/* Device addresses have p->addr_bits bits: the mask of the bits the INSN
 * and BASEn registers store (docs/isa.md, "Device addresses"). */
static inline uint64_t bm_addr_mask(const bm_preset *p)
{
    return p->addr_bits >= 64 ? UINT64_MAX : (1ull << p->addr_bits) - 1;
}

/* Bytes of each scratchpad of a preset (TAB derived from table_bits/max_terms). */
uint32_t bm_sp_bytes(const bm_preset *p, int sp);
uint32_t bm_tab_bytes(const bm_preset *p);

#endif
