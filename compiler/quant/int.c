/* Integer group quantizers: symmetric INT (restricted or full range),
 * asymmetric INT (reference [min,max] or GPTQ range) and ABQ W2*. Float32
 * arithmetic in the BitMoD reference's order: divisions, rintf, clamps. */
#include <math.h>

#include "bm_quant_impl.h"

static float clamp_scale(float s)
{
    return s < BM_SCALE_MIN ? BM_SCALE_MIN : s > BM_SCALE_MAX ? BM_SCALE_MAX : s;
}

int bm_q_scode(float s, float rscale, int scale_bits)
{
    float maxc = (float)((1 << scale_bits) - 1);
    float x = rintf(s / rscale);
    /* Written so that a NaN or huge quotient still lands in range. */
    if (!(x >= 1.0f))
        return 1;
    return x > maxc ? (int)maxc : (int)x;
}

/* Asymmetric zero point for scale s: clamp(rint(-xmin/s), 0, qmax). */
static int asym_zero(float xmin, float s, int qmax)
{
    float z = rintf(-xmin / s);
    return z < 0.0f ? 0 : z > (float)qmax ? qmax : (int)z;
}

void bm_q_fit_int(const bm_qconf *c, const float *w, const uint8_t *keep, int n, float rscale,
                  bm_gfit *f)
{
    float rmin = 0.0f, rmax = 0.0f, amax = 0.0f;
    int seen = 0;
    for (int i = 0; i < n; i++) {
        if (keep && !keep[i])
            continue;
        float v = w[i];
        if (!seen || v < rmin)
            rmin = v;
        if (!seen || v > rmax)
            rmax = v;
        if (fabsf(v) > amax)
            amax = fabsf(v);
        seen = 1;
    }
    f->sel = 0;
    f->z = 0;
    f->scode = 0;
    f->allzero = amax == 0.0f;
    if (c->dtype == BM_DT_INT_ASYM) {
        int qmax = (1 << c->bits) - 1;
        float xmin = rmin, xmax = rmax;
        if (c->asym_gptq) { /* GPTQ: the range always contains 0; empty range -> [-1, 1] */
            xmin = fminf(xmin, 0.0f);
            xmax = fmaxf(xmax, 0.0f);
            if (xmin == 0.0f && xmax == 0.0f) {
                xmin = -1.0f;
                xmax = 1.0f;
            }
        }
        float s = clamp_scale((xmax - xmin) / (float)qmax);
        f->gscale = f->scale = s;
        f->z = asym_zero(xmin, s, qmax);
        if (rscale > 0.0f && !f->allzero) {
            f->scode = bm_q_scode(s, rscale, c->scale_bits);
            f->scale = rscale * (float)f->scode;
            f->z = asym_zero(xmin, f->scale, qmax);
        }
        return;
    }
    float s;
    if (c->dtype == BM_DT_ABQ) {
        s = amax / 2.0f;
    } else if (c->int_full) {
        /* The extra negative level lets the negative side reach further:
         * the smallest scale that clips neither side. */
        float qpos = (float)((1 << (c->bits - 1)) - 1), qneg = (float)(1 << (c->bits - 1));
        s = fmaxf(fmaxf(rmax, 0.0f) / qpos, fmaxf(-rmin, 0.0f) / qneg);
    } else {
        s = amax / (float)((1 << (c->bits - 1)) - 1);
    }
    s = clamp_scale(s);
    f->gscale = f->scale = s;
    if (rscale > 0.0f && !f->allzero) {
        f->scode = bm_q_scode(s, rscale, c->scale_bits);
        f->scale = rscale * (float)f->scode;
    }
}

/* Symmetric/ABQ q range. */
static void int_range(const bm_qconf *c, float *qmin, float *qmax)
{
    if (c->dtype == BM_DT_ABQ) {
        *qmin = -2.0f;
        *qmax = 2.0f;
        return;
    }
    *qmax = (float)((1 << (c->bits - 1)) - 1);
    *qmin = c->int_full ? -*qmax - 1.0f : -*qmax;
}

int bm_q_encode(const bm_qconf *c, const bm_gfit *f, float w)
{
    if (c->dtype == BM_DT_BITMOD)
        return bm_q_encode_bitmod(c->bits, f->sel, f->scale, w);
    if (c->dtype == BM_DT_INT_ASYM) {
        float qmax = (float)((1 << c->bits) - 1);
        float q = rintf(w / f->scale) + (float)f->z;
        q = q < 0.0f ? 0.0f : q > qmax ? qmax : q;
        return (int)q;
    }
    float qmin, qmax;
    int_range(c, &qmin, &qmax);
    float q = rintf(w / f->scale);
    q = q < qmin ? qmin : q > qmax ? qmax : q;
    int cb = c->dtype == BM_DT_ABQ ? 3 : c->bits;
    return (int)q & ((1 << cb) - 1);
}

float bm_q_decode(const bm_qconf *c, const bm_gfit *f, int code)
{
    int v = bm_q_value(c->dtype, c->bits, f->sel, code);
    if (c->dtype == BM_DT_INT_ASYM)
        v -= f->z - (1 << (c->bits - 1)); /* value - zero = q - z */
    return (float)v * f->scale;
}

int bm_q_zero_code(const bm_qconf *c, const bm_gfit *f)
{
    return c->dtype == BM_DT_INT_ASYM ? f->z : 0;
}
