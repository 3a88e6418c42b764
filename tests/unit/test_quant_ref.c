/* BitMoD authors' reference vectors ($DATA_DIR/bitmod-ref): INT3/4 sym
 * (restricted), INT3/4 asym ([min,max] range), BitMoD W3/W4 outputs and
 * selectors must match bit for bit with fp32 group scales (scale_bits 0). */
#include <math.h>

#include "bm_test.h"
#include "quant/bm_quant.h"

enum { RN = 64, RK = 4096 };

static void *load(const char *name, size_t bytes)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/bitmod-ref/%s", bm_test_data_dir(), name);
    FILE *f = fopen(path, "rb");
    void *p = malloc(bytes);
    size_t got = f && p ? fread(p, 1, bytes, f) : 0;
    if (f)
        fclose(f);
    if (got != bytes) {
        fprintf(stderr, "FAIL: cannot read %zu bytes of %s (set DATA_DIR to the shared data folder)\n",
                bytes, path);
        free(p);
        return NULL;
    }
    return p;
}

static void check_case(const float *W, const char *file, const char *selfile, bm_dtype dt,
                       int bits)
{
    float *want = load(file, sizeof(float) * RN * RK);
    uint8_t *wsel = selfile ? load(selfile, RN * 32) : NULL;
    CHECK(want && (!selfile || wsel), "reference %s present", file);
    if (!want || (selfile && !wsel)) {
        free(want);
        free(wsel);
        return;
    }
    bm_qconf c = {.dtype = dt, .bits = bits, .group = 128, .scale_bits = 0};
    bm_qweight q;
    bm_err e = {0};
    int rc = bm_quantize_rtn(W, RN, RK, &c, NULL, "ref", &q, &e);
    CHECK(rc == BM_OK, "%s: %s", file, e.msg);
    if (rc == BM_OK) {
        float *got = malloc(sizeof(float) * RN * RK);
        bm_q_dequant(&q, 0, got);
        /* Bit for bit, except the sign of zero: the reference's rint(-0.3) =
         * -0.0 times the scale is -0.0, an integer code has no -0. */
        size_t bad = 0, first = 0, negzero = 0;
        for (size_t i = 0; i < (size_t)RN * RK; i++) {
            if (got[i] == 0.0f && want[i] == 0.0f)
                negzero += signbit(got[i]) != signbit(want[i]);
            else if (memcmp(&got[i], &want[i], 4) != 0 && !bad++)
                first = i;
        }
        printf("%s: %zu exact-zero outputs differ only in the sign of zero\n", file, negzero);
        CHECK(bad == 0, "%s: %zu outputs differ, first [%zu][%zu] got %.9g want %.9g", file, bad,
              first / RK, first % RK, got[first], want[first]);
        if (wsel) {
            int sbad = 0;
            for (int i = 0; i < RN * 32; i++)
                sbad += q.sel[i] != wsel[i];
            CHECK(sbad == 0, "%s: %d selectors differ", selfile, sbad);
        }
        free(got);
        bm_qweight_free(&q);
    }
    free(want);
    free(wsel);
}

int main(void)
{
    float *W = load("W1_rows0-63.f32", sizeof(float) * RN * RK);
    CHECK(W != NULL, "input matrix present");
    if (W) {
        check_case(W, "W1_rows0-63__int3__b3__g128.f32", NULL, BM_DT_INT, 3);
        check_case(W, "W1_rows0-63__int4__b4__g128.f32", NULL, BM_DT_INT, 4);
        check_case(W, "W1_rows0-63__int3_asym__b3__g128.f32", NULL, BM_DT_INT_ASYM, 3);
        check_case(W, "W1_rows0-63__int4_asym__b4__g128.f32", NULL, BM_DT_INT_ASYM, 4);
        check_case(W, "W1_rows0-63__mixed_bitmod__b3__g128.f32",
                   "W1_rows0-63__mixed_bitmod__b3__g128.sel.u8", BM_DT_BITMOD, 3);
        check_case(W, "W1_rows0-63__mixed_bitmod__b4__g128.f32",
                   "W1_rows0-63__mixed_bitmod__b4__g128.sel.u8", BM_DT_BITMOD, 4);
    }
    free(W);
    return bm_test_done("test_quant_ref");
}
