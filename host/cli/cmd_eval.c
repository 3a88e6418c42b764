/* `bitmill eval`: perplexity on a text file (protocol in docs/eval.md), fp32
 * or with linear layers on a device. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: bitmill eval MODEL|PROGRAM.bmx --text FILE [--max-tokens N] [--window W] [options]\n"
    "Perplexity of MODEL on FILE: whole-text tokenization, non-overlapping windows\n"
    "of W tokens (default 256), BOS at every window start, every other token scored\n"
    "once (docs/eval.md).\n"
    "  --text FILE         evaluation text (e.g. $DATA_DIR/tinystories_val.txt)\n"
    "  --max-tokens N      score at most N tokens (default: all)\n"
    "  --window W          window length (default 256)\n"
    "  --skip-tokens N     start after the first N text tokens (e.g. the calibration\n"
    "                      span: 16 x 255 = 4080 tokens for --calib with defaults)\n"
    CLI_QUANT_HELP
    "  --json              print {perplexity, tokens, cycles, bits_per_weight, ...}\n";

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
    char *text = cli_slurp(o.text, &err);
    if (!text) {
        fprintf(stderr, "bitmill eval: %s\n", err.msg);
        cli_free(&o);
        return EXIT_INPUT;
    }
    cli_session ss;
    bm_llama *l = NULL;
    double ppl = 0;
    long scored = 0;
    if ((rc = cli_session_open(&o, &ss, &err)) || (rc = bm_llama_new(ss.m, o.window, &l, &err)))
        goto out;
    if (ss.off)
        bm_llama_set_linear(l, bm_offload_linear, ss.off);
    const char *fmt = ss.fmt;
    rc = bm_eval_ppl_from(l, &ss.m->tok, text, o.skip_tokens, o.max_tokens, o.window, o.window, o.quiet ? NULL : cli_progress,
                     NULL, &ppl, &scored, &err);
    if (rc)
        goto out;
    const bm_offload_stats *st = ss.off ? bm_offload_get_stats(ss.off) : NULL;
    if (o.json)
        printf("{\"model\":\"%s\",\"text\":\"%s\",\"format\":\"%s\",\"device\":\"%s\",\"perplexity\":%.4f,"
               "\"tokens\":%ld,\"skip_tokens\":%d,\"window\":%d,\"cycles\":%llu,\"bits_per_weight\":%.4f}\n",
               o.model, o.text, fmt, ss.device ? ss.device : "host-fp32", ppl, scored, o.skip_tokens, o.window,
               (unsigned long long)(st ? st->cycles : 0), st ? st->bits_per_weight : 32.0);
    else
        printf("perplexity %.4f over %ld tokens (window %d, %s%s%s)\n", ppl, scored, o.window, fmt,
               ss.device ? " on " : "", ss.device ? ss.device : "");
out:
    if (rc)
        fprintf(stderr, "bitmill eval: %s\n", err.msg);
    bm_llama_free(l);
    cli_session_close(&ss);
    free(text);
    cli_free(&o);
    return cli_exit_code(rc);
}
