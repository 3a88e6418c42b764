/* Running the points of a sweep: skip those already in results.csv, fold in
 * per-point files written by exported jobs (--point), fork up to `jobs`
 * workers, append each finished point to results.csv. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bm_sweep_exec.h"

void openblas_set_num_threads(int n); /* one BLAS thread per worker */

static int mkdirs(const char *d, bm_err *err)
{
    char p[1200];
    snprintf(p, sizeof p, "%s", d);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdir(p, 0777) && errno != EEXIST) return bm_fail(err, BM_E_IO, "%s: cannot create", p);
            *s = '/';
        }
    if (mkdir(p, 0777) && errno != EEXIST) return bm_fail(err, BM_E_IO, "%s: cannot create", p);
    return BM_OK;
}

static void part_path(const char *dir, const char *id, const char *ext, char *out, size_t n)
{
    snprintf(out, n, "%s/points/%s%s", dir, id, ext);
}

int bm_sweep_run_one(const bm_sweep_spec *s, const bm_sweep_point *pt, const bm_sweep_env *env,
                     const char *dir, bm_err *err)
{
    char tmp[1400], fin[1400];
    char pd[1200];
    snprintf(pd, sizeof pd, "%s/points", dir);
    int rc = mkdirs(pd, err);
    if (rc) return rc;
    part_path(dir, pt->id, ".csv.tmp", tmp, sizeof tmp);
    part_path(dir, pt->id, ".csv", fin, sizeof fin);
    /* Area of the configuration: normally cached by the sweep's pre-pass;
     * exported jobs synthesize here, under the helper's lock. A helper that
     * cannot run leaves the columns empty with its reason in synth_note. */
    char sd[1400];
    bm_sweep_synth_dir(s, dir, sd, sizeof sd);
    bm_sweep_res res;
    bm_err e2 = {0};
    bm_sweep_synth(s, &s->shape[pt->shape].p, env->root, sd, &res, &e2);
    FILE *f = fopen(tmp, "w");
    if (!f) return bm_fail(err, BM_E_IO, "%s: cannot create", tmp);
    rc = bm_sweep_run_point_res(s, pt, env, &res, f, err);
    if (fclose(f) && !rc) rc = bm_fail(err, BM_E_IO, "%s: write error", tmp);
    if (!rc && rename(tmp, fin)) rc = bm_fail(err, BM_E_IO, "%s: cannot rename", tmp);
    if (rc) {
        unlink(tmp);
        char ef[1400];
        part_path(dir, pt->id, ".err", ef, sizeof ef);
        FILE *e = fopen(ef, "w");
        if (e) { fprintf(e, "%s\n", err->msg); fclose(e); }
    }
    return rc;
}

/* Append a finished point's rows to results.csv and drop its file. */
static int absorb(const char *results, const char *part, bm_err *err)
{
    FILE *in = fopen(part, "r"), *out = in ? fopen(results, "a") : NULL;
    if (!in || !out) {
        if (in) fclose(in);
        return bm_fail(err, BM_E_IO, "cannot merge %s into %s", part, results);
    }
    char buf[65536];
    size_t k;
    while ((k = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, k, out);
    int bad = ferror(in) | ferror(out);
    fclose(in);
    if (fclose(out) || bad) return bm_fail(err, BM_E_IO, "%s: write error", results);
    unlink(part);
    return BM_OK;
}

/* results.csv written by another version of the sweep (other columns)
 * cannot be appended to. */
static int check_header(const char *results, bm_err *err)
{
    FILE *f = fopen(results, "r");
    if (!f) return bm_fail(err, BM_E_IO, "%s: cannot open", results);
    static char line[8192];
    int ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    line[strcspn(line, "\r\n")] = 0;
    if (!ok || strcmp(line, bm_sweep_header()))
        return bm_fail(err, BM_E_FORMAT, "%s has other columns than this version writes; use a new -o DIR", results);
    return BM_OK;
}

/* Synthesis pre-pass: each distinct configuration of the points still to
 * run is synthesized once (or found in the cache), up to `jobs` at a time,
 * before any point starts; the points then read the cache. */
static void synth_pass(const bm_sweep_spec *s, const bm_sweep_point *pts, int n, const char *todo,
                       const bm_sweep_env *env, const char *dir, int jobs, bm_sweep_log_fn log, void *ctx)
{
    char sd[1400];
    bm_sweep_synth_dir(s, dir, sd, sizeof sd);
    int want[BM_SWEEP_MAXV] = {0}, running = 0;
    for (int i = 0; i < n; i++)
        if (todo[i]) want[pts[i].shape] = 1;
    for (int sh = 0; sh <= s->nshape; sh++) {
        while (running >= jobs || (sh == s->nshape && running > 0)) {
            int st;
            if (wait(&st) < 0) break;
            running--;
        }
        if (sh == s->nshape) break;
        if (!want[sh]) continue;
        fflush(NULL);
        pid_t c = fork();
        if (c < 0) break; /* the points will synthesize themselves */
        if (c == 0) {
            bm_sweep_res r;
            bm_err e = {0};
            char m[700];
            int rc = bm_sweep_synth(s, &s->shape[sh].p, env->root, sd, &r, &e);
            if (rc) snprintf(m, sizeof m, "synth %s: %s", s->shape[sh].name, e.msg);
            else if (r.state == BM_SYNTH_OK)
                snprintf(m, sizeof m, "synth %s: LUT %ld FF %ld CARRY %ld DSP %ld BRAM36 %g, iCE40 %s%s (%s)",
                         s->shape[sh].name, r.lut, r.ff, r.carry, r.dsp, r.bram, r.ice40,
                         r.cached ? ", cached" : "", r.note);
            else
                snprintf(m, sizeof m, "synth %s: %s%s (%s)", s->shape[sh].name, bm_sweep_synth_source(&r),
                         r.cached ? ", cached" : "", r.note);
            if (log) log(ctx, m);
            _exit(rc ? 1 : 0);
        }
        running++;
    }
}

static int is_done(char **ids, int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(ids[i], id)) return 1;
    return 0;
}

int bm_sweep_exec(const bm_sweep_spec *s, const bm_sweep_point *pts, int n, const bm_sweep_env *env,
                  const char *dir, int jobs, bm_sweep_log_fn log, void *ctx, bm_sweep_tally *t, bm_err *err)
{
    memset(t, 0, sizeof *t);
    char results[1200], pd[1200], part[1400];
    snprintf(results, sizeof results, "%s/results.csv", dir);
    snprintf(pd, sizeof pd, "%s/points", dir);
    int rc = mkdirs(pd, err);
    if (rc) return rc;
    if (access(results, F_OK)) {
        FILE *f = fopen(results, "w");
        if (!f) return bm_fail(err, BM_E_IO, "%s: cannot create", results);
        fprintf(f, "%s\n", bm_sweep_header());
        if (fclose(f)) return bm_fail(err, BM_E_IO, "%s: write error", results);
    }
    if ((rc = check_header(results, err))) return rc;
    char **ids;
    int nids;
    if ((rc = bm_sweep_done_ids(results, &ids, &nids, err))) return rc;
    char *todo = calloc((size_t)n + 1, 1);
    pid_t *pid = calloc((size_t)(jobs > 0 ? jobs : 1), sizeof(pid_t));
    int *slot = calloc((size_t)(jobs > 0 ? jobs : 1), sizeof(int));
    if (!todo || !pid || !slot) {
        rc = bm_fail(err, BM_E_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < n && !rc; i++) {
        if (is_done(ids, nids, pts[i].id)) { t->skipped++; continue; }
        part_path(dir, pts[i].id, ".csv", part, sizeof part);
        if (!access(part, R_OK)) { /* finished by an exported job */
            rc = absorb(results, part, err);
            t->merged++;
            continue;
        }
        todo[i] = 1;
    }
    if (jobs < 1) jobs = 1;
    if (!rc && s->synth != BM_SWEEP_SYNTH_OFF) synth_pass(s, pts, n, todo, env, dir, jobs, log, ctx);
    int next = 0, running = 0;
    for (;;) {
        while (!rc && running < jobs) {
            while (next < n && !todo[next]) next++;
            if (next == n) break;
            fflush(NULL);
            pid_t c = fork();
            if (c < 0) { rc = bm_fail(err, BM_E_IO, "fork failed"); break; }
            if (c == 0) {
                openblas_set_num_threads(1);
                bm_err e = {0};
                _exit(bm_sweep_run_one(s, &pts[next], env, dir, &e) ? 1 : 0);
            }
            int k = 0;
            while (pid[k]) k++;
            pid[k] = c;
            slot[k] = next++;
            running++;
            if (log) { char m[256]; snprintf(m, sizeof m, "start %s", pts[slot[k]].id); log(ctx, m); }
        }
        if (!running) break;
        int st;
        pid_t c = wait(&st);
        if (c < 0) { rc = bm_fail(err, BM_E_IO, "wait failed"); break; }
        int k = 0;
        while (k < jobs && pid[k] != c) k++;
        if (k == jobs) continue;
        pid[k] = 0;
        running--;
        const bm_sweep_point *pt = &pts[slot[k]];
        char m[2200];
        part_path(dir, pt->id, ".csv", part, sizeof part);
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && !access(part, R_OK)) {
            bm_err e = {0};
            if (absorb(results, part, &e)) { t->failed++; snprintf(m, sizeof m, "FAIL %s: %s", pt->id, e.msg); }
            else { t->ran++; snprintf(m, sizeof m, "done %s", pt->id); }
        } else {
            t->failed++;
            char ef[1400], msg[512] = "worker crashed";
            part_path(dir, pt->id, ".err", ef, sizeof ef);
            FILE *e = fopen(ef, "r");
            if (e) {
                if (fgets(msg, sizeof msg, e)) msg[strcspn(msg, "\n")] = 0;
                fclose(e);
            }
            snprintf(m, sizeof m, "FAIL %s: %s (%s)", pt->id, msg, ef);
        }
        if (log) log(ctx, m);
    }
out:
    free(todo); free(pid); free(slot);
    bm_sweep_free_ids(ids, nids);
    return rc;
}
