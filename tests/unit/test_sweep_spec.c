/* Sweep specs: the strict parser (good and bad specs), grid expansion and
 * point ids, synthesized presets, and one tiny point on the cycle model
 * whose CSV row matches the header. */
#include <math.h>

#include "bm_test.h"
#include "../host/sweep/bm_sweep.h"

static const char good[] =
    "# comment\n"
    "shape: default, 16x4x8   # trailing comment\n"
    "dtype: int, bitmod, abq\n"
    "bits: 2, 3, 4\n"
    "group: 48\n"
    "sparsity: none, 2:4\n"
    "mem_bpc: 32\n"
    "gemm tiny: 4,16,96 a; 2,8,48\n"
    "model m: $DATA_DIR/x.bin, rel.txt\n";

static int parse(const char *txt, bm_sweep_spec *s, bm_err *e)
{
    memset(e, 0, sizeof *e);
    return bm_sweep_spec_parse(txt, "dir/t.spec", "/data", s, e);
}

static void test_good(bm_sweep_spec *s)
{
    bm_err e;
    int rc = parse(good, s, &e);
    CHECK(rc == BM_OK, "%s", e.msg);
    CHECK_EQ_INT(s->nshape, 2);
    CHECK(s->shape[0].is_preset && !s->shape[1].is_preset, "preset flags");
    CHECK_EQ_INT(s->shape[1].p.rows, 16);
    CHECK_EQ_INT(s->shape[1].p.cols, 4);
    CHECK_EQ_INT(s->shape[1].p.lanes, 8);
    CHECK_EQ_INT(s->nbits, 3);
    CHECK_EQ_INT(s->sparsity[1], BM_PRUNE_MAGNITUDE);
    CHECK_EQ_INT(s->mem_bpc, 32);
    CHECK_EQ_INT(s->nwl, 2);
    CHECK_EQ_INT(s->wl[0].ng, 2);
    CHECK(!strcmp(s->wl[0].g[0].label, "a") && !strcmp(s->wl[0].g[1].label, "g1"), "labels %s %s",
          s->wl[0].g[0].label, s->wl[0].g[1].label);
    CHECK(!strcmp(s->wl[1].model, "/data/x.bin"), "DATA_DIR expansion: %s", s->wl[1].model);
    CHECK(!strcmp(s->wl[1].text, "dir/rel.txt"), "relative path: %s", s->wl[1].text);
    CHECK_EQ_INT(s->max_tokens, 2048);
    bm_sweep_point *p;
    int n;
    CHECK(bm_sweep_points(s, &p, &n, &e) == BM_OK, "%s", e.msg);
    /* Formats: int2, int3, int4, bitmod3, bitmod4, abq (bits ignored) = 6;
     * x 2 shapes x 2 sparsity x 2 workloads. */
    CHECK_EQ_INT(n, 6 * 2 * 2 * 2);
    int found = 0;
    for (int i = 0; i < n; i++) {
        found += !strcmp(p[i].id, "16x4x8-bitmod3-g48-rtn-24mag-tiny");
        for (int j = 0; j < i; j++) CHECK(strcmp(p[i].id, p[j].id), "duplicate id %s", p[i].id);
    }
    CHECK_EQ_INT(found, 1);
    free(p);
}

static void test_bad(void)
{
    static const struct { const char *txt, *want; } bad[] = {
        {"shape: default\ndtype: int\n", "no workload"},
        {"dtype: int\ngemm a: 1,2,3\n", "no 'shape:'"},
        {"shape: nosuch\ndtype: int\ngemm a: 1,2,3\n", "neither a preset"},
        {"shape: default\ndtype: float\ngemm a: 1,2,3\n", "not int, int-asym"},
        {"shape: default\ndtype: int\nbits: 9\ngemm a: 1,2,3\n", "not in 2..8"},
        {"shape: default\ndtype: int\ngemm a: 1,2\n", "want M,N,K"},
        {"shape: default\ndtype: int\ngemm a: 1,2,3 x y\n", "want M,N,K"},
        {"shape: default\ndtype: int\nshape: odd\ngemm a: 1,2,3\n", "given twice"},
        {"shape: default\ndtype: int\nfoo: 1\ngemm a: 1,2,3\n", "unknown key"},
        {"shape: default\ndtype: int\nmem_bpc: 0\ngemm a: 1,2,3\n", "mem_bpc"},
        {"shape: default\ndtype: int\nmodel m: a.bin\n", "MODEL_PATH, TEXT_PATH"},
        {"shape: default\ndtype: int\nmodel m: $HOME/a, b\n", "bad path"},
        {"shape: default\ndtype: int\ngemm a: 1,2,3\ngemm a: 1,2,3\n", "defined twice"},
        {"shape: default\ndtype: int\ngemm a/b: 1,2,3\n", "workload name"},
        {"shape default\n", "expected 'key: value"},
        {"shape: 0x1x1\ndtype: int\ngemm a: 1,2,3\n", "out of range"},
        {"shape: default,\ndtype: int\ngemm a: 1,2,3\n", "empty value"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        bm_sweep_spec s;
        bm_err e;
        int rc = parse(bad[i].txt, &s, &e);
        CHECK(rc == BM_E_INVAL && strstr(e.msg, bad[i].want), "spec %zu: rc %d, msg '%s', want '%s'", i, rc,
              e.msg, bad[i].want);
        CHECK(rc != BM_E_INVAL || strstr(e.msg, "t.spec"), "message names the file: %s", e.msg);
    }
}

/* One GEMM point on a synthesized shape: every row has the header's field
 * count, cycles > ideal > 0, and the arithmetic ran (error measured). */
static void test_run(bm_sweep_spec *s)
{
    bm_err e;
    static const char txt[] = "shape: 16x4x8\ndtype: bitmod\nbits: 4\ngroup: 32\ngemm g: 4,16,64 a; 1,40,128 b\n";
    CHECK(parse(txt, s, &e) == BM_OK, "%s", e.msg);
    bm_sweep_point *p;
    int n;
    CHECK(bm_sweep_points(s, &p, &n, &e) == BM_OK && n == 1, "points");
    bm_sweep_env env = {"test", "0000000", "build", 1};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc = bm_sweep_run_point(s, &p[0], &env, f, &e);
    fclose(f);
    CHECK(rc == BM_OK, "%s", e.msg);
    int hdr_fields = 1;
    for (const char *c = bm_sweep_header(); *c; c++) hdr_fields += *c == ',';
    int lines = 0;
    for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        int k = 1;
        for (const char *c = l; *c; c++) k += *c == ',';
        CHECK_EQ_INT(k, hdr_fields);
        CHECK(strstr(l, "cycle-model;no-rtl-for-shape,test,0000000") != NULL, "source/provenance: %s", l);
        lines++;
    }
    CHECK_EQ_INT(lines, 2);
    free(buf);
    free(p);
    bm_preset sp;
    CHECK(bm_sweep_synth_preset(32, 32, 4, &sp, &e) == BM_OK, "%s", e.msg);
    CHECK(sp.acc_bytes >= 32u * 32u * 4u * 2u && sp.act_bytes >= 2u * 16384u * 32u, "scratchpads scaled");
}

int main(void)
{
    bm_sweep_spec *s = malloc(sizeof *s);
    test_good(s);
    test_bad();
    test_run(s);
    free(s);
    return bm_test_done("sweep_spec");
}
