/* Strict parser of sweep specs (`key: value, value, ...` lines, format in
 * docs/sweeps.md) and expansion of the grid into points. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bm_sweep.h"

#define LINE_MAX_ 8192

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = 0;
    return s;
}

static int parse_long(const char *s, long lo, long hi, long *v)
{
    char *end;
    errno = 0;
    long x = strtol(s, &end, 10);
    if (!*s || *end || errno || x < lo || x > hi)
        return -1;
    *v = x;
    return 0;
}

/* Expand $DATA_DIR / ${DATA_DIR}; make a relative path relative to the spec's
 * folder (so a spec can name files beside it). */
static int expand_path(const char *in, const char *spec_path, const char *data_dir, char *out, size_t n)
{
    char tmp[1024];
    const char *rest = NULL;
    if (!strncmp(in, "${DATA_DIR}", 11)) rest = in + 11;
    else if (!strncmp(in, "$DATA_DIR", 9)) rest = in + 9;
    if (rest) {
        if ((size_t)snprintf(tmp, sizeof tmp, "%s%s", data_dir, rest) >= sizeof tmp) return -1;
    } else if (strchr(in, '$')) {
        return -1;
    } else if (in[0] != '/' && strchr(spec_path, '/')) {
        int dl = (int)(strrchr(spec_path, '/') - spec_path);
        if ((size_t)snprintf(tmp, sizeof tmp, "%.*s/%s", dl, spec_path, in) >= sizeof tmp) return -1;
    } else if ((size_t)snprintf(tmp, sizeof tmp, "%s", in) >= sizeof tmp) {
        return -1;
    }
    if ((size_t)snprintf(out, n, "%s", tmp) >= n) return -1;
    return 0;
}

int bm_sweep_synth_preset(int rows, int cols, int lanes, bm_preset *out, bm_err *err)
{
    const bm_preset *d = bm_preset_find("default");
    if (!d)
        return bm_fail(err, BM_E_INVAL, "no default preset in this build");
    if (rows < 1 || rows > 256 || cols < 1 || cols > 256 || lanes < 1 || lanes > 64)
        return bm_fail(err, BM_E_INVAL, "shape %dx%dx%d out of range (rows, cols 1..256, lanes 1..64)",
                       rows, cols, lanes);
    *out = *d;
    out->name = "synth";
    out->desc = "synthesized for a sweep (cycle model only)";
    out->rows = (uint32_t)rows;
    out->cols = (uint32_t)cols;
    out->lanes = (uint32_t)lanes;
    /* Scale each scratchpad with the dimensions that index it, never below
     * the default's size, so the scheduler's chunking stays comparable. */
    double rl = (double)rows * lanes / (d->rows * d->lanes), cl = (double)cols * lanes / (d->cols * d->lanes);
    double rc = (double)rows * cols / (d->rows * d->cols);
    out->wgt_bytes = (uint32_t)(d->wgt_bytes * (rl > 1 ? rl : 1));
    out->meta_bytes = (uint32_t)(d->meta_bytes * (rl > 1 ? rl : 1));
    out->act_bytes = (uint32_t)(d->act_bytes * (cl > 1 ? cl : 1));
    out->acc_bytes = (uint32_t)(d->acc_bytes * (rc > 1 ? rc : 1));
    /* ACT holds a whole token tile of K <= 16384 int8 values, twice (the
     * scheduler keeps K resident; Llama-2-7B's down_proj has K = 11008). */
    if (out->act_bytes < 2u * 16384u * (uint32_t)cols)
        out->act_bytes = 2u * 16384u * (uint32_t)cols;
    out->axi_bytes = 32; /* a 256-bit bus, as the decode preset and BitMoD's model */
    out->mem_bpc = 32;
    out->hash = 0;
    return BM_OK;
}

static int add_shape(bm_sweep_spec *s, const char *v, bm_err *err)
{
    bm_sweep_shape *sh = &s->shape[s->nshape];
    int r, c, l;
    char tail;
    memset(sh, 0, sizeof *sh);
    const bm_preset *p = bm_preset_find(v);
    if (p) {
        sh->p = *p;
        sh->is_preset = 1;
    } else if (sscanf(v, "%dx%dx%d%c", &r, &c, &l, &tail) == 3) {
        int rc = bm_sweep_synth_preset(r, c, l, &sh->p, err);
        if (rc) return rc;
    } else {
        return bm_fail(err, BM_E_INVAL, "shape '%s' is neither a preset nor ROWSxCOLSxLANES", v);
    }
    snprintf(sh->name, sizeof sh->name, "%s", v);
    s->nshape++;
    return BM_OK;
}

static int add_gemms(bm_sweep_workload *w, char *list, bm_err *err)
{
    for (char *save = NULL, *g = strtok_r(list, ";", &save); g; g = strtok_r(NULL, ";", &save)) {
        g = trim(g);
        if (!*g) continue;
        if (w->ng == BM_SWEEP_MAXG)
            return bm_fail(err, BM_E_INVAL, "more than %d GEMMs in workload %s", BM_SWEEP_MAXG, w->name);
        bm_sweep_gemm *x = &w->g[w->ng];
        char label[32] = "", tail[2];
        int k = sscanf(g, "%d,%d,%d %31s %1s", &x->M, &x->N, &x->K, label, tail);
        if (k < 3 || k > 4 || x->M < 1 || x->N < 1 || x->K < 1 || x->M > 65536 || x->N > 65536 || x->K > 65536)
            return bm_fail(err, BM_E_INVAL, "GEMM '%s': want M,N,K [label] with 1 <= M,N,K <= 65536", g);
        if (k == 3) snprintf(label, sizeof label, "g%d", w->ng);
        snprintf(x->label, sizeof x->label, "%s", label);
        w->ng++;
    }
    if (!w->ng)
        return bm_fail(err, BM_E_INVAL, "workload %s lists no GEMM", w->name);
    return BM_OK;
}

/* "name: value" where name may carry a workload name: "gemm NAME". */
static int set_key(bm_sweep_spec *s, const char *key, char *val, const char *path, const char *data_dir,
                   bm_err *err)
{
    char kind[16], wname[32], tail[2];
    long x;
    if (sscanf(key, "%15s %31s %1s", kind, wname, tail) == 2 && (!strcmp(kind, "gemm") || !strcmp(kind, "model"))) {
        if (s->nwl == BM_SWEEP_MAXW)
            return bm_fail(err, BM_E_INVAL, "more than %d workloads", BM_SWEEP_MAXW);
        for (const char *c = wname; *c; c++)
            if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_')
                return bm_fail(err, BM_E_INVAL, "workload name '%s': use letters, digits, - and _", wname);
        for (int i = 0; i < s->nwl; i++)
            if (!strcmp(s->wl[i].name, wname))
                return bm_fail(err, BM_E_INVAL, "workload '%s' defined twice", wname);
        bm_sweep_workload *w = &s->wl[s->nwl];
        memset(w, 0, sizeof *w);
        snprintf(w->name, sizeof w->name, "%s", wname);
        if (!strcmp(kind, "gemm")) {
            int rc = add_gemms(w, val, err);
            if (rc) return rc;
        } else {
            char *comma = strchr(val, ',');
            if (!comma || strchr(comma + 1, ','))
                return bm_fail(err, BM_E_INVAL, "model %s: want MODEL_PATH, TEXT_PATH", wname);
            *comma = 0;
            w->is_model = 1;
            if (expand_path(trim(val), path, data_dir, w->model, sizeof w->model) ||
                expand_path(trim(comma + 1), path, data_dir, w->text, sizeof w->text))
                return bm_fail(err, BM_E_INVAL, "model %s: bad path (only $DATA_DIR may be expanded)", wname);
        }
        s->nwl++;
        return BM_OK;
    }
    /* Scalar settings. */
    static const struct { const char *k; long lo, hi; size_t off; int is_long; } num[] = {
        {"act_bits", 2, 8, offsetof(bm_sweep_spec, act_bits), 0},
        {"max_tokens", 1, 1 << 24, offsetof(bm_sweep_spec, max_tokens), 0},
        {"window", 2, 4096, offsetof(bm_sweep_spec, window), 0},
        {"tokens", 1, 4096, offsetof(bm_sweep_spec, tokens), 0},
        {"mem_bpc", 1, 4096, offsetof(bm_sweep_spec, mem_bpc), 0},
        {"mem_latency", 1, 100000, offsetof(bm_sweep_spec, mem_latency), 0},
        {"rtl_max_cycles", 0, 1L << 40, offsetof(bm_sweep_spec, rtl_max_cycles), 1},
        {"arith_max_macs", 0, 1L << 40, offsetof(bm_sweep_spec, arith_max_macs), 1},
        {"seed", 0, 0x7fffffff, offsetof(bm_sweep_spec, seed), 0},
        {"synth_timeout", 1, 1000000, offsetof(bm_sweep_spec, synth_timeout), 0},
    };
    for (size_t i = 0; i < sizeof num / sizeof num[0]; i++)
        if (!strcmp(key, num[i].k)) {
            if (parse_long(trim(val), num[i].lo, num[i].hi, &x))
                return bm_fail(err, BM_E_INVAL, "%s: '%s' is not an integer in [%ld, %ld]", key, val,
                               num[i].lo, num[i].hi);
            if (num[i].is_long) *(long *)((char *)s + num[i].off) = x;
            else *(int *)((char *)s + num[i].off) = (int)x;
            return BM_OK;
        }
    if (!strcmp(key, "rtl")) {
        val = trim(val);
        if (!strcmp(val, "auto")) s->rtl = 1;
        else if (!strcmp(val, "off")) s->rtl = 0;
        else return bm_fail(err, BM_E_INVAL, "rtl: want auto or off, got '%s'", val);
        return BM_OK;
    }
    if (!strcmp(key, "synth")) {
        val = trim(val);
        if (!strcmp(val, "auto")) s->synth = BM_SWEEP_SYNTH_AUTO;
        else if (!strcmp(val, "xcup")) s->synth = BM_SWEEP_SYNTH_XCUP;
        else if (!strcmp(val, "off")) s->synth = BM_SWEEP_SYNTH_OFF;
        else return bm_fail(err, BM_E_INVAL, "synth: want auto, xcup or off, got '%s'", val);
        return BM_OK;
    }
    if (!strcmp(key, "synth_cache")) {
        if (expand_path(trim(val), path, data_dir, s->synth_cache, sizeof s->synth_cache))
            return bm_fail(err, BM_E_INVAL, "synth_cache: bad path");
        return BM_OK;
    }
    if (!strcmp(key, "calib")) {
        if (expand_path(trim(val), path, data_dir, s->calib, sizeof s->calib))
            return bm_fail(err, BM_E_INVAL, "calib: bad path");
        return BM_OK;
    }
    /* Grid axes: comma-separated lists. */
    int *count;
    if (!strcmp(key, "shape")) count = &s->nshape;
    else if (!strcmp(key, "dtype")) count = &s->ndtype;
    else if (!strcmp(key, "bits")) count = &s->nbits;
    else if (!strcmp(key, "group")) count = &s->ngroup;
    else if (!strcmp(key, "method")) count = &s->nmethod;
    else if (!strcmp(key, "sparsity")) count = &s->nsparsity;
    else return bm_fail(err, BM_E_INVAL, "unknown key '%s'", key);
    for (char *v = val, *next; v; v = next) {
        next = strchr(v, ',');
        if (next) *next++ = 0;
        v = trim(v);
        if (!*v) return bm_fail(err, BM_E_INVAL, "%s: empty value", key);
        if (*count == BM_SWEEP_MAXV) return bm_fail(err, BM_E_INVAL, "%s: more than %d values", key, BM_SWEEP_MAXV);
        int i = *count, rc = BM_OK;
        if (count == &s->nshape) {
            rc = add_shape(s, v, err);
            i = -1; /* add_shape counts */
        } else if (count == &s->ndtype) {
            if (!strcmp(v, "int")) s->dtype[i] = BM_DT_INT;
            else if (!strcmp(v, "int-asym")) s->dtype[i] = BM_DT_INT_ASYM;
            else if (!strcmp(v, "bitmod")) s->dtype[i] = BM_DT_BITMOD;
            else if (!strcmp(v, "abq")) s->dtype[i] = BM_DT_ABQ;
            else rc = bm_fail(err, BM_E_INVAL, "dtype: '%s' is not int, int-asym, bitmod or abq", v);
        } else if (count == &s->nbits) {
            rc = parse_long(v, 2, 8, &x) ? bm_fail(err, BM_E_INVAL, "bits: '%s' is not in 2..8", v) : BM_OK;
            s->bits[i] = (int)x;
        } else if (count == &s->ngroup) {
            rc = parse_long(v, 0, 65536, &x) ? bm_fail(err, BM_E_INVAL, "group: '%s' is not in 0..65536", v) : BM_OK;
            s->group[i] = (int)x;
        } else if (count == &s->nmethod) {
            if (!strcmp(v, "rtn")) s->method[i] = BM_METHOD_RTN;
            else if (!strcmp(v, "gptq")) s->method[i] = BM_METHOD_GPTQ;
            else rc = bm_fail(err, BM_E_INVAL, "method: '%s' is not rtn or gptq", v);
        } else {
            if (!strcmp(v, "none")) s->sparsity[i] = BM_PRUNE_NONE;
            else if (!strcmp(v, "2:4") || !strcmp(v, "2:4-magnitude")) s->sparsity[i] = BM_PRUNE_MAGNITUDE;
            else if (!strcmp(v, "2:4-wanda")) s->sparsity[i] = BM_PRUNE_WANDA;
            else if (!strcmp(v, "2:4-sparsegpt")) s->sparsity[i] = BM_PRUNE_SPARSEGPT;
            else rc = bm_fail(err, BM_E_INVAL, "sparsity: '%s' is not none, 2:4[-magnitude|-wanda|-sparsegpt]", v);
        }
        if (rc) return rc;
        if (i >= 0) (*count)++;
    }
    return BM_OK;
}

int bm_sweep_spec_parse(const char *text, const char *path, const char *data_dir, bm_sweep_spec *s,
                        bm_err *err)
{
    memset(s, 0, sizeof *s);
    s->act_bits = 8;
    s->max_tokens = 2048;
    s->window = 256;
    s->tokens = 16;
    s->rtl = 1;
    s->rtl_max_cycles = 2000000;
    s->arith_max_macs = 1L << 27;
    s->seed = 1;
    s->synth = BM_SWEEP_SYNTH_AUTO;
    s->synth_timeout = 1800;
    char seen[32][32];
    int nseen = 0, lineno = 0;
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        lineno++;
        if (len >= LINE_MAX_)
            return bm_fail(err, BM_E_INVAL, "%s:%d: line longer than %d bytes", path, lineno, LINE_MAX_ - 1);
        char line[LINE_MAX_];
        memcpy(line, p, len);
        line[len] = 0;
        p += len + (nl ? 1 : 0);
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *l = trim(line);
        if (!*l) continue;
        char *colon = strchr(l, ':');
        if (!colon)
            return bm_fail(err, BM_E_INVAL, "%s:%d: expected 'key: value, ...'", path, lineno);
        *colon = 0;
        char *key = trim(l), *val = trim(colon + 1);
        if (!*val)
            return bm_fail(err, BM_E_INVAL, "%s:%d: %s has no value", path, lineno, key);
        if (strncmp(key, "gemm ", 5) && strncmp(key, "model ", 6)) {
            for (int i = 0; i < nseen; i++)
                if (!strcmp(seen[i], key))
                    return bm_fail(err, BM_E_INVAL, "%s:%d: '%s' given twice (list values on one line)", path,
                                   lineno, key);
            if (nseen < 32) snprintf(seen[nseen++], sizeof seen[0], "%s", key);
        }
        int rc = set_key(s, key, val, path, data_dir, err);
        if (rc)
            return bm_wrap(err, "%s:%d", path, lineno);
    }
    if (!s->nshape) return bm_fail(err, BM_E_INVAL, "%s: no 'shape:' line", path);
    if (!s->ndtype) return bm_fail(err, BM_E_INVAL, "%s: no 'dtype:' line", path);
    if (!s->nwl) return bm_fail(err, BM_E_INVAL, "%s: no workload ('gemm NAME:' or 'model NAME:')", path);
    if (!s->nbits) s->bits[s->nbits++] = 4;
    if (!s->ngroup) s->group[s->ngroup++] = 32;
    if (!s->nmethod) s->method[s->nmethod++] = BM_METHOD_RTN;
    if (!s->nsparsity) s->sparsity[s->nsparsity++] = BM_PRUNE_NONE;
    return BM_OK;
}

static const char *dt_name(bm_dtype d)
{
    static const char *n[] = {"int", "int-asym", "bitmod", "abq"};
    return n[d];
}

static const char *sp_name(bm_prune p)
{
    static const char *n[] = {"dense", "24mag", "24wanda", "24sgpt"};
    return n[p];
}

int bm_sweep_points(const bm_sweep_spec *s, bm_sweep_point **pts, int *n, bm_err *err)
{
    size_t cap = (size_t)s->nshape * s->ndtype * s->nbits * s->ngroup * s->nmethod * s->nsparsity * s->nwl;
    bm_sweep_point *P = calloc(cap ? cap : 1, sizeof *P);
    if (!P)
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    int k = 0;
    for (int w = 0; w < s->nwl; w++)
        for (int sh = 0; sh < s->nshape; sh++)
            for (int d = 0; d < s->ndtype; d++)
                for (int b = 0; b < s->nbits; b++)
                    for (int g = 0; g < s->ngroup; g++)
                        for (int me = 0; me < s->nmethod; me++)
                            for (int sp = 0; sp < s->nsparsity; sp++) {
                                bm_sweep_point *x = &P[k];
                                memset(x, 0, sizeof *x);
                                x->shape = sh;
                                x->wl = w;
                                x->co.q.dtype = s->dtype[d];
                                x->co.q.bits = s->dtype[d] == BM_DT_ABQ ? 2 : s->bits[b];
                                x->co.q.group = s->group[g];
                                x->co.q.scale_bits = 8;
                                x->co.act_bits = s->act_bits;
                                x->co.method = s->method[me];
                                x->co.prune = s->sparsity[sp];
                                bm_err e2 = {0};
                                if (bm_qconf_check(&x->co.q, &e2))
                                    continue; /* e.g. BitMoD W2: not a format */
                                snprintf(x->id, sizeof x->id, "%s-%s%d-g%d-%s-%s-%s", s->shape[sh].name,
                                         dt_name(x->co.q.dtype), x->co.q.bits, x->co.q.group,
                                         x->co.method == BM_METHOD_GPTQ ? "gptq" : "rtn", sp_name(x->co.prune),
                                         s->wl[w].name);
                                int dup = 0; /* abq ignores the bits axis */
                                for (int j = 0; j < k && !dup; j++)
                                    dup = !strcmp(P[j].id, x->id);
                                if (!dup) k++;
                            }
    *pts = P;
    *n = k;
    return BM_OK;
}
