/* Hand-computed quantizer cases: every code's value for every dtype and
 * selector, midpoint ties to the lower value, saturation, round-half-even,
 * all-zero / single-value / partial / per-channel groups, NaN/Inf refusal. */
#include <math.h>

#include "bm_test.h"
#include "quant/bm_quant.h"
#include "quant/bm_quant_impl.h"

static int quant1(const float *w, int N, int K, bm_qconf c, bm_qweight *q, float *deq)
{
    bm_err e = {0};
    int rc = bm_quantize_rtn(w, N, K, &c, NULL, "t", q, &e);
    CHECK(rc == BM_OK, "quantize: %s", e.msg);
    if (rc == BM_OK && deq)
        bm_q_dequant(q, 0, deq);
    return rc;
}

static void test_code_tables(void)
{
    /* BitMoD: value of every code per selector, from BRIEF section 2. */
    static const int v3[4][8] = {{0, 1, 2, 4, 3, -1, -2, -4},
                                 {0, 1, 2, 4, -3, -1, -2, -4},
                                 {0, 1, 2, 4, 6, -1, -2, -4},
                                 {0, 1, 2, 4, -6, -1, -2, -4}};
    static const int v4[4][16] = {
        {0, 1, 2, 3, 4, 6, 8, 12, 10, -1, -2, -3, -4, -6, -8, -12},
        {0, 1, 2, 3, 4, 6, 8, 12, -10, -1, -2, -3, -4, -6, -8, -12},
        {0, 1, 2, 3, 4, 6, 8, 12, 16, -1, -2, -3, -4, -6, -8, -12},
        {0, 1, 2, 3, 4, 6, 8, 12, -16, -1, -2, -3, -4, -6, -8, -12}};
    for (int sel = 0; sel < 4; sel++) {
        for (int code = 0; code < 8; code++) {
            CHECK_EQ_INT(bm_q_value(BM_DT_BITMOD, 3, sel, code), v3[sel][code]);
            /* The encoder's sorted tables agree with the decode table. */
            CHECK_EQ_INT(bm_q_encode_bitmod(3, sel, 1.0f, (float)v3[sel][code]), code);
            CHECK_EQ_INT(bm_q_encode_bitmod(3, sel, 0.37f, 0.37f * (float)v3[sel][code]), code);
        }
        for (int code = 0; code < 16; code++) {
            CHECK_EQ_INT(bm_q_value(BM_DT_BITMOD, 4, sel, code), v4[sel][code]);
            CHECK_EQ_INT(bm_q_encode_bitmod(4, sel, 1.0f, (float)v4[sel][code]), code);
            CHECK_EQ_INT(bm_q_encode_bitmod(4, sel, 0.0123f, 0.0123f * (float)v4[sel][code]), code);
        }
        /* A real zero (and -0, and tiny negatives) is code 0, never "-0". */
        CHECK_EQ_INT(bm_q_encode_bitmod(3, sel, 1.0f, -0.0f), 0);
        CHECK_EQ_INT(bm_q_encode_bitmod(4, sel, 1.0f, -1e-7f), 0);
    }
    CHECK_EQ_INT(bm_q_code_count(BM_DT_BITMOD, 3), 8);
    CHECK_EQ_INT(bm_q_code_count(BM_DT_BITMOD, 4), 16);
    /* INT sym: two's complement; asym: code - 2^(b-1). */
    for (int b = 2; b <= 8; b++) {
        CHECK_EQ_INT(bm_q_code_count(BM_DT_INT, b), 1 << b);
        for (int code = 0; code < (1 << b); code++) {
            int tc = code >= (1 << (b - 1)) ? code - (1 << b) : code;
            CHECK_EQ_INT(bm_q_value(BM_DT_INT, b, 0, code), tc);
            CHECK_EQ_INT(bm_q_value(BM_DT_INT_ASYM, b, 0, code), code - (1 << (b - 1)));
        }
    }
    /* ABQ W2*: 3-bit two's complement, 5 levels. */
    CHECK_EQ_INT(bm_q_code_count(BM_DT_ABQ, 2), 5);
    static const int abq[8] = {0, 1, 2, 3, -4, -3, -2, -1};
    for (int code = 0; code < 8; code++)
        CHECK_EQ_INT(bm_q_value(BM_DT_ABQ, 2, 0, code), abq[code]);
    /* Invalid arguments. */
    CHECK_EQ_INT(bm_q_value(BM_DT_INT, 9, 0, 0), BM_Q_BADVALUE);
    CHECK_EQ_INT(bm_q_value(BM_DT_BITMOD, 3, 4, 0), BM_Q_BADVALUE);
    CHECK_EQ_INT(bm_q_value(BM_DT_BITMOD, 3, 0, 8), BM_Q_BADVALUE);
    CHECK_EQ_INT(bm_q_code_count(BM_DT_BITMOD, 5), 0);
    CHECK_EQ_INT(bm_q_code_count(BM_DT_ABQ, 3), 0);
    bm_err e = {0};
    bm_qconf bad = {.dtype = BM_DT_INT, .bits = 1};
    CHECK_EQ_INT(bm_qconf_check(&bad, &e), BM_E_INVAL);
    bad = (bm_qconf){.dtype = BM_DT_INT, .bits = 4, .scale_bits = 9};
    CHECK_EQ_INT(bm_qconf_check(&bad, &e), BM_E_INVAL);
}

static void test_bitmod_rounding(void)
{
    /* Scale 1, ER_POS 3-bit grid {-4,-2,-1,0,1,2,3,4}: midpoints go low. */
    static const float x3[] = {1.5f, -1.5f, 3.5f, 0.5f, -0.5f, -3.0f, 2.5f, 100.f, -100.f,
                               1.5000001f, -2.9999998f};
    static const int y3[] = {1, -2, 3, 0, -1, -4, 2, 4, -4, 2, -2};
    for (size_t i = 0; i < sizeof x3 / sizeof *x3; i++)
        CHECK(bm_q_value(BM_DT_BITMOD, 3, 0, bm_q_encode_bitmod(3, 0, 1.0f, x3[i])) == y3[i],
              "3-bit ER_POS x=%g", x3[i]);
    /* 4-bit ER_POS {.., 4, 6, 8, 10, 12} and negatives {-12, -8, ...}. */
    static const float x4[] = {11.f, 9.f, 5.f, 7.f, -10.f, -7.f, 13.f, -13.f, 2.5f, -2.5f};
    static const int y4[] = {10, 8, 4, 6, -12, -8, 12, -12, 2, -3};
    for (size_t i = 0; i < sizeof x4 / sizeof *x4; i++)
        CHECK(bm_q_value(BM_DT_BITMOD, 4, 0, bm_q_encode_bitmod(4, 0, 1.0f, x4[i])) == y4[i],
              "4-bit ER_POS x=%g", x4[i]);
    /* EA_NEG 4-bit: -14 is the midpoint of -16 and -12 -> -16. */
    CHECK_EQ_INT(bm_q_value(BM_DT_BITMOD, 4, 3, bm_q_encode_bitmod(4, 3, 1.0f, -14.f)), -16);
}

static void test_bitmod_selection(void)
{
    /* Groups an exact fit for one selector (scale 1 or 0.5). */
    static const float g3[4][3] = {{4, 3, 3}, {-4, -3, -3}, {6, 1, 4}, {-6, -1, -4}};
    static const float g4[4][2] = {{12, 10}, {-12, -10}, {16, 6}, {-16, -6}};
    for (int sel = 0; sel < 4; sel++) {
        bm_qweight q;
        float d[3];
        if (quant1(g3[sel], 1, 3, (bm_qconf){.dtype = BM_DT_BITMOD, .bits = 3}, &q, d) == 0) {
            CHECK_EQ_INT(q.sel[0], sel);
            for (int k = 0; k < 3; k++)
                CHECK(d[k] == g3[sel][k], "W3 sel %d k %d: %g", sel, k, d[k]);
            bm_qweight_free(&q);
        }
        if (quant1(g4[sel], 1, 2, (bm_qconf){.dtype = BM_DT_BITMOD, .bits = 4}, &q, d) == 0) {
            CHECK_EQ_INT(q.sel[0], sel);
            CHECK(d[0] == g4[sel][0] && d[1] == g4[sel][1], "W4 sel %d", sel);
            bm_qweight_free(&q);
        }
    }
    /* Equal errors keep the earlier candidate: {1,-1} is exact for all four. */
    bm_qweight q;
    float w[2] = {1, -1};
    if (quant1(w, 1, 2, (bm_qconf){.dtype = BM_DT_BITMOD, .bits = 3}, &q, NULL) == 0) {
        CHECK_EQ_INT(q.sel[0], 0);
        bm_qweight_free(&q);
    }
}

static void test_int_values(void)
{
    for (int b = 2; b <= 8; b++) {
        int qp = (1 << (b - 1)) - 1;
        /* Restricted: integers -qp..qp times 0.25 are exact; code -2^(b-1) never appears. */
        int n = 2 * qp + 1;
        float w[256], d[256];
        for (int i = 0; i < n; i++)
            w[i] = 0.25f * (float)(i - qp);
        bm_qweight q;
        if (quant1(w, 1, n, (bm_qconf){.dtype = BM_DT_INT, .bits = b}, &q, d) == 0) {
            int ok = 1;
            for (int i = 0; i < n; i++)
                ok &= d[i] == w[i] && bm_q_value(BM_DT_INT, b, 0, q.code[i]) == i - qp &&
                      q.code[i] != (1 << (b - 1));
            CHECK(ok, "INT%d restricted round trip", b);
            bm_qweight_free(&q);
        }
        /* Full range: -2^(b-1)..qp exact, the most negative code is used. */
        n = 2 * qp + 2;
        for (int i = 0; i < n; i++)
            w[i] = 0.25f * (float)(i - qp - 1);
        if (quant1(w, 1, n, (bm_qconf){.dtype = BM_DT_INT, .bits = b, .int_full = 1}, &q, d) == 0) {
            int ok = q.gscale[0] == 0.25f;
            for (int i = 0; i < n; i++)
                ok &= d[i] == w[i] && bm_q_value(BM_DT_INT, b, 0, q.code[i]) == i - qp - 1;
            CHECK(ok, "INT%d full-range round trip", b);
            bm_qweight_free(&q);
        }
        /* Asym: (i - z) * 0.125 for i = 0..2^b-1 with z = 2^(b-1)-1: codes = i. */
        n = 1 << b;
        for (int i = 0; i < n; i++)
            w[i] = 0.125f * (float)(i - qp);
        for (int gq = 0; gq < 2; gq++)
            if (quant1(w, 1, n, (bm_qconf){.dtype = BM_DT_INT_ASYM, .bits = b, .asym_gptq = gq}, &q,
                       d) == 0) {
                int ok = q.gscale[0] == 0.125f && q.zero[0] == qp - (1 << (b - 1));
                for (int i = 0; i < n; i++)
                    ok &= d[i] == w[i] && q.code[i] == i;
                CHECK(ok, "INT%d asym (gptq %d) round trip", b, gq);
                bm_qweight_free(&q);
            }
    }
    /* ABQ W2*: {-2..2} * 0.5, codes 3-bit two's complement. */
    float w[5] = {-1.0f, -0.5f, 0.0f, 0.5f, 1.0f}, d[5];
    bm_qweight q;
    if (quant1(w, 1, 5, (bm_qconf){.dtype = BM_DT_ABQ, .bits = 2}, &q, d) == 0) {
        static const int codes[5] = {6, 7, 0, 1, 2};
        CHECK_EQ_INT(q.code_bits, 3);
        for (int i = 0; i < 5; i++) {
            CHECK_EQ_INT(q.code[i], codes[i]);
            CHECK(d[i] == w[i], "W2* level %d", i);
        }
        bm_qweight_free(&q);
    }
}

static void test_rounding_saturation(void)
{
    /* INT3 restricted, scale = 3/3 = 1: rint is half-to-even. */
    float w[6] = {3.0f, 0.5f, 1.5f, 2.5f, -0.5f, -2.5f}, d[6];
    static const float want[6] = {3, 0, 2, 2, 0, -2};
    bm_qweight q;
    if (quant1(w, 1, 6, (bm_qconf){.dtype = BM_DT_INT, .bits = 3}, &q, d) == 0) {
        for (int i = 0; i < 6; i++)
            CHECK(d[i] == want[i], "half-even w=%g -> %g", w[i], d[i]);
        bm_qweight_free(&q);
    }
    /* Asym INT2 on {0, 1.5, 3}: scale 1, z 0; 1.5 -> 2 (even). */
    float a[3] = {0.0f, 1.5f, 3.0f};
    if (quant1(a, 1, 3, (bm_qconf){.dtype = BM_DT_INT_ASYM, .bits = 2}, &q, d) == 0) {
        CHECK(d[1] == 2.0f, "asym half-even %g", d[1]);
        bm_qweight_free(&q);
    }
    /* Saturation: INT4 restricted with fp32 scale of group 0 reused by
     * two-level clamping is exercised in test_quant_scales; here the encoder
     * clamps far outside values at both ends. */
    bm_qconf c = {.dtype = BM_DT_INT, .bits = 4};
    bm_gfit f = {.scale = 1.0f};
    CHECK_EQ_INT(bm_q_value(BM_DT_INT, 4, 0, bm_q_encode(&c, &f, 1e9f)), 7);
    CHECK_EQ_INT(bm_q_value(BM_DT_INT, 4, 0, bm_q_encode(&c, &f, -1e9f)), -7);
    c.int_full = 1;
    CHECK_EQ_INT(bm_q_value(BM_DT_INT, 4, 0, bm_q_encode(&c, &f, -1e9f)), -8);
    c = (bm_qconf){.dtype = BM_DT_INT_ASYM, .bits = 3};
    f.z = 3;
    CHECK_EQ_INT(bm_q_encode(&c, &f, 1e9f), 7);
    CHECK_EQ_INT(bm_q_encode(&c, &f, -1e9f), 0);
    c = (bm_qconf){.dtype = BM_DT_ABQ, .bits = 2};
    CHECK_EQ_INT(bm_q_value(BM_DT_ABQ, 2, 0, bm_q_encode(&c, &f, -7.f)), -2);
    CHECK_EQ_INT(bm_q_value(BM_DT_BITMOD, 3, 2, bm_q_encode_bitmod(3, 2, 1.0f, 1e9f)), 6);
}

static void test_degenerate_groups(void)
{
    /* All-zero group: fp32 scale is the 1e-5 clamp, codes decode to 0,
     * BitMoD keeps ER_POS (all errors 0), two-level scode is 0. */
    float z[8] = {0}, d[8];
    for (int dt = 0; dt < 4; dt++) {
        bm_qconf c = {.dtype = (bm_dtype)dt, .bits = dt == 3 ? 2 : 3, .scale_bits = 8};
        bm_qweight q;
        if (quant1(z, 1, 8, c, &q, NULL) == 0) {
            bm_q_dequant(&q, 1, d);
            int ok = q.scode[0] == 0 && q.sel[0] == 0 && q.gscale[0] == 1e-5f;
            for (int i = 0; i < 8; i++)
                ok &= d[i] == 0.0f;
            CHECK(ok, "all-zero group dtype %d", dt);
            bm_qweight_free(&q);
        }
    }
    bm_qweight q;
    bm_qconf gq = {.dtype = BM_DT_INT_ASYM, .bits = 4, .asym_gptq = 1};
    if (quant1(z, 1, 8, gq, &q, d) == 0) { /* GPTQ range [-1, 1] for an empty range */
        CHECK(q.gscale[0] == 2.0f / 15.0f && d[0] == 0.0f, "gptq asym all-zero");
        bm_qweight_free(&q);
    }
    /* Single-value group 0.3: sym types reproduce it to float rounding. */
    float s[4] = {0.3f, 0.3f, 0.3f, 0.3f};
    for (int dt = 0; dt < 4; dt++) {
        bm_qconf c = {.dtype = (bm_dtype)dt, .bits = dt == 3 ? 2 : 4, .asym_gptq = 1};
        if (quant1(s, 1, 4, c, &q, d) == 0) {
            CHECK(fabsf(d[0] - 0.3f) <= 1e-7f && d[3] == d[0], "single value dtype %d: %.9g", dt,
                  d[0]);
            bm_qweight_free(&q);
        }
    }
    /* ... but the reference asym range [min, max] collapses (scale clamps
     * to 1e-5, zero point clamps to 0): 15 * 1e-5. Documented pitfall. */
    if (quant1(s, 1, 4, (bm_qconf){.dtype = BM_DT_INT_ASYM, .bits = 4}, &q, d) == 0) {
        CHECK(d[0] == 15.0f * 1e-5f, "reference asym single value %.9g", d[0]);
        bm_qweight_free(&q);
    }
}

static void test_shapes(void)
{
    /* Partial last group: K = 300, group 128 -> 3 groups, the last has 44. */
    enum { K = 300 };
    float w[2 * K], d[2 * K];
    for (int i = 0; i < 2 * K; i++)
        w[i] = (float)((i * 37) % 101 - 50) / 64.0f;
    w[K - 1] = 3.5f; /* last group of row 0 is dominated by this one */
    bm_qweight q;
    if (quant1(w, 2, K, (bm_qconf){.dtype = BM_DT_INT, .bits = 4, .group = 128}, &q, d) == 0) {
        CHECK_EQ_INT(q.ngroups, 3);
        CHECK(q.gscale[2] == 3.5f / 7.0f, "partial group scale %g", q.gscale[2]);
        CHECK(d[K - 1] == 3.5f, "partial group max");
        float m = 0;
        for (int k = 128; k < 256; k++)
            m = fmaxf(m, fabsf(w[k]));
        CHECK(q.gscale[1] == m / 7.0f, "middle group scale");
        bm_qweight_free(&q);
    }
    /* Per channel (group 0): one group per row with the row max. */
    if (quant1(w, 2, K, (bm_qconf){.dtype = BM_DT_BITMOD, .bits = 4, .group = 0}, &q, d) == 0) {
        CHECK_EQ_INT(q.ngroups, 1);
        CHECK_EQ_INT(q.group, K);
        CHECK(d[K - 1] == 3.5f, "per-channel max is exact");
        bm_qweight_free(&q);
    }
    /* K = 1, N = 1, and group > K. */
    float one = -0.7f, od;
    for (int dt = 0; dt < 4; dt++)
        if (quant1(&one, 1, 1, (bm_qconf){.dtype = (bm_dtype)dt, .bits = dt == 3 ? 2 : 3,
                                          .group = 64, .scale_bits = 8, .asym_gptq = 1},
                   &q, NULL) == 0) {
            bm_q_dequant(&q, 1, &od);
            CHECK(fabsf(od - one) < 1e-6f, "K=1 dtype %d: %g", dt, od);
            bm_qweight_free(&q);
        }
    bm_err e = {0};
    CHECK_EQ_INT(bm_quantize_rtn(w, 0, 4, &(bm_qconf){.dtype = BM_DT_INT, .bits = 4}, NULL, "t",
                                 &q, &e),
                 BM_E_INVAL);
}

static void test_nonfinite(void)
{
    enum { N = 5, K = 40 };
    float w[N * K];
    for (int i = 0; i < N * K; i++)
        w[i] = 0.01f * (float)(i % 7);
    bm_qconf c = {.dtype = BM_DT_BITMOD, .bits = 3, .group = 16, .scale_bits = 8};
    bm_qweight q;
    bm_err e = {0};
    w[3 * K + 17] = NAN;
    CHECK_EQ_INT(bm_quantize_rtn(w, N, K, &c, NULL, "blk.0.attn_q", &q, &e), BM_E_NUMERIC);
    CHECK(strcmp(e.msg, "tensor blk.0.attn_q: weight [3][17] is NaN") == 0, "msg '%s'", e.msg);
    CHECK(q.code == NULL, "nothing left allocated");
    w[3 * K + 17] = 0.0f;
    w[4 * K + 39] = -INFINITY;
    CHECK_EQ_INT(bm_quantize_rtn(w, N, K, &c, NULL, "blk.1.ffn_up", &q, &e), BM_E_NUMERIC);
    CHECK(strcmp(e.msg, "tensor blk.1.ffn_up: weight [4][39] is Inf") == 0, "msg '%s'", e.msg);
}

int main(void)
{
    test_code_tables();
    test_bitmod_rounding();
    test_bitmod_selection();
    test_int_values();
    test_rounding_saturation();
    test_degenerate_groups();
    test_shapes();
    test_nonfinite();
    return bm_test_done("test_quant_values");
}
