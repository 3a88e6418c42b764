/* 2:4 semi-structured pruning along K: masks (magnitude, Wanda, SparseGPT)
 * and dense-valued SparseGPT. A run is 4 consecutive aligned k in one row; a
 * partial last run of 1-3 keeps at most 2. Ties keep the lower k. */
#ifndef BM_SPARSE_H
#define BM_SPARSE_H

#include <stdint.h>

#include "bm_err.h"

typedef enum { BM_PRUNE_NONE = 0, BM_PRUNE_MAGNITUDE, BM_PRUNE_WANDA, BM_PRUNE_SPARSEGPT } bm_prune;

/* keep: [N][K] out, 1 = kept. magnitude: keep the 2 largest |w|; Wanda: score
 * |W_ij| * sqrt(H_jj) (||X_j||^2 is proportional to H_jj); SparseGPT: the mask
 * bm_sparsegpt_24 chooses. H_or_null: double [K][K], needed by Wanda/SparseGPT. */
int bm_prune_24_mask(const float *W, int N, int K, bm_prune method, const double *H_or_null,
                     uint8_t *keep, bm_err *err);
/* Dense-valued SparseGPT (OBS update, lazy blocks of 128, damping 0.01): per
 * 4-run and row prune the 2 smallest w^2/[U]_cc^2, propagate the error.
 * W_out [N][K]: updated kept weights, 0 where pruned. */
int bm_sparsegpt_24(const float *W, int N, int K, const double *H, float *W_out, uint8_t *keep,
                    bm_err *err);
/* 1 if every aligned run of 4 (and the partial last run) keeps at most 2. */
int bm_check_24(const uint8_t *keep, int N, int K);

#endif
