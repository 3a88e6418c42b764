/* Internal interface shared by the quantizer files: per-group fit / encode /
 * decode (float32 semantics of the BitMoD reference) and the OBS engine that
 * GPTQ and SparseGPT share. Not installed; not for other layers. */
#ifndef BM_QUANT_IMPL_H
#define BM_QUANT_IMPL_H

#include <stddef.h>

#include "bm_quant.h"

#define BM_SCALE_MIN 1e-5f /* reference clamp of every fp32 group scale */
#define BM_SCALE_MAX 1e4f

/* What a quantizer chose for one group of one row. */
typedef struct bm_gfit {
    float scale;  /* scale the codes are computed with: gscale, or rscale*scode */
    float gscale; /* fp32 scale (reported in bm_qweight.gscale) */
    int sel;      /* BitMoD selector, else 0 */
    int z;        /* asym zero point in q units [0, 2^b-1], else 0 */
    int scode;    /* two-level scale code; 0 without two-level or for an all-zero group */
    int allzero;  /* every kept weight is exactly 0 (or none is kept) */
} bm_gfit;

/* Fit w[0..n) (only where keep is NULL or keep[i]). rscale > 0 selects
 * two-level scales: the scale is rounded to a scale_bits code and the group
 * is (re)fit for the effective scale rscale*scode. */
void bm_q_fit(const bm_qconf *c, const float *w, const uint8_t *keep, int n, float rscale,
              bm_gfit *f);
int bm_q_encode(const bm_qconf *c, const bm_gfit *f, float w); /* stored code */
float bm_q_decode(const bm_qconf *c, const bm_gfit *f, int code); /* scale*(value-zero) */
int bm_q_zero_code(const bm_qconf *c, const bm_gfit *f);        /* code decoding to 0 */
/* Row scale of two-level scales from the fp32 fits of one row's groups. */
float bm_q_rscale(const bm_qconf *c, const bm_gfit *fits, int ngroups);

/* Per-dtype parts of bm_q_fit (int.c, bitmod.c). */
void bm_q_fit_int(const bm_qconf *c, const float *w, const uint8_t *keep, int n, float rscale,
                  bm_gfit *f);
void bm_q_fit_bitmod(const bm_qconf *c, const float *w, const uint8_t *keep, int n,
                     float rscale, bm_gfit *f);
int bm_q_encode_bitmod(int bits, int sel, float scale, float w);
/* Two-level code of an fp32 scale: clamp(rint(s/rscale), 1, 2^scale_bits-1). */
int bm_q_scode(float s, float rscale, int scale_bits);

/* qweight.c helpers. */
int bm_q_check_finite(const float *W, int N, int K, const char *tensor, bm_err *err);
int bm_qweight_alloc(bm_qweight *q, int N, int K, const bm_qconf *c, int with_keep,
                     bm_err *err);
int bm_q_group_of(const bm_qconf *c, int K); /* effective group size */

/* OBS engine (gptq.c): GPTQ when c != NULL, pure SparseGPT when c == NULL.
 * out (c != NULL) receives codes and group data; W_out (optional) the
 * resulting weights [N][K]; keep_out (sparse24) the chosen mask. */
typedef struct bm_obs_job {
    const float *W;
    int N, K;
    const double *H;
    const bm_qconf *c;       /* NULL: no quantization */
    bm_gptq_opts opts;
    const uint8_t *keep_in;  /* fixed mask or NULL */
    int sparse24;            /* choose the 2:4 mask inside the loop */
    const char *tensor;
} bm_obs_job;
int bm_obs_run(const bm_obs_job *j, bm_qweight *out, float *W_out, uint8_t *keep_out,
               bm_err *err);
/* A [K][K] (row-major) <- upper Cholesky factor U of (H' + lambda I)^-1, so
 * that (H' + lambda I)^-1 = U^T U, where H' is H with dead columns' diagonal
 * set to 1 and rows/columns permuted by perm (NULL = identity). lambda starts
 * at percdamp * mean(diag H') and is raised x10 (up to 8 tries) when a
 * factorization fails; the lambda used is returned in *lam_used. */
int bm_obs_hinv_chol(double *A, const double *H, const uint8_t *dead, const int *perm, int K,
                     double percdamp, double *lam_used, bm_err *err);

#endif
