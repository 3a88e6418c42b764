/* `bitmill disasm`: the scheduled program of one layer, one instruction per
 * line with its index, unit and tokens. */
#include <stdlib.h>
#include <string.h>

#include "bm_insn.h"
#include "cli.h"
#include "sched/bm_sched.h"
#include "sparse/bm_sparse.h"

static const char usage[] =
    "usage: bitmill disasm MODEL --name TENSOR [--m M] [--preset P] [format options]\n"
    "Quantize and schedule one layer for M tokens on preset P (default\n"
    "\"default\") and print its instruction stream.\n"
    CLI_QUANT_HELP;

int cmd_disasm(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, 2, &o, usage);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!o.model || !o.layer) {
        fprintf(stderr, "bitmill disasm: MODEL and --name TENSOR are required\n%s", usage);
        return EXIT_USAGE;
    }
    const bm_preset *p = bm_preset_find(o.preset ? o.preset : "default");
    if (!p) {
        fprintf(stderr, "bitmill disasm: no preset %s\n", o.preset);
        return EXIT_USAGE;
    }
    bm_err err = {0};
    bm_model m;
    if ((rc = bm_model_load(o.model, &m, &err))) {
        fprintf(stderr, "bitmill disasm: %s\n", err.msg);
        return cli_exit_code(rc);
    }
    const bm_tensor *t = bm_model_find(&m, o.layer);
    bm_qweight q = {0};
    bm_layer_hw hw;
    bm_prog pg = {0};
    uint8_t *keep = NULL;
    if (!t) {
        rc = bm_fail(&err, BM_E_INVAL, "no tensor %s", o.layer);
        goto out;
    }
    if (o.off.sparse24) {
        keep = malloc((size_t)t->rows * t->cols);
        if (!keep || (rc = bm_prune_24_mask(t->data, t->rows, t->cols, BM_PRUNE_MAGNITUDE, NULL, keep, &err)))
            goto out;
    }
    if ((rc = bm_quantize_rtn(t->data, t->rows, t->cols, &o.off.q, keep, t->name, &q, &err)) ||
        (rc = bm_layer_plan(p, &q, t->name, o.off.act_bits, &hw, &err)) ||
        (rc = bm_sched_layer(p, &hw, o.m, &pg, &err)))
        goto out;
    printf("; %s  N=%u K=%u (Kpad %u)  M=%d  preset %s  bits %u terms %u %s%s  group %u (%u steps)\n"
           "; %u n-tiles x %u k-chunks, blob %llu bytes, %.3f bits/weight, ideal %.0f cycles\n",
           t->name, hw.N, hw.K, hw.Kpad, o.m, p->name, hw.code_bits, hw.terms, hw.dmode ? "booth" : "table",
           hw.sparse ? " 2:4" : "", hw.group, hw.gsteps, hw.ntiles, hw.nchunks,
           (unsigned long long)hw.blob_bytes, hw.bpw, bm_sched_ideal_cycles(p, &hw, o.m));
    static const char *unit[] = {"ld", "cp", "st"};
    for (uint32_t i = 0; i < pg.n; i++) {
        bm_insn in;
        char buf[256];
        bm_insn_decode(pg.bytes + (size_t)i * BM_INSN_BYTES, &in);
        int u = bm_insn_unit(&in);
        printf("%5u  %s  %s\n", i, u >= 0 ? unit[u] : "--", bm_insn_format(&in, buf, sizeof buf));
    }
out:
    if (rc)
        fprintf(stderr, "bitmill disasm: %s\n", err.msg);
    free(keep);
    bm_prog_free(&pg);
    bm_qweight_free(&q);
    bm_model_free(&m);
    return cli_exit_code(rc);
}
