/* `bitmill bench`: the standard workloads on a device, with the ratios a
 * hardware researcher reads first: utilization vs the array's peak, DRAM
 * bytes/cycle vs the memory model's limit, cycles normalized to W8, dense vs
 * 2:4. Prints a table; --csv FILE writes it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sched/bm_sched.h"

static const char usage[] =
    "usage: bitmill bench [--device URI] [--csv FILE] [--quick]\n"
    "Run a compute-bound GEMM (M=64, N=K=1024) and a memory-bound GEMV\n"
    "(M=1, N=K=2048) in W8, W4, BitMoD W3/W4, W2* and 2:4 W4 on a device\n"
    "(default ref://default) and print cycles, ideal cycles, utilization,\n"
    "DRAM bytes per cycle against the memory model's limit, and cycles\n"
    "relative to W8. --quick uses N=K=256 (for sim:// or small presets).\n";

typedef struct fmt { const char *name; bm_dtype dt; int bits; bm_prune pr; } fmt;

static uint64_t rs = 88172645463325252ull;
static float gauss(void)
{
    double u = 0;
    for (int i = 0; i < 12; i++) {
        rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17;
        u += (double)(rs >> 11) / 9007199254740992.0;
    }
    return (float)(u - 6.0);
}

int cmd_bench(int argc, char **argv)
{
    /* Take out the options only bench has, hand the rest to cli_parse. */
    int quick = 0, n = 0;
    const char *csv_path = NULL;
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest)
        return EXIT_FAIL;
    for (int i = 0; i < argc; i++) {
        if (i >= 2 && !strcmp(argv[i], "--quick"))
            quick = 1;
        else if (i >= 2 && !strcmp(argv[i], "--csv") && i + 1 < argc)
            csv_path = argv[++i];
        else
            rest[n++] = argv[i];
    }
    cli_opts o;
    int rc = cli_parse(n, rest, 2, &o, usage);
    free(rest);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    const char *uri = o.device ? o.device : "ref://default";
    bm_err err = {0};
    bm_dev *dev;
    if ((rc = bm_dev_open(uri, NULL, &dev, &err))) {
        fprintf(stderr, "bitmill bench: %s\n", err.msg);
        cli_free(&o);
        return cli_exit_code(rc);
    }
    const bm_dev_info *di = bm_dev_query(dev);
    const bm_preset *p = di->preset;
    static const fmt fmts[] = {
        {"INT8", BM_DT_INT, 8, BM_PRUNE_NONE}, {"INT4", BM_DT_INT, 4, BM_PRUNE_NONE},
        {"BitMoD W4", BM_DT_BITMOD, 4, BM_PRUNE_NONE}, {"BitMoD W3", BM_DT_BITMOD, 3, BM_PRUNE_NONE},
        {"W2*", BM_DT_ABQ, 2, BM_PRUNE_NONE}, {"INT4 2:4", BM_DT_INT, 4, BM_PRUNE_MAGNITUDE},
    };
    int big = quick ? 256 : 1024;
    struct { const char *name; int M, N, K; } wl[] = {{"gemm", 64, big, big}, {"gemv", 1, 2 * big, 2 * big}};
    FILE *csv = NULL;
    if (csv_path && !(csv = fopen(csv_path, "w"))) {
        fprintf(stderr, "bitmill bench: cannot create %s\n", csv_path);
        bm_dev_close(dev);
        cli_free(&o);
        return EXIT_INPUT;
    }
    if (csv)
        fprintf(csv, "device,preset,workload,m,n,k,format,bits_per_weight,cycles,ideal_cycles,utilization,"
                     "dram_bytes,dram_bytes_per_cycle,mem_limit_bytes_per_cycle,cycles_vs_w8\n");
    double mem_limit = di->mem_bpc && di->mem_bpc < p->axi_bytes ? di->mem_bpc : p->axi_bytes;
    printf("bench on %s (preset %s %ux%ux%u, memory %u cycles, %.0f B/cycle)\n", uri, p->name, p->rows, p->cols,
           p->lanes, di->mem_latency, mem_limit);
    printf("%-5s %-10s %7s %11s %11s %6s %8s %8s\n", "work", "format", "bits/w", "cycles", "ideal", "util",
           "B/cycle", "vs W8");
    for (size_t w = 0; w < sizeof wl / sizeof wl[0] && !rc; w++) {
        int M = wl[w].M, N = wl[w].N, K = wl[w].K;
        float *W = malloc(sizeof(float) * (size_t)N * K), *x = malloc(sizeof(float) * (size_t)M * K);
        float *y = malloc(sizeof(float) * (size_t)M * N);
        if (!W || !x || !y) { rc = bm_fail(&err, BM_E_NOMEM, "out of memory"); free(W); free(x); free(y); break; }
        for (long i = 0; i < (long)N * K; i++) W[i] = 0.02f * gauss();
        for (long i = 0; i < (long)M * K; i++) x[i] = gauss();
        double w8 = 0;
        for (size_t f = 0; f < sizeof fmts / sizeof fmts[0] && !rc; f++) {
            bm_compile_opts co = {0};
            co.preset = p;
            co.q = (bm_qconf){fmts[f].dt, fmts[f].bits, 128, 8, 0, 0};
            co.act_bits = 8;
            co.prune = fmts[f].pr;
            bm_tensor t = {"bench", N, K, W};
            bm_packed_layer L;
            bm_offload *off = NULL;
            rc = bm_compile_tensor(&t, NULL, &co, &L, &err);
            if (!rc) rc = bm_offload_new_packed(dev, NULL, &L, 1, 8, &off, &err);
            if (!rc) rc = bm_offload_linear(off, "bench", x, M, K, y, N, &err);
            if (!rc) {
                const bm_offload_stats *st = bm_offload_get_stats(off);
                double cyc = (double)st->cycles, ideal = st->ideal_cycles_x100 / 100.0;
                double bytes = (double)(st->counters[BM_CNT_RD_BEATS] + st->counters[BM_CNT_FETCH_BEATS] +
                                        st->counters[BM_CNT_WR_BEATS]) * p->axi_bytes;
                if (f == 0) w8 = cyc;
                printf("%-5s %-10s %7.3f %11.0f %11.0f %6.3f %8.2f %8.3f\n", wl[w].name, fmts[f].name,
                       L.hw.bpw, cyc, ideal, ideal / cyc, bytes / cyc, cyc / w8);
                if (csv)
                    fprintf(csv, "%s,%s,%s,%d,%d,%d,%s,%.4f,%.0f,%.1f,%.4f,%.0f,%.3f,%.0f,%.4f\n", uri, p->name,
                            wl[w].name, M, N, K, fmts[f].name, L.hw.bpw, cyc, ideal, ideal / cyc, bytes,
                            bytes / cyc, mem_limit, cyc / w8);
            }
            bm_offload_free(off);
            bm_packed_free(&L, 1);
        }
        free(W); free(x); free(y);
    }
    if (csv)
        fclose(csv);
    if (rc)
        fprintf(stderr, "bitmill bench: %s\n", err.msg);
    bm_dev_close(dev);
    cli_free(&o);
    return cli_exit_code(rc);
}
