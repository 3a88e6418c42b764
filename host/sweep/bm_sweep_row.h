/* One results.csv row (a layer of a sweep point) and its writer; the column
 * list, with units in the names, is defined once in bm_sweep_csv.c. */
#ifndef BM_SWEEP_ROW_H
#define BM_SWEEP_ROW_H

#include <stdint.h>

#include "bm_regs.h"
#include "bm_sweep.h"

typedef struct bm_sweep_row {
    const bm_sweep_spec *spec;
    const bm_sweep_point *pt;
    const bm_sweep_env *env;
    const bm_sweep_res *res;       /* synthesis of the configuration, NULL = not asked */
    char layer[96];
    int M, N, K, terms, timing_only;
    uint64_t cnt[BM_N_COUNTERS];   /* cycle model counters */
    double ideal, bpw;
    uint32_t mem_bpc, mem_latency;
    double rel_error, ppl, fp32_ppl;   /* NAN = not measured */
    long ppl_tokens;
    int rtl_checked, rtl_counter_diffs;
    uint64_t rtl_cycles;
} bm_sweep_row;

int bm_sweep_row_write(FILE *out, const bm_sweep_row *r, bm_err *err);

#endif
