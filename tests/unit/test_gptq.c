/* GPTQ: lower output error than RTN on correlated activations (INT3, INT4
 * asym, BitMoD W3, W2*, two-level scales, partial groups, act-order), dead
 * columns, the damping retry path, and block-size independence. */
#include <cblas.h>
#include <math.h>

#include "bm_rand.h"
#include "bm_test.h"
#include "quant/bm_quant.h"
#include "quant/bm_quant_impl.h"

static float *make_W(int N, int K)
{
    float *W = malloc(sizeof(float) * N * K);
    for (int i = 0; i < N * K; i++) /* heavy-ish tails like LLM weights */
        W[i] = (float)(0.02 * bm_nrand() * (bm_urand() < 0.02 ? 4.0 : 1.0));
    return W;
}

/* Relative output error ||X (W - Wq)^T||^2 / ||X W^T||^2 via H. */
static double out_err(const float *W, const float *Wq, int N, int K, const double *H)
{
    double *d = malloc(sizeof(double) * K), *hd = malloc(sizeof(double) * K), *w = malloc(sizeof(double) * K);
    double num = 0, den = 0;
    for (int n = 0; n < N; n++) {
        for (int k = 0; k < K; k++) {
            d[k] = (double)W[(size_t)n * K + k] - Wq[(size_t)n * K + k];
            w[k] = W[(size_t)n * K + k];
        }
        cblas_dsymv(CblasRowMajor, CblasUpper, K, 1.0, H, K, d, 1, 0.0, hd, 1);
        num += cblas_ddot(K, d, 1, hd, 1);
        cblas_dsymv(CblasRowMajor, CblasUpper, K, 1.0, H, K, w, 1, 0.0, hd, 1);
        den += cblas_ddot(K, w, 1, hd, 1);
    }
    free(d);
    free(hd);
    free(w);
    return num / den;
}

static double run(const float *W, int N, int K, const double *H, bm_qconf c, int gptq,
                  bm_gptq_opts o, float *deq)
{
    bm_qweight q;
    bm_err e = {0};
    int rc = gptq ? bm_quantize_gptq(W, N, K, H, &c, &o, NULL, 0, "t", &q, &e)
                  : bm_quantize_rtn(W, N, K, &c, NULL, "t", &q, &e);
    CHECK(rc == BM_OK, "%s", e.msg);
    if (rc)
        return INFINITY;
    bm_q_dequant(&q, c.scale_bits > 0, deq);
    bm_qweight_free(&q);
    return out_err(W, deq, N, K, H);
}

static void test_vs_rtn(void)
{
    static const struct { const char *name; bm_qconf c; int N, K; int act; double ratio; } cases[] = {
        {"INT3 g128", {BM_DT_INT, 3, 128, 0, 0, 0}, 64, 256, 0, 0.5},
        {"INT4 g128", {BM_DT_INT, 4, 128, 0, 0, 0}, 64, 256, 0, 0.5},
        {"INT4 asym g128", {BM_DT_INT_ASYM, 4, 128, 0, 0, 1}, 64, 256, 0, 0.5},
        {"BitMoD W3 g128", {BM_DT_BITMOD, 3, 128, 0, 0, 0}, 64, 256, 0, 0.5},
        {"BitMoD W3 g128 sb8", {BM_DT_BITMOD, 3, 128, 8, 0, 0}, 64, 256, 0, 0.5},
        {"INT3 g64 sb8", {BM_DT_INT, 3, 64, 8, 0, 0}, 64, 256, 0, 0.5},
        {"W2* g32 sb8", {BM_DT_ABQ, 2, 32, 8, 0, 0}, 64, 256, 0, 0.5},
        {"BitMoD W4 g64 K=172", {BM_DT_BITMOD, 4, 64, 8, 0, 0}, 32, 172, 0, 0.5},
        {"INT3 per-channel K=172", {BM_DT_INT, 3, 0, 8, 0, 0}, 32, 172, 0, 0.5},
        {"INT3 g48 (not a block divisor)", {BM_DT_INT, 3, 48, 8, 0, 0}, 32, 200, 0, 0.5},
        {"INT3 g128 act-order", {BM_DT_INT, 3, 128, 0, 0, 0}, 64, 256, 1, 0.5},
    };
    for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
        int N = cases[t].N, K = cases[t].K;
        double *H = bm_rand_hessian(K, 2 * K, -1);
        float *W = make_W(N, K), *d = malloc(sizeof(float) * N * K);
        bm_gptq_opts o = BM_GPTQ_DEFAULTS;
        o.act_order = cases[t].act;
        double er = run(W, N, K, H, cases[t].c, 0, o, d);
        double eg = run(W, N, K, H, cases[t].c, 1, o, d);
        printf("%-32s rel. output error RTN %.4e GPTQ %.4e (x%.3f)\n", cases[t].name, er, eg, eg / er);
        CHECK(eg < cases[t].ratio * er, "%s: GPTQ %.4e not below %.2f x RTN %.4e", cases[t].name, eg,
              cases[t].ratio, er);
        free(H);
        free(W);
        free(d);
    }
}

static void test_dead_and_shapes(void)
{
    enum { N = 16, K = 96 };
    double *H = bm_rand_hessian(K, 256, 5);
    float *W = make_W(N, K), *d = malloc(sizeof(float) * N * K);
    bm_qconf c = {.dtype = BM_DT_BITMOD, .bits = 4, .group = 32, .scale_bits = 8};
    double e = run(W, N, K, H, c, 1, BM_GPTQ_DEFAULTS, d);
    int dead_zero = 1, finite = 1;
    for (int n = 0; n < N; n++) {
        dead_zero &= d[n * K + 5] == 0.0f;
        for (int k = 0; k < K; k++)
            finite &= isfinite(d[n * K + k]);
    }
    CHECK(dead_zero && finite && e < 0.05, "dead column 5 quantized to 0, err %g", e);
    /* N = 1, K = 1. */
    float w1 = 0.3f, d1;
    double h1 = 2.0;
    CHECK(run(&w1, 1, 1, &h1, c, 1, BM_GPTQ_DEFAULTS, &d1) < 1e-3 && fabsf(d1 - 0.3f) < 1e-3f, "1x1 %g", d1);
    /* Refusals: NaN weight, NaN Hessian, act-order with 2:4. */
    bm_qweight q;
    bm_err er = {0};
    W[2 * K + 7] = NAN;
    CHECK_EQ_INT(bm_quantize_gptq(W, N, K, H, &c, NULL, NULL, 0, "blk.2.ffn_down", &q, &er), BM_E_NUMERIC);
    CHECK(strcmp(er.msg, "tensor blk.2.ffn_down: weight [2][7] is NaN") == 0, "msg '%s'", er.msg);
    W[2 * K + 7] = 0.0f;
    H[3 * K + 4] = INFINITY;
    CHECK_EQ_INT(bm_quantize_gptq(W, N, K, H, &c, NULL, NULL, 0, "x", &q, &er), BM_E_NUMERIC);
    CHECK(strstr(er.msg, "H[3][4] is Inf") != NULL, "msg '%s'", er.msg);
    H[3 * K + 4] = H[4 * K + 3];
    bm_gptq_opts ao = {128, 0.01, 1};
    CHECK_EQ_INT(bm_quantize_gptq(W, N, K, H, &c, &ao, NULL, 1, "x", &q, &er), BM_E_INVAL);
    free(H);
    free(W);
    free(d);
}

/* Indefinite H (eigenvalue -1): potrf fails at damping 0.01 and 0.1, succeeds
 * once damping reaches 10 x mean diag; GPTQ still completes. */
static void test_damping_retry(void)
{
    enum { N = 8, K = 64 };
    double *H = malloc(sizeof(double) * K * K), v[K], lam = 0;
    for (int k = 0; k < K; k++)
        v[k] = 1.0 / sqrt((double)K);
    for (int i = 0; i < K; i++)
        for (int j = 0; j < K; j++)
            H[i * K + j] = (i == j) - 2.0 * v[i] * v[j];
    double *A = malloc(sizeof(double) * K * K);
    uint8_t dead[K] = {0};
    bm_err e = {0};
    CHECK_EQ_INT(bm_obs_hinv_chol(A, H, dead, NULL, K, 0.01, &lam, &e), BM_OK);
    double mean = 1.0 - 2.0 / K;
    CHECK(fabs(lam - 10.0 * mean) < 1e-9, "damping raised to %g (mean diag %g)", lam, mean);
    /* U^T U = (H + lam I)^-1: check (H + lam I) U^T U = I on a few entries. */
    double maxdev = 0;
    for (int i = 0; i < K; i += 7)
        for (int j = 0; j < K; j += 5) {
            double s = 0;
            for (int m = 0; m < K; m++) {
                double hinv = 0; /* (U^T U)[m][j] */
                for (int l = 0; l <= (m < j ? m : j); l++)
                    hinv += A[l * K + m] * A[l * K + j];
                s += (H[i * K + m] + (i == m) * lam) * hinv;
            }
            maxdev = fmax(maxdev, fabs(s - (i == j)));
        }
    CHECK(maxdev < 1e-9, "U^T U inverts H + lam I (dev %g)", maxdev);
    float *W = make_W(N, K), *d = malloc(sizeof(float) * N * K);
    bm_qconf c = {.dtype = BM_DT_INT, .bits = 4, .group = 32, .scale_bits = 8};
    bm_qweight q;
    CHECK_EQ_INT(bm_quantize_gptq(W, N, K, H, &c, NULL, NULL, 0, "x", &q, &e), BM_OK);
    bm_qweight_free(&q);
    /* A negative diagonal entry far beyond the largest damping tried
     * (1e5 x mean diag, the mean cancels to ~1): refused, never a crash. */
    for (int i = 0; i < K * K; i++)
        H[i] = i % (K + 1) == 0 ? 1.0 : 0.0;
    H[0] = 1e12 + 1.0;
    H[K + 1] = -1e12;
    CHECK_EQ_INT(bm_quantize_gptq(W, N, K, H, &c, NULL, NULL, 0, "blk.0.attn_k", &q, &e), BM_E_NUMERIC);
    CHECK(strstr(e.msg, "blk.0.attn_k") && strstr(e.msg, "not positive definite"), "msg '%s'", e.msg);
    free(H);
    free(A);
    free(W);
    free(d);
}

/* Lazy batching is exact in real arithmetic: other block sizes give the
 * same codes except for rare float near-ties. */
static void test_block_size(void)
{
    enum { N = 64, K = 256 };
    double *H = bm_rand_hessian(K, 512, -1);
    float *W = make_W(N, K);
    bm_qconf c = {.dtype = BM_DT_BITMOD, .bits = 3, .group = 64, .scale_bits = 8};
    bm_qweight q0, q1;
    bm_err e = {0};
    CHECK_EQ_INT(bm_quantize_gptq(W, N, K, H, &c, NULL, NULL, 0, "x", &q0, &e), BM_OK);
    int blocks[] = {1, 16, 64, 100, 256, 1000};
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
        bm_gptq_opts o = {blocks[b], 0.01, 0};
        CHECK_EQ_INT(bm_quantize_gptq(W, N, K, H, &c, &o, NULL, 0, "x", &q1, &e), BM_OK);
        int diff = 0;
        for (int i = 0; i < N * K; i++)
            diff += q0.code[i] != q1.code[i];
        printf("block %d: %d of %d codes differ from block 128\n", blocks[b], diff, N * K);
        CHECK(diff <= N * K / 1000, "block %d: %d codes differ", blocks[b], diff);
        bm_qweight_free(&q1);
    }
    bm_qweight_free(&q0);
    free(H);
    free(W);
}

int main(void)
{
    bm_rng_state = bm_test_seed("test_gptq", 12345);
    test_vs_rtn();
    test_dead_and_shapes();
    test_damping_retry();
    test_block_size();
    return bm_test_done("test_gptq");
}
