/* Bits per weight computed by hand (docs/formats.md): codes + per-group
 * scale/selector/zero + 32-bit row scale with two-level scales + 2:4 slots. */
#include <math.h>

#include "bm_test.h"
#include "quant/bm_quant.h"

static double bpw(bm_dtype dt, int bits, int group, int sb, int N, int K, int sparse)
{
    size_t nk = (size_t)N * K;
    float *w = malloc(nk * sizeof *w);
    uint8_t *keep = malloc(nk);
    for (size_t i = 0; i < nk; i++) {
        w[i] = (float)((int)(i % 13) - 6) * 0.01f;
        keep[i] = i % 4 < 2; /* 1100 pattern: 2:4, partial runs keep <= 2 */
    }
    bm_qconf c = {.dtype = dt, .bits = bits, .group = group, .scale_bits = sb};
    bm_qweight q;
    bm_err e = {0};
    double r = -1;
    if (bm_quantize_rtn(w, N, K, &c, sparse ? keep : NULL, "t", &q, &e) == BM_OK) {
        r = bm_q_bits_per_weight(&q);
        bm_qweight_free(&q);
    } else {
        CHECK(0, "%s", e.msg);
    }
    free(w);
    free(keep);
    return r;
}

#define CHECK_BPW(got, want) CHECK(fabs((got) - (want)) < 1e-12, "bpw %.10f != %.10f", got, want)

int main(void)
{
    /* INT4 g128, 8-bit scale codes, K=256: 4 + 8/128 + 32/256. */
    CHECK_BPW(bpw(BM_DT_INT, 4, 128, 8, 2, 256, 0), 4.0 + 8.0 / 128 + 32.0 / 256);
    /* BitMoD W3 g128 sb8, K=4096: 3 + (8 + 2)/128 + 32/4096 = 3.0859375. */
    CHECK_BPW(bpw(BM_DT_BITMOD, 3, 128, 8, 1, 4096, 0), 3.0859375);
    /* INT3 asym g128 fp32 scales, K=128: 3 + (32 + 3)/128, no row scale. */
    CHECK_BPW(bpw(BM_DT_INT_ASYM, 3, 128, 0, 3, 128, 0), 3.2734375);
    /* ABQ W2* stores 3 bits: 3 + 8/64 + 32/128 = 3.375. */
    CHECK_BPW(bpw(BM_DT_ABQ, 2, 64, 8, 1, 128, 0), 3.375);
    /* 2:4 INT4 g128 sb8, K=128: b/2+1 = 3, + 8/128 + 32/128. */
    CHECK_BPW(bpw(BM_DT_INT, 4, 128, 8, 2, 128, 1), 3.3125);
    /* 2:4 with a partial last run: K=130 -> 32 full runs + one run of 2:
     * 66 slots x (4 + 2) bits + one fp32 group scale (per channel), / 130. */
    CHECK_BPW(bpw(BM_DT_INT, 4, 0, 0, 1, 130, 1), (66.0 * 6 + 32) / 130);
    /* K=131: the partial run of 3 still stores 2 slots. */
    CHECK_BPW(bpw(BM_DT_INT, 4, 0, 0, 1, 131, 1), (66.0 * 6 + 32) / 131);
    /* Partial group: K=200 g128 -> 2 groups per row: 4 + 2*8/200 + 32/200. */
    CHECK_BPW(bpw(BM_DT_INT, 4, 128, 8, 4, 200, 0), 4.0 + 16.0 / 200 + 32.0 / 200);
    return bm_test_done("test_quant_bpw");
}
