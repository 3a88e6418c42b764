/* Sweep execution: resumable, parallel by forked worker processes, and one
 * point at a time for exported job lists (GNU parallel, Slurm arrays). */
#ifndef BM_SWEEP_EXEC_H
#define BM_SWEEP_EXEC_H

#include "bm_sweep.h"

typedef void (*bm_sweep_log_fn)(void *ctx, const char *line);
typedef struct bm_sweep_tally { int ran, skipped, merged, failed; } bm_sweep_tally;

/* Run one point into DIR/points/ID.csv (atomically; DIR/points/ID.err on
 * failure). The next bm_sweep_exec on DIR merges it into results.csv. */
int bm_sweep_run_one(const bm_sweep_spec *s, const bm_sweep_point *pt, const bm_sweep_env *env,
                     const char *dir, bm_err *err);
/* Run every point not yet in DIR/results.csv with up to `jobs` workers.
 * Failed points are counted in t and logged, not fatal. */
int bm_sweep_exec(const bm_sweep_spec *s, const bm_sweep_point *pts, int n, const bm_sweep_env *env,
                  const char *dir, int jobs, bm_sweep_log_fn log, void *ctx, bm_sweep_tally *t, bm_err *err);

#endif
