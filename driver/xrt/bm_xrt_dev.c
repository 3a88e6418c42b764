/* The `xrt://INDEX` backend: an Alveo card through the XRT C API of
 * libxrt_coreutil (Debian libxrt-dev 2.13). Buffers are XRT buffer objects
 * (a table maps device address -> BO); a run goes through xrtKernelRun so
 * XRT's scheduler owns ap_start; STATUS and counters are then read from the
 * CU registers when the CU is opened exclusively. Needs an xclbin: option
 * `xclbin` or the URI form xrt://INDEX?xclbin=PATH.
 * XRT aborts the process when XILINX_XRT has no usable lib/ folder, so
 * bm_xrt_fix_env() runs before the first XRT call (see docs/deploy.md). */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xrt/xrt_bo.h>
#include <xrt/xrt_device.h>
#include <xrt/xrt_kernel.h>

#include "bm_driver.h"
#include "bm_isa.h"
#include "bm_regs.h"
#include "bm_xclbin.h"
#include "bm_xrt.h"

#define KERNEL_NAME "bitmill" /* <kernel name> in the generated kernel.xml */
#define NOOP_MEM_BASE 0x4000000000ull /* bank base the metadata xclbin declares */

/* Kernel argument indices, in kernel.xml order. */
enum { ARG_INSN = 0, ARG_INSN_COUNT = 1, ARG_BASE0 = 2 };

typedef struct xrt_buf {
    uint64_t addr, size;
    xrtBufferHandle bo;
} xrt_buf;

typedef struct xrt_dev {
    xrtDeviceHandle dev;
    xrtKernelHandle k;
    int exclusive;  /* CU opened exclusively: registers readable */
    int noop;       /* XCL_EMULATION_MODE=noop: no kernel behind the CU */
    bm_heap *fake;  /* noop: addresses we hand out (XRT gives every BO 0xdeadbeef) */
    xrt_buf *bufs;
    int nbufs, cap;
} xrt_dev;

/* ---- XILINX_XRT -------------------------------------------------------- */

/* XRT loads its shim (libxrt_core.so.2, libxrt_noop.so.2, ...) from
 * $XILINX_XRT/lib and aborts if that fails, so "usable" means the shim is
 * there. */
static int xrt_root_usable(const char *root)
{
    char p[4096];
    struct stat st;
    if (!root || !*root)
        return 0;
    if (snprintf(p, sizeof p, "%s/lib/libxrt_core.so.2", root) >= (int)sizeof p)
        return 0;
    return stat(p, &st) == 0;
}

int bm_xrt_fix_env(char *note, size_t note_n, bm_err *err)
{
    if (note && note_n)
        note[0] = 0;
    const char *cur = getenv("XILINX_XRT");
    if (xrt_root_usable(cur))
        return BM_OK;

    /* The folder holding libxrt_coreutil (which we are linked against) also
     * holds the shims on Debian: /usr/lib/x86_64-linux-gnu. */
    Dl_info di;
    char libdir[4096];
    if (!dladdr((void *)xrtDeviceOpen, &di) || !di.dli_fname)
        return bm_fail(err, BM_E_NODEV, "xrt: cannot locate libxrt_coreutil to set XILINX_XRT");
    snprintf(libdir, sizeof libdir, "%s", di.dli_fname);
    char *slash = strrchr(libdir, '/');
    if (!slash)
        return bm_fail(err, BM_E_NODEV, "xrt: libxrt_coreutil path %s has no folder", libdir);
    *slash = 0;

    const char *tmp = getenv("TMPDIR");
    char root[4096], link[4200], target[4096];
    if (!tmp || !*tmp)
        tmp = "/tmp";
    snprintf(root, sizeof root, "%s/bitmill-xrt-%u", tmp, (unsigned)getuid());
    snprintf(link, sizeof link, "%s/lib", root);
    if (mkdir(root, 0700) && errno != EEXIST)
        return bm_fail(err, BM_E_NODEV, "xrt: XILINX_XRT=%s is unusable and %s cannot be created: %s",
                       cur ? cur : "(unset)", root, strerror(errno));
    if (symlink(libdir, link) && errno != EEXIST)
        return bm_fail(err, BM_E_NODEV, "xrt: cannot link %s -> %s: %s", link, libdir, strerror(errno));
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n < 0 || (target[n] = 0, strcmp(target, libdir) != 0) || !xrt_root_usable(root))
        return bm_fail(err, BM_E_NODEV, "xrt: XILINX_XRT=%s is unusable and %s does not link to %s "
                       "(remove it, or set XILINX_XRT to a folder whose lib/ holds libxrt_core.so.2)",
                       cur ? cur : "(unset)", link, libdir);
    if (note && note_n)
        snprintf(note, note_n, "XILINX_XRT=%s (was %s)", root, cur ? cur : "unset");
    if (setenv("XILINX_XRT", root, 1))
        return bm_fail(err, BM_E_NOMEM, "xrt: setenv failed");
    return BM_OK;
}

/* ---- buffers ----------------------------------------------------------- */

static xrt_buf *find_buf(xrt_dev *d, uint64_t addr, uint64_t n)
{
    for (int i = 0; i < d->nbufs; i++) {
        xrt_buf *b = &d->bufs[i];
        if (addr >= b->addr && addr - b->addr <= b->size && b->size - (addr - b->addr) >= n)
            return b;
    }
    return NULL;
}

static int xrt_alloc(void *impl, uint64_t bytes, uint64_t *addr, bm_err *err)
{
    xrt_dev *d = impl;
    if (!bytes || bytes > (uint64_t)SIZE_MAX)
        return bm_fail(err, BM_E_INVAL, "xrt: bad buffer size %llu", (unsigned long long)bytes);
    if (d->nbufs == d->cap) {
        int cap = d->cap ? 2 * d->cap : 16;
        xrt_buf *nb = realloc(d->bufs, (size_t)cap * sizeof *nb);
        if (!nb)
            return bm_fail(err, BM_E_NOMEM, "out of memory");
        d->bufs = nb;
        d->cap = cap;
    }
    int grp = xrtKernelArgGroupId(d->k, ARG_INSN);
    xrtBufferHandle bo = xrtBOAlloc(d->dev, (size_t)bytes, 0, grp < 0 ? 0 : (xrtMemoryGroup)grp);
    if (!bo)
        return bm_fail(err, BM_E_NOMEM, "xrt: cannot allocate a %llu-byte buffer: %s",
                       (unsigned long long)bytes, strerror(errno));
    uint64_t a = xrtBOAddress(bo);
    if (d->noop && bm_heap_alloc(d->fake, bytes, 4096, &a)) {
        xrtBOFree(bo);
        return bm_fail(err, BM_E_NOMEM, "xrt: noop address space exhausted");
    }
    if (find_buf(d, a, 1)) { /* would make the address table ambiguous */
        xrtBOFree(bo);
        return bm_fail(err, BM_E_DEVICE, "xrt: buffer address 0x%llx returned twice",
                       (unsigned long long)a);
    }
    d->bufs[d->nbufs++] = (xrt_buf){a, bytes, bo};
    *addr = a;
    return BM_OK;
}

static void xrt_free(void *impl, uint64_t addr)
{
    xrt_dev *d = impl;
    for (int i = 0; i < d->nbufs; i++)
        if (d->bufs[i].addr == addr) {
            xrtBOFree(d->bufs[i].bo);
            if (d->noop)
                bm_heap_release(d->fake, addr);
            d->bufs[i] = d->bufs[--d->nbufs];
            return;
        }
}

static int span(xrt_dev *d, uint64_t addr, uint64_t n, xrt_buf **b, bm_err *err)
{
    *b = find_buf(d, addr, n);
    if (!*b)
        return bm_fail(err, BM_E_RANGE, "xrt: [0x%llx, +%llu) is not inside one allocated buffer",
                       (unsigned long long)addr, (unsigned long long)n);
    return BM_OK;
}

static int xrt_write(void *impl, uint64_t addr, const void *src, uint64_t n, bm_err *err)
{
    xrt_dev *d = impl;
    xrt_buf *b;
    int rc = span(d, addr, n, &b, err);
    if (rc || !n)
        return rc;
    size_t off = (size_t)(addr - b->addr);
    if (xrtBOWrite(b->bo, src, (size_t)n, off) || xrtBOSync(b->bo, XCL_BO_SYNC_BO_TO_DEVICE, (size_t)n, off))
        return bm_fail(err, BM_E_IO, "xrt: writing %llu bytes at 0x%llx failed: %s",
                       (unsigned long long)n, (unsigned long long)addr, strerror(errno));
    return BM_OK;
}

static int xrt_read(void *impl, uint64_t addr, void *dst, uint64_t n, bm_err *err)
{
    xrt_dev *d = impl;
    xrt_buf *b;
    int rc = span(d, addr, n, &b, err);
    if (rc || !n)
        return rc;
    size_t off = (size_t)(addr - b->addr);
    if (xrtBOSync(b->bo, XCL_BO_SYNC_BO_FROM_DEVICE, (size_t)n, off) || xrtBORead(b->bo, dst, (size_t)n, off))
        return bm_fail(err, BM_E_IO, "xrt: reading %llu bytes at 0x%llx failed: %s",
                       (unsigned long long)n, (unsigned long long)addr, strerror(errno));
    return BM_OK;
}

/* ---- registers ---------------------------------------------------------- */

static int xrt_reg_read(void *impl, uint32_t off, uint32_t *v, bm_err *err)
{
    xrt_dev *d = impl;
    if (!d->exclusive)
        return bm_fail(err, BM_E_UNSUPP, "xrt: CU is shared with another process; registers unreadable");
    if (xrtKernelReadRegister(d->k, off, v))
        return bm_fail(err, BM_E_IO, "xrt: reading register 0x%03x failed", off);
    return BM_OK;
}

static int xrt_reg_write(void *impl, uint32_t off, uint32_t v, bm_err *err)
{
    xrt_dev *d = impl;
    if (!d->exclusive)
        return bm_fail(err, BM_E_UNSUPP, "xrt: CU is shared with another process; registers unwritable");
    if (xrtKernelWriteRegister(d->k, off, v))
        return bm_fail(err, BM_E_IO, "xrt: writing register 0x%03x failed", off);
    return BM_OK;
}

static int xrt_advance(void *impl, uint64_t cycles, bm_err *err)
{
    (void)impl;
    (void)err;
    /* A 300 MHz kernel: sleep roughly as long as `cycles` take, 1 us minimum. */
    uint64_t us = cycles / 300 + 1;
    struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
    nanosleep(&ts, NULL);
    return BM_OK;
}

/* ---- run ---------------------------------------------------------------- */

/* A BO whose address is exactly `addr`: the buffer itself or a sub-buffer
 * (global kernel arguments are passed as BOs, never as raw addresses). */
static int arg_bo(xrt_dev *d, uint64_t addr, const char *what, xrtBufferHandle *bo, int *sub, bm_err *err)
{
    xrt_buf *b = find_buf(d, addr, 1);
    *sub = 0;
    if (!b)
        return bm_fail(err, BM_E_RANGE, "xrt: %s address 0x%llx is not inside an allocated buffer",
                       what, (unsigned long long)addr);
    if (addr == b->addr) {
        *bo = b->bo;
        return BM_OK;
    }
    size_t off = (size_t)(addr - b->addr);
    *bo = xrtBOSubAlloc(b->bo, (size_t)b->size - off, off);
    if (!*bo)
        return bm_fail(err, BM_E_DEVICE, "xrt: cannot make a sub-buffer at 0x%llx for %s",
                       (unsigned long long)addr, what);
    *sub = 1;
    return BM_OK;
}

static int xrt_run(void *impl, const bm_run_args *a, uint64_t timeout_ms, bm_run_result *r, bm_err *err)
{
    xrt_dev *d = impl;
    xrtBufferHandle bo[5] = {0};
    int sub[5] = {0}, rc = BM_OK;
    memset(r, 0, sizeof *r);
    xrtRunHandle run = xrtRunOpen(d->k);
    if (!run)
        return bm_fail(err, BM_E_DEVICE, "xrt: cannot create a run: %s", strerror(errno));
    rc = arg_bo(d, a->insn_addr, "instruction", &bo[0], &sub[0], err);
    if (!rc && xrtRunSetArg(run, ARG_INSN, bo[0]))
        rc = bm_fail(err, BM_E_DEVICE, "xrt: setting argument insn failed");
    if (!rc && xrtRunSetArg(run, ARG_INSN_COUNT, (unsigned int)a->insn_count))
        rc = bm_fail(err, BM_E_DEVICE, "xrt: setting argument insn_count failed");
    for (int i = 0; i < 4 && !rc; i++) {
        if (!a->base[i]) /* unused base: the register keeps 0 */
            continue;
        char what[16];
        snprintf(what, sizeof what, "base%d", i);
        rc = arg_bo(d, a->base[i], what, &bo[1 + i], &sub[1 + i], err);
        if (!rc && xrtRunSetArg(run, ARG_BASE0 + i, bo[1 + i]))
            rc = bm_fail(err, BM_E_DEVICE, "xrt: setting argument %s failed", what);
    }
    if (!rc && xrtRunStart(run))
        rc = bm_fail(err, BM_E_DEVICE, "xrt: starting the kernel failed: %s", strerror(errno));
    if (!rc) {
        unsigned int ms = timeout_ms > 0xffffffffu ? 0xffffffffu : (unsigned int)timeout_ms;
        enum ert_cmd_state st = xrtRunWaitFor(run, ms ? ms : 1);
        if (st == ERT_CMD_STATE_NEW || st == ERT_CMD_STATE_QUEUED || st == ERT_CMD_STATE_RUNNING ||
            st == ERT_CMD_STATE_SUBMITTED || st == ERT_CMD_STATE_TIMEOUT)
            rc = bm_fail(err, BM_E_TIMEOUT, "xrt: kernel did not finish within %llu ms (state %d)",
                         (unsigned long long)timeout_ms, (int)st);
        else if (st != ERT_CMD_STATE_COMPLETED)
            rc = bm_fail(err, BM_E_DEVICE, "xrt: run ended in state %d (4 = completed)", (int)st);
    }
    if (rc == BM_E_TIMEOUT)
        run = NULL; /* closing a running run would block; leak it, the device is left running */
    if (run)
        xrtRunClose(run);
    for (int i = 0; i < 5; i++)
        if (sub[i])
            xrtBOFree(bo[i]);
    if (rc)
        return rc;

    /* STATUS, ERR_PC and counters from the CU's register file. The noop shim
     * has no register file (reads fail with EPERM), so a noop run reports
     * completion only. */
    if (d->noop) {
        snprintf(r->msg, sizeof r->msg, "noop: run completed; no registers, so no status or counters");
        return BM_OK;
    }
    if (!d->exclusive) {
        snprintf(r->msg, sizeof r->msg, "CU shared: status and counters not readable");
        return BM_OK;
    }
    uint32_t v, st, pc;
    if (xrt_reg_read(d, BM_REG_STATUS, &st, err) || xrt_reg_read(d, BM_REG_ERR_PC, &pc, err))
        return err ? err->code : BM_E_IO;
    r->hw_error = (int)(st & 0xff);
    r->err_pc = pc;
    for (int i = 0; i < BM_N_COUNTERS; i++) {
        if ((rc = xrt_reg_read(d, bm_counter_offsets[i], &v, err)))
            return rc;
        r->counters[i] = v;
    }
    if ((rc = xrt_reg_read(d, BM_REG_CYCLES_HI, &v, err)))
        return rc;
    r->counters[BM_CNT_CYCLES] |= (uint64_t)v << 32;
    if (r->hw_error)
        snprintf(r->msg, sizeof r->msg, "device stopped with error %d at instruction %u", r->hw_error, pc);
    return BM_OK;
}

/* ---- open / close ------------------------------------------------------- */

static void xrt_close(void *impl)
{
    xrt_dev *d = impl;
    if (!d)
        return;
    for (int i = 0; i < d->nbufs; i++)
        xrtBOFree(d->bufs[i].bo);
    free(d->bufs);
    if (d->k)
        xrtKernelClose(d->k);
    if (d->dev)
        xrtDeviceClose(d->dev);
    bm_heap_free(d->fake);
    free(d);
}

static const bm_backend *self(void);

static int xrt_open(const char *arg, const bm_dev_opts *o, void **impl, bm_dev_info *info, bm_err *err)
{
    /* "INDEX" or "INDEX?xclbin=PATH" (the query form lets a URI alone name
     * the xclbin; it wins over o->xclbin). */
    char uri[4096], *end;
    snprintf(uri, sizeof uri, "%s", arg && *arg ? arg : "0");
    const char *xclbin = o ? o->xclbin : NULL;
    char *q = strchr(uri, '?');
    if (q) {
        *q++ = 0;
        if (strncmp(q, "xclbin=", 7) != 0 || !q[7])
            return bm_fail(err, BM_E_INVAL, "xrt://%s: unknown query \"%s\" (only ?xclbin=PATH)", arg, q);
        xclbin = q + 7;
    }
    const char *s = *uri ? uri : "0";
    unsigned long idx = strtoul(s, &end, 10);
    if (*end || idx > 255 || !isdigit((unsigned char)*s))
        return bm_fail(err, BM_E_INVAL, "xrt://%s: expected a device index (xrt://0)", s);
    if (!xclbin || !*xclbin)
        return bm_fail(err, BM_E_NODEV, "xrt://%lu: no xclbin given (set option xclbin, or use "
                       "xrt://%lu?xclbin=PATH; for a card-less check: make noop-xclbin)",
                       idx, idx);
    FILE *f = fopen(xclbin, "rb");
    if (!f)
        return bm_fail(err, BM_E_NODEV, "xrt://%lu: cannot read xclbin %s: %s", idx, xclbin, strerror(errno));
    fclose(f);

    char note[256];
    int rc = bm_xrt_fix_env(note, sizeof note, err);
    if (rc)
        return rc;
    const char *mode = getenv("XCL_EMULATION_MODE");
    xrt_dev *d = calloc(1, sizeof *d);
    if (!d)
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    d->noop = mode && strcmp(mode, "noop") == 0;
    if (d->noop && !(d->fake = bm_heap_new(NOOP_MEM_BASE, BM_XCLBIN_BANK_KB << 10))) {
        free(d);
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    }

    d->dev = xrtDeviceOpen((unsigned int)idx);
    if (!d->dev) {
        xrt_close(d);
        if (mode && *mode)
            return bm_fail(err, BM_E_NODEV, "xrt://%lu: XRT cannot open device (XCL_EMULATION_MODE=%s)",
                           idx, mode);
        return bm_fail(err, BM_E_NODEV, "xrt://%lu: no Alveo card found by XRT (is the xocl driver "
                       "loaded? `lspci -d 10ee:`); for a card-less run of the host flow set "
                       "XCL_EMULATION_MODE=noop", idx);
    }
    if (xrtDeviceLoadXclbinFile(d->dev, xclbin)) {
        xrt_close(d);
        return bm_fail(err, BM_E_NODEV, "xrt://%lu: XRT cannot load xclbin %s", idx, xclbin);
    }
    xuid_t uuid;
    if (xrtDeviceGetXclbinUUID(d->dev, uuid)) {
        xrt_close(d);
        return bm_fail(err, BM_E_NODEV, "xrt://%lu: no xclbin UUID after loading %s", idx, xclbin);
    }
    d->k = xrtPLKernelOpenExclusive(d->dev, uuid, KERNEL_NAME);
    d->exclusive = d->k != NULL;
    if (!d->k)
        d->k = xrtPLKernelOpen(d->dev, uuid, KERNEL_NAME);
    if (!d->k) {
        xrt_close(d);
        return bm_fail(err, BM_E_NODEV, "xrt://%lu: xclbin %s has no kernel \"%s\"", idx, xclbin,
                       KERNEL_NAME);
    }

    memset(info, 0, sizeof *info);
    if (d->exclusive && !d->noop) {
        if ((rc = bm_kernel_identify(self(), d, info, err))) {
            xrt_close(d);
            return bm_wrap(err, "xrt://%lu", idx);
        }
    }
    /* noop: the shim has no register file, so nothing can be identified; the
     * host flow still needs a preset, so report the requested one (ID stays
     * 0 to show it was not read from a device). */
    if (d->noop) {
        const char *pn = o && o->preset ? o->preset : "default";
        const bm_preset *p = bm_preset_find(pn);
        if (!p) {
            xrt_close(d);
            return bm_fail(err, BM_E_NODEV, "xrt://%lu: no such preset \"%s\"", idx, pn);
        }
        info->version = BM_ISA_VERSION;
        info->isa_hash = BM_ISA_HASH;
        info->preset_hash = p->hash;
        info->shape = p->rows | p->cols << 8 | p->lanes << 16 | p->max_bits << 24 | p->max_terms << 28;
        info->preset = p;
    }
    snprintf(info->backend, sizeof info->backend, "xrt");
    snprintf(info->desc, sizeof info->desc, "XRT device %lu%s%s%s%.62s", idx,
             d->noop ? " (noop, preset assumed)" : "",
             d->exclusive ? "" : " (CU shared: no counters)", note[0] ? "; " : "", note);
    /* A card's bank sizes live in its xclbin; allocation fails when full. */
    info->mem_bytes = d->noop ? BM_XCLBIN_BANK_KB << 10 : 0;
    *impl = d;
    return BM_OK;
}

const bm_backend bm_backend_xrt = {
    .scheme = "xrt",
    .open = xrt_open,
    .close = xrt_close,
    .mem_alloc = xrt_alloc,
    .mem_free = xrt_free,
    .mem_write = xrt_write,
    .mem_read = xrt_read,
    .run = xrt_run,
    .reg_read = xrt_reg_read,
    .reg_write = xrt_reg_write,
    .advance = xrt_advance,
};

static const bm_backend *self(void)
{
    return &bm_backend_xrt;
}
