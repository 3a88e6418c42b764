/* Quantizer benchmark: RTN throughput (weights/s, 1 core) for INT4 and
 * BitMoD with 8-bit scale codes, GPTQ wall time (OpenBLAS, 2 threads) on a
 * 4096x4096 layer -> CSV; --accuracy prints the two-level scale cost tables. */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bm_rand.h"
#include "quant/bm_quant.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static const char *dt_name(bm_dtype d)
{
    static const char *n[] = {"int", "int_asym", "bitmod", "abq"};
    return n[d];
}

typedef struct { const char *bench; bm_dtype dt; int bits, n, k; double sec; } row;

static int run_bench(const char *csv)
{
    enum { N = 4096, K = 4096, TOK = 1024 };
    size_t nk = (size_t)N * K;
    float *W = malloc(nk * sizeof *W);
    double *X = malloc(sizeof(double) * TOK * K), *H = malloc(sizeof(double) * K * K);
    if (!W || !X || !H) {
        fprintf(stderr, "bench_quant: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < nk; i++)
        W[i] = (float)(0.02 * bm_nrand());
    row rows[8];
    int nr = 0;
    bm_err e = {0};
    openblas_set_num_threads(1);
    static const struct { bm_dtype dt; int bits; } rtn[] = {
        {BM_DT_INT, 4}, {BM_DT_BITMOD, 4}, {BM_DT_BITMOD, 3}, {BM_DT_INT_ASYM, 4}};
    for (size_t t = 0; t < sizeof rtn / sizeof *rtn; t++) {
        bm_qconf c = {.dtype = rtn[t].dt, .bits = rtn[t].bits, .group = 128, .scale_bits = 8};
        double best = 1e30;
        for (int rep = 0; rep < 3; rep++) {
            bm_qweight q;
            double t0 = now();
            if (bm_quantize_rtn(W, N, K, &c, NULL, "bench", &q, &e)) {
                fprintf(stderr, "bench_quant: %s\n", e.msg);
                return 1;
            }
            double dt = now() - t0;
            best = dt < best ? dt : best;
            bm_qweight_free(&q);
        }
        rows[nr++] = (row){"rtn_g128_sb8", rtn[t].dt, rtn[t].bits, N, K, best};
    }
    /* Correlated activations: a rank-K/4 mix plus noise; H = 2/n X^T X
     * (not timed: it is computed once per layer outside the quantizer). */
    int r = K / 4;
    double *A = malloc(sizeof(double) * r * K), *Z = malloc(sizeof(double) * TOK * r);
    for (size_t i = 0; i < (size_t)r * K; i++)
        A[i] = bm_nrand() / sqrt(r);
    for (size_t i = 0; i < (size_t)TOK * r; i++)
        Z[i] = bm_nrand();
    openblas_set_num_threads(2);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, TOK, K, r, 1.0, Z, r, A, K, 0.0, X, K);
    for (size_t i = 0; i < (size_t)TOK * K; i++)
        X[i] += 0.2 * bm_nrand();
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, K, TOK, 2.0 / TOK, X, K, 0.0, H, K);
    for (int i = 0; i < K; i++) /* mirror the upper triangle */
        for (int j = 0; j < i; j++)
            H[(size_t)i * K + j] = H[(size_t)j * K + i];
    free(A);
    free(Z);
    static const struct { bm_dtype dt; int bits; } gq[] = {{BM_DT_INT, 4}, {BM_DT_BITMOD, 3}};
    for (size_t t = 0; t < sizeof gq / sizeof *gq; t++) {
        bm_qconf c = {.dtype = gq[t].dt, .bits = gq[t].bits, .group = 128, .scale_bits = 8};
        bm_qweight q;
        double t0 = now();
        if (bm_quantize_gptq(W, N, K, H, &c, NULL, NULL, 0, "bench", &q, &e)) {
            fprintf(stderr, "bench_quant: %s\n", e.msg);
            return 1;
        }
        rows[nr++] = (row){"gptq_g128_sb8_blas2", gq[t].dt, gq[t].bits, N, K, now() - t0};
        bm_qweight_free(&q);
    }
    FILE *f = csv ? fopen(csv, "w") : NULL;
    if (csv && !f) {
        fprintf(stderr, "bench_quant: cannot write %s\n", csv);
        return 1;
    }
    if (f)
        fprintf(f, "bench,dtype,bits,n,k,seconds,weights_per_s\n");
    printf("%-20s %-9s %4s %6s %6s %10s %14s\n", "bench", "dtype", "bits", "n", "k", "seconds",
           "weights/s");
    for (int i = 0; i < nr; i++) {
        double wps = (double)rows[i].n * rows[i].k / rows[i].sec;
        printf("%-20s %-9s %4d %6d %6d %10.3f %14.4g\n", rows[i].bench, dt_name(rows[i].dt),
               rows[i].bits, rows[i].n, rows[i].k, rows[i].sec, wps);
        if (f)
            fprintf(f, "%s,%s,%d,%d,%d,%.6f,%.6g\n", rows[i].bench, dt_name(rows[i].dt), rows[i].bits,
                    rows[i].n, rows[i].k, rows[i].sec, wps);
    }
    if (f)
        fclose(f);
    free(W);
    free(X);
    free(H);
    return 0;
}

static float *read_floats(const char *path, size_t *count)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    float *p = sz > 0 ? malloc((size_t)sz) : NULL;
    if (!p || fread(p, 1, (size_t)sz, f) != (size_t)sz) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *count = (size_t)sz / 4;
    return p;
}

/* Relative weight error sum ||W - Wq||^2 / sum ||W||^2 over a list of
 * tensors; with isotropic activations this is the relative output error. */
typedef struct { const float *w; int n, k; } tens;
static double rel_err(const tens *ts, int nt, bm_qconf c)
{
    double num = 0, den = 0;
    for (int t = 0; t < nt; t++) {
        bm_qweight q;
        bm_err e = {0};
        if (bm_quantize_rtn(ts[t].w, ts[t].n, ts[t].k, &c, NULL, "acc", &q, &e)) {
            fprintf(stderr, "bench_quant: %s\n", e.msg);
            exit(1);
        }
        size_t nk = (size_t)ts[t].n * ts[t].k;
        float *d = malloc(nk * sizeof *d);
        bm_q_dequant(&q, c.scale_bits > 0, d);
        for (size_t i = 0; i < nk; i++) {
            num += ((double)ts[t].w[i] - d[i]) * ((double)ts[t].w[i] - d[i]);
            den += (double)ts[t].w[i] * ts[t].w[i];
        }
        free(d);
        bm_qweight_free(&q);
    }
    return num / den;
}

static void table(const char *title, const tens *ts, int nt, int group)
{
    static const struct { const char *name; bm_dtype dt; int bits; } cs[] = {
        {"INT3", BM_DT_INT, 3}, {"INT4", BM_DT_INT, 4}, {"INT4 asym", BM_DT_INT_ASYM, 4},
        {"BitMoD W3", BM_DT_BITMOD, 3}, {"BitMoD W4", BM_DT_BITMOD, 4}, {"ABQ W2*", BM_DT_ABQ, 2}};
    printf("\n%s, group %d: relative weight MSE ||W-Wq||^2/||W||^2\n\n", title, group);
    printf("| format | fp32 scales | 8-bit codes | 6-bit codes | 4-bit codes |\n");
    printf("|---|---|---|---|---|\n");
    for (size_t i = 0; i < sizeof cs / sizeof *cs; i++) {
        bm_qconf c = {.dtype = cs[i].dt, .bits = cs[i].bits, .group = group};
        double e0 = rel_err(ts, nt, c);
        printf("| %s | %.4e |", cs[i].name, e0);
        int sbs[3] = {8, 6, 4};
        for (int s = 0; s < 3; s++) {
            c.scale_bits = sbs[s];
            double e1 = rel_err(ts, nt, c);
            printf(" %.4e (x%.4f) |", e1, e1 / e0);
        }
        printf("\n");
    }
}

static int run_accuracy(const char *dir)
{
    char path[1024];
    size_t n;
    snprintf(path, sizeof path, "%s/bitmod-ref/W1_rows0-63.f32", dir);
    float *ref = read_floats(path, &n);
    if (!ref || n != 64 * 4096) {
        fprintf(stderr, "bench_quant: cannot read %s\n", path);
        return 1;
    }
    tens rt = {ref, 64, 4096};
    table("bitmod-ref W1 rows 0-63 (64x4096)", &rt, 1, 128);
    snprintf(path, sizeof path, "%s/stories260K.bin", dir);
    float *m = read_floats(path, &n);
    int32_t h[7];
    if (!m || n < 7) {
        fprintf(stderr, "bench_quant: cannot read %s\n", path);
        return 1;
    }
    memcpy(h, m, sizeof h);
    int dim = h[0], hid = h[1], L = h[2], kv = h[0] * h[4] / h[3], voc = abs(h[5]);
    size_t off = 7 + (size_t)voc * dim + (size_t)L * dim, need = off + (size_t)L * (2 * dim * dim + 2 * kv * dim + 3 * hid * dim + dim);
    if (need > n) {
        fprintf(stderr, "bench_quant: %s is too short\n", path);
        return 1;
    }
    tens ts[64];
    int nt = 0;
    size_t wq = off, wk = wq + (size_t)L * dim * dim, wv = wk + (size_t)L * kv * dim,
           wo = wv + (size_t)L * kv * dim, w1 = wo + (size_t)L * dim * dim + (size_t)L * dim,
           w2 = w1 + (size_t)L * hid * dim, w3 = w2 + (size_t)L * dim * hid;
    for (int l = 0; l < L && nt + 7 <= 64; l++) {
        ts[nt++] = (tens){m + wq + (size_t)l * dim * dim, dim, dim};
        ts[nt++] = (tens){m + wk + (size_t)l * kv * dim, kv, dim};
        ts[nt++] = (tens){m + wv + (size_t)l * kv * dim, kv, dim};
        ts[nt++] = (tens){m + wo + (size_t)l * dim * dim, dim, dim};
        ts[nt++] = (tens){m + w1 + (size_t)l * hid * dim, hid, dim};
        ts[nt++] = (tens){m + w2 + (size_t)l * dim * hid, dim, hid};
        ts[nt++] = (tens){m + w3 + (size_t)l * hid * dim, hid, dim};
    }
    table("stories260K all 35 linear layers (K = 64 and 172)", ts, nt, 32);
    table("stories260K all 35 linear layers (K = 64 and 172)", ts, nt, 0);
    free(ref);
    free(m);
    return 0;
}

int main(int argc, char **argv)
{
    bm_rng_state = 42;
    if (argc == 3 && strcmp(argv[1], "--accuracy") == 0)
        return run_accuracy(argv[2]);
    if (argc == 3 && strcmp(argv[1], "--csv") == 0)
        return run_bench(argv[2]);
    if (argc == 1)
        return run_bench(NULL);
    fprintf(stderr, "usage: bench_quant [--csv FILE | --accuracy DATA_DIR]\n");
    return 2;
}
