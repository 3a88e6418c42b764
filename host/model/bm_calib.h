/* Calibration capture for GPTQ / SparseGPT / Wanda: runs the fp32 forward
 * pass over sequences from the start of a text and accumulates, for every
 * linear layer, H = (2/ntok) sum x x^T of its inputs (K x K, double). */
#ifndef BM_CALIB_H
#define BM_CALIB_H

#include "bm_llama.h"

typedef struct {
    char name[96];  /* canonical tensor name, e.g. "blk.0.attn_q" or "output" */
    int K;
    long ntok;      /* rows of x accumulated */
    double *H;      /* [K][K], symmetric (both triangles filled) */
} bm_calib_layer;

typedef struct {
    int n;
    bm_calib_layer *layers; /* in the order the forward pass calls them */
} bm_calib;

/* Sequence k (0 <= k < n_seq) is BOS followed by the text tokens
 * [k*(seq_len-1), (k+1)*(seq_len-1)) of bm_text_tokens(text): seq_len
 * positions, so ntok = n_seq*seq_len for every layer. Needs seq_len >= 2 and
 * seq_len <= cfg.seq_len. Wanda's ||X_j||_2 is sqrt(H_jj * ntok / 2). */
int bm_calib_collect(const bm_model *m, const bm_tokenizer *t, const char *text, int n_seq,
                     int seq_len, bm_calib *out, bm_err *err);
/* Text tokens the calibration consumes: evaluate with skip_tokens = this
 * (bm_eval_ppl_from) so calibration and evaluation never overlap. */
long bm_calib_span_tokens(int n_seq, int seq_len);
const bm_calib_layer *bm_calib_find(const bm_calib *c, const char *name);
void bm_calib_free(bm_calib *c);

#endif
