/* Two-level group scales: per row an fp32 rscale, per group an unsigned
 * scale_bits code, effective scale rscale*scode. Groups are re-fit for the
 * effective scale so their codes are optimal for what the hardware applies. */
#include "bm_quant_impl.h"

void bm_q_fit(const bm_qconf *c, const float *w, const uint8_t *keep, int n, float rscale,
              bm_gfit *f)
{
    if (c->scale_bits == 0)
        rscale = 0.0f;
    if (c->dtype == BM_DT_BITMOD)
        bm_q_fit_bitmod(c, w, keep, n, rscale, f);
    else
        bm_q_fit_int(c, w, keep, n, rscale, f);
}

/* rscale = max gscale / (2^scale_bits - 1) over groups that are not all
 * zero, so the largest group gets the top code and no code exceeds it.
 * All-zero groups are skipped: their fp32 scale is a clamp artefact (1e-5,
 * or 2/(2^b-1) for the GPTQ asym range) and would distort the row. */
float bm_q_rscale(const bm_qconf *c, const bm_gfit *fits, int ngroups)
{
    float m = 0.0f;
    for (int g = 0; g < ngroups; g++)
        if (!fits[g].allzero && fits[g].gscale > m)
            m = fits[g].gscale;
    if (m == 0.0f)
        return 1.0f; /* every group is all-zero: every scode is 0 */
    return m / (float)((1 << c->scale_bits) - 1);
}
