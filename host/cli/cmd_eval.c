/* `bitmill eval`: perplexity on a text file (protocol in docs/eval.md), fp32
 * or with linear layers on a device. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: bitmill eval MODEL --text FILE [--max-tokens N] [--window W] [options]\n"
    "Perplexity of MODEL on FILE: whole-text tokenization, non-overlapping windows\n"
    "of W tokens (default 256), BOS at every window start, every other token scored\n"
    "once (docs/eval.md).\n"
    "  --text FILE         evaluation text (e.g. $DATA_DIR/tinystories_val.txt)\n"
    "  --max-tokens N      score at most N tokens (default: all)\n"
    "  --window W          window length (default 256)\n"
    CLI_QUANT_HELP
    "  --json              print {perplexity, tokens, cycles, bits_per_weight, ...}\n";

static char *slurp(const char *path, bm_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        bm_fail(err, BM_E_IO, "%s: cannot open", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        fclose(f);
        bm_fail(err, BM_E_IO, "%s: read failed", path);
        return NULL;
    }
    s[n] = 0;
    fclose(f);
    return s;
}

int cmd_eval(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, 2, &o, usage);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    bm_err err = {0};
    if (!o.text) {
        fprintf(stderr, "bitmill eval: --text FILE is required\n%s", usage);
        return EXIT_USAGE;
    }
    char *text = slurp(o.text, &err);
    if (!text) {
        fprintf(stderr, "bitmill eval: %s\n", err.msg);
        return EXIT_INPUT;
    }
    bm_model m;
    bm_dev *dev = NULL;
    bm_offload *off = NULL;
    bm_llama *l = NULL;
    if ((rc = cli_open_model(&o, &m, &err))) {
        free(text);
        fprintf(stderr, "bitmill eval: %s\n", err.msg);
        return cli_exit_code(rc);
    }
    char fmt[96] = "fp32";
    double ppl = 0;
    long scored = 0;
    if ((rc = bm_llama_new(&m, o.window, &l, &err)))
        goto out;
    if (o.device) {
        if ((rc = bm_dev_open(o.device, NULL, &dev, &err)) ||
            (rc = bm_offload_new(dev, &m, &o.off, &off, &err)))
            goto out;
        bm_llama_set_linear(l, bm_offload_linear, off);
        cli_format_name(&o.off, fmt, sizeof fmt);
    }
    rc = bm_eval_ppl(l, &m.tok, text, o.max_tokens, o.window, o.window, o.quiet ? NULL : cli_progress,
                     NULL, &ppl, &scored, &err);
    if (rc)
        goto out;
    const bm_offload_stats *st = off ? bm_offload_get_stats(off) : NULL;
    if (o.json)
        printf("{\"model\":\"%s\",\"text\":\"%s\",\"format\":\"%s\",\"device\":\"%s\",\"perplexity\":%.4f,"
               "\"tokens\":%ld,\"window\":%d,\"cycles\":%llu,\"bits_per_weight\":%.4f}\n",
               o.model, o.text, fmt, o.device ? o.device : "host-fp32", ppl, scored, o.window,
               (unsigned long long)(st ? st->cycles : 0), st ? st->bits_per_weight : 32.0);
    else
        printf("perplexity %.4f over %ld tokens (window %d, %s%s%s)%s\n", ppl, scored, o.window, fmt,
               o.device ? " on " : "", o.device ? o.device : "", "");
out:
    if (rc)
        fprintf(stderr, "bitmill eval: %s\n", err.msg);
    bm_offload_free(off);
    bm_dev_close(dev);
    bm_llama_free(l);
    bm_model_free(&m);
    free(text);
    return cli_exit_code(rc);
}
