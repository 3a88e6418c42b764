/* Scheduling of one packed layer for M tokens: a double-buffered LOAD /
 * COMPUTE / STORE program whose dependency tokens are derived from explicit
 * "must finish before" edges (bm_sched.c), so every schedule is race-free
 * and deadlock-free by construction.
 *
 * Buffers (kernel arguments): BASE0 = the layer's weight blob, BASE1 = the
 * activation buffer (bm_act_pack layout), BASE2 = int32 outputs [M][N]. */
#ifndef BM_SCHED_H
#define BM_SCHED_H

#include "emit/bm_prog.h"
#include "pack/bm_pack.h"

int bm_sched_layer(const bm_preset *p, const bm_layer_hw *hw, int M, bm_prog *out, bm_err *err);

/* Ideal cycles: M*N*K*T / (ROWS*COLS*LANES) (halved for 2:4), the
 * denominator of utilization. */
double bm_sched_ideal_cycles(const bm_preset *p, const bm_layer_hw *hw, int M);

#endif
