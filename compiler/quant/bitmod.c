/* BitMoD mixture-of-datatypes quantizer: per group try ER_POS, ER_NEG,
 * EA_POS, EA_NEG and keep the smallest MSE (strictly smaller wins, initial
 * best 1e3), reproducing the authors' quant_weight.py in float32. */
#include <math.h>

#include "bm_quant_impl.h"

/* Sorted grid values and their stored codes per selector; midpoints are
 * computed from them. tests/unit/test_quant_values.c checks every entry
 * against bm_q_value(). */
static const float val3[4][8] = {
    {-4, -2, -1, 0, 1, 2, 3, 4},
    {-4, -3, -2, -1, 0, 1, 2, 4},
    {-4, -2, -1, 0, 1, 2, 4, 6},
    {-6, -4, -2, -1, 0, 1, 2, 4},
};
static const uint8_t code3[4][8] = {
    {7, 6, 5, 0, 1, 2, 4, 3},
    {7, 4, 6, 5, 0, 1, 2, 3},
    {7, 6, 5, 0, 1, 2, 3, 4},
    {4, 7, 6, 5, 0, 1, 2, 3},
};
static const float val4[4][16] = {
    {-12, -8, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, 8, 10, 12},
    {-12, -10, -8, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, 8, 12},
    {-12, -8, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, 8, 12, 16},
    {-16, -12, -8, -6, -4, -3, -2, -1, 0, 1, 2, 3, 4, 6, 8, 12},
};
static const uint8_t code4[4][16] = {
    {15, 14, 13, 12, 11, 10, 9, 0, 1, 2, 3, 4, 5, 6, 8, 7},
    {15, 8, 14, 13, 12, 11, 10, 9, 0, 1, 2, 3, 4, 5, 6, 7},
    {15, 14, 13, 12, 11, 10, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8},
    {8, 15, 14, 13, 12, 11, 10, 9, 0, 1, 2, 3, 4, 5, 6, 7},
};
/* Largest |value| per selector: ER 4/12, EA 6/16. */
static const float qmax3[4] = {4, 4, 6, 6}, qmax4[4] = {12, 12, 16, 16};

/* Midpoints of the sorted grids, padded to 16 with +inf so one fixed-length
 * branch-free count serves both widths (and vectorizes). */
typedef struct { float m[16]; } mids16;
static mids16 make_mids(const float *v, int nv)
{
    mids16 r;
    for (int k = 0; k < 16; k++)
        r.m[k] = k + 1 < nv ? 0.5f * (v[k] + v[k + 1]) : INFINITY;
    return r;
}

/* Index into the sorted grid: x maps to i when mid[i-1] < x <= mid[i], so an
 * exact midpoint goes to the lower value; ends saturate. The count of
 * midpoints below x is exactly that i (midpoints are exact small halves). */
static inline int grid_index(const mids16 *md, float x)
{
    int i = 0;
    for (int k = 0; k < 16; k++)
        i += x > md->m[k];
    return i;
}

static mids16 mids_of(int bits, int sel)
{
    return bits == 3 ? make_mids(val3[sel], 8) : make_mids(val4[sel], 16);
}

int bm_q_encode_bitmod(int bits, int sel, float scale, float w)
{
    mids16 md = mids_of(bits, sel);
    int i = grid_index(&md, w / scale);
    return bits == 3 ? code3[sel][i] : code4[sel][i];
}

/* Mean squared error of one candidate over the kept weights (float32
 * differences as the reference, accumulated in double). */
static double cand_mse(int bits, int sel, float s, const float *w, const uint8_t *keep, int n)
{
    const float *v = bits == 3 ? val3[sel] : val4[sel];
    mids16 md = mids_of(bits, sel);
    int cnt = 0;
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        if (keep && !keep[i])
            continue;
        float d = v[grid_index(&md, w[i] / s)] * s - w[i];
        sum += (double)d * d;
        cnt++;
    }
    return cnt ? sum / cnt : 0.0;
}

void bm_q_fit_bitmod(const bm_qconf *c, const float *w, const uint8_t *keep, int n,
                     float rscale, bm_gfit *f)
{
    float amax = 0.0f;
    for (int i = 0; i < n; i++)
        if ((!keep || keep[i]) && fabsf(w[i]) > amax)
            amax = fabsf(w[i]);
    int two = rscale > 0.0f && amax != 0.0f;
    float gs[4], es[4];
    int sc[4];
    double err[4];
    int best = -1;
    double best_err = 1e3; /* the reference's initial best error */
    for (int sel = 0; sel < 4; sel++) {
        float s = amax / (c->bits == 3 ? qmax3[sel] : qmax4[sel]);
        gs[sel] = s < BM_SCALE_MIN ? BM_SCALE_MIN : s > BM_SCALE_MAX ? BM_SCALE_MAX : s;
        sc[sel] = two ? bm_q_scode(gs[sel], rscale, c->scale_bits) : 0;
        es[sel] = two ? rscale * (float)sc[sel] : gs[sel];
        err[sel] = cand_mse(c->bits, sel, es[sel], w, keep, n);
        if (err[sel] < best_err) {
            best_err = err[sel];
            best = sel;
        }
    }
    if (best < 0) { /* |w| so large no MSE is < 1e3: the reference emits zeros; take the min */
        best = 0;
        for (int sel = 1; sel < 4; sel++)
            if (err[sel] < err[best])
                best = sel;
    }
    f->sel = best;
    f->gscale = gs[best];
    f->scale = es[best];
    f->scode = sc[best];
    f->z = 0;
    f->allzero = amax == 0.0f;
}
