/* Inverse-Hessian Cholesky factor for GPTQ/SparseGPT: LAPACK potrf -> potri
 * -> potrf, with damping raised x10 on failure. Column-major 'L' on our
 * row-major symmetric buffer is row-major 'U', so LAPACKE copies nothing. */
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "bm_quant_impl.h"

#define HINV_TRIES 8

static void fill(double *A, const double *H, const uint8_t *dead, const int *perm, int K,
                 double lam)
{
    for (int i = 0; i < K; i++) {
        int pi = perm ? perm[i] : i;
        for (int j = 0; j < K; j++)
            A[(size_t)i * K + j] = H[(size_t)pi * K + (perm ? perm[j] : j)];
        if (dead[pi])
            A[(size_t)i * K + i] = 1.0;
        A[(size_t)i * K + i] += lam;
    }
}

int bm_obs_hinv_chol(double *A, const double *H, const uint8_t *dead, const int *perm, int K,
                     double percdamp, double *lam_used, bm_err *err)
{
    double mean = 0.0;
    for (int i = 0; i < K; i++)
        mean += dead[i] ? 1.0 : H[(size_t)i * K + i];
    mean = fabs(mean / K);
    if (mean == 0.0)
        mean = 1.0;
    double lam = percdamp * mean;
    for (int t = 0; t < HINV_TRIES; t++) {
        fill(A, H, dead, perm, K, lam);
        if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', K, A, K) == 0 &&
            LAPACKE_dpotri(LAPACK_COL_MAJOR, 'L', K, A, K) == 0 &&
            LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', K, A, K) == 0) {
            for (int i = 1; i < K; i++) /* clear the stale row-major lower triangle */
                memset(A + (size_t)i * K, 0, (size_t)i * sizeof *A);
            if (lam_used)
                *lam_used = lam;
            return BM_OK;
        }
        lam = lam > 0.0 ? lam * 10.0 : 0.01 * mean;
    }
    return bm_fail(err, BM_E_NUMERIC,
                   "Hessian is not positive definite even with damping %g (mean diag %g)",
                   lam / 10.0, mean);
}
