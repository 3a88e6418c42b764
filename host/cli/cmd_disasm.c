/* `bitmill disasm`: the scheduled program of one layer, one instruction per
 * line with its index, unit and tokens. */
#include <stdlib.h>
#include <string.h>

#include "bm_insn.h"
#include "cli.h"
#include "sched/bm_sched.h"

static const char usage[] =
    "usage: bitmill disasm PROGRAM.bmx [--name LAYER]\n"
    "       bitmill disasm MODEL --name TENSOR [--m M] [--preset P] [format options]\n"
    "Print the M=1 programs stored in a .bmx (all layers, or one), or\n"
    "Quantize and schedule one layer for M tokens on preset P (default\n"
    "\"default\") and print its instruction stream.\n"
    CLI_QUANT_HELP;

static void print_prog(const bm_prog *pg)
{
    static const char *unit[] = {"ld", "cp", "st"};
    for (uint32_t i = 0; i < pg->n; i++) {
        bm_insn in;
        char buf[256];
        int e = bm_insn_decode(pg->bytes + (size_t)i * BM_INSN_BYTES, &in);
        int u = bm_insn_unit(&in);
        printf("%5u  %s  %s%s\n", i, u >= 0 && u < 3 ? unit[u] : "--", bm_insn_format(&in, buf, sizeof buf),
               e ? "   ; ILLEGAL" : "");
    }
}

static int disasm_bmx(const cli_opts *o)
{
    bm_err err = {0};
    bm_bmx b;
    int rc = bm_bmx_read(o->model, &b, &err);
    if (rc) {
        fprintf(stderr, "bitmill disasm: %s\n", err.msg);
        return cli_exit_code(rc);
    }
    int shown = 0;
    for (int i = 0; i < b.nl && i < b.np; i++) {
        if (o->layer && strcmp(o->layer, b.layers[i].name))
            continue;
        const bm_layer_hw *h = &b.layers[i].hw;
        printf("; layer %s  N=%u K=%u  code bits %u, %u terms (%s)%s, group %u  M=1 on preset %s\n",
               b.layers[i].name, h->N, h->K, h->code_bits, h->terms, h->dmode ? "booth" : "table",
               h->sparse ? " 2:4" : "", h->group, b.preset->name);
        print_prog(&b.progs[i]);
        shown++;
    }
    bm_bmx_free(&b);
    if (!shown) {
        fprintf(stderr, "bitmill disasm: no layer %s in %s\n", o->layer, o->model);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int cmd_disasm(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, 2, &o, usage);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (o.model && bm_bmx_sniff(o.model)) {
        rc = disasm_bmx(&o);
        cli_free(&o);
        return rc;
    }
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
    bm_packed_layer pl = {0};
    bm_prog pg = {0};
    o.co.preset = p;
    if (!t) {
        rc = bm_fail(&err, BM_E_INVAL, "no tensor %s", o.layer);
        goto out;
    }
    if ((rc = bm_compile_tensor(t, NULL, &o.co, &pl, &err)) ||
        (rc = bm_sched_layer(p, &pl.hw, o.m, &pg, &err)))
        goto out;
    const bm_layer_hw hw = pl.hw;
    printf("; %s  N=%u K=%u (Kpad %u)  M=%d  preset %s  bits %u terms %u %s%s  group %u (%u steps)\n"
           "; %u n-tiles x %u k-chunks, blob %llu bytes, %.3f bits/weight, ideal %.0f cycles\n",
           t->name, hw.N, hw.K, hw.Kpad, o.m, p->name, hw.code_bits, hw.terms, hw.dmode ? "booth" : "table",
           hw.sparse ? " 2:4" : "", hw.group, hw.gsteps, hw.ntiles, hw.nchunks,
           (unsigned long long)hw.blob_bytes, hw.bpw, bm_sched_ideal_cycles(p, &hw, o.m));
    print_prog(&pg);
out:
    if (rc)
        fprintf(stderr, "bitmill disasm: %s\n", err.msg);
    bm_packed_free(&pl, 1);
    bm_prog_free(&pg);
    bm_model_free(&m);
    cli_free(&o);
    return cli_exit_code(rc);
}
