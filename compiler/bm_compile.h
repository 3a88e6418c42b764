/* The compiler driver: model + options -> packed layers for one preset.
 * Chooses the tensors to quantize (the 7 linear layers of every block, and
 * the classifier on request), runs calibration when the method needs it
 * (GPTQ, Wanda, SparseGPT), prunes, quantizes and packs. */
#ifndef BM_COMPILE_H
#define BM_COMPILE_H

#include "load/bm_model.h"
#include "pack/bm_pack.h"
#include "quant/bm_quant.h"
#include "sparse/bm_sparse.h"

typedef enum { BM_METHOD_RTN = 0, BM_METHOD_GPTQ = 1 } bm_method;

typedef struct bm_compile_opts {
    const bm_preset *preset;
    bm_qconf q;
    int act_bits;           /* 2..8 */
    bm_method method;
    bm_prune prune;         /* BM_PRUNE_NONE or a 2:4 method */
    const char *calib_text; /* text for calibration (GPTQ, Wanda, SparseGPT) */
    int calib_seqs, calib_len; /* sequences x tokens (default 16 x 256) */
    int classifier;         /* also quantize `output` */
} bm_compile_opts;

typedef struct bm_packed_layer {
    char name[96];
    bm_layer_hw hw;
    uint8_t *blob;          /* hw.blob_bytes */
    float *rscale;          /* hw.N */
} bm_packed_layer;

/* 1 if `name` is a tensor the policy quantizes. */
int bm_compile_selects(const char *name, int classifier);
/* Compile every selected tensor; *out has *n entries (free with
 * bm_packed_free). progress (may be NULL) is called per layer. */
int bm_compile_model(const bm_model *m, const bm_compile_opts *o, bm_packed_layer **out, int *n,
                     void (*progress)(void *ctx, int done, int total, const char *name), void *ctx,
                     bm_err *err);
/* One tensor; H (K x K) is needed for GPTQ/Wanda/SparseGPT, else NULL. */
int bm_compile_tensor(const bm_tensor *t, const double *H, const bm_compile_opts *o,
                      bm_packed_layer *out, bm_err *err);
void bm_packed_free(bm_packed_layer *l, int n);

#endif
