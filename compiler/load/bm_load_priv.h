/* Shared machinery of the model loaders (not a public header): config
 * validation, the canonical tensor table and dtype conversion into one fp32
 * arena. Loaders validate a file's layout, then hand each tensor's bytes to
 * bm_model_set, which checks its shape against the hyper-parameters. */
#ifndef BM_LOAD_PRIV_H
#define BM_LOAD_PRIV_H

#include <stdint.h>

#include "bm_model.h"

/* Absurd-dimension cap: no single dimension or count beyond this. */
#define BM_MAX_DIM (1 << 20)
#define BM_MAX_LAYERS 4096

typedef enum { BM_DT_F32 = 0, BM_DT_F16, BM_DT_BF16 } bm_dtype;
int bm_dtype_size(bm_dtype dt);
const char *bm_dtype_name(bm_dtype dt);
float bm_f16_to_f32(uint16_t h);
float bm_bf16_to_f32(uint16_t h);

/* Range and divisibility checks; fills head_dim. `file` names the source. */
int bm_cfg_check(bm_model_cfg *cfg, const char *file, bm_err *err);

/* Build the canonical tensor table for cfg and allocate its arena. Refuses a
 * configuration with more than max_elems parameters (the file could not hold
 * them), before allocating anything. */
int bm_model_begin(bm_model *m, const bm_model_cfg *cfg, const char *source,
                   uint64_t max_elems, bm_err *err);
/* Index of canonical tensor `name` in m, or -1. */
int bm_model_index(const bm_model *m, const char *name);
/* Convert rows*cols elements of dtype dt from src into tensor idx. The
 * shape must equal the canonical one (messages name file, offset and source
 * tensor). perm_heads > 0 undoes the Hugging Face rotate-half permutation of
 * q/k rows for that many heads. Setting a tensor twice is an error. */
int bm_model_set(bm_model *m, int idx, const uint8_t *src, bm_dtype dt, int rows,
                 int cols, int perm_heads, const char *file, uint64_t off,
                 const char *src_name, bm_err *err);
/* Check every tensor was set, alias a shared classifier (or one stored twice
 * byte-identically), free the bookkeeping. */
int bm_model_end(bm_model *m, const char *file, bm_err *err);

/* Tokenizer construction from a list of pieces; takes ownership of vocab
 * and scores (freed on failure too). */
int bm_tokenizer_build(bm_tokenizer *t, int vocab_size, char **vocab, float *scores,
                       int bos_id, int eos_id, const unsigned char *exclude,
                       const char *file, bm_err *err);

#endif
