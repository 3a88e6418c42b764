/* .bmx container: compile stories260K, write, read back; the program alone
 * gives the same logits on the reference device as compiling on the fly;
 * truncation at every section boundary (and many other lengths), flipped
 * bytes, a foreign preset and a bad version are refused with a message; a
 * failed write leaves nothing behind. */
#include <math.h>
#include <unistd.h>

#include "bm_test.h"
#include "bm_stories.h"
#include "bitmill.h"
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
    uint8_t *b = malloc(*n);
    if (fread(b, 1, *n, f) != *n) { free(b); b = NULL; }
    fclose(f);
    return b;
}

static int logits_of(bm_dev *dev, bm_model *m, const bm_packed_layer *L, int n, int act_bits, float *out)
{
    bm_err err = {0};
    bm_offload *off = NULL;
    bm_llama *l = NULL;
    int toks[4] = {1, 403, 407, 261};
    int rc = bm_offload_new_packed(dev, m, L, n, act_bits, &off, &err);
    if (!rc) rc = bm_llama_new(m, 16, &l, &err);
    if (!rc) {
        bm_llama_set_linear(l, bm_offload_linear, off);
        rc = bm_llama_forward(l, toks, 4, 0, out, &err);
    }
    CHECK(rc == BM_OK, "forward: %s", err.msg);
    bm_llama_free(l);
    bm_offload_free(off);
    return rc;
}

int main(void)
{
    bm_err err = {0};
    bm_model m;
    int rc = bm_test_load_stories(&m, &m.tok);
    if (rc)
        return bm_test_done("test_bmx");

    bm_compile_opts o = {0};
    o.preset = bm_preset_find("odd");
    o.q = (bm_qconf){BM_DT_INT_ASYM, 4, 12, 8, 0, 0};
    o.act_bits = 8;
    bm_packed_layer *L;
    int n;
    rc = bm_compile_model(&m, &o, &L, &n, NULL, NULL, &err);
    CHECK(rc == BM_OK && n == 35, "compile: %s (%d layers)", err.msg, n);
    const char *out = "build/test-bmx.bmx";
    rc = bm_bmx_write(out, &m, &o, L, n, &err);
    CHECK(rc == BM_OK, "write: %s", err.msg);
    CHECK(access("build/test-bmx.bmx.tmp", F_OK) != 0, "no temporary file left");

    bm_bmx b;
    rc = bm_bmx_read(out, &b, &err);
    CHECK(rc == BM_OK, "read: %s", err.msg);
    if (rc)
        return bm_test_done("test_bmx");
    CHECK_EQ_INT(b.nl, 35);
    CHECK_EQ_INT(b.np, 35);
    CHECK(b.preset == o.preset, "preset odd");
    CHECK(strstr(b.manifest, "\"int-asym\"") != NULL, "manifest names the format");
    CHECK_EQ_INT(b.model.cfg.dim, 64);
    CHECK(b.model.has_tok && b.model.tok.vocab_size == 512, "tokenizer inside");
    for (int i = 0; i < n; i++) {
        CHECK(memcmp(b.layers[i].blob, L[i].blob, L[i].hw.blob_bytes) == 0, "blob %s", L[i].name);
        CHECK(memcmp(b.layers[i].rscale, L[i].rscale, 4 * L[i].hw.N) == 0, "rscale %s", L[i].name);
    }
    /* The program alone equals the on-the-fly compile, bit for bit. */
    bm_dev *dev;
    rc = bm_dev_open("ref://odd", NULL, &dev, &err);
    CHECK(rc == BM_OK, "open: %s", err.msg);
    CHECK_EQ_INT(bm_dev_check(dev, b.isa_hash, b.preset_hash, &err), BM_OK);
    float *l1 = malloc(sizeof(float) * 4 * 512), *l2 = malloc(sizeof(float) * 4 * 512);
    logits_of(dev, &m, L, n, 8, l1);
    logits_of(dev, &b.model, b.layers, b.nl, b.act_bits, l2);
    CHECK(memcmp(l1, l2, sizeof(float) * 4 * 512) == 0, "logits from .bmx == logits from model");
    bm_dev_close(dev);
    /* A device of another preset is refused with both names. */
    rc = bm_dev_open("ref://default", NULL, &dev, &err);
    CHECK_EQ_INT(bm_dev_check(dev, b.isa_hash, b.preset_hash, &err), BM_E_MISMATCH);
    CHECK(strstr(err.msg, "odd") && strstr(err.msg, "default"), "mismatch message: %s", err.msg);
    bm_dev_close(dev);
    bm_bmx_free(&b);

    /* Truncations and corruptions. */
    size_t sz;
    uint8_t *buf = slurp(out, &sz);
    CHECK(buf != NULL, "reread");
    int refused = 0, tries = 0;
    for (size_t cut = 0; cut < sz; cut += cut < 4096 ? 7 : 997) {
        bm_bmx x;
        tries++;
        if (bm_bmx_read_mem(buf, cut, "trunc.bmx", &x, &err) != BM_OK && strstr(err.msg, "trunc.bmx"))
            refused++;
        else
            bm_bmx_free(&x);
    }
    CHECK(refused == tries, "every truncation refused (%d of %d)", refused, tries);
    refused = tries = 0;
    for (size_t pos = 0; pos < sz; pos += 1 + sz / 300) {
        bm_bmx x;
        buf[pos] ^= 0x5a;
        tries++;
        if (bm_bmx_read_mem(buf, sz, "flip.bmx", &x, &err) != BM_OK)
            refused++;
        else
            bm_bmx_free(&x);
        buf[pos] ^= 0x5a;
    }
    CHECK(refused == tries, "every flipped byte refused (%d of %d)", refused, tries);
    buf[4] = 9;
    bm_bmx x;
    CHECK_EQ_INT(bm_bmx_read_mem(buf, sz, "v.bmx", &x, &err), BM_E_UNSUPP);
    CHECK(strstr(err.msg, "version 9") != NULL, "%s", err.msg);
    buf[4] = 1;
    buf[8] ^= 1;
    CHECK_EQ_INT(bm_bmx_read_mem(buf, sz, "isa.bmx", &x, &err), BM_E_MISMATCH);
    free(buf);

    /* Writing into a missing folder fails cleanly and leaves nothing. */
    rc = bm_bmx_write("build/no/such/dir/x.bmx", &m, &o, L, n, &err);
    CHECK(rc == BM_E_IO && strstr(err.msg, "cannot create"), "write error: %s", err.msg);
    CHECK(access("build/no/such/dir/x.bmx.tmp", F_OK) != 0, "nothing left");
    remove(out);
    bm_packed_free(L, n);
    free(L);
    free(l1);
    free(l2);
    bm_model_free(&m);
    return bm_test_done("test_bmx");
}
