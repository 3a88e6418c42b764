/* `bitmill info`: presets, a device's identity, or a model's manifest. */
#include <string.h>

#include "bm_isa.h"
#include "cli.h"

static const char usage[] =
    "usage: bitmill info [--presets] [--device URI] [MODEL|PROGRAM.bmx]\n"
    "Print the hardware presets, what a device reports (ID, ISA and preset\n"
    "hashes, shape, memory model), a model's hyper-parameters and tensors, or a\n"
    "program's manifest (JSON).\n";

int cmd_info(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, 2, &o, usage);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    bm_err err = {0};
    if (!o.device && !o.model) {
        printf("ISA version %u, hash 0x%08X\n", BM_ISA_VERSION, BM_ISA_HASH);
        printf("%-8s %4s %4s %5s %6s %5s %8s %8s %5s %6s  %s\n", "preset", "rows", "cols", "lanes", "bits",
               "terms", "wgt KiB", "act KiB", "bus B", "MHz", "hash");
        for (int i = 0; i < BM_N_PRESETS; i++) {
            const bm_preset *p = &bm_presets[i];
            printf("%-8s %4u %4u %5u %6u %5u %8.1f %8.1f %5u %6u  0x%08X  %s\n", p->name, p->rows, p->cols,
                   p->lanes, p->max_bits, p->max_terms, p->wgt_bytes / 1024.0, p->act_bytes / 1024.0,
                   p->axi_bytes, p->clock_mhz, p->hash, p->desc);
        }
        printf("backends:");
        for (int i = 0; bm_backends[i] || i < 4; i++)
            if (bm_backends[i])
                printf(" %s://", bm_backends[i]->scheme);
        printf("\n");
        return EXIT_OK;
    }
    if (o.device) {
        bm_dev *d;
        if ((rc = bm_dev_open(o.device, NULL, &d, &err))) {
            fprintf(stderr, "bitmill info: %s\n", err.msg);
            return cli_exit_code(rc);
        }
        const bm_dev_info *i = bm_dev_query(d);
        printf("device %s: %s\n  ID 0x%08X, ISA v%u hash 0x%08X, preset %s (0x%08X), shape %ux%ux%u\n",
               o.device, i->desc, i->id, i->version, i->isa_hash, i->preset ? i->preset->name : "?",
               i->preset_hash, i->shape & 0xff, (i->shape >> 8) & 0xff, (i->shape >> 16) & 0xff);
        if (i->mem_latency)
            printf("  memory model: %u cycles latency, %u bytes/cycle, %llu MiB\n", i->mem_latency, i->mem_bpc,
                   (unsigned long long)(i->mem_bytes >> 20));
        bm_dev_close(d);
    }
    if (o.model && bm_bmx_sniff(o.model)) {
        bm_bmx b;
        if ((rc = bm_bmx_read(o.model, &b, &err))) {
            fprintf(stderr, "bitmill info: %s\n", err.msg);
            return cli_exit_code(rc);
        }
        fputs(b.manifest ? b.manifest : "{}\n", stdout);
        bm_bmx_free(&b);
    } else if (o.model) {
        bm_model m;
        if ((rc = bm_model_load(o.model, &m, &err))) {
            fprintf(stderr, "bitmill info: %s\n", err.msg);
            return cli_exit_code(rc);
        }
        const bm_model_cfg *c = &m.cfg;
        printf("%s: dim %d, hidden %d, layers %d, heads %d (kv %d), vocab %d, context %d, %s classifier, "
               "tokenizer %s\n", o.model, c->dim, c->hidden_dim, c->n_layers, c->n_heads, c->n_kv_heads,
               c->vocab_size, c->seq_len, c->shared_classifier ? "shared" : "separate",
               m.has_tok ? "embedded" : "separate file");
        long total = 0;
        for (int i = 0; i < m.n_tensors; i++) {
            printf("  %-24s %6d x %-6d\n", m.tensors[i].name, m.tensors[i].rows, m.tensors[i].cols);
            total += (long)m.tensors[i].rows * m.tensors[i].cols;
        }
        printf("  %ld parameters in %d tensors (shared classifier counted twice)\n", total, m.n_tensors);
        bm_model_free(&m);
    }
    return EXIT_OK;
}
