/* Lowering of one quantized linear layer onto a preset: geometry (tiles,
 * chunks, groups in steps), decode table, and the packed weight blob the
 * accelerator reads (docs/isa.md "Weight bitstream"; docs/formats.md). */
#ifndef BM_PACK_H
#define BM_PACK_H

#include <stdint.h>

#include "bm_err.h"
#include "bm_presets.h"
#include "quant/bm_quant.h"

typedef struct bm_layer_hw {
    char name[64];
    uint32_t N, K, Kpad;      /* Kpad: K rounded up to a whole step */
    uint32_t ntiles;          /* ceil(N / ROWS) */
    uint32_t ksteps;          /* steps over Kpad */
    uint32_t gsteps;          /* steps per group */
    uint32_t chunk_steps;     /* steps per k-chunk (multiple of gsteps) */
    uint32_t nchunks;
    uint8_t dtype, bits, code_bits, sparse, dmode, offset, zp, sel, terms, act_bits;
    uint32_t group;           /* weights per group along K */
    uint32_t tab_bytes;       /* 0 in Booth mode */
    uint64_t tile_bytes;      /* bytes of one n-tile (all chunks) in the blob */
    uint64_t blob_bytes;      /* TAB (aligned) + ntiles * tile_bytes */
    double bpw;               /* bits per weight as stored (docs/formats.md) */
} bm_layer_hw;

/* Fill geometry for q on preset p; refuses what the hardware cannot run
 * (fp32 scales, a group that is not a whole number of steps, ...). */
int bm_layer_plan(const bm_preset *p, const bm_qweight *q, const char *name, int act_bits,
                  bm_layer_hw *hw, bm_err *err);
/* Blob offset and sizes of (tile, chunk). */
uint64_t bm_layer_chunk(const bm_preset *p, const bm_layer_hw *hw, uint32_t tile, uint32_t chunk,
                        uint32_t *steps, uint64_t *wbytes, uint64_t *mbytes);
/* Write the blob (hw->blob_bytes, zero-filled by the caller) and per-row
 * float scales rscale[N]. */
int bm_layer_pack(const bm_preset *p, const bm_qweight *q, const bm_layer_hw *hw, uint8_t *blob,
                  float *rscale, bm_err *err);
/* Decode table of q for preset p (bm_tab_bytes(p) bytes) and its term count;
 * BM_E_RANGE if a value needs more than max_terms power-of-two terms. */
int bm_decode_table(const bm_preset *p, const bm_qweight *q, uint8_t *tab, int *terms, bm_err *err);
/* Canonical signed-digit terms of v (at most 8); returns the count. */
int bm_csd_terms(int v, int8_t sign[8], uint8_t shift[8]);

/* Activation buffer: M tokens of K int8 in m-tiles of COLS tokens. */
uint64_t bm_act_bytes(const bm_preset *p, const bm_layer_hw *hw, int M);
void bm_act_pack(const bm_preset *p, const bm_layer_hw *hw, const int8_t *x, int M, uint8_t *out);

#endif
