/* Sweep execution: forked workers append whole points to results.csv, a
 * rerun skips them, a point file left by an exported job is merged, and
 * summary.csv has one row per point. Cycle model only (no RTL needed). */
#include <unistd.h>

#include "bm_test.h"
#include "../host/sweep/bm_sweep_exec.h"

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = 0, c;
    if (!f) return -1;
    while ((c = fgetc(f)) != EOF) n += c == '\n';
    fclose(f);
    return n;
}

int main(void)
{
    static const char txt[] = "shape: 8x2x4, 4x4x4\ndtype: int, bitmod\nbits: 4\ngroup: 16\nsparsity: none, 2:4\n"
                              "rtl: off\ngemm g: 2,8,64 a; 2,12,32 b\n";
    bm_sweep_spec *s = malloc(sizeof *s);
    bm_err e = {0};
    CHECK(bm_sweep_spec_parse(txt, "t.spec", "/data", s, &e) == BM_OK, "%s", e.msg);
    bm_sweep_point *p;
    int n;
    CHECK(bm_sweep_points(s, &p, &n, &e) == BM_OK && n == 8, "points %d", n);
    char dir[] = "/tmp/bm_sweep_XXXXXX", path[256], sum[256];
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    bm_sweep_env env = {"test", "0000000", "build", 1};
    /* An exported job ran point 0 before the sweep. */
    CHECK(bm_sweep_run_one(s, &p[0], &env, dir, &e) == BM_OK, "%s", e.msg);
    bm_sweep_tally t;
    CHECK(bm_sweep_exec(s, p, n, &env, dir, 2, NULL, NULL, &t, &e) == BM_OK, "%s", e.msg);
    CHECK(t.ran == 7 && t.merged == 1 && t.skipped == 0 && t.failed == 0, "tally %d %d %d %d", t.ran, t.merged,
          t.skipped, t.failed);
    snprintf(path, sizeof path, "%s/results.csv", dir);
    CHECK_EQ_INT(count_lines(path), 1 + 8 * 2);
    CHECK(bm_sweep_exec(s, p, n, &env, dir, 2, NULL, NULL, &t, &e) == BM_OK, "%s", e.msg);
    CHECK(t.ran == 0 && t.skipped == 8, "resume: ran %d skipped %d", t.ran, t.skipped);
    CHECK_EQ_INT(count_lines(path), 1 + 8 * 2);
    char **ids;
    int nid;
    CHECK(bm_sweep_done_ids(path, &ids, &nid, &e) == BM_OK && nid == 8, "ids %d", nid);
    bm_sweep_free_ids(ids, nid);
    snprintf(sum, sizeof sum, "%s/summary.csv", dir);
    CHECK(bm_sweep_summary(path, sum, &e) == BM_OK, "%s", e.msg);
    CHECK_EQ_INT(count_lines(sum), 1 + 8);
    /* A truncated results file is refused with its name. */
    FILE *f = fopen(path, "a");
    fputs("x,y\n", f);
    fclose(f);
    CHECK(bm_sweep_summary(path, sum, &e) == BM_E_FORMAT && strstr(e.msg, "results.csv"), "%s", e.msg);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0, "cleanup");
    free(p);
    free(s);
    return bm_test_done("sweep_exec");
}
