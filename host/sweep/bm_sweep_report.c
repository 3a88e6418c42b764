/* summary.csv (one row per point, folded from results.csv) and the gnuplot
 * plots drawn from it: per-series data files + one script per plot, run
 * with `gnuplot` for PNG and SVG. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/stat.h>

#include "bm_sweep.h"

#define MAXC 96

typedef struct table {
    char *hdr[MAXC];
    int nc;
    char ***row; /* row[i][c] */
    int n;
    char *buf;
} table;

static void split(char *line, char **f, int *n)
{
    *n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; *n < MAXC;) {
        f[(*n)++] = p;
        char *c = strchr(p, ',');
        if (!c) break;
        *c = 0;
        p = c + 1;
    }
}

static void table_free(table *t)
{
    for (int i = 0; i < t->n; i++) free(t->row[i]);
    free(t->row);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

static int table_read(const char *path, table *t, bm_err *err)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f) return bm_fail(err, BM_E_IO, "%s: cannot open", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    t->buf = malloc((size_t)n + 1);
    if (!t->buf || fread(t->buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        table_free(t);
        return bm_fail(err, BM_E_IO, "%s: read failed", path);
    }
    fclose(f);
    t->buf[n] = 0;
    int cap = 0, first = 1;
    for (char *save = NULL, *l = strtok_r(t->buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (l[0] == '#') continue;
        if (first) {
            split(l, t->hdr, &t->nc);
            first = 0;
            continue;
        }
        if (t->n == cap) {
            cap = cap ? 2 * cap : 256;
            char ***r = realloc(t->row, sizeof(char **) * (size_t)cap);
            if (!r) { table_free(t); return bm_fail(err, BM_E_NOMEM, "out of memory"); }
            t->row = r;
        }
        char **f2 = calloc(MAXC, sizeof(char *));
        if (!f2) { table_free(t); return bm_fail(err, BM_E_NOMEM, "out of memory"); }
        int k;
        split(l, f2, &k);
        if (k != t->nc) {
            free(f2);
            int nr = t->n + 2;
            table_free(t);
            return bm_fail(err, BM_E_FORMAT, "%s: row %d has %d fields, header has %d", path, nr, k, 0);
        }
        t->row[t->n++] = f2;
    }
    return BM_OK;
}

static int col(const table *t, const char *name)
{
    for (int i = 0; i < t->nc; i++)
        if (!strcmp(t->hdr[i], name)) return i;
    return -1;
}

static double val(const table *t, int r, int c)
{
    if (c < 0 || !t->row[r][c][0]) return NAN;
    return strtod(t->row[r][c], NULL);
}

/* Columns copied from the first row of a point. */
static const char *keep_cols[] = {"point_id", "shape", "preset", "rows", "cols", "lanes", "dtype", "bits", "group",
                                  "method", "sparsity", "act_bits", "workload", "clock_mhz", "perplexity",
                                  "fp32_perplexity", "ppl_tokens", "lut_cells", "ff_cells", "carry_cells",
                                  "dsp_cells", "bram_36k_blocks", "lutram_cells", "synth_seconds", "ice40_fit",
                                  "ice40_lut4_cells", "fmax_mhz", "synth_note"};

int bm_sweep_summary(const char *results, const char *summary, bm_err *err)
{
    table t;
    int rc = table_read(results, &t, err);
    if (rc) return rc;
    const char *need[] = {"point_id", "cycles", "ideal_cycles", "m_tokens", "n_out", "k_in", "bits_per_weight",
                          "dram_bytes", "rel_error", "rtl_deviation_cycles", "rtl_counter_diffs", "source",
                          "ld_wait_mem_cycles", "cp_wait_tok_cycles", "cp_busy_cycles", "tool_version", "git_rev",
                          "clock_mhz", "rows", "cols", "lanes"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
        if (col(&t, need[i]) < 0) {
            table_free(&t);
            return bm_fail(err, BM_E_FORMAT, "%s: no column %s", results, need[i]);
        }
    FILE *o = fopen(summary, "w");
    if (!o) { table_free(&t); return bm_fail(err, BM_E_IO, "%s: cannot create", summary); }
    for (size_t i = 0; i < sizeof keep_cols / sizeof keep_cols[0]; i++) fprintf(o, "%s,", keep_cols[i]);
    fprintf(o, "layers,bits_per_weight,cycles,ideal_cycles,util_ratio,cycles_per_token,tokens_per_s,"
               "dram_bytes,dram_bytes_per_cycle,ld_wait_mem_cycles,cp_wait_tok_cycles,cp_busy_cycles,"
               "rel_error_rms,rtl_layers_checked,rtl_max_abs_deviation_cycles,rtl_counter_diffs,source,"
               "tool_version,git_rev,synth_tools\n");
    int cid = col(&t, "point_id");
    for (int i = 0; i < t.n;) {
        int j = i;
        double cyc = 0, ideal = 0, bits = 0, w = 0, dram = 0, lwm = 0, cwt = 0, cpb = 0, e2 = 0, ne = 0, maxdev = 0;
        int nrtl = 0, diffs = 0, rtl_all = 1;
        double M = val(&t, i, col(&t, "m_tokens"));
        int same_m = 1;
        for (; j < t.n && !strcmp(t.row[j][cid], t.row[i][cid]); j++) {
            double nk = val(&t, j, col(&t, "n_out")) * val(&t, j, col(&t, "k_in"));
            cyc += val(&t, j, col(&t, "cycles"));
            ideal += val(&t, j, col(&t, "ideal_cycles"));
            bits += val(&t, j, col(&t, "bits_per_weight")) * nk;
            w += nk;
            dram += val(&t, j, col(&t, "dram_bytes"));
            lwm += val(&t, j, col(&t, "ld_wait_mem_cycles"));
            cwt += val(&t, j, col(&t, "cp_wait_tok_cycles"));
            cpb += val(&t, j, col(&t, "cp_busy_cycles"));
            double e = val(&t, j, col(&t, "rel_error"));
            if (!isnan(e)) { e2 += e * e; ne++; }
            double d = val(&t, j, col(&t, "rtl_deviation_cycles"));
            if (!isnan(d)) {
                nrtl++;
                if (fabs(d) > maxdev) maxdev = fabs(d);
                diffs += (int)val(&t, j, col(&t, "rtl_counter_diffs"));
            } else {
                rtl_all = 0;
            }
            same_m &= val(&t, j, col(&t, "m_tokens")) == M;
        }
        for (size_t k = 0; k < sizeof keep_cols / sizeof keep_cols[0]; k++) {
            int c = col(&t, keep_cols[k]);
            fprintf(o, "%s,", c >= 0 ? t.row[i][c] : "");
        }
        /* A workload's GEMMs may differ in M (prefill vs decode lists): then
         * cycles per token is not defined for the point. */
        double cpt = same_m && M > 0 ? cyc / M : NAN;
        double clk = val(&t, i, col(&t, "clock_mhz"));
        fprintf(o, "%d,%.4f,%.0f,%.1f,%.4f,", j - i, w > 0 ? bits / w : 0, cyc, ideal, cyc > 0 ? ideal / cyc : 0);
        if (!isnan(cpt)) fprintf(o, "%.1f,%.1f,", cpt, clk * 1e6 / cpt);
        else fputs(",,", o);
        fprintf(o, "%.0f,%.3f,%.0f,%.0f,%.0f,", dram, cyc > 0 ? dram / cyc : 0, lwm, cwt, cpb);
        if (ne) fprintf(o, "%.6g,", sqrt(e2 / ne));
        else fputc(',', o);
        if (nrtl) fprintf(o, "%d,%.0f,%d,", nrtl, maxdev, diffs);
        else fputs("0,,,", o);
        const char *src = t.row[i][col(&t, "source")];
        const char *res = strchr(src, ';');
        int c_tools = col(&t, "synth_tools");
        fprintf(o, "%s%s,%s,%s,%s\n", nrtl == 0 ? "cycle-model" : rtl_all ? "rtl" : "rtl-partial", res ? res : "",
                t.row[i][col(&t, "tool_version")], t.row[i][col(&t, "git_rev")], c_tools >= 0 ? t.row[i][c_tools] : "");
        i = j;
    }
    table_free(&t);
    if (fclose(o)) return bm_fail(err, BM_E_IO, "%s: write error", summary);
    return BM_OK;
}

/* ---- plots ---------------------------------------------------------------- */

static int run_gnuplot(const char *script, bm_err *err)
{
    pid_t c = fork();
    if (c < 0) return bm_fail(err, BM_E_IO, "fork failed");
    if (c == 0) {
        execlp("gnuplot", "gnuplot", script, (char *)NULL);
        _exit(127);
    }
    int st;
    if (waitpid(c, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
        return bm_fail(err, BM_E_IO, "gnuplot %s failed (is gnuplot installed?)", script);
    return BM_OK;
}

/* Write a gnuplot script that draws the plot twice: PNG and SVG. */
static int plot(const char *dir, const char *name, const char *body, bm_err *err)
{
    char gp[1200];
    snprintf(gp, sizeof gp, "%s/plots/%s.gp", dir, name);
    FILE *f = fopen(gp, "w");
    if (!f) return bm_fail(err, BM_E_IO, "%s: cannot create", gp);
    fprintf(f, "# generated by bitmill sweep; data in %s/plots/*.dat\n", dir);
    fprintf(f, "cd '%s/plots'\nset datafile separator ','\nset key outside right top\nset grid\n", dir);
    fprintf(f, "set terminal pngcairo noenhanced size 900,520 font 'Sans,10'\nset output '%s.png'\n%s", name, body);
    fprintf(f, "set terminal svg noenhanced size 900,520 font 'Sans,10'\nset output '%s.svg'\nreplot\n", name);
    if (fclose(f)) return bm_fail(err, BM_E_IO, "%s: write error", gp);
    return run_gnuplot(gp, err);
}

typedef struct series { char name[96]; FILE *f; } series;

static FILE *series_file(const char *dir, const char *plotname, series *S, int *ns, const char *name)
{
    for (int i = 0; i < *ns; i++)
        if (!strcmp(S[i].name, name)) return S[i].f;
    if (*ns == 32) return NULL;
    char p[1400];
    snprintf(S[*ns].name, sizeof S[*ns].name, "%s", name);
    snprintf(p, sizeof p, "%s/plots/%s-%d.dat", dir, plotname, *ns);
    S[*ns].f = fopen(p, "w");
    return S[(*ns)++].f;
}

/* "plot 'x-0.dat' u 1:2 w lp t 'a', ..." over the series. */
static void plot_cmd(char *out, size_t n, const char *plotname, series *S, int ns, const char *using,
                     const char *with)
{
    size_t k = (size_t)snprintf(out, n, "plot ");
    for (int i = 0; i < ns && k < n; i++)
        k += (size_t)snprintf(out + k, n - k, "%s'%s-%d.dat' using %s with %s title '%s'", i ? ", \\\n  " : "",
                              plotname, i, using, with, S[i].name);
    if (k < n) snprintf(out + k, n - k, "\n");
}

static void close_series(series *S, int ns)
{
    for (int i = 0; i < ns; i++)
        if (S[i].f) fclose(S[i].f);
}

int bm_sweep_plots(const char *dir, bm_err *err)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/plots", dir);
    mkdir(path, 0777);
    table t;
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    int rc = table_read(path, &t, err);
    if (rc) return rc;
    int c_bpw = col(&t, "bits_per_weight"), c_ppl = col(&t, "perplexity"), c_err = col(&t, "rel_error_rms");
    int c_dt = col(&t, "dtype"), c_sp = col(&t, "sparsity"), c_sh = col(&t, "shape"), c_wl = col(&t, "workload");
    int c_cpt = col(&t, "cycles_per_token"), c_lut = col(&t, "lut_cells"), c_tps = col(&t, "tokens_per_s");
    int c_bits = col(&t, "bits"), c_m = col(&t, "method");
    char body[24576], cmd[12000];
    series S[32];
    int ns = 0;
    /* 1. Accuracy vs bits per weight: perplexity if any model workload ran,
     * else relative output error; one point per format (the first shape
     * that has it), Pareto front over all formats. */
    int use_ppl = 0;
    for (int i = 0; i < t.n; i++) use_ppl |= !isnan(val(&t, i, c_ppl));
    int c_acc = use_ppl ? c_ppl : c_err;
    double *fx = malloc(sizeof(double) * (size_t)(t.n + 1)), *fy = malloc(sizeof(double) * (size_t)(t.n + 1));
    int nf = 0;
    if (!fx || !fy) { free(fx); free(fy); table_free(&t); return bm_fail(err, BM_E_NOMEM, "out of memory"); }
    const char *shape0 = NULL;
    for (int i = 0; i < t.n; i++) {
        double x = val(&t, i, c_bpw), y = val(&t, i, c_acc);
        if (isnan(y)) continue;
        if (!shape0) shape0 = t.row[i][c_sh];
        if (strcmp(t.row[i][c_sh], shape0)) continue;
        char nm[96];
        snprintf(nm, sizeof nm, "%s%s%s%s", t.row[i][c_dt], strcmp(t.row[i][c_sp], "none") ? " " : "",
                 strcmp(t.row[i][c_sp], "none") ? t.row[i][c_sp] : "", strcmp(t.row[i][c_m], "rtn") ? " gptq" : "");
        FILE *f = series_file(dir, "accuracy", S, &ns, nm);
        if (f) fprintf(f, "%.4f,%.6g,%s\n", x, y, t.row[i][c_bits]);
        fx[nf] = x; fy[nf] = y; nf++;
    }
    /* Pareto front: sorted by bits, keep points better than every cheaper one. */
    FILE *pf = series_file(dir, "accuracy", S, &ns, "Pareto front");
    for (int i = 0; i < nf; i++)
        for (int j = i + 1; j < nf; j++)
            if (fx[j] < fx[i] || (fx[j] == fx[i] && fy[j] < fy[i])) {
                double a = fx[i], b = fy[i];
                fx[i] = fx[j]; fy[i] = fy[j]; fx[j] = a; fy[j] = b;
            }
    double best = INFINITY;
    for (int i = 0; i < nf && pf; i++)
        if (fy[i] < best) { best = fy[i]; fprintf(pf, "%.4f,%.6g\n", fx[i], fy[i]); }
    free(fx); free(fy);
    close_series(S, ns);
    char ref[256] = "";
    int c_f32 = col(&t, "fp32_perplexity");
    if (use_ppl && t.n && !isnan(val(&t, 0, c_f32)))
        snprintf(ref, sizeof ref, "set arrow from graph 0, first %g to graph 1, first %g nohead dt 3 lc rgb '#888888'\n"
                 "set label 'fp32 %.3f' at graph 0.02, first %g offset 0,0.7 textcolor rgb '#666666'\n",
                 val(&t, 0, c_f32), val(&t, 0, c_f32), val(&t, 0, c_f32), val(&t, 0, c_f32));
    if (nf) {
        plot_cmd(cmd, sizeof cmd, "accuracy", S, ns - 1, "1:2", "points pt 7 ps 1.3");
        cmd[strlen(cmd) - 1] = 0;
        snprintf(body, sizeof body,
                 "set title 'Accuracy vs bits per weight (%s%s)'\nset xlabel 'bits per weight (codes + scales + 2:4 metadata)'\n"
                 "set ylabel '%s'\nset logscale y\n%s%s, \\\n  'accuracy-%d.dat' using 1:2 with steps lw 2 lc rgb '#555555' dt 2 title 'Pareto front'\n",
                 use_ppl ? "perplexity, shape " : "relative output error vs fp32, shape ", shape0,
                 use_ppl ? "perplexity (lower is better)" : "relative output error", ref, cmd, ns - 1);
        if ((rc = plot(dir, "accuracy_vs_bits", body, err))) goto out;
    }
    /* 2. Cycles per token vs bits per weight, one series per shape and
     * sparsity, first workload only. */
    ns = 0;
    const char *wl0 = t.n ? t.row[0][c_wl] : "";
    /* GEMM lists mixing M have no per-token figure: plot all-layer cycles. */
    int per_tok = 0;
    for (int i = 0; i < t.n; i++) per_tok |= !strcmp(t.row[i][c_wl], wl0) && !isnan(val(&t, i, c_cpt));
    if (!per_tok) c_cpt = col(&t, "cycles");
    for (int i = 0; i < t.n; i++) {
        if (strcmp(t.row[i][c_wl], wl0) || isnan(val(&t, i, c_cpt))) continue;
        char nm[96];
        snprintf(nm, sizeof nm, "%s %s", t.row[i][c_sh], strcmp(t.row[i][c_sp], "none") ? "2:4" : "dense");
        FILE *f = series_file(dir, "cycles", S, &ns, nm);
        if (f) fprintf(f, "%.4f,%.6g\n", val(&t, i, c_bpw), val(&t, i, c_cpt));
    }
    close_series(S, ns);
    if (ns) {
        plot_cmd(cmd, sizeof cmd, "cycles", S, ns, "1:2", "points pt 7 ps 1.2");
        snprintf(body, sizeof body,
                 "set title '%s vs bits per weight (workload %s, all linear layers)'\n"
                 "set xlabel 'bits per weight'\nset ylabel '%s'\nset logscale y\n%s",
                 per_tok ? "Cycles per token" : "Cycles", wl0, per_tok ? "cycles per token" : "cycles", cmd);
        if ((rc = plot(dir, "cycles_vs_bits", body, err))) goto out;
    }
    /* 3. Area vs throughput where synthesis numbers exist: one series per
     * format (the same format on every shape), x = synth_xilinx LUTs of the
     * shape, y = tokens/s at the preset clock (workload runs/s when the
     * workload has no per-token figure); each point labelled with its shape. */
    ns = 0;
    int c_cyc = col(&t, "cycles"), c_clk = col(&t, "clock_mhz");
    int tps_ok = 0;
    for (int i = 0; i < t.n; i++) tps_ok |= !strcmp(t.row[i][c_wl], wl0) && !isnan(val(&t, i, c_tps));
    snprintf(path, sizeof path, "%s/plots/area-labels.dat", dir);
    FILE *lab = fopen(path, "w");
    double x0 = INFINITY, x1 = 0, y0 = INFINITY, y1 = 0;
    for (int i = 0; i < t.n && lab; i++) {
        double y = tps_ok ? val(&t, i, c_tps) : val(&t, i, c_clk) * 1e6 / val(&t, i, c_cyc);
        if (strcmp(t.row[i][c_wl], wl0) || isnan(val(&t, i, c_lut)) || isnan(y)) continue;
        char nm[96];
        snprintf(nm, sizeof nm, "%s%s %s", t.row[i][c_dt], strcmp(t.row[i][c_dt], "abq") ? t.row[i][c_bits] : "",
                 strcmp(t.row[i][c_sp], "none") ? "2:4" : "dense");
        FILE *f = series_file(dir, "area", S, &ns, nm);
        if (f) fprintf(f, "%.0f,%.6g\n", val(&t, i, c_lut), y);
        int labelled = 0; /* one label per shape, at its first format */
        for (int k = 0; k < i && !labelled; k++)
            labelled = !strcmp(t.row[k][c_sh], t.row[i][c_sh]) && !strcmp(t.row[k][c_wl], wl0) &&
                       !isnan(val(&t, k, c_lut));
        if (!labelled) fprintf(lab, "%.0f,%.6g,%s\n", val(&t, i, c_lut), y, t.row[i][c_sh]);
        double x = val(&t, i, c_lut);
        x0 = x < x0 ? x : x0; x1 = x > x1 ? x : x1; y0 = y < y0 ? y : y0; y1 = y > y1 ? y : y1;
    }
    if (lab) fclose(lab);
    close_series(S, ns);
    if (ns) {
        plot_cmd(cmd, sizeof cmd, "area", S, ns, "1:2 smooth unique", "linespoints pt 7 ps 1.3");
        cmd[strlen(cmd) - 1] = 0;
        snprintf(body, sizeof body,
                 "set title 'Area vs throughput (yosys synth_xilinx -family xcup; workload %s)'\n"
                 "set xlabel 'LUTs of bm_top (synth_xilinx, UltraScale+)'\nset ylabel '%s'\n"
                 "%s%sset xrange [%g:%g]\nset yrange [%g:%g]\n"
                 "%s, \\\n  'area-labels.dat' using 1:2:3 with labels offset 0,1 font ',8' notitle\n",
                 wl0, tps_ok ? "tokens/s at the preset clock" : "workload runs/s at the preset clock (all layers)",
                 x1 > 10 * x0 ? "set logscale x\n" : "", y1 > 10 * y0 ? "set logscale y\n" : "",
                 x1 > 10 * x0 ? x0 / 1.5 : x0 * 0.8, x1 > 10 * x0 ? x1 * 1.5 : x1 * 1.2,
                 y1 > 10 * y0 ? y0 / 1.5 : y0 * 0.8, y1 > 10 * y0 ? y1 * 1.5 : y1 * 1.2, cmd);
        if ((rc = plot(dir, "area_vs_throughput", body, err))) goto out;
    }
out:
    table_free(&t);
    if (rc) return rc;
    /* 4. Utilization per layer from results.csv: the first point of each
     * shape (first workload). */
    snprintf(path, sizeof path, "%s/results.csv", dir);
    if ((rc = table_read(path, &t, err))) return rc;
    int r_id = col(&t, "point_id"), r_sh = col(&t, "shape"), r_wl = col(&t, "workload"), r_u = col(&t, "util_ratio");
    int r_ly = col(&t, "layer");
    ns = 0;
    char xt[4096] = "", cfg[160] = "";
    size_t xk = 0;
    int idx = 0, r_sp = col(&t, "sparsity");
    wl0 = t.n ? t.row[0][r_wl] : "";
    /* The same configuration on every shape: the id without its shape
     * prefix, of the first dense point (else the first point). */
    for (int i = 0; i < t.n && !cfg[0]; i++)
        if (!strcmp(t.row[i][r_sp], "none")) snprintf(cfg, sizeof cfg, "%s", t.row[i][r_id] + strlen(t.row[i][r_sh]));
    if (!cfg[0] && t.n) snprintf(cfg, sizeof cfg, "%s", t.row[0][r_id] + strlen(t.row[0][r_sh]));
    for (int i = 0; i < t.n; i++) {
        if (strcmp(t.row[i][r_id] + strlen(t.row[i][r_sh]), cfg)) continue;
        FILE *f = series_file(dir, "util", S, &ns, t.row[i][r_sh]);
        int s = 0;
        while (s < ns && strcmp(S[s].name, t.row[i][r_sh])) s++;
        if (!f || s >= 32) continue;
        if (s == 0) {
            if (xk < sizeof xt - 80) xk += (size_t)snprintf(xt + xk, sizeof xt - xk, "%s'%s' %d", idx ? ", " : "", t.row[i][r_ly], idx);
            idx++;
        }
        fprintf(f, "%d,%s\n", s == 0 ? idx - 1 : 0, t.row[i][r_u]);
    }
    close_series(S, ns);
    table_free(&t);
    /* Re-number the other shapes' layers in order (same layer list). */
    for (int s = 1; s < ns; s++) {
        char p[1400], q[1400], line[256];
        snprintf(p, sizeof p, "%s/plots/util-%d.dat", dir, s);
        snprintf(q, sizeof q, "%s/plots/util-%d.tmp", dir, s);
        FILE *in = fopen(p, "r"), *o2 = in ? fopen(q, "w") : NULL;
        int k = 0;
        while (in && o2 && fgets(line, sizeof line, in)) {
            char *c = strchr(line, ',');
            if (c) fprintf(o2, "%d%s", k++, c);
        }
        if (in) fclose(in);
        if (o2) { fclose(o2); rename(q, p); }
    }
    if (ns) {
        plot_cmd(cmd, sizeof cmd, "util", S, ns, "1:2", "linespoints pt 7 ps 1");
        snprintf(body, sizeof body,
                 "set title 'Utilization per layer (%s on each shape)'\n"
                 "set ylabel 'ideal cycles / cycles'\nset yrange [0:1.05]\nset xtics rotate by -60 font ',8' (%s)\n%s",
                 cfg + 1, xt, cmd);
        if ((rc = plot(dir, "util_per_layer", body, err))) return rc;
    }
    return BM_OK;
}
