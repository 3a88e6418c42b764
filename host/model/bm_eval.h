/* Perplexity of a model over a text file with a stated protocol (see
 * docs/eval.md): whole-text tokenization, windows of `window` tokens with
 * `stride`, BOS fed at every window start, every token scored exactly once. */
#ifndef BM_EVAL_H
#define BM_EVAL_H

#include "bm_llama.h"

#define BM_EVAL_WINDOW_DEFAULT 256

typedef void (*bm_ppl_progress_fn)(void *ctx, long done, long total);

/* Encode a whole text the way evaluation and calibration do: one
 * bm_tokenizer_encode call, no BOS/EOS (so it starts with the dummy-prefix
 * space). *tokens is malloc'ed; the caller frees it. */
int bm_text_tokens(const bm_tokenizer *t, const char *text, int **tokens, long *n,
                   bm_err *err);

/* Perplexity over the token stream of `text`, skipping its first
 * skip_tokens tokens (e.g. a calibration span, bm_calib_span_tokens) and
 * keeping at most max_tokens after that (<= 0: all). window <= 0 means
 * BM_EVAL_WINDOW_DEFAULT, stride <= 0 means window (non-overlapping); need
 * 1 <= stride <= window <= bm_llama_max_seq(l). cb (may be NULL) is called
 * after each window with tokens scored so far and the total to score. */
int bm_eval_ppl_from(bm_llama *l, const bm_tokenizer *t, const char *text, long skip_tokens,
                     long max_tokens, int window, int stride, bm_ppl_progress_fn cb,
                     void *cb_ctx, double *ppl, long *n_scored, bm_err *err);
/* Same with skip_tokens = 0. */
int bm_eval_ppl(bm_llama *l, const bm_tokenizer *t, const char *text, long max_tokens,
                int window, int stride, bm_ppl_progress_fn cb, void *cb_ctx, double *ppl,
                long *n_scored, bm_err *err);

#endif
