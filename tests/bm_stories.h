/* stories260K for the tests that run the real model: the llama2.c weights
 * and the tok512 tokenizer from DATA_DIR (tests fail, never skip, when the
 * data is missing). */
#ifndef BM_STORIES_H
#define BM_STORIES_H

#include "load/bm_model.h"
#include "bm_test.h"

/* Loads DATA_DIR/stories260K.bin into *m and DATA_DIR/tok512.bin into *t
 * (pass &m->tok to attach the tokenizer to the model: has_tok is then set).
 * Each file that cannot be loaded is one failed check naming it; returns 0
 * when both loaded. */
static inline int bm_test_load_stories(bm_model *m, bm_tokenizer *t)
{
    char p[1024];
    bm_err e = {0};
    snprintf(p, sizeof p, "%s/stories260K.bin", bm_test_data_dir());
    int r1 = bm_model_load(p, m, &e);
    CHECK(r1 == BM_OK, "%s (set DATA_DIR to the shared data folder)", e.msg);
    snprintf(p, sizeof p, "%s/tok512.bin", bm_test_data_dir());
    int r2 = bm_tokenizer_load_llama2c(p, 512, t, &e);
    CHECK(r2 == BM_OK, "%s", e.msg);
    if (r1 == BM_OK && r2 == BM_OK && t == &m->tok)
        m->has_tok = 1;
    return r1 != BM_OK || r2 != BM_OK;
}

#endif
