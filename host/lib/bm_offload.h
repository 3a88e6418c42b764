/* Offload of a model's linear layers to a device: every selected weight is
 * quantized, packed and uploaded once; each call quantizes the activations
 * per token (absmax, INT-a), schedules the layer for M tokens, runs it and
 * applies row and activation scales on the host. Plugs into bm_llama as its
 * bm_linear_fn. */
#ifndef BM_OFFLOAD_H
#define BM_OFFLOAD_H

#include "bitmill.h"
#include "load/bm_model.h"
#include "pack/bm_pack.h"
#include "quant/bm_quant.h"

typedef struct bm_offload_opts {
    bm_qconf q;               /* weight format (scale_bits must be > 0) */
    int act_bits;             /* 2..8, default 8 */
    int sparse24;             /* 1: magnitude 2:4 pruning before quantization */
    int classifier;           /* 1: offload `output` too (default: kept fp32) */
} bm_offload_opts;

typedef struct bm_offload_stats {
    uint64_t calls, tokens, cycles, ideal_cycles_x100, step_cycles;
    uint64_t counters[BM_N_COUNTERS];
    double bits_per_weight;   /* offloaded layers, weighted by size */
    uint64_t weights;         /* offloaded weights */
} bm_offload_stats;

typedef struct bm_offload bm_offload;

int bm_offload_new(bm_dev *dev, const bm_model *m, const bm_offload_opts *o, bm_offload **out,
                   bm_err *err);
/* Same for an explicit list of weights (names as in bm_model); m may be
 * NULL when every call is to one of them. */
int bm_offload_new_tensors(bm_dev *dev, const bm_model *m, const bm_tensor *t, int n,
                           const bm_offload_opts *o, bm_offload **out, bm_err *err);
void bm_offload_free(bm_offload *f);
/* bm_linear_fn: ctx is the bm_offload. Falls back to fp32 for tensors that
 * are not offloaded. */
int bm_offload_linear(void *ctx, const char *name, const float *x, int M, int K, float *y, int N,
                      bm_err *err);
const bm_offload_stats *bm_offload_get_stats(const bm_offload *f);
void bm_offload_reset_stats(bm_offload *f);

#endif
