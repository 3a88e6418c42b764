/* Scheduling of one packed layer for M tokens: a double-buffered LOAD /
 * COMPUTE / STORE program whose dependency tokens are derived from explicit
 * "must finish before" edges (bm_sched.c), so every schedule is race-free
 * and deadlock-free by construction.
 *
 * Buffers (kernel arguments): BASE0 = the layer's weight blob, BASE1 = the
 * activation buffer (bm_act_pack layout), BASE2 = int32 outputs [M][N].
 *
 * The schedule is chosen by a cost model among loop orders and tile sizes
 * (docs/architecture.md "Compiler"); bm_sched_opts can force one. */
#ifndef BM_SCHED_H
#define BM_SCHED_H

#include "emit/bm_prog.h"
#include "pack/bm_pack.h"

/* Activation handling. */
enum {
    BM_SCHED_AUTO = 0,
    BM_SCHED_RESIDENT = 1, /* an m-block's whole K stays in ACT; weights stream per m-block */
    BM_SCHED_KSPLIT = 2,   /* activations stream per k-piece, partial sums stay in ACC */
    BM_SCHED_LEGACY = 3,   /* the original schedule (pack chunks as jobs, m-block as large as fits,
                            * one n-tile per ACC group, activations loaded in one lump) */
};

typedef struct bm_sched_opts {
    int mode;       /* BM_SCHED_* */
    uint32_t mb;    /* m-tiles per block (0 = cost model) */
    uint32_t ng;    /* n-tiles per ACC group (0 = cost model) */
    uint32_t kp;    /* k-pieces (0 = cost model); a request, rounded to what the packing allows */
} bm_sched_opts;

/* The chosen plan (for reports and tests). */
typedef struct bm_sched_info {
    int mode;
    uint32_t mb, ng, kp;
    double est_cycles;  /* the cost model's estimate */
} bm_sched_info;

int bm_sched_layer(const bm_preset *p, const bm_layer_hw *hw, int M, bm_prog *out, bm_err *err);
/* opts/info may be NULL. */
int bm_sched_layer_opts(const bm_preset *p, const bm_layer_hw *hw, int M, const bm_sched_opts *opts,
                        bm_prog *out, bm_sched_info *info, bm_err *err);

/* Ideal cycles: M*N*K*T / (ROWS*COLS*LANES) (halved for 2:4), the
 * denominator of utilization. */
double bm_sched_ideal_cycles(const bm_preset *p, const bm_layer_hw *hw, int M);

#endif
