/* Option parsing and shared helpers for the bitmill CLI; see cli.h. */
#include "cli.h"

#include "bm_calib.h"

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
    o->co.q.dtype = BM_DT_BITMOD;
    o->co.q.bits = 4;
    o->co.q.group = 32;
    o->co.q.scale_bits = 8;
    o->co.act_bits = 8;
    int bits_set = 0, sparse = 0;
    bm_prune prune = BM_PRUNE_MAGNITUDE;
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
        } else if (!strcmp(a, "--skip-tokens")) { INT(o->skip_tokens);
        } else if (!strcmp(a, "--window")) { INT(o->window);
        } else if (!strcmp(a, "--m")) { INT(o->m);
        } else if (!strcmp(a, "--seed")) { INT(o->seed);
        } else if (!strcmp(a, "--bits")) { INT(o->co.q.bits); bits_set = 1;
        } else if (!strcmp(a, "--group")) { INT(o->co.q.group);
        } else if (!strcmp(a, "--act-bits")) { INT(o->co.act_bits);
        } else if (!strcmp(a, "--json")) { o->json = 1;
        } else if (!strcmp(a, "--quiet")) { o->quiet = 1;
        } else if (!strcmp(a, "--classifier")) { o->co.classifier = 1;
        } else if (!strcmp(a, "--sparsity")) {
            NEED();
            if (!strcmp(v, "2:4")) sparse = 1;
            else if (strcmp(v, "none")) {
                fprintf(stderr, "bitmill: --sparsity must be none or 2:4\n");
                return EXIT_USAGE;
            }
        } else if (!strcmp(a, "--prune")) {
            NEED();
            sparse = 1;
            if (!strcmp(v, "magnitude")) prune = BM_PRUNE_MAGNITUDE;
            else if (!strcmp(v, "wanda")) prune = BM_PRUNE_WANDA;
            else if (!strcmp(v, "sparsegpt")) prune = BM_PRUNE_SPARSEGPT;
            else {
                fprintf(stderr, "bitmill: --prune must be magnitude, wanda or sparsegpt\n");
                return EXIT_USAGE;
            }
        } else if (!strcmp(a, "--method")) {
            NEED();
            if (!strcmp(v, "rtn")) o->co.method = BM_METHOD_RTN;
            else if (!strcmp(v, "gptq")) o->co.method = BM_METHOD_GPTQ;
            else {
                fprintf(stderr, "bitmill: --method must be rtn or gptq\n");
                return EXIT_USAGE;
            }
        } else if (!strcmp(a, "--calib")) { NEED(); o->calib_path = v;
        } else if (!strcmp(a, "--dtype")) {
            NEED();
            o->dtype_name = v;
            if (!strcmp(v, "int")) o->co.q.dtype = BM_DT_INT;
            else if (!strcmp(v, "int-asym")) o->co.q.dtype = BM_DT_INT_ASYM;
            else if (!strcmp(v, "bitmod")) o->co.q.dtype = BM_DT_BITMOD;
            else if (!strcmp(v, "abq")) o->co.q.dtype = BM_DT_ABQ;
            else if (!strcmp(v, "fp32")) o->fp32 = 1;
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
    if (o->co.q.dtype == BM_DT_ABQ && !bits_set)
        o->co.q.bits = 2;
    o->co.prune = sparse ? prune : BM_PRUNE_NONE;
    int needs = o->co.method == BM_METHOD_GPTQ || o->co.prune == BM_PRUNE_WANDA ||
                o->co.prune == BM_PRUNE_SPARSEGPT;
    if (needs && !o->calib_path) {
        fprintf(stderr, "bitmill: gptq, wanda and sparsegpt need --calib FILE\n");
        return EXIT_USAGE;
    }
    if (o->calib_path) {
        bm_err err = {0};
        o->calib_buf = cli_slurp(o->calib_path, &err);
        if (!o->calib_buf) {
            fprintf(stderr, "bitmill: %s\n", err.msg);
            return EXIT_INPUT;
        }
        o->co.calib_text = o->calib_buf;
    }
    return 0;
}

void cli_free(cli_opts *o)
{
    free(o->calib_buf);
    o->calib_buf = NULL;
}

char *cli_slurp(const char *path, bm_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        bm_fail(err, BM_E_IO, "%s: cannot open", path);
        return NULL;
    }
    char *s = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0)
        s = malloc((size_t)n + 1);
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

const char *cli_format_name(const bm_compile_opts *o, char *buf, size_t n)
{
    static const char *dt[] = {"INT", "INT-asym", "BitMoD", "ABQ"};
    static const char *pr[] = {"", " 2:4-magnitude", " 2:4-wanda", " 2:4-sparsegpt"};
    const char *m = o->method == BM_METHOD_GPTQ ? " GPTQ" : "";
    if (o->q.dtype == BM_DT_ABQ)
        snprintf(buf, n, "W2* (ABQ, 3 stored bits) g%d A%d%s%s", o->q.group, o->act_bits, m, pr[o->prune]);
    else
        snprintf(buf, n, "%s W%d g%d A%d%s%s", dt[o->q.dtype], o->q.bits, o->q.group, o->act_bits, m,
                 pr[o->prune]);
    return buf;
}

static const char *default_device(const bm_preset *p, char *buf, size_t n)
{
    /* The Verilator model when this build has it, else the reference model. */
    const char *name = p ? p->name : "default";
    snprintf(buf, n, "%s://%s", bm_sim_available(name) ? "sim" : "ref", name);
    return buf;
}

/* Dense-valued 2:4 pruning of the model's selected tensors, in place. */
static int prune_fp32(const cli_opts *o, bm_model *m, char *fmt, size_t fn, bm_err *err)
{
    static const char *pr[] = {"", "magnitude", "wanda", "sparsegpt"};
    bm_calib cal = {0};
    int rc = BM_OK, needH = o->co.prune != BM_PRUNE_MAGNITUDE;
    if (needH)
        rc = bm_calib_collect(m, &m->tok, o->co.calib_text, o->co.calib_seqs ? o->co.calib_seqs : 16,
                              o->co.calib_len ? o->co.calib_len : 256, &cal, err);
    for (int i = 0; i < m->n_tensors && !rc; i++) {
        bm_tensor *t = &m->tensors[i];
        if (!bm_compile_selects(t->name, o->co.classifier))
            continue;
        const bm_calib_layer *cl = needH ? bm_calib_find(&cal, t->name) : NULL;
        if (needH && !cl) {
            rc = bm_fail(err, BM_E_INVAL, "no calibration statistics for %s", t->name);
            break;
        }
        size_t nk = (size_t)t->rows * t->cols;
        uint8_t *keep = malloc(nk);
        float *w = malloc(sizeof(float) * nk);
        if (!keep || !w)
            rc = bm_fail(err, BM_E_NOMEM, "out of memory");
        else if (o->co.prune == BM_PRUNE_SPARSEGPT)
            rc = bm_sparsegpt_24(t->data, t->rows, t->cols, cl->H, w, keep, err);
        else if (!(rc = bm_prune_24_mask(t->data, t->rows, t->cols, o->co.prune, cl ? cl->H : NULL, keep, err)))
            for (size_t j = 0; j < nk; j++)
                w[j] = keep[j] ? t->data[j] : 0.0f;
        if (!rc)
            memcpy(t->data, w, sizeof(float) * nk);
        free(keep);
        free(w);
    }
    if (needH)
        bm_calib_free(&cal);
    snprintf(fmt, fn, "fp32 2:4-%s", pr[o->co.prune]);
    return rc;
}

int cli_session_open(cli_opts *o, cli_session *s, bm_err *err)
{
    static char devbuf[64];
    memset(s, 0, sizeof *s);
    snprintf(s->fmt, sizeof s->fmt, "fp32");
    int rc;
    if (o->model && bm_bmx_sniff(o->model)) {
        if ((rc = bm_bmx_read(o->model, &s->bmx, err)))
            return rc;
        s->is_bmx = 1;
        s->m = &s->bmx.model;
        if (!s->m->has_tok)
            return bm_fail(err, BM_E_FORMAT, "%s: program has no tokenizer", o->model);
        s->device = o->device ? o->device : default_device(s->bmx.preset, devbuf, sizeof devbuf);
        if ((rc = bm_dev_open(s->device, NULL, &s->dev, err)))
            return rc;
        if ((rc = bm_dev_check(s->dev, s->bmx.isa_hash, s->bmx.preset_hash, err)))
            return bm_wrap(err, "%s on %s", o->model, s->device);
        if ((rc = bm_offload_new_packed(s->dev, s->m, s->bmx.layers, s->bmx.nl, s->bmx.act_bits, &s->off, err)))
            return rc;
        snprintf(s->fmt, sizeof s->fmt, "program %s", o->model);
        return BM_OK;
    }
    if ((rc = cli_open_model(o, &s->model, err)))
        return rc;
    s->m = &s->model;
    if (o->fp32) {
        if (o->device)
            return bm_fail(err, BM_E_INVAL, "--dtype fp32 runs on the host; drop --device");
        snprintf(s->fmt, sizeof s->fmt, "fp32%s", o->co.prune ? " 2:4" : "");
        return o->co.prune ? prune_fp32(o, s->m, s->fmt, sizeof s->fmt, err) : BM_OK;
    }
    if (o->device) {
        s->device = o->device;
        if ((rc = bm_dev_open(o->device, NULL, &s->dev, err)) ||
            (rc = bm_offload_new(s->dev, s->m, &o->co, &s->off, err)))
            return rc;
        cli_format_name(&o->co, s->fmt, sizeof s->fmt);
    }
    return BM_OK;
}

void cli_session_close(cli_session *s)
{
    bm_offload_free(s->off);
    bm_dev_close(s->dev);
    if (s->is_bmx)
        bm_bmx_free(&s->bmx);
    else if (s->m)
        bm_model_free(&s->model);
    memset(s, 0, sizeof *s);
}
