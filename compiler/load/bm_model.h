/* In-memory fp32 Llama model and its tokenizer, loaded from llama2.c .bin,
 * GGUF (F32/F16/BF16) or Hugging Face safetensors. Every loader produces the
 * same canonical tensors (GGUF names without ".weight", llama2.c row order
 * for q/k, i.e. RoPE on interleaved pairs); see docs/models.md. */
#ifndef BM_MODEL_H
#define BM_MODEL_H

#include <stddef.h>

#include "bm_err.h"

/* rows = out features N, cols = in features K; vectors have rows = 1.
 * data is row-major [rows][cols]. */
typedef struct bm_tensor {
    char name[96];
    int rows, cols;
    float *data;
} bm_tensor;

typedef struct bm_tokenizer {
    int vocab_size;
    char **vocab;          /* NUL-terminated pieces; ' ' not U+2581 */
    float *scores;         /* BPE merge priority, higher merges first */
    int max_token_length;  /* longest piece in bytes (measured, not trusted) */
    int bos_id, eos_id;
    /* private */
    struct bm_tok_entry *sorted; /* pieces usable by encode, sorted */
    int n_sorted;
    int byte_id[256];      /* token for raw byte b (<0xXX>), -1 if none */
    short *byte_of;        /* [vocab] byte value of a <0xXX> piece, or -1 */
    char byte_piece[256][2];
} bm_tokenizer;

typedef struct bm_model_cfg {
    int dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len, head_dim;
    float norm_eps, rope_theta;
    int shared_classifier; /* 1: `output` aliases token_embd's data */
} bm_model_cfg;

typedef struct bm_model {
    bm_model_cfg cfg;
    int n_tensors;
    bm_tensor *tensors;    /* canonical order, see docs/models.md */
    bm_tokenizer tok;
    int has_tok;
    char source[256];      /* path it was loaded from */
    /* private */
    float *arena;          /* one allocation backing every tensor */
    unsigned char *filled; /* loader bookkeeping, NULL after a load */
} bm_model;

/* Dispatch on magic and extension: "GGUF" magic -> GGUF; ".safetensors" or
 * a safetensors header -> safetensors (config.json beside it); otherwise a
 * llama2.c .bin. On failure *m is left empty (bm_model_free is safe). */
int bm_model_load(const char *path, bm_model *m, bm_err *err);
int bm_model_load_llama2c(const char *path, bm_model *m, bm_err *err);
int bm_model_load_gguf(const char *path, bm_model *m, bm_err *err);
int bm_model_load_safetensors(const char *path, bm_model *m, bm_err *err);

/* The same loaders on an in-memory image (`name` is used in messages);
 * these are what the fuzz harnesses drive. */
int bm_model_load_llama2c_mem(const void *buf, size_t n, const char *name,
                              bm_model *m, bm_err *err);
int bm_model_load_gguf_mem(const void *buf, size_t n, const char *name,
                           bm_model *m, bm_err *err);
int bm_model_load_safetensors_mem(const void *buf, size_t n, const char *name,
                                  const char *config_json, size_t config_len,
                                  const char *config_name, bm_model *m, bm_err *err);
/* Parse a Hugging Face config.json into cfg (validated). */
int bm_hf_config_parse(const char *json, size_t n, const char *name,
                       bm_model_cfg *cfg, bm_err *err);

int bm_tokenizer_load_llama2c(const char *path, int vocab_size, bm_tokenizer *t, bm_err *err);
int bm_tokenizer_load_llama2c_mem(const void *buf, size_t n, const char *name,
                                  int vocab_size, bm_tokenizer *t, bm_err *err);
/* llama2.c BPE encode: a dummy-prefix space when text is non-empty, UTF-8
 * code points with <0xXX> byte fallback, then greedy best-score merges
 * (leftmost on ties), in O(n log n). bos/eos: nonzero to add them.
 * BM_E_RANGE if more than max_tokens would be produced. */
int bm_tokenizer_encode(const bm_tokenizer *t, const char *text, int bos, int eos,
                        int *tokens, int max_tokens, int *n_out, bm_err *err);
/* llama2.c decode rules: the leading space of a piece right after BOS is
 * dropped; <0xXX> pieces decode to the raw byte. Never NULL. */
const char *bm_tokenizer_piece(const bm_tokenizer *t, int prev_token, int token);
void bm_tokenizer_free(bm_tokenizer *t);

void bm_model_free(bm_model *m);
const bm_tensor *bm_model_find(const bm_model *m, const char *name); /* NULL if absent */
/* 1 if same architecture and byte-identical tensors (by name); seq_len is a
 * context limit, not part of the function, and is not compared. Otherwise 0
 * and a reason in why. */
int bm_model_equal(const bm_model *a, const bm_model *b, char *why, size_t why_len);

#endif
