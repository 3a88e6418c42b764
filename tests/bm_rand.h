/* Deterministic random numbers for tests and benchmarks: splitmix64 uniforms,
 * Box-Muller normals, and a synthetic calibration Hessian. Set bm_rng_state
 * (e.g. from bm_test_seed) before use; the same seed gives the same data on
 * every machine. */
#ifndef BM_RAND_H
#define BM_RAND_H

#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static uint64_t bm_rng_state;

static inline double bm_urand(void) /* [0, 1) */
{
    bm_rng_state += 0x9e3779b97f4a7c15ull;
    uint64_t z = bm_rng_state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return ((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}

static inline double bm_nrand(void) /* N(0, 1) */
{
    return sqrt(-2 * log(bm_urand() + 1e-300)) * cos(6.283185307179586 * bm_urand());
}

/* H = 2/n X^T X (K x K, row-major, malloc'd) for n tokens of correlated
 * activations like an LLM layer's: a rank K/4+1 mix plus noise, per-channel
 * magnitudes spread over ~e^(+-1). Column dead_col (or none if < 0) is all
 * zero, as a channel that never fires. */
static inline double *bm_rand_hessian(int K, int n, int dead_col)
{
    int r = K / 4 + 1;
    double *A = malloc(sizeof(double) * r * K), *X = malloc(sizeof(double) * n * K),
           *Z = malloc(sizeof(double) * n * r), *H = malloc(sizeof(double) * K * K),
           *cs = malloc(sizeof(double) * K);
    for (int i = 0; i < r * K; i++)
        A[i] = bm_nrand() / sqrt(r);
    for (int i = 0; i < n * r; i++)
        Z[i] = bm_nrand();
    for (int k = 0; k < K; k++)
        cs[k] = exp(0.7 * bm_nrand());
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, K, r, 1.0, Z, r, A, K, 0.0, X, K);
    for (int t = 0; t < n; t++)
        for (int k = 0; k < K; k++)
            X[(size_t)t * K + k] = k == dead_col ? 0.0 : cs[k] * (X[(size_t)t * K + k] + 0.2 * bm_nrand());
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, K, n, 2.0 / n, X, K, X, K, 0.0, H, K);
    free(A);
    free(X);
    free(Z);
    free(cs);
    return H;
}

#endif
