/* fp32 Llama forward pass on the host (RMSNorm, interleaved-pair RoPE,
 * grouped-query attention, SwiGLU, KV cache). Every linear layer goes through
 * a bm_linear_fn so a device backend can take it over; the default is
 * cblas_sgemm on the model's fp32 weights. */
#ifndef BM_LLAMA_H
#define BM_LLAMA_H

#include <stddef.h>

#include "bm_err.h"
#include "load/bm_model.h"

/* y[M][N] = x[M][K] · W[N][K]^T for the canonical tensor `name`
 * ("blk.3.attn_q", ..., "output"). Returns BM_OK or a BM_E_* code. */
typedef int (*bm_linear_fn)(void *ctx, const char *name, const float *x, int M, int K,
                            float *y, int N, bm_err *err);

typedef struct bm_llama bm_llama;

/* max_seq: KV-cache length (<= 0 or > cfg.seq_len means cfg.seq_len). The
 * model must outlive the runner. */
int bm_llama_new(const bm_model *m, int max_seq, bm_llama **out, bm_err *err);
/* fn NULL restores the fp32 default. Called for every linear layer,
 * including "output" (the classifier) when logits are requested. */
void bm_llama_set_linear(bm_llama *l, bm_linear_fn fn, void *ctx);
/* Process tokens[0..n) at positions pos..pos+n-1 as one batch (M = n for
 * every linear layer; causal attention within the batch and to the cache).
 * logits: [n][vocab], or NULL to skip the final norm and the classifier
 * entirely ("output" is then not called), e.g. for prefill. */
int bm_llama_forward(bm_llama *l, const int *tokens, int n, int pos, float *logits,
                     bm_err *err);
void bm_llama_reset(bm_llama *l);      /* forget the KV cache */
void bm_llama_free(bm_llama *l);
int bm_llama_max_seq(const bm_llama *l);
const bm_model *bm_llama_model(const bm_llama *l);

/* The default linear: ctx is the const bm_model *; W = tensor `name`. */
int bm_linear_fp32(void *ctx, const char *name, const float *x, int M, int K, float *y,
                   int N, bm_err *err);

/* Greedy decoding: encodes prompt with BOS, prefills it as one batch, then
 * generates up to `steps` new tokens (stops early at BOS/EOS or max_seq).
 * out gets the decoded prompt + continuation (llama2.c piece rules; control
 * bytes other than whitespace are dropped). BM_E_RANGE if out_len is too
 * small. */
int bm_generate_greedy(bm_llama *l, const bm_tokenizer *t, const char *prompt, int steps,
                       char *out, size_t out_len, bm_err *err);

#endif
