/* `bitmill run`: greedy generation, fp32 on the host or with every linear
 * layer offloaded to a device; streams tokens and reports cycles. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const char usage[] =
    "usage: bitmill run MODEL|PROGRAM.bmx --prompt TEXT [--steps N] [options]\n"
    "Generate text greedily (temperature 0) from MODEL (llama2.c .bin, GGUF or\n"
    "safetensors). Without --device the fp32 reference runs on the host; with it\n"
    "every linear layer is quantized, compiled and executed on the device, and the\n"
    "simulated cycles per token are reported. A .bmx program (bitmill compile)\n"
    "always runs on a device (default sim://PRESET, or ref://PRESET without the\n"
    "Verilator model); its preset must match the device's.\n"
    "  --prompt TEXT       prompt (default \"Once upon a time\")\n"
    "  --steps N           tokens to generate (default 64)\n"
    CLI_QUANT_HELP
    "  --json              print a JSON summary instead of the text report\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int argmax(const float *v, int n)
{
    int b = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[b])
            b = i;
    return b;
}

int cmd_run(int argc, char **argv)
{
    cli_opts o;
    int rc = cli_parse(argc, argv, 2, &o, usage);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!o.prompt)
        o.prompt = "Once upon a time";
    bm_err err = {0};
    cli_session ss;
    bm_llama *l = NULL;
    int *toks = NULL;
    float *logits = NULL;
    if ((rc = cli_session_open(&o, &ss, &err)))
        goto fail;
    bm_model *mp = ss.m;
    bm_dev *dev = ss.dev;
    bm_offload *off = ss.off;
    const char *fmt = ss.fmt;
    int vocab = mp->cfg.vocab_size, ntok = 0, cap = (int)strlen(o.prompt) + 8;
    toks = malloc(sizeof(int) * (size_t)cap);
    if (!toks) { rc = bm_fail(&err, BM_E_NOMEM, "out of memory"); goto fail; }
    if ((rc = bm_tokenizer_encode(&mp->tok, o.prompt, 1, 0, toks, cap, &ntok, &err)))
        goto fail;
    if (ntok + o.steps > mp->cfg.seq_len) {
        rc = bm_fail(&err, BM_E_INVAL, "prompt (%d tokens) + steps (%d) exceed the context of %d", ntok,
                     o.steps, mp->cfg.seq_len);
        goto fail;
    }
    if ((rc = bm_llama_new(mp, ntok + o.steps, &l, &err)))
        goto fail;
    if (off)
        bm_llama_set_linear(l, bm_offload_linear, off);
    logits = malloc(sizeof(float) * (size_t)vocab * (size_t)ntok);
    if (!logits) { rc = bm_fail(&err, BM_E_NOMEM, "out of memory"); goto fail; }
    double t0 = now_s();
    if ((rc = bm_llama_forward(l, toks, ntok, 0, logits, &err)))
        goto fail;
    uint64_t prefill_cycles = off ? bm_offload_get_stats(off)->cycles : 0;
    if (off)
        bm_offload_reset_stats(off);
    if (!o.json) {
        for (int i = 1; i < ntok; i++)
            fputs(bm_tokenizer_piece(&mp->tok, toks[i - 1], toks[i]), stdout);
        fflush(stdout);
    }
    int prev = toks[ntok - 1], next = argmax(logits + (size_t)(ntok - 1) * vocab, vocab), gen = 0;
    double t1 = now_s();
    for (int s = 0; s < o.steps; s++) {
        if (next == mp->tok.eos_id || next == mp->tok.bos_id)
            break;
        if (!o.json) {
            fputs(bm_tokenizer_piece(&mp->tok, prev, next), stdout);
            fflush(stdout);
        }
        gen++;
        if ((rc = bm_llama_forward(l, &next, 1, ntok + s, logits, &err)))
            goto fail;
        prev = next;
        next = argmax(logits, vocab);
    }
    double t2 = now_s();
    if (!o.json)
        fputc('\n', stdout);
    if (off) {
        const bm_offload_stats *st = bm_offload_get_stats(off);
        const bm_dev_info *di = bm_dev_query(dev);
        double cpt = gen ? (double)st->cycles / gen : 0;
        double util = st->cycles ? st->ideal_cycles_x100 / 100.0 / (double)st->cycles : 0;
        double mhz = di->preset ? di->preset->clock_mhz : 0;
        if (o.json) {
            printf("{\"device\":\"%s\",\"preset\":\"%s\",\"format\":\"%s\",\"bits_per_weight\":%.4f,"
                   "\"prompt_tokens\":%d,\"tokens\":%d,\"prefill_cycles\":%llu,\"decode_cycles\":%llu,"
                   "\"cycles_per_token\":%.1f,\"utilization\":%.4f,\"modeled_tokens_per_s\":%.1f,"
                   "\"sim_tokens_per_s\":%.2f}\n",
                   ss.device, di->preset ? di->preset->name : "?", fmt, st->bits_per_weight, ntok, gen,
                   (unsigned long long)prefill_cycles, (unsigned long long)st->cycles, cpt, util,
                   cpt > 0 ? mhz * 1e6 / cpt : 0, gen / (t2 - t1));
        } else {
            printf("\n--- %s on %s (%s, %s)\n", fmt, ss.device, di->desc, di->backend);
            printf("bits per weight (offloaded layers): %.3f over %llu weights\n", st->bits_per_weight,
                   (unsigned long long)st->weights);
            printf("prefill: %d tokens in %llu cycles; decode: %d tokens, %.0f cycles/token\n", ntok,
                   (unsigned long long)prefill_cycles, gen, cpt);
            printf("utilization (ideal term cycles / measured): %.3f; array busy %.3f\n", util,
                   st->cycles ? (double)st->step_cycles / (double)st->cycles : 0);
            if (mhz > 0 && cpt > 0)
                printf("modeled at %.0f MHz: %.3f ms/token (%.0f tokens/s, linear layers only)\n", mhz,
                       cpt / mhz / 1e3, mhz * 1e6 / cpt);
            printf("simulation speed: %.2f tokens/s wall (prefill %.2f s)\n", gen / (t2 - t1), t1 - t0);
        }
    } else if (o.json) {
        printf("{\"device\":\"host-fp32\",\"prompt_tokens\":%d,\"tokens\":%d,\"tokens_per_s\":%.1f}\n", ntok,
               gen, gen / (t2 - t1));
    }
    rc = BM_OK;
fail:
    bm_llama_free(l);
    cli_session_close(&ss);
    free(toks);
    free(logits);
    if (rc)
        fprintf(stderr, "bitmill run: %s\n", err.msg);
    cli_free(&o);
    return cli_exit_code(rc);
}
