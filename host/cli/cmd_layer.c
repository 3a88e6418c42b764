/* `bitmill layer`: offload one named layer of a model, or a random GEMM, and
 * compare the device's result with fp32. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: bitmill layer MODEL --name TENSOR [--m M] [options]\n"
    "       bitmill layer --gemm M,N,K [options]\n"
    "Quantize one linear layer, run it on a device for M random activation rows\n"
    "and compare with fp32: relative output error, cycles, utilization.\n"
    "  --name TENSOR       e.g. blk.0.attn_q, blk.2.ffn_down (GGUF names)\n"
    "  --m M               activation rows (tokens), default 1\n"
    "  --gemm M,N,K        random weights instead of a model layer\n"
    "  --seed S            random seed (default 1)\n"
    CLI_QUANT_HELP
    "  --json              machine-readable result\n";

static uint64_t rs;
static float gauss(void)
{
    double u = 0;
    for (int i = 0; i < 12; i++) {
        rs = rs * 6364136223846793005ull + 1442695040888963407ull;
        u += (double)(rs >> 11) / 9007199254740992.0;
    }
    return (float)(u - 6.0);
}

int cmd_layer(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, 2, &o, usage);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!o.device)
        o.device = "ref://default";
    bm_err err = {0};
    bm_model m;
    int have_model = 0, M = o.m, N, K;
    bm_tensor t = {{0}, 0, 0, NULL};
    float *Wr = NULL, *x = NULL, *yr = NULL, *yd = NULL;
    bm_dev *dev = NULL;
    bm_offload *off = NULL;
    rs = (uint64_t)o.seed * 0x9E3779B97F4A7C15ull + 1;
    if (o.gemm) {
        if (sscanf(o.gemm, "%d,%d,%d", &M, &N, &K) != 3 || M < 1 || N < 1 || K < 1) {
            fprintf(stderr, "bitmill layer: --gemm wants M,N,K\n");
            return EXIT_USAGE;
        }
        Wr = malloc(sizeof(float) * (size_t)N * K);
        if (!Wr) return EXIT_FAIL;
        for (long i = 0; i < (long)N * K; i++) Wr[i] = 0.02f * gauss();
        snprintf(t.name, sizeof t.name, "gemm");
        t.rows = N; t.cols = K; t.data = Wr;
    } else {
        if (!o.layer) {
            fprintf(stderr, "bitmill layer: --name TENSOR or --gemm M,N,K is required\n%s", usage);
            return EXIT_USAGE;
        }
        if ((rc = bm_model_load(o.model ? o.model : "", &m, &err))) {
            fprintf(stderr, "bitmill layer: %s\n", err.msg);
            return cli_exit_code(rc);
        }
        have_model = 1;
        const bm_tensor *mt = bm_model_find(&m, o.layer);
        if (!mt || mt->rows < 2) {
            rc = bm_fail(&err, BM_E_INVAL, "%s has no linear layer named %s", o.model, o.layer);
            goto out;
        }
        t = *mt;
        N = t.rows; K = t.cols;
    }
    x = malloc(sizeof(float) * (size_t)M * K);
    yr = calloc((size_t)M * N, sizeof(float));
    yd = calloc((size_t)M * N, sizeof(float));
    if (!x || !yr || !yd) { rc = bm_fail(&err, BM_E_NOMEM, "out of memory"); goto out; }
    for (long i = 0; i < (long)M * K; i++) x[i] = gauss();
    for (int i = 0; i < M; i++)
        for (int n = 0; n < N; n++) {
            double s = 0;
            for (int k = 0; k < K; k++) s += (double)x[(size_t)i * K + k] * t.data[(size_t)n * K + k];
            yr[(size_t)i * N + n] = (float)s;
        }
    bm_packed_layer pl = {0};
    if ((rc = bm_dev_open(o.device, NULL, &dev, &err)))
        goto out;
    o.co.preset = bm_dev_query(dev)->preset;
    if (!o.co.preset) {
        rc = bm_fail(&err, BM_E_NODEV, "device preset unknown to this build");
        goto out;
    }
    if (o.co.method == BM_METHOD_GPTQ || o.co.prune == BM_PRUNE_WANDA || o.co.prune == BM_PRUNE_SPARSEGPT) {
        rc = bm_fail(&err, BM_E_INVAL, "layer: calibration-based methods run through compile/eval, not layer");
        goto out;
    }
    rc = bm_compile_tensor(&t, NULL, &o.co, &pl, &err);
    if (!rc)
        rc = bm_offload_new_packed(dev, NULL, &pl, 1, o.co.act_bits, &off, &err);
    bm_packed_free(&pl, 1);
    if (!rc)
        rc = bm_offload_linear(off, t.name, x, M, K, yd, N, &err);
    if (rc)
        goto out;
    double num = 0, den = 0;
    for (long i = 0; i < (long)M * N; i++) {
        num += (double)(yd[i] - yr[i]) * (yd[i] - yr[i]);
        den += (double)yr[i] * yr[i];
    }
    const bm_offload_stats *st = bm_offload_get_stats(off);
    double ideal = st->ideal_cycles_x100 / 100.0, rel = den > 0 ? sqrt(num / den) : 0;
    char fmt[96];
    cli_format_name(&o.co, fmt, sizeof fmt);
    if (o.json)
        printf("{\"layer\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"format\":\"%s\",\"device\":\"%s\","
               "\"rel_error\":%.6g,\"cycles\":%llu,\"ideal_cycles\":%.1f,\"utilization\":%.4f,"
               "\"bits_per_weight\":%.4f,\"dram_read_beats\":%llu}\n",
               t.name, M, N, K, fmt, o.device, rel, (unsigned long long)st->cycles, ideal,
               st->cycles ? ideal / st->cycles : 0, st->bits_per_weight,
               (unsigned long long)st->counters[BM_CNT_RD_BEATS]);
    else {
        printf("layer %s: M=%d N=%d K=%d, %s on %s\n", t.name, M, N, K, fmt, o.device);
        printf("  relative output error vs fp32: %.4f\n", rel);
        printf("  cycles %llu, ideal %.0f, utilization %.3f, array busy %.3f\n", (unsigned long long)st->cycles,
               ideal, st->cycles ? ideal / st->cycles : 0,
               st->cycles ? (double)st->step_cycles / st->cycles : 0);
        printf("  bits per weight %.3f; DRAM read beats %llu, write beats %llu\n", st->bits_per_weight,
               (unsigned long long)st->counters[BM_CNT_RD_BEATS], (unsigned long long)st->counters[BM_CNT_WR_BEATS]);
    }
out:
    if (rc)
        fprintf(stderr, "bitmill layer: %s\n", err.msg);
    bm_offload_free(off);
    bm_dev_close(dev);
    if (have_model) bm_model_free(&m);
    free(Wr); free(x); free(yr); free(yd);
    cli_free(&o);
    return cli_exit_code(rc);
}
