/* 2:4 pruning: masks of every method are 2:4 (also with partial last runs),
 * magnitude keeps the 2 largest |w| (ties keep the lower k), Wanda follows
 * activation norms, SparseGPT beats both on correlated activations, and
 * joint SparseGPT+INT4 / GPTQ on a fixed mask beat RTN on the same mask. */
#include <cblas.h>
#include <math.h>

#include "bm_rand.h"
#include "bm_test.h"
#include "quant/bm_quant.h"
#include "sparse/bm_sparse.h"

static double out_err(const float *W, const float *Wq, int N, int K, const double *H)
{
    double *d = malloc(sizeof(double) * K), *hd = malloc(sizeof(double) * K), num = 0, den = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int n = 0; n < N; n++) {
            for (int k = 0; k < K; k++)
                d[k] = (double)W[(size_t)n * K + k] - (pass ? 0.0 : Wq[(size_t)n * K + k]);
            cblas_dsymv(CblasRowMajor, CblasUpper, K, 1.0, H, K, d, 1, 0.0, hd, 1);
            *(pass ? &den : &num) += cblas_ddot(K, d, 1, hd, 1);
        }
    free(d);
    free(hd);
    return num / den;
}

static void apply(const float *W, const uint8_t *keep, size_t n, float *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = keep[i] ? W[i] : 0.0f;
}

static void test_magnitude_wanda(void)
{
    bm_err e = {0};
    /* Hand cases: ties keep the lower k; partial runs. */
    float w1[4] = {1, 1, 1, 1}, w2[4] = {0.1f, -0.9f, 0.5f, 0.7f};
    uint8_t k[8];
    CHECK_EQ_INT(bm_prune_24_mask(w1, 1, 4, BM_PRUNE_MAGNITUDE, NULL, k, &e), BM_OK);
    CHECK(k[0] && k[1] && !k[2] && !k[3], "ties keep k 0,1");
    bm_prune_24_mask(w2, 1, 4, BM_PRUNE_MAGNITUDE, NULL, k, &e);
    CHECK(!k[0] && k[1] && !k[2] && k[3], "largest |w| are k 1,3");
    float w6[6] = {1, 2, 3, 4, 0.1f, 0.2f}, w7[7] = {1, 2, 3, 4, 0.3f, 0.1f, 0.2f};
    bm_prune_24_mask(w6, 1, 6, BM_PRUNE_MAGNITUDE, NULL, k, &e);
    CHECK(k[4] && k[5], "partial run of 2 keeps both");
    bm_prune_24_mask(w7, 1, 7, BM_PRUNE_MAGNITUDE, NULL, k, &e);
    CHECK(k[4] && !k[5] && k[6] && bm_check_24(k, 1, 7), "partial run of 3 keeps 2");
    /* Wanda differs from magnitude when activation norms differ. */
    float ww[4] = {1.0f, 0.9f, 0.8f, 0.7f};
    double H[16] = {0};
    H[0] = 0.01;
    H[5] = H[10] = H[15] = 1.0;
    bm_prune_24_mask(ww, 1, 4, BM_PRUNE_MAGNITUDE, NULL, k, &e);
    CHECK(k[0] && k[1] && !k[2] && !k[3], "magnitude keeps 0,1");
    bm_prune_24_mask(ww, 1, 4, BM_PRUNE_WANDA, H, k, &e);
    CHECK(!k[0] && k[1] && k[2] && !k[3], "Wanda keeps 1,2 (|w| sqrt(H_jj) = .1 .9 .8 .7)");
    CHECK_EQ_INT(bm_prune_24_mask(ww, 1, 4, BM_PRUNE_WANDA, NULL, k, &e), BM_E_INVAL);
    ww[2] = NAN;
    CHECK_EQ_INT(bm_prune_24_mask(ww, 1, 4, BM_PRUNE_MAGNITUDE, NULL, k, &e), BM_E_NUMERIC);
    CHECK(strstr(e.msg, "weight [0][2] is NaN") != NULL, "msg '%s'", e.msg);
    /* bm_check_24 rejects 3 of 4. */
    uint8_t bad[8] = {1, 1, 0, 0, 1, 0, 1, 1};
    CHECK_EQ_INT(bm_check_24(bad, 1, 8), 0);
    uint8_t good[8] = {1, 1, 0, 0, 0, 1, 0, 1};
    CHECK_EQ_INT(bm_check_24(good, 2, 4), 1);
    CHECK_EQ_INT(bm_check_24(good, 1, 8), 1);
    /* Random: magnitude keeps exactly the 2 largest per run. */
    enum { N = 16, K = 131 };
    float *W = malloc(sizeof(float) * N * K);
    uint8_t *m = malloc(N * K);
    for (int i = 0; i < N * K; i++)
        W[i] = (float)bm_nrand();
    bm_prune_24_mask(W, N, K, BM_PRUNE_MAGNITUDE, NULL, m, &e);
    int ok = bm_check_24(m, N, K);
    for (int n = 0; n < N; n++)
        for (int k0 = 0; k0 < K; k0 += 4)
            for (int a = k0; a < k0 + 4 && a < K; a++) {
                int larger = 0;
                for (int b = k0; b < k0 + 4 && b < K; b++)
                    larger += fabsf(W[n * K + b]) > fabsf(W[n * K + a]);
                ok &= m[n * K + a] == (larger < 2);
            }
    CHECK(ok, "magnitude = 2 largest |w| per run");
    free(W);
    free(m);
}

static void test_sparsegpt(void)
{
    enum { N = 64, K = 258 }; /* partial last run of 2 */
    size_t nk = (size_t)N * K;
    double *H = bm_rand_hessian(K, 2 * K, -1);
    float *W = malloc(nk * sizeof *W), *Wp = malloc(nk * sizeof *Wp), *Ws = malloc(nk * sizeof *Ws);
    uint8_t *km = malloc(nk), *kw = malloc(nk), *ks = malloc(nk), *ks2 = malloc(nk);
    for (size_t i = 0; i < nk; i++)
        W[i] = (float)(0.02 * bm_nrand());
    bm_err e = {0};
    CHECK_EQ_INT(bm_prune_24_mask(W, N, K, BM_PRUNE_MAGNITUDE, H, km, &e), BM_OK);
    CHECK_EQ_INT(bm_prune_24_mask(W, N, K, BM_PRUNE_WANDA, H, kw, &e), BM_OK);
    CHECK_EQ_INT(bm_sparsegpt_24(W, N, K, H, Ws, ks, &e), BM_OK);
    CHECK_EQ_INT(bm_prune_24_mask(W, N, K, BM_PRUNE_SPARSEGPT, H, ks2, &e), BM_OK);
    CHECK(bm_check_24(km, N, K) && bm_check_24(kw, N, K) && bm_check_24(ks, N, K), "all masks 2:4");
    CHECK(memcmp(ks, ks2, nk) == 0, "mask API gives SparseGPT's mask");
    int zeros_ok = 1, kept2 = 1;
    for (size_t i = 0; i < nk; i++)
        zeros_ok &= ks[i] || Ws[i] == 0.0f;
    for (int n = 0; n < N; n++) /* exactly 2 kept per full run */
        for (int k0 = 0; k0 + 4 <= K; k0 += 4)
            kept2 &= ks[n * K + k0] + ks[n * K + k0 + 1] + ks[n * K + k0 + 2] + ks[n * K + k0 + 3] == 2;
    CHECK(zeros_ok && kept2, "SparseGPT prunes exactly 2 of 4 and zeroes them");
    apply(W, km, nk, Wp);
    double em = out_err(W, Wp, N, K, H);
    apply(W, kw, nk, Wp);
    double ew = out_err(W, Wp, N, K, H);
    double es = out_err(W, Ws, N, K, H);
    printf("2:4 rel. output error: magnitude %.4f, Wanda %.4f, SparseGPT %.4f\n", em, ew, es);
    CHECK(ew < em, "Wanda %.4f below magnitude %.4f", ew, em);
    CHECK(es < 0.8 * ew, "SparseGPT %.4f below 0.8 x Wanda %.4f", es, ew);

    /* Joint SparseGPT + INT4 (two-level scales) vs magnitude mask + RTN INT4
     * and vs GPTQ on Wanda's fixed mask vs RTN on it. */
    bm_qconf c = {.dtype = BM_DT_INT, .bits = 4, .group = 64, .scale_bits = 8};
    bm_qweight q;
    CHECK_EQ_INT(bm_quantize_gptq(W, N, K, H, &c, NULL, NULL, 1, "x", &q, &e), BM_OK);
    double ej = INFINITY, er = INFINITY, eg = INFINITY, erw = INFINITY;
    if (q.keep) {
        CHECK(bm_check_24(q.keep, N, K), "joint mask is 2:4");
        bm_q_dequant(&q, 1, Wp);
        int z = 1;
        for (size_t i = 0; i < nk; i++)
            z &= q.keep[i] || Wp[i] == 0.0f;
        CHECK(z, "joint: pruned weights dequantize to 0");
        /* per row: 64 runs x 2 slots + 2 (partial run of 2), 6 bits each;
         * 5 groups x 8-bit scode; 32-bit rscale */
        CHECK(fabs(bm_q_bits_per_weight(&q) - (130.0 * 6 + 40 + 32) / K) < 1e-12, "joint bpw");
        ej = out_err(W, Wp, N, K, H);
        bm_qweight_free(&q);
    }
    if (bm_quantize_rtn(W, N, K, &c, km, "x", &q, &e) == BM_OK) {
        bm_q_dequant(&q, 1, Wp);
        er = out_err(W, Wp, N, K, H);
        bm_qweight_free(&q);
    }
    if (bm_quantize_rtn(W, N, K, &c, kw, "x", &q, &e) == BM_OK) {
        bm_q_dequant(&q, 1, Wp);
        erw = out_err(W, Wp, N, K, H);
        bm_qweight_free(&q);
    }
    if (bm_quantize_gptq(W, N, K, H, &c, NULL, kw, 0, "x", &q, &e) == BM_OK) {
        CHECK(memcmp(q.keep, kw, nk) == 0, "fixed mask kept");
        bm_q_dequant(&q, 1, Wp);
        eg = out_err(W, Wp, N, K, H);
        bm_qweight_free(&q);
    }
    printf("2:4 + INT4 g64: magnitude+RTN %.4f, Wanda+RTN %.4f, Wanda+GPTQ %.4f, joint SparseGPT %.4f\n",
           er, erw, eg, ej);
    CHECK(ej < 0.8 * er && ej < erw, "joint SparseGPT+INT4 %.4f vs magnitude+RTN %.4f", ej, er);
    CHECK(eg < erw, "GPTQ on Wanda mask %.4f below RTN on it %.4f", eg, erw);
    /* Refusals: mask + sparsegpt, non-2:4 mask. */
    CHECK_EQ_INT(bm_quantize_gptq(W, N, K, H, &c, NULL, kw, 1, "x", &q, &e), BM_E_INVAL);
    memset(km, 1, nk);
    CHECK_EQ_INT(bm_quantize_rtn(W, N, K, &c, km, "blk.0.ffn_up", &q, &e), BM_E_INVAL);
    CHECK(strstr(e.msg, "blk.0.ffn_up") && strstr(e.msg, "2:4"), "msg '%s'", e.msg);
    free(H);
    free(W);
    free(Wp);
    free(Ws);
    free(km);
    free(kw);
    free(ks);
    free(ks2);
}

int main(void)
{
    bm_rng_state = bm_test_seed("test_sparse_24", 777);
    test_magnitude_wanda();
    test_sparsegpt();
    return bm_test_done("test_sparse_24");
}
