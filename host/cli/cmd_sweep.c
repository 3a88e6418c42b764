/* `bitmill sweep`: run a design-space sweep spec (docs/sweeps.md) into a
 * folder: results.csv, summary.csv, plots; resumable, -j N workers, or an
 * exported job list for GNU parallel / Slurm arrays. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bm_isa.h"
#include "cli.h"
#include "../sweep/bm_sweep.h"
#include "../sweep/bm_sweep_exec.h"

static const char usage[] =
    "usage: bitmill sweep SPEC -o DIR [-j N] [--export-jobs FILE] [--point ID] [--list] [--no-plots]\n"
    "                     [--synth-cache DIR] [--root DIR] [--quiet]\n"
    "Run every point of the sweep SPEC not yet in DIR/results.csv, then write\n"
    "DIR/summary.csv and the plots in DIR/plots (docs/sweeps.md).\n"
    "  -o DIR              output folder (created)\n"
    "  -j N                worker processes (default 1)\n"
    "  --resume            accepted for clarity: sweeps always skip finished points\n"
    "  --export-jobs FILE  write one command line per unfinished point and exit;\n"
    "                      run them with GNU parallel or a Slurm array, then rerun\n"
    "                      `bitmill sweep SPEC -o DIR` to merge and plot\n"
    "  --point ID          run only point ID into DIR/points/ID.csv\n"
    "  --list              print the point ids and exit\n"
    "  --no-plots          skip gnuplot\n"
    "  --synth-cache DIR   synthesis cache (default: the spec's synth_cache, else DIR/synth);\n"
    "                      may be shared by sweeps\n"
    "  --root DIR          source tree with scripts/sweep_synth.py and hw/rtl, for the\n"
    "                      synthesis columns (default: BITMILL_ROOT, else . when it has\n"
    "                      them, else the folder above the binary's build folder)\n"
    "  DATA_DIR (environment) expands $DATA_DIR in the spec (default ../shared/data)\n";

static void log_line(void *ctx, const char *line)
{
    if (!*(int *)ctx) fprintf(stderr, "sweep: %s\n", line);
}

static void git_rev(char *out, size_t n)
{
    snprintf(out, n, "unknown");
    FILE *p = popen("git rev-parse --short HEAD 2>/dev/null", "r");
    if (!p) return;
    char buf[64];
    if (fgets(buf, sizeof buf, p)) {
        buf[strcspn(buf, "\n")] = 0;
        if (buf[0]) snprintf(out, n, "%.16s", buf);
    }
    pclose(p);
}

/* The source tree for synthesis: BITMILL_ROOT, else . when it holds the
 * helper, else the folder above the binary's build folder
 * (ROOT/BUILD/bin/bitmill -> ROOT). */
static void find_root(char *out, size_t n)
{
    const char *e = getenv("BITMILL_ROOT");
    snprintf(out, n, ".");
    if (e && *e) { snprintf(out, n, "%s", e); return; }
    if (!access("scripts/sweep_synth.py", R_OK)) return;
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k <= 0) return;
    exe[k] = 0;
    for (int i = 0; i < 3; i++) {
        char *s = strrchr(exe, '/');
        if (s) *s = 0;
    }
    snprintf(out, n, "%s", exe[0] ? exe : "/");
}

int cmd_sweep(int argc, char **argv)
{
    const char *spec_path = NULL, *dir = NULL, *export_path = NULL, *only = NULL, *root = NULL, *cache = NULL;
    int jobs = 1, list = 0, plots = 1, quiet = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = !strcmp(a, "-o") || !strcmp(a, "-j") || !strcmp(a, "--export-jobs") || !strcmp(a, "--point") ||
                    !strcmp(a, "--root") || !strcmp(a, "--synth-cache");
        if (takes && !v) {
            fprintf(stderr, "bitmill sweep: %s needs a value\n%s", a, usage);
            return EXIT_USAGE;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) { fputs(usage, stdout); return EXIT_OK; }
        else if (!strcmp(a, "-o")) dir = v;
        else if (!strcmp(a, "-j")) {
            char *end;
            long x = strtol(v, &end, 10);
            if (*end || x < 1 || x > 256) {
                fprintf(stderr, "bitmill sweep: -j wants 1..256\n");
                return EXIT_USAGE;
            }
            jobs = (int)x;
        } else if (!strcmp(a, "--export-jobs")) export_path = v;
        else if (!strcmp(a, "--point")) only = v;
        else if (!strcmp(a, "--root")) root = v;
        else if (!strcmp(a, "--synth-cache")) cache = v;
        else if (!strcmp(a, "--resume")) { continue; }
        else if (!strcmp(a, "--list")) { list = 1; continue; }
        else if (!strcmp(a, "--no-plots")) { plots = 0; continue; }
        else if (!strcmp(a, "--quiet")) { quiet = 1; continue; }
        else if (a[0] == '-') { fprintf(stderr, "bitmill sweep: unknown option %s\n%s", a, usage); return EXIT_USAGE; }
        else if (!spec_path) { spec_path = a; continue; }
        else { fprintf(stderr, "bitmill sweep: unexpected argument %s\n%s", a, usage); return EXIT_USAGE; }
        i++;
    }
    if (!spec_path || (!dir && !list)) {
        fprintf(stderr, "bitmill sweep: SPEC and -o DIR are required\n%s", usage);
        return EXIT_USAGE;
    }
    bm_err err = {0};
    char *text = cli_slurp(spec_path, &err);
    if (!text) {
        fprintf(stderr, "bitmill sweep: %s\n", err.msg);
        return EXIT_INPUT;
    }
    const char *data_dir = getenv("DATA_DIR") ? getenv("DATA_DIR") : "../shared/data";
    bm_sweep_spec *s = malloc(sizeof *s);
    bm_sweep_point *pts = NULL;
    int n = 0, rc = s ? bm_sweep_spec_parse(text, spec_path, data_dir, s, &err) : bm_fail(&err, BM_E_NOMEM, "out of memory");
    free(text);
    if (!rc) rc = bm_sweep_points(s, &pts, &n, &err);
    if (rc) {
        fprintf(stderr, "bitmill sweep: %s\n", err.msg);
        free(s);
        return rc == BM_E_INVAL ? EXIT_INPUT : cli_exit_code(rc);
    }
    bm_sweep_env env = {0};
    snprintf(env.version, sizeof env.version, "bitmill ISA v%u 0x%08X", BM_ISA_VERSION, BM_ISA_HASH);
    git_rev(env.git, sizeof env.git);
    char rdir[PATH_MAX];
    if (root) snprintf(rdir, sizeof rdir, "%s", root);
    else find_root(rdir, sizeof rdir);
    if (cache) snprintf(s->synth_cache, sizeof s->synth_cache, "%s", cache);
    env.root = rdir;
    env.quiet = quiet;
    int code = EXIT_OK;
    if (list) {
        for (int i = 0; i < n; i++) printf("%s\n", pts[i].id);
    } else if (export_path) {
        char results[PATH_MAX + 32], **ids;
        int nids;
        snprintf(results, sizeof results, "%s/results.csv", dir);
        FILE *f = fopen(export_path, "w");
        if (!f || bm_sweep_done_ids(results, &ids, &nids, &err)) {
            fprintf(stderr, "bitmill sweep: %s\n", f ? err.msg : "cannot write the job list");
            if (f) fclose(f);
            code = EXIT_FAIL;
        } else {
            char exe[PATH_MAX];
            ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
            exe[k > 0 ? k : 0] = 0;
            int w = 0;
            for (int i = 0; i < n; i++) {
                int done = 0;
                for (int j = 0; j < nids && !done; j++) done = !strcmp(ids[j], pts[i].id);
                if (!done) {
                    fprintf(f, "%s sweep %s -o %s --point %s", k > 0 ? exe : "bitmill", spec_path, dir, pts[i].id);
                    if (root) fprintf(f, " --root %s", root);
                    if (cache) fprintf(f, " --synth-cache %s", cache);
                    fputc('\n', f);
                    w++;
                }
            }
            bm_sweep_free_ids(ids, nids);
            fclose(f);
            printf("sweep: %d jobs written to %s (%d of %d points already done)\n", w, export_path, n - w, n);
        }
    } else if (only) {
        int k = 0;
        while (k < n && strcmp(pts[k].id, only)) k++;
        if (k == n) {
            fprintf(stderr, "bitmill sweep: no point %s in %s (see --list)\n", only, spec_path);
            code = EXIT_USAGE;
        } else if ((rc = bm_sweep_run_one(s, &pts[k], &env, dir, &err))) {
            fprintf(stderr, "bitmill sweep: %s\n", err.msg);
            code = cli_exit_code(rc);
        }
    } else {
        bm_sweep_tally t;
        char results[PATH_MAX + 32], summary[PATH_MAX + 32];
        snprintf(results, sizeof results, "%s/results.csv", dir);
        snprintf(summary, sizeof summary, "%s/summary.csv", dir);
        rc = bm_sweep_exec(s, pts, n, &env, dir, jobs, log_line, &quiet, &t, &err);
        if (!rc) rc = bm_sweep_summary(results, summary, &err);
        if (!rc && plots) rc = bm_sweep_plots(dir, &err);
        if (rc) {
            fprintf(stderr, "bitmill sweep: %s\n", err.msg);
            code = cli_exit_code(rc);
        }
        printf("sweep: %d points: %d ran, %d already done, %d merged from job files, %d failed\n", n, t.ran,
               t.skipped, t.merged, t.failed);
        printf("sweep: %s, %s%s\n", results, summary, plots ? ", plots in plots/" : "");
        if (t.failed && !code) code = EXIT_FAIL;
    }
    free(pts);
    free(s);
    return code;
}
