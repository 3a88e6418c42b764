/* Two-level scales: dequant(two_level=1) is exactly (rscale*scode)*(value -
 * zero); codes are re-fit for the effective scale; scode range rules; the
 * accuracy cost against fp32 scales stays under the bound measured on the
 * BitMoD reference matrix (docs/formats.md). */
#include <math.h>

#include "bm_test.h"
#include "quant/bm_quant.h"

enum { RN = 64, RK = 4096 };

static float *load_ref(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/bitmod-ref/W1_rows0-63.f32", bm_test_data_dir());
    FILE *f = fopen(path, "rb");
    float *w = malloc(sizeof(float) * RN * RK);
    size_t got = f && w ? fread(w, sizeof(float), (size_t)RN * RK, f) : 0;
    if (f)
        fclose(f);
    if (got != (size_t)RN * RK) {
        fprintf(stderr, "FAIL: cannot read %s (set DATA_DIR)\n", path);
        free(w);
        return NULL;
    }
    return w;
}

static double mse(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    return s / n;
}

/* Exact formula and range checks on one two-level qweight. */
static void check_exact(const bm_qweight *q, const char *what)
{
    size_t nk = (size_t)q->N * q->K;
    float *d = malloc(nk * sizeof *d);
    bm_q_dequant(q, 1, d);
    int maxc = (1 << q->conf.scale_bits) - 1, bad = 0, badc = 0, top = 0;
    for (int n = 0; n < q->N; n++) {
        int rowtop = 0;
        for (int k = 0; k < q->K; k++) {
            int g = k / q->group;
            size_t gi = (size_t)n * q->ngroups + g, i = (size_t)n * q->K + k;
            int v = bm_q_value(q->conf.dtype, q->conf.bits, q->sel[gi], q->code[i]);
            float want = (q->rscale[n] * (float)q->scode[gi]) * (float)(v - q->zero[gi]);
            bad += memcmp(&want, &d[i], 4) != 0;
        }
        for (int g = 0; g < q->ngroups; g++) {
            int sc = q->scode[(size_t)n * q->ngroups + g], nz = 0;
            for (int k = g * q->group; k < q->K && k < (g + 1) * q->group; k++)
                nz |= d[(size_t)n * q->K + k] != 0.0f;
            badc += sc > maxc || (sc == 0 && nz); /* 0 only for an all-zero group */
            rowtop |= sc == maxc;
        }
        top += rowtop;
    }
    CHECK(bad == 0, "%s: %d weights differ from rscale*scode*(value-zero)", what, bad);
    CHECK(badc == 0, "%s: %d scodes outside 1..%d", what, badc, maxc);
    /* INT: the largest group is exactly the top code; BitMoD may re-select. */
    if (q->conf.dtype != BM_DT_BITMOD)
        CHECK(top == q->N, "%s: only %d of %d rows reach scode %d", what, top, q->N, maxc);
    free(d);
}

static void test_reference_cost(const float *W)
{
    static const struct { bm_dtype dt; int bits; double bound8, bound4; } cases[] = {
        /* measured x1.0002 / x1.0146 at worst (docs/formats.md) */
        {BM_DT_INT, 3, 1.002, 1.03}, {BM_DT_INT, 4, 1.002, 1.03},
        {BM_DT_INT_ASYM, 4, 1.002, 1.03}, {BM_DT_BITMOD, 3, 1.002, 1.03},
        {BM_DT_BITMOD, 4, 1.002, 1.03}, {BM_DT_ABQ, 2, 1.002, 1.03},
    };
    size_t nk = (size_t)RN * RK;
    float *d0 = malloc(nk * sizeof *d0), *d1 = malloc(nk * sizeof *d1);
    for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
        double e[3];
        int sbs[3] = {0, 8, 4};
        for (int s = 0; s < 3; s++) {
            bm_qconf c = {.dtype = cases[t].dt, .bits = cases[t].bits, .group = 128,
                          .scale_bits = sbs[s]};
            bm_qweight q;
            bm_err err = {0};
            int rc = bm_quantize_rtn(W, RN, RK, &c, NULL, "ref", &q, &err);
            CHECK(rc == BM_OK, "%s", err.msg);
            if (rc)
                return;
            bm_q_dequant(&q, sbs[s] > 0, s ? d1 : d0);
            e[s] = mse(W, s ? d1 : d0, nk);
            if (s)
                check_exact(&q, "reference matrix");
            bm_qweight_free(&q);
        }
        printf("dtype %d b%d g128: MSE fp32 %.4e, 8-bit scodes x%.4f, 4-bit x%.4f\n",
               (int)cases[t].dt, cases[t].bits, e[0], e[1] / e[0], e[2] / e[0]);
        CHECK(e[1] / e[0] < cases[t].bound8, "8-bit scale codes cost x%.4f", e[1] / e[0]);
        CHECK(e[2] / e[0] < cases[t].bound4, "4-bit scale codes cost x%.4f", e[2] / e[0]);
    }
    free(d0);
    free(d1);
}

/* A row with an all-zero group and a tiny group: scode 0 and clamp to 1. */
static void test_code_rules(void)
{
    enum { K = 64 };
    float w[K] = {0}, d[K];
    for (int k = 0; k < 16; k++)
        w[k] = (float)(k - 8) * 0.1f; /* group 0: max 0.8 */
    /* group 1 (16..31) all zero */
    w[32] = 1e-6f;                     /* group 2: tiny -> scode rounds to 0, clamped to 1 */
    for (int k = 48; k < 64; k++)
        w[k] = (float)(k - 56) * 0.02f; /* group 3 */
    for (int dt = 0; dt < 4; dt++) {
        bm_qconf c = {.dtype = (bm_dtype)dt, .bits = dt == 3 ? 2 : 4, .group = 16,
                      .scale_bits = 8, .asym_gptq = 1};
        bm_qweight q;
        bm_err e = {0};
        if (bm_quantize_rtn(w, 1, K, &c, NULL, "t", &q, &e) != BM_OK) {
            CHECK(0, "%s", e.msg);
            continue;
        }
        bm_q_dequant(&q, 1, d);
        CHECK(q.scode[1] == 0 && q.scode[2] == 1, "dtype %d scodes %d %d", dt, q.scode[1], q.scode[2]);
        int zero_ok = 1;
        for (int k = 16; k < 32; k++)
            zero_ok &= d[k] == 0.0f;
        CHECK(zero_ok, "all-zero group dequantizes to 0 (dtype %d)", dt);
        CHECK(fabsf(d[32]) <= q.rscale[0], "tiny group stays tiny");
        /* scale_bits = 1: every non-zero group gets code 1 = the row max. */
        c.scale_bits = 1;
        bm_qweight q1;
        if (bm_quantize_rtn(w, 1, K, &c, NULL, "t", &q1, &e) == BM_OK) {
            CHECK(q1.scode[0] == 1 && q1.scode[1] == 0 && q1.scode[3] == 1, "1-bit scodes");
            check_exact(&q1, "scale_bits 1");
            bm_qweight_free(&q1);
        }
        bm_qweight_free(&q);
    }
}

/* Re-fit: a group whose scale rounds down saturates its maximum at the top
 * code instead of keeping codes chosen for the fp32 scale. */
static void test_refit(void)
{
    float w[8] = {1.0f, 0.5f, -0.25f, 0.1f, 0.37f, 0.2f, -0.1f, 0.05f};
    bm_qconf c = {.dtype = BM_DT_INT, .bits = 4, .group = 4, .scale_bits = 2};
    bm_qweight q;
    bm_err e = {0};
    if (bm_quantize_rtn(w, 1, 8, &c, NULL, "t", &q, &e) == BM_OK) {
        /* rscale = (1/7)/3; group 1 fp32 scale 0.37/7 -> 0.37*3 = 1.11 -> code 1 */
        CHECK_EQ_INT(q.scode[0], 3);
        CHECK_EQ_INT(q.scode[1], 1);
        float s = q.rscale[0] * 1.0f;
        for (int k = 4; k < 8; k++) {
            float r = rintf(w[k] / s);
            r = r > 7 ? 7 : r < -7 ? -7 : r;
            CHECK(bm_q_value(BM_DT_INT, 4, 0, q.code[k]) == (int)r, "k %d re-fit code", k);
        }
        bm_qweight_free(&q);
    } else {
        CHECK(0, "%s", e.msg);
    }
}

int main(void)
{
    float *W = load_ref();
    CHECK(W != NULL, "reference matrix present");
    if (W)
        test_reference_cost(W);
    free(W);
    test_code_rules();
    test_refit();
    return bm_test_done("test_quant_scales");
}
