/* `bitmill compile` for every format: stories260K from both the llama2.c and
 * the GGUF file, compiled with RTN and GPTQ, INT sym/asym 2-8 bits, BitMoD
 * W3/W4, W2*, and 2:4 with magnitude, Wanda and SparseGPT; each program is
 * written, read back and run for a 3-token prefill on ref://, and the two
 * model files give byte-identical programs. */
#include <math.h>

#include "bm_test.h"
#include "bitmill.h"
#include "bm_calib.h"
#include "bm_llama.h"
#include "bm_offload.h"
#include "emit/bm_bmx.h"

static uint8_t *slurp(const char *p, size_t *n)
{
    FILE *f = fopen(p, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(*n ? *n : 1);
    if (fread(b, 1, *n, f) != *n) { free(b); b = NULL; }
    fclose(f);
    return b;
}

int main(void)
{
    const char *dd = bm_test_data_dir();
    char bin[512], gguf[512], tok[512], txt[512];
    snprintf(bin, sizeof bin, "%s/stories260K.bin", dd);
    snprintf(gguf, sizeof gguf, "%s/stories260K.gguf", dd);
    snprintf(tok, sizeof tok, "%s/tok512.bin", dd);
    snprintf(txt, sizeof txt, "%s/tinystories_val.txt", dd);
    bm_err err = {0};
    bm_model m[2];
    int rc = bm_model_load(bin, &m[0], &err);
    CHECK(rc == BM_OK, "%s: %s (set DATA_DIR)", bin, err.msg);
    if (!rc) rc = bm_tokenizer_load_llama2c(tok, 512, &m[0].tok, &err), m[0].has_tok = !rc;
    if (!rc) rc = bm_model_load(gguf, &m[1], &err);
    CHECK(rc == BM_OK, "%s: %s", gguf, err.msg);
    size_t tn = 0;
    char *text = (char *)slurp(txt, &tn);
    CHECK(text != NULL, "%s", txt);
    if (rc || !text)
        return bm_test_done("test_compile_all");
    text = realloc(text, tn + 1);
    text[tn] = 0;
    struct { bm_dtype dt; int bits; bm_method me; bm_prune pr; } f[] = {
        {BM_DT_INT, 8, BM_METHOD_RTN, BM_PRUNE_NONE}, {BM_DT_INT, 6, BM_METHOD_RTN, BM_PRUNE_NONE},
        {BM_DT_INT, 4, BM_METHOD_RTN, BM_PRUNE_NONE}, {BM_DT_INT, 3, BM_METHOD_RTN, BM_PRUNE_NONE},
        {BM_DT_INT, 2, BM_METHOD_RTN, BM_PRUNE_NONE}, {BM_DT_INT_ASYM, 8, BM_METHOD_RTN, BM_PRUNE_NONE},
        {BM_DT_INT_ASYM, 3, BM_METHOD_RTN, BM_PRUNE_NONE}, {BM_DT_BITMOD, 4, BM_METHOD_RTN, BM_PRUNE_NONE},
        {BM_DT_BITMOD, 3, BM_METHOD_RTN, BM_PRUNE_NONE}, {BM_DT_ABQ, 2, BM_METHOD_RTN, BM_PRUNE_NONE},
        {BM_DT_INT, 4, BM_METHOD_GPTQ, BM_PRUNE_NONE}, {BM_DT_BITMOD, 3, BM_METHOD_GPTQ, BM_PRUNE_NONE},
        {BM_DT_INT, 4, BM_METHOD_RTN, BM_PRUNE_MAGNITUDE}, {BM_DT_INT, 4, BM_METHOD_RTN, BM_PRUNE_WANDA},
        {BM_DT_INT, 4, BM_METHOD_RTN, BM_PRUNE_SPARSEGPT}, {BM_DT_INT, 4, BM_METHOD_GPTQ, BM_PRUNE_SPARSEGPT},
    };
    bm_dev *dev;
    rc = bm_dev_open("ref://default", NULL, &dev, &err);
    CHECK(rc == BM_OK, "%s", err.msg);
    for (size_t i = 0; i < sizeof f / sizeof f[0] && !rc; i++) {
        size_t sz[2] = {0, 0};
        uint8_t *img[2] = {NULL, NULL};
        for (int w = 0; w < 2; w++) {
            bm_compile_opts o = {0};
            o.preset = bm_preset_find("default");
            o.q = (bm_qconf){f[i].dt, f[i].bits, 32, 8, 0, 0};
            o.act_bits = 8;
            o.method = f[i].me;
            o.prune = f[i].pr;
            o.calib_text = text;
            o.calib_seqs = 4;
            o.calib_len = 64;
            bm_packed_layer *L;
            int n;
            char out[64];
            snprintf(out, sizeof out, "build/test-compile-%d.bmx", w);
            int r = bm_compile_model(&m[w], &o, &L, &n, NULL, NULL, &err);
            CHECK(r == BM_OK && n == 35, "format %zu from %s: %s", i, w ? "gguf" : "bin", err.msg);
            if (r) continue;
            r = bm_bmx_write(out, &m[w], &o, L, n, &err);
            CHECK(r == BM_OK, "write: %s", err.msg);
            bm_packed_free(L, n);
            free(L);
            img[w] = slurp(out, &sz[w]);
            bm_bmx b;
            r = bm_bmx_read(out, &b, &err);
            CHECK(r == BM_OK, "format %zu: read back: %s", i, err.msg);
            if (r) continue;
            bm_offload *off = NULL;
            bm_llama *l = NULL;
            float lg[3 * 512];
            int toks[3] = {1, 403, 407};
            r = bm_offload_new_packed(dev, &b.model, b.layers, b.nl, b.act_bits, &off, &err);
            if (!r) r = bm_llama_new(&b.model, 8, &l, &err);
            if (!r) {
                bm_llama_set_linear(l, bm_offload_linear, off);
                r = bm_llama_forward(l, toks, 3, 0, lg, &err);
            }
            int finite = 1;
            for (int k = 0; k < 3 * 512; k++) finite &= isfinite(lg[k]);
            CHECK(r == BM_OK && finite, "format %zu: run: %s", i, err.msg);
            bm_llama_free(l);
            bm_offload_free(off);
            bm_bmx_free(&b);
            remove(out);
        }
        /* Same weights, same program, except the recorded source path. */
        CHECK(img[0] && img[1] && sz[0] > 0, "format %zu: both programs written", i);
        if (img[0] && img[1]) {
            bm_bmx a, c;
            if (bm_bmx_read_mem(img[0], sz[0], "a", &a, &err) == BM_OK) {
                if (bm_bmx_read_mem(img[1], sz[1], "c", &c, &err) == BM_OK) {
                    int same = a.nl == c.nl;
                    for (int k = 0; same && k < a.nl; k++)
                        same = a.layers[k].hw.blob_bytes == c.layers[k].hw.blob_bytes &&
                               !memcmp(a.layers[k].blob, c.layers[k].blob, a.layers[k].hw.blob_bytes);
                    CHECK(same, "format %zu: .bin and .gguf compile to the same packed layers", i);
                    bm_bmx_free(&c);
                }
                bm_bmx_free(&a);
            }
        }
        free(img[0]);
        free(img[1]);
    }
    bm_dev_close(dev);
    free(text);
    bm_model_free(&m[0]);
    bm_model_free(&m[1]);
    return bm_test_done("test_compile_all");
}
