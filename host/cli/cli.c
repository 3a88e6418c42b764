/* Option parsing and shared helpers for the bitmill CLI; see cli.h. */
#include "cli.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int parse_int(const char *s, int *v)
{
    char *end;
    long x = strtol(s, &end, 0);
    if (*s == 0 || *end || x < -2147483647L || x > 2147483647L)
        return -1;
    *v = (int)x;
    return 0;
}

int cli_parse(int argc, char **argv, int first, cli_opts *o, const char *usage)
{
    memset(o, 0, sizeof *o);
    o->steps = 64;
    o->window = 256;
    o->m = 1;
    o->seed = 1;
    o->off.q.dtype = BM_DT_BITMOD;
    o->off.q.bits = 4;
    o->off.q.group = 32;
    o->off.q.scale_bits = 8;
    o->off.act_bits = 8;
    int bits_set = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED()                                                              \
    do {                                                                    \
        if (!v) {                                                           \
            fprintf(stderr, "bitmill: option %s needs a value\n%s", a, usage); \
            return EXIT_USAGE;                                              \
        }                                                                   \
        i++;                                                                \
    } while (0)
#define INT(field)                                                          \
    do {                                                                    \
        NEED();                                                             \
        if (parse_int(v, &(field))) {                                       \
            fprintf(stderr, "bitmill: %s: '%s' is not an integer\n", a, v); \
            return EXIT_USAGE;                                              \
        }                                                                   \
    } while (0)
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            return -1;
        } else if (!strcmp(a, "--device")) { NEED(); o->device = v;
        } else if (!strcmp(a, "--tokenizer")) { NEED(); o->tokenizer = v;
        } else if (!strcmp(a, "--prompt")) { NEED(); o->prompt = v;
        } else if (!strcmp(a, "--text")) { NEED(); o->text = v;
        } else if (!strcmp(a, "--layer") || !strcmp(a, "--name")) { NEED(); o->layer = v;
        } else if (!strcmp(a, "--gemm")) { NEED(); o->gemm = v;
        } else if (!strcmp(a, "--preset")) { NEED(); o->preset = v;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) { NEED(); o->out = v;
        } else if (!strcmp(a, "--steps")) { INT(o->steps);
        } else if (!strcmp(a, "--max-tokens")) { INT(o->max_tokens);
        } else if (!strcmp(a, "--window")) { INT(o->window);
        } else if (!strcmp(a, "--m")) { INT(o->m);
        } else if (!strcmp(a, "--seed")) { INT(o->seed);
        } else if (!strcmp(a, "--bits")) { INT(o->off.q.bits); bits_set = 1;
        } else if (!strcmp(a, "--group")) { INT(o->off.q.group);
        } else if (!strcmp(a, "--act-bits")) { INT(o->off.act_bits);
        } else if (!strcmp(a, "--json")) { o->json = 1;
        } else if (!strcmp(a, "--quiet")) { o->quiet = 1;
        } else if (!strcmp(a, "--classifier")) { o->off.classifier = 1;
        } else if (!strcmp(a, "--sparsity")) {
            NEED();
            o->sparsity = v;
            if (!strcmp(v, "2:4")) o->off.sparse24 = 1;
            else if (strcmp(v, "none")) {
                fprintf(stderr, "bitmill: --sparsity must be none or 2:4\n");
                return EXIT_USAGE;
            }
        } else if (!strcmp(a, "--dtype")) {
            NEED();
            o->dtype_name = v;
            if (!strcmp(v, "int")) o->off.q.dtype = BM_DT_INT;
            else if (!strcmp(v, "int-asym")) o->off.q.dtype = BM_DT_INT_ASYM;
            else if (!strcmp(v, "bitmod")) o->off.q.dtype = BM_DT_BITMOD;
            else if (!strcmp(v, "abq")) o->off.q.dtype = BM_DT_ABQ;
            else {
                fprintf(stderr, "bitmill: --dtype must be int, int-asym, bitmod or abq\n");
                return EXIT_USAGE;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "bitmill: unknown option %s\n%s", a, usage);
            return EXIT_USAGE;
        } else if (!o->model) {
            o->model = a;
        } else {
            fprintf(stderr, "bitmill: unexpected argument %s\n%s", a, usage);
            return EXIT_USAGE;
        }
#undef INT
#undef NEED
    }
    if (o->off.q.dtype == BM_DT_ABQ && !bits_set)
        o->off.q.bits = 2;
    return 0;
}

int cli_open_model(const cli_opts *o, bm_model *m, bm_err *err)
{
    if (!o->model)
        return bm_fail(err, BM_E_INVAL, "no model file given");
    int rc = bm_model_load(o->model, m, err);
    if (rc)
        return rc;
    if (m->has_tok && !o->tokenizer)
        return BM_OK;
    char path[4096];
    if (o->tokenizer) {
        snprintf(path, sizeof path, "%s", o->tokenizer);
    } else {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s", o->model);
        snprintf(path, sizeof path, "%s/tok%d.bin", dirname(tmp), m->cfg.vocab_size);
    }
    if (m->has_tok)
        bm_tokenizer_free(&m->tok);
    rc = bm_tokenizer_load_llama2c(path, m->cfg.vocab_size, &m->tok, err);
    if (rc) {
        bm_model_free(m);
        return bm_wrap(err, "tokenizer (use --tokenizer PATH)");
    }
    m->has_tok = 1;
    return BM_OK;
}

int cli_exit_code(int rc)
{
    switch (rc) {
    case BM_OK: return EXIT_OK;
    case BM_E_INVAL: return EXIT_USAGE;
    case BM_E_NODEV: case BM_E_DEVICE: case BM_E_TIMEOUT: case BM_E_MISMATCH: return EXIT_DEVICE;
    case BM_E_FORMAT: case BM_E_UNSUPP: case BM_E_IO: case BM_E_NUMERIC: return EXIT_INPUT;
    }
    return EXIT_FAIL;
}

void cli_progress(void *ctx, long done, long total)
{
    (void)ctx;
    if (!isatty(2) || total <= 0)
        return;
    int w = 40, f = (int)(w * done / total);
    fprintf(stderr, "\r[%.*s%*s] %ld/%ld tokens", f, "########################################", w - f, "",
            done, total);
    if (done >= total)
        fputc('\n', stderr);
}

const char *cli_format_name(const bm_offload_opts *o, char *buf, size_t n)
{
    static const char *dt[] = {"INT", "INT-asym", "BitMoD", "ABQ"};
    if (o->q.dtype == BM_DT_ABQ)
        snprintf(buf, n, "W2* (ABQ, 3 stored bits) g%d A%d%s", o->q.group, o->act_bits, o->sparse24 ? " 2:4" : "");
    else
        snprintf(buf, n, "%s W%d g%d A%d%s", dt[o->q.dtype], o->q.bits, o->q.group, o->act_bits,
                 o->sparse24 ? " 2:4" : "");
    return buf;
}
