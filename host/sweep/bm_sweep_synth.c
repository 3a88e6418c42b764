/* Synthesis of a sweep's array configuration: runs scripts/sweep_synth.py
 * (yosys synth_xilinx -family xcup, and synth_ice40 + nextpnr-ice40 where
 * the configuration can be built on the iCE40 board), which caches the
 * result per (parameters, RTL hash) under DIR/synth and serializes
 * concurrent callers with a file lock. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bm_sweep.h"

/* Single-quote s for /bin/sh. */
static int shq(char *out, size_t n, const char *s)
{
    size_t k = 0;
    if (n < 3) return -1;
    out[k++] = '\'';
    for (; *s; s++) {
        if (*s == '\'') {
            if (k + 5 >= n) return -1;
            memcpy(out + k, "'\\''", 4);
            k += 4;
        } else {
            if (k + 2 >= n) return -1;
            out[k++] = *s;
        }
    }
    out[k++] = '\'';
    out[k] = 0;
    return 0;
}

static void setstr(char *dst, size_t n, const char *v)
{
    snprintf(dst, n, "%s", v);
}

int bm_sweep_synth(const bm_sweep_spec *s, const bm_preset *p, const char *root, const char *cache_dir,
                   bm_sweep_res *r, bm_err *err)
{
    memset(r, 0, sizeof *r);
    r->ice40_lut4 = -1;
    r->fmax_mhz = NAN;
    r->seconds = NAN;
    setstr(r->ice40, sizeof r->ice40, "skipped");
    if (s->synth == BM_SWEEP_SYNTH_OFF) {
        r->state = BM_SYNTH_OFF;
        setstr(r->note, sizeof r->note, "synth: off");
        return BM_OK;
    }
    char script[1200], qs[2600], qc[2600], cmd[6000];
    snprintf(script, sizeof script, "%s/scripts/sweep_synth.py", root ? root : ".");
    if (access(script, R_OK)) {
        r->state = BM_SYNTH_FAILED;
        snprintf(r->note, sizeof r->note, "no scripts/sweep_synth.py under root %.160s (--root)", root ? root : ".");
        return bm_fail(err, BM_E_IO, "%s", r->note);
    }
    if (shq(qs, sizeof qs, script) || shq(qc, sizeof qc, cache_dir))
        return bm_fail(err, BM_E_INVAL, "synthesis: path too long");
    snprintf(cmd, sizeof cmd,
             "python3 %s --cache %s --timeout %d --mode %s --params rows=%u,cols=%u,lanes=%u,max_bits=%u,"
             "max_terms=%u,table_bits=%u,wgt_bytes=%u,meta_bytes=%u,act_bytes=%u,acc_bytes=%u,axi_bytes=%u,"
             "fetch_depth=%u,queue_depth=%u,addr_bits=%u,dma_rows=%u,stall_counters=%u,clock_mhz=%u,mem_latency=%u,mem_bpc=%u",
             qs, qc, s->synth_timeout, s->synth == BM_SWEEP_SYNTH_XCUP ? "xcup" : "auto", p->rows, p->cols,
             p->lanes, p->max_bits, p->max_terms, p->table_bits, p->wgt_bytes, p->meta_bytes, p->act_bytes,
             p->acc_bytes, p->axi_bytes, p->fetch_depth, p->queue_depth, p->addr_bits, p->dma_rows, p->stall_counters, p->clock_mhz, p->mem_latency, p->mem_bpc);
    fflush(NULL);
    FILE *f = popen(cmd, "r");
    if (!f) return bm_fail(err, BM_E_IO, "synthesis: cannot run %s", script);
    char line[1024];
    int any = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        char *eq = strchr(line, '=');
        if (!eq) continue;
        *eq = 0;
        const char *k = line, *v = eq + 1;
        any = 1;
        if (!strcmp(k, "status"))
            r->state = !strcmp(v, "ok") ? BM_SYNTH_OK : !strcmp(v, "timeout") ? BM_SYNTH_TIMEOUT : BM_SYNTH_FAILED;
        else if (!strcmp(k, "lut")) r->lut = atol(v);
        else if (!strcmp(k, "ff")) r->ff = atol(v);
        else if (!strcmp(k, "carry")) r->carry = atol(v);
        else if (!strcmp(k, "dsp")) r->dsp = atol(v);
        else if (!strcmp(k, "lutram")) r->lutram = atol(v);
        else if (!strcmp(k, "bram_36k")) r->bram = strtod(v, NULL);
        else if (!strcmp(k, "seconds")) r->seconds = strtod(v, NULL);
        else if (!strcmp(k, "ice40")) setstr(r->ice40, sizeof r->ice40, v);
        else if (!strcmp(k, "ice40_lut4")) r->ice40_lut4 = atol(v);
        else if (!strcmp(k, "fmax_mhz")) r->fmax_mhz = strtod(v, NULL);
        else if (!strcmp(k, "note")) setstr(r->note, sizeof r->note, v);
        else if (!strcmp(k, "tools")) setstr(r->tools, sizeof r->tools, v);
        else if (!strcmp(k, "cached")) r->cached = atoi(v);
    }
    int st = pclose(f);
    if (st != 0 || !any || !r->state) {
        r->state = BM_SYNTH_FAILED;
        setstr(r->ice40, sizeof r->ice40, "skipped");
        snprintf(r->note, sizeof r->note, "synthesis helper scripts/sweep_synth.py failed (exit status %d; root %.120s)", st,
                 root ? root : ".");
        return bm_fail(err, BM_E_IO, "%s", r->note);
    }
    /* Notes go into CSV cells. */
    for (char *c = r->note; *c; c++)
        if (*c == ',' || *c == '"') *c = ';';
    for (char *c = r->tools; *c; c++)
        if (*c == ',' || *c == '"') *c = ';';
    return BM_OK;
}

void bm_sweep_synth_dir(const bm_sweep_spec *s, const char *dir, char *out, size_t n)
{
    if (s->synth_cache[0]) snprintf(out, n, "%s", s->synth_cache);
    else snprintf(out, n, "%s/synth", dir);
}

const char *bm_sweep_synth_source(const bm_sweep_res *r)
{
    switch (r->state) {
    case BM_SYNTH_OK: return "synthesis";
    case BM_SYNTH_TIMEOUT: return "synthesis-timeout";
    case BM_SYNTH_FAILED: return "synthesis-failed";
    default: return "synthesis-off";
    }
}
