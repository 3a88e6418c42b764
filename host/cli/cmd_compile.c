/* `bitmill compile`: model file -> .bmx program for one preset. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: bitmill compile MODEL -o OUT.bmx [--preset P] [options]\n"
    "Quantize (and optionally prune) every linear layer of MODEL, pack it for\n"
    "preset P (default \"default\", see `bitmill info`) and write a self-contained\n"
    "program: host tensors, tokenizer, packed layers and their M=1 programs.\n"
    "Embeddings, norms and (unless --classifier) the classifier stay fp32.\n"
    "  -o OUT.bmx          output file (written atomically)\n"
    "  --preset P          hardware preset\n"
    CLI_QUANT_HELP;

static void progress(void *ctx, int done, int total, const char *name)
{
    (void)ctx;
    if (total > 0)
        fprintf(stderr, "\r[%3d/%3d] %-28s", done, total, name);
    if (done == total)
        fputc('\n', stderr);
}

int cmd_compile(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, 2, &o, usage);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!o.model || !o.out) {
        fprintf(stderr, "bitmill compile: MODEL and -o OUT.bmx are required\n%s", usage);
        cli_free(&o);
        return EXIT_USAGE;
    }
    o.co.preset = bm_preset_find(o.preset ? o.preset : "default");
    if (!o.co.preset) {
        fprintf(stderr, "bitmill compile: no preset '%s' (see bitmill info)\n", o.preset);
        cli_free(&o);
        return EXIT_USAGE;
    }
    bm_err err = {0};
    bm_model m;
    bm_packed_layer *L = NULL;
    int n = 0;
    if ((rc = cli_open_model(&o, &m, &err))) {
        fprintf(stderr, "bitmill compile: %s\n", err.msg);
        cli_free(&o);
        return cli_exit_code(rc);
    }
    rc = bm_compile_model(&m, &o.co, &L, &n, o.quiet ? NULL : progress, NULL, &err);
    if (!rc)
        rc = bm_bmx_write(o.out, &m, &o.co, L, n, &err);
    if (!rc) {
        char fmt[128];
        double bits = 0, w = 0;
        for (int i = 0; i < n; i++) {
            bits += L[i].hw.bpw * (double)L[i].hw.N * L[i].hw.K;
            w += (double)L[i].hw.N * L[i].hw.K;
        }
        printf("%s: %d layers, %s, preset %s, %.3f bits/weight over %.0f weights\n", o.out, n,
               cli_format_name(&o.co, fmt, sizeof fmt), o.co.preset->name, w > 0 ? bits / w : 0, w);
    } else {
        fprintf(stderr, "bitmill compile: %s\n", err.msg);
    }
    bm_packed_free(L, n);
    free(L);
    bm_model_free(&m);
    cli_free(&o);
    return cli_exit_code(rc);
}
