/* Design-space sweeps (docs/sweeps.md): a declarative spec is expanded into
 * points (one configuration x one workload); each point runs on the cycle
 * model (and on the Verilator RTL where cheap) and yields one CSV row per
 * layer. Resumable and parallel by point; nothing here prints or exits. */
#ifndef BM_SWEEP_H
#define BM_SWEEP_H

#include <stdio.h>

#include "bm_compile.h"
#include "bm_err.h"

#define BM_SWEEP_MAXV 16   /* values per grid axis */
#define BM_SWEEP_MAXW 8    /* workloads */
#define BM_SWEEP_MAXG 32   /* GEMMs per workload */

typedef struct bm_sweep_shape {
    char name[32];        /* preset name, or "RxCxL" */
    bm_preset p;          /* the preset, or one synthesized from "default" */
    int is_preset;        /* 1: a generated preset (RTL exists for it) */
} bm_sweep_shape;

typedef struct bm_sweep_gemm { int M, N, K; char label[32]; } bm_sweep_gemm;

typedef struct bm_sweep_workload {
    char name[32];
    int is_model;
    char model[1024], text[1024];   /* model workloads */
    bm_sweep_gemm g[BM_SWEEP_MAXG]; /* gemm workloads */
    int ng;
} bm_sweep_workload;

typedef struct bm_sweep_spec {
    bm_sweep_shape shape[BM_SWEEP_MAXV]; int nshape;
    bm_dtype dtype[BM_SWEEP_MAXV]; int ndtype;
    int bits[BM_SWEEP_MAXV]; int nbits;
    int group[BM_SWEEP_MAXV]; int ngroup;
    bm_method method[BM_SWEEP_MAXV]; int nmethod;
    bm_prune sparsity[BM_SWEEP_MAXV]; int nsparsity; /* BM_PRUNE_NONE or a 2:4 method */
    bm_sweep_workload wl[BM_SWEEP_MAXW]; int nwl;
    int act_bits;          /* default 8 */
    int max_tokens;        /* model workloads: perplexity tokens (default 2048) */
    int window;            /* perplexity window (default 256) */
    int tokens;            /* model workloads: M of the per-layer cycle runs (default 16) */
    int mem_bpc, mem_latency; /* 0 = the preset's own */
    int rtl;               /* 0 off, 1 auto (where a sim library exists and it is cheap) */
    long rtl_max_cycles;   /* "cheap": ideal cycles below this (default 2e6) */
    long arith_max_macs;   /* GEMMs above M*N*K run timing-only (default 2^27) */
    unsigned seed;
    char calib[1024];      /* calibration text (gptq, wanda, sparsegpt) */
    int synth;             /* BM_SWEEP_SYNTH_*: area columns (default auto) */
    int synth_timeout;     /* seconds per yosys/nextpnr run (default 1800) */
    char synth_cache[1024]; /* synthesis cache folder ("" = DIR/synth) */
} bm_sweep_spec;

enum { BM_SWEEP_SYNTH_AUTO = 0, BM_SWEEP_SYNTH_XCUP = 1, BM_SWEEP_SYNTH_OFF = 2 };

/* One point of the grid. id is stable across runs (it names the point in
 * results.csv and on the command line). */
typedef struct bm_sweep_point {
    char id[160];
    int shape, wl;
    bm_compile_opts co;    /* preset left NULL; set from shape */
} bm_sweep_point;

/* Parse a spec (text is the file's contents, path names it in messages and
 * anchors relative paths). $DATA_DIR / ${DATA_DIR} expand from data_dir. */
int bm_sweep_spec_parse(const char *text, const char *path, const char *data_dir, bm_sweep_spec *s,
                        bm_err *err);
/* Expand the grid; combinations the formats do not allow (BitMoD W2, ...)
 * are dropped. *pts is malloc'ed. */
int bm_sweep_points(const bm_sweep_spec *s, bm_sweep_point **pts, int *n, bm_err *err);
/* Preset for "RxCxL": "default" with the array shape replaced and the
 * scratchpads scaled with it (docs/sweeps.md). */
int bm_sweep_synth_preset(int rows, int cols, int lanes, bm_preset *out, bm_err *err);

/* Synthesis result of one array configuration (scripts/sweep_synth.py). */
enum { BM_SYNTH_NONE = 0, BM_SYNTH_OK, BM_SYNTH_TIMEOUT, BM_SYNTH_FAILED, BM_SYNTH_OFF };
typedef struct bm_sweep_res {
    int state;                      /* BM_SYNTH_* */
    long lut, ff, carry, dsp, lutram; /* synth_xilinx -family xcup cells of bm_top */
    double bram;                    /* RAMB36 + RAMB18 / 2 */
    double seconds;                 /* xcup synthesis time when it ran (NAN: unknown) */
    char ice40[16];                 /* yes, no, skipped, timeout, failed */
    long ice40_lut4;                /* synth_ice40 SB_LUT4 of the board top, -1 = not run */
    double fmax_mhz;                /* nextpnr-ice40 achieved Fmax, NAN = none */
    char note[256];                 /* what ran, timeouts, why iCE40 was skipped */
    char tools[160];                /* yosys and nextpnr-ice40 versions */
    int cached;
} bm_sweep_res;

/* Provenance written into every row: tool version and git revision; where
 * the synthesis helper lives and caches. */
typedef struct bm_sweep_env {
    char version[64], git[32];
    const char *root;        /* source tree: scripts/sweep_synth.py, hw/rtl */
    int quiet;
} bm_sweep_env;

/* Synthesize (or find in the cache) the configuration of preset p per the
 * spec's synth/synth_timeout. Timeouts and tool failures are results
 * (r->state), not errors; an error means the helper could not run (r is
 * then BM_SYNTH_FAILED with the reason in r->note). */
int bm_sweep_synth(const bm_sweep_spec *s, const bm_preset *p, const char *root, const char *cache_dir,
                   bm_sweep_res *r, bm_err *err);
/* "synthesis", "synthesis-timeout", "synthesis-failed", "synthesis-off". */
const char *bm_sweep_synth_source(const bm_sweep_res *r);

/* Run one point; write its CSV rows (no header) to out. res: the
 * synthesis result of the point's configuration (bm_sweep_synth), or NULL
 * when none was asked for (resources empty, source "no-synthesis-report" for
 * a preset, "no-rtl-for-shape" for a ROWSxCOLSxLANES shape). */
int bm_sweep_run_point(const bm_sweep_spec *s, const bm_sweep_point *pt, const bm_sweep_env *env,
                       FILE *out, bm_err *err);
int bm_sweep_run_point_res(const bm_sweep_spec *s, const bm_sweep_point *pt, const bm_sweep_env *env,
                           const bm_sweep_res *res, FILE *out, bm_err *err);
/* The synthesis cache of a sweep writing into dir: spec's synth_cache, else
 * DIR/synth. */
void bm_sweep_synth_dir(const bm_sweep_spec *s, const char *dir, char *out, size_t n);

/* CSV: the header line of results.csv, and point ids already present. */
const char *bm_sweep_header(void);
int bm_sweep_done_ids(const char *results_csv, char ***ids, int *n, bm_err *err);
void bm_sweep_free_ids(char **ids, int n);
/* summary.csv: one row per (configuration, workload) from results.csv. */
int bm_sweep_summary(const char *results_csv, const char *summary_csv, bm_err *err);
/* gnuplot scripts + PNG and SVG plots in dir from results/summary. */
int bm_sweep_plots(const char *dir, bm_err *err);

#endif
