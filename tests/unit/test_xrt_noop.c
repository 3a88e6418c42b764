/* xrt:// backend without a card: XCL_EMULATION_MODE=noop runs the whole host
 * flow (open, load a metadata-only xclbin, buffers, run, wait); without noop a
 * missing card must give BM_E_NODEV and never abort the process (checked in
 * forked children); an unset or unusable XILINX_XRT is fixed by the backend. */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bm_driver.h"
#include "bm_regs.h"
#include "bm_test.h"
#include "../../driver/xrt/bm_xclbin.h"
#include "../../driver/xrt/bm_xrt.h"

static char dir[256], xclbin[300];

static int usable_xrt_env(void)
{
    const char *x = getenv("XILINX_XRT");
    char p[512];
    struct stat st;
    if (!x)
        return 0;
    snprintf(p, sizeof p, "%s/lib/libxrt_core.so.2", x);
    return stat(p, &st) == 0;
}

static void test_fix_env(void)
{
    bm_err e = {0};
    char note[256];
    unsetenv("XILINX_XRT");
    CHECK_EQ_INT(bm_xrt_fix_env(note, sizeof note, &e), BM_OK);
    CHECK(usable_xrt_env(), "XILINX_XRT=%s after fix-up from unset", getenv("XILINX_XRT"));
    CHECK(strstr(note, "(was unset)") != NULL, "note: %s", note);
    setenv("XILINX_XRT", "/usr", 1); /* aborts XRT on Debian: lib/ has no shim */
    CHECK_EQ_INT(bm_xrt_fix_env(note, sizeof note, &e), BM_OK);
    CHECK(usable_xrt_env() && strcmp(getenv("XILINX_XRT"), "/usr") != 0, "XILINX_XRT=%s after /usr",
          getenv("XILINX_XRT"));
    const char *fixed = getenv("XILINX_XRT");
    CHECK_EQ_INT(bm_xrt_fix_env(note, sizeof note, &e), BM_OK); /* usable: left alone */
    CHECK(note[0] == 0 && strcmp(getenv("XILINX_XRT"), fixed) == 0, "note '%s'", note);

    /* someone else's bitmill-xrt-UID/lib pointing elsewhere: refuse, clearly */
    char saved[512], tmp[512], root[600], link[700];
    snprintf(saved, sizeof saved, "%s", fixed);
    const char *old_tmp = getenv("TMPDIR");
    char old_tmpdir[512];
    snprintf(old_tmpdir, sizeof old_tmpdir, "%s", old_tmp ? old_tmp : "");
    snprintf(tmp, sizeof tmp, "%s/bm_xrtenv_XXXXXX", old_tmp ? old_tmp : "/tmp");
    CHECK(mkdtemp(tmp) != NULL, "mkdtemp");
    snprintf(root, sizeof root, "%s/bitmill-xrt-%u", tmp, (unsigned)getuid());
    snprintf(link, sizeof link, "%s/lib", root);
    CHECK(mkdir(root, 0700) == 0 && symlink("/nonexistent", link) == 0, "planted %s", link);
    setenv("TMPDIR", tmp, 1);
    unsetenv("XILINX_XRT");
    int rc = bm_xrt_fix_env(note, sizeof note, &e);
    CHECK(rc == BM_E_NODEV && strstr(e.msg, "does not link to"), "conflicting link: %d %s", rc, e.msg);
    unlink(link);
    rmdir(root);
    rmdir(tmp);
    if (old_tmpdir[0])
        setenv("TMPDIR", old_tmpdir, 1);
    else
        unsetenv("TMPDIR");
    setenv("XILINX_XRT", saved, 1);
}

/* In a child: open xrt://0 with the given mode/xclbin and exit 10 + the
 * expected-error check, so the parent sees a normal exit, not an abort. */
static void expect_nodev_in_child(const char *what, const char *mode, const char *xclbin_path,
                                  const char *xrt_env, const char *want_msg)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (mode)
            setenv("XCL_EMULATION_MODE", mode, 1);
        else
            unsetenv("XCL_EMULATION_MODE");
        if (xrt_env)
            setenv("XILINX_XRT", xrt_env, 1);
        else
            unsetenv("XILINX_XRT");
        bm_dev_opts o = {.xclbin = xclbin_path};
        bm_dev_info info;
        void *impl = NULL;
        bm_err e = {0};
        int rc = bm_backend_xrt.open("0", &o, &impl, &info, &e);
        printf("  %s: rc=%d msg=\"%s\"\n", what, rc, e.msg);
        fflush(stdout);
        if (rc == BM_OK)
            bm_backend_xrt.close(impl);
        _exit(rc == BM_E_NODEV && strstr(e.msg, want_msg) ? 10 : 11);
    }
    int st = 0;
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid, "fork/wait for %s", what);
    CHECK(WIFEXITED(st), "%s: child did not exit normally (signal %d: XRT aborted?)", what,
          WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 10, "%s: child exit %d (want BM_E_NODEV, \"%s\")", what,
          WEXITSTATUS(st), want_msg);
}

static void test_noop_flow(void)
{
    const bm_backend *be = bm_backend_find("xrt");
    CHECK(be == &bm_backend_xrt, "registry offers xrt");
    setenv("XCL_EMULATION_MODE", "noop", 1);
    unsetenv("XILINX_XRT"); /* the backend must fix this itself */
    bm_dev_opts o = {.xclbin = xclbin};
    bm_dev_info info;
    void *d = NULL;
    bm_err e = {0};
    int rc = be->open("0", &o, &d, &info, &e);
    CHECK_EQ_INT(rc, BM_OK);
    if (rc) {
        fprintf(stderr, "open: %s\n", e.msg);
        return;
    }
    printf("  open: backend=%s desc=\"%s\" id=0x%08x\n", info.backend, info.desc, info.id);
    CHECK(usable_xrt_env(), "XILINX_XRT fixed by open: %s", getenv("XILINX_XRT"));
    CHECK(strcmp(info.backend, "xrt") == 0, "backend %s", info.backend);

    uint64_t insn = 0, act = 0;
    CHECK_EQ_INT(be->mem_alloc(d, 4096, &insn, &e), BM_OK);
    CHECK_EQ_INT(be->mem_alloc(d, 1 << 20, &act, &e), BM_OK);
    CHECK(insn != act, "distinct buffer addresses 0x%llx 0x%llx", (unsigned long long)insn,
          (unsigned long long)act);
    printf("  buffers at 0x%llx and 0x%llx\n", (unsigned long long)insn, (unsigned long long)act);
    uint8_t w[4096], r[4096];
    for (int i = 0; i < 4096; i++)
        w[i] = (uint8_t)(i * 7 + 3);
    CHECK_EQ_INT(be->mem_write(d, insn, w, sizeof w, &e), BM_OK);
    CHECK_EQ_INT(be->mem_write(d, act + 100, w, 1000, &e), BM_OK);
    memset(r, 0, sizeof r);
    CHECK_EQ_INT(be->mem_read(d, insn, r, sizeof r, &e), BM_OK);
    CHECK(memcmp(w, r, sizeof w) == 0, "noop buffer read back what was written");
    memset(r, 0, sizeof r);
    CHECK_EQ_INT(be->mem_read(d, act + 100, r, 1000, &e), BM_OK);
    CHECK(memcmp(w, r, 1000) == 0, "read back at an offset");
    CHECK_EQ_INT(be->mem_read(d, act + (1 << 20) - 10, r, 100, &e), BM_E_RANGE);

    bm_run_args a = {.insn_addr = insn, .insn_count = 4, .base = {act, act + 4096, 0, 0}};
    bm_run_result res;
    e.msg[0] = 0;
    rc = be->run(d, &a, 5000, &res, &e);
    CHECK_EQ_INT(rc, BM_OK);
    printf("  run: rc=%d hw_error=%d err_pc=%u cycles=%llu insns=%llu msg=\"%s\" err=\"%s\"\n", rc,
           res.hw_error, res.err_pc, (unsigned long long)res.counters[BM_CNT_CYCLES],
           (unsigned long long)res.counters[BM_CNT_INSNS], res.msg, e.msg);
    rc = be->run(d, &a, 5000, &res, &e); /* a second run on the same CU */
    CHECK_EQ_INT(rc, BM_OK);
    a.base[3] = 0xdead0000ull;
    CHECK_EQ_INT(be->run(d, &a, 5000, &res, &e), BM_E_RANGE);
    be->mem_free(d, act);
    be->mem_free(d, insn);
    be->close(d);

    /* the URI alone can name the xclbin */
    char uri[400];
    snprintf(uri, sizeof uri, "0?xclbin=%s", xclbin);
    rc = be->open(uri, NULL, &d, &info, &e);
    CHECK(rc == BM_OK, "open xrt://%s: %s", uri, e.msg);
    if (!rc)
        be->close(d);
    CHECK_EQ_INT(be->open("0?bitstream=x", NULL, &d, &info, &e), BM_E_INVAL);
    CHECK_EQ_INT(be->open("zero", &o, &d, &info, &e), BM_E_INVAL);
}

int main(void)
{
    const char *kxml = getenv("BM_KERNEL_XML") ? getenv("BM_KERNEL_XML") : BM_XCLBIN_KERNEL_XML;
    snprintf(dir, sizeof dir, "%s/bm_xrt_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    snprintf(xclbin, sizeof xclbin, "%s/bitmill_noop.xclbin", dir);
    bm_err e = {0};
    int rc = bm_xclbin_write_metadata(xclbin, kxml, &e);
    CHECK(rc == BM_OK, "write xclbin from %s: %s", kxml, e.msg);

    test_fix_env();
    expect_nodev_in_child("no card, XILINX_XRT unset", NULL, xclbin, NULL, "no Alveo card");
    expect_nodev_in_child("no card, XILINX_XRT=/usr", NULL, xclbin, "/usr", "no Alveo card");
    expect_nodev_in_child("noop, no xclbin", "noop", NULL, NULL, "no xclbin given");
    expect_nodev_in_child("noop, missing xclbin", "noop", "/nonexistent/x.xclbin", NULL, "cannot read xclbin");
    test_noop_flow();

    unlink(xclbin);
    rmdir(dir);
    return bm_test_done("test_xrt_noop");
}
