/* Offload of a model's linear layers to a device: each selected weight is
 * compiled (bm_compile) and its blob uploaded once; each call quantizes the
 * activations per token (absmax, INT-a), schedules the layer for the call's
 * M, runs it and applies row and activation scales on the host. Plugs into
 * bm_llama as its bm_linear_fn. */
#ifndef BM_OFFLOAD_H
#define BM_OFFLOAD_H

#include "bitmill.h"
#include "bm_compile.h"

typedef struct bm_offload_stats {
    uint64_t calls, tokens, cycles, ideal_cycles_x100, step_cycles;
    uint64_t counters[BM_N_COUNTERS];
    double bits_per_weight;   /* offloaded layers, weighted by size */
    uint64_t weights;         /* offloaded weights */
} bm_offload_stats;

typedef struct bm_offload bm_offload;

/* Compile the model's selected tensors for the device's preset (o->preset is
 * ignored) and upload them. m stays borrowed: non-offloaded calls use it. */
int bm_offload_new(bm_dev *dev, const bm_model *m, const bm_compile_opts *o, bm_offload **out,
                   bm_err *err);
/* Upload already packed layers (e.g. from a .bmx); m may be NULL when every
 * call is to one of them. */
int bm_offload_new_packed(bm_dev *dev, const bm_model *m, const bm_packed_layer *L, int n,
                          int act_bits, bm_offload **out, bm_err *err);
void bm_offload_free(bm_offload *f);
/* bm_linear_fn: ctx is the bm_offload. */
int bm_offload_linear(void *ctx, const char *name, const float *x, int M, int K, float *y, int N,
                      bm_err *err);
const bm_offload_stats *bm_offload_get_stats(const bm_offload *f);
void bm_offload_reset_stats(bm_offload *f);

#endif
