/* The `sim://PRESET` backend: the Verilator model of the RTL, loaded at run
 * time from build/sim/PRESET/libbmsim.so (one library per preset, since
 * Verilog parameters are fixed at build time), driven through the same
 * AXI4-Lite ap_ctrl_hs sequence as a board (bm_kernel_run). The library is
 * found through $BITMILL_SIM_DIR/PRESET/ or next to the executable
 * (../sim/PRESET, ../../sim/PRESET). */
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bm_driver.h"
#include "bm_isa.h"
#include "bm_sim_api.h"


typedef struct sim_api {
    bm_sim *(*new_)(const bm_sim_opts *);
    void (*free_)(bm_sim *);
    uint8_t *(*mem)(bm_sim *);
    uint32_t (*rd)(bm_sim *, uint32_t);
    void (*wr)(bm_sim *, uint32_t, uint32_t);
    void (*step)(bm_sim *, uint64_t);
    const char *(*preset)(void);
} sim_api;

typedef struct sim_dev {
    void *dl;
    sim_api f;
    bm_sim *s;
    uint64_t base;  /* device address of the model's memory (bm_dev_mem_base) */
    uint64_t bytes;
    bm_heap *heap;
} sim_dev;

/* Path of the library for a preset, or "" if none exists. */
static void lib_path(const char *preset, char *out, size_t n)
{
    const char *env = getenv("BITMILL_SIM_DIR");
    out[0] = 0;
    if (env) {
        snprintf(out, n, "%s/%s/libbmsim.so", env, preset);
        if (access(out, R_OK) == 0)
            return;
    }
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (k <= 0)
        return;
    exe[k] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    static const char *rel[] = {"../sim", "../../sim", "../../../sim"};
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        snprintf(out, n, "%s/%s/%s/libbmsim.so", exe, rel[i], preset);
        if (access(out, R_OK) == 0)
            return;
    }
    out[0] = 0;
}

int bm_sim_available(const char *preset)
{
    char p[PATH_MAX + 64];
    lib_path(preset, p, sizeof p);
    return p[0] != 0;
}

static void sim_close(void *impl)
{
    sim_dev *d = impl;
    if (!d)
        return;
    if (d->s)
        d->f.free_(d->s);
    if (d->dl)
        dlclose(d->dl);
    bm_heap_free(d->heap);
    free(d);
}

static int rd(void *impl, uint32_t off, uint32_t *v, bm_err *err)
{
    (void)err;
    sim_dev *d = impl;
    *v = d->f.rd(d->s, off);
    return BM_OK;
}

static int wr(void *impl, uint32_t off, uint32_t v, bm_err *err)
{
    (void)err;
    sim_dev *d = impl;
    d->f.wr(d->s, off, v);
    return BM_OK;
}

static int adv(void *impl, uint64_t cycles, bm_err *err)
{
    (void)err;
    sim_dev *d = impl;
    d->f.step(d->s, cycles);
    return BM_OK;
}

static int sim_open(const char *arg, const bm_dev_opts *o, void **impl, bm_dev_info *info, bm_err *err)
{
    const char *name = arg && *arg ? arg : (o && o->preset ? o->preset : "default");
    const bm_preset *p = bm_preset_find(name);
    if (!p)
        return bm_fail(err, BM_E_NODEV, "sim://%s: no such preset", name);
    char path[PATH_MAX + 64];
    lib_path(name, path, sizeof path);
    if (!path[0])
        return bm_fail(err, BM_E_NODEV, "sim://%s: Verilator model not built (run `make sim-lib CONFIG=%s`, "
                       "or set BITMILL_SIM_DIR)", name, name);
    sim_dev *d = calloc(1, sizeof *d);
    if (!d)
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    d->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!d->dl) {
        free(d);
        return bm_fail(err, BM_E_NODEV, "sim://%s: cannot load %s: %s", name, path, dlerror());
    }
#define SYM(field, sym) *(void **)(&d->f.field) = dlsym(d->dl, sym)
    SYM(new_, "bm_sim_new");
    SYM(free_, "bm_sim_free");
    SYM(mem, "bm_sim_mem");
    SYM(rd, "bm_sim_reg_read");
    SYM(wr, "bm_sim_reg_write");
    SYM(step, "bm_sim_step");
    SYM(preset, "bm_sim_preset_name");
#undef SYM
    if (!d->f.new_ || !d->f.free_ || !d->f.mem || !d->f.rd || !d->f.wr || !d->f.step || !d->f.preset) {
        sim_close(d);
        return bm_fail(err, BM_E_NODEV, "sim://%s: %s lacks the bm_sim API", name, path);
    }
    if (strcmp(d->f.preset(), name) != 0) {
        char got[64];
        snprintf(got, sizeof got, "%s", d->f.preset());
        sim_close(d);
        return bm_fail(err, BM_E_MISMATCH, "sim://%s: %s was built for preset %s", name, path, got);
    }
    d->bytes = o && o->mem_bytes ? o->mem_bytes : (256ull << 20);
    d->base = bm_dev_mem_base(p, d->bytes);
    if (!d->base) {
        unsigned long long n = d->bytes;
        sim_close(d);
        return bm_fail(err, BM_E_INVAL, "sim://%s: %llu bytes of device memory do not fit below 2^%u",
                       name, n, p->addr_bits);
    }
    bm_sim_opts so = {d->base, d->bytes, o && o->mem_latency ? o->mem_latency : p->mem_latency,
                      o && o->mem_bpc ? o->mem_bpc : p->mem_bpc, o ? o->trace_path : NULL};
    d->s = d->f.new_(&so);
    d->heap = bm_heap_new(d->base, d->bytes);
    if (!d->s || !d->heap) {
        sim_close(d);
        return bm_fail(err, BM_E_NOMEM, "sim://%s: cannot create the model", name);
    }
    memset(info, 0, sizeof *info);
    static const bm_backend *self;
    self = bm_backend_find("sim");
    int rc = bm_kernel_identify(self, d, info, err);
    if (rc) {
        sim_close(d);
        return rc;
    }
    snprintf(info->backend, sizeof info->backend, "sim");
    snprintf(info->desc, sizeof info->desc, "Verilator RTL model, preset %s", name);
    info->mem_bytes = d->bytes;
    info->mem_latency = so.mem_latency;
    info->mem_bpc = so.mem_bpc;
    *impl = d;
    return BM_OK;
}

static int sim_alloc(void *impl, uint64_t bytes, uint64_t *addr, bm_err *err)
{
    sim_dev *d = impl;
    if (bm_heap_alloc(d->heap, bytes, 4096, addr))
        return bm_fail(err, BM_E_NOMEM, "sim: device memory exhausted (%llu bytes requested)",
                       (unsigned long long)bytes);
    return BM_OK;
}

static void sim_free(void *impl, uint64_t addr) { bm_heap_release(((sim_dev *)impl)->heap, addr); }

static int span(sim_dev *d, uint64_t addr, uint64_t n, bm_err *err)
{
    return bm_mem_span("sim", d->base, d->bytes, addr, n, err);
}

static int sim_write(void *impl, uint64_t addr, const void *src, uint64_t n, bm_err *err)
{
    sim_dev *d = impl;
    int rc = span(d, addr, n, err);
    if (!rc)
        memcpy(d->f.mem(d->s) + (addr - d->base), src, n);
    return rc;
}

static int sim_read(void *impl, uint64_t addr, void *dst, uint64_t n, bm_err *err)
{
    sim_dev *d = impl;
    int rc = span(d, addr, n, err);
    if (!rc)
        memcpy(dst, d->f.mem(d->s) + (addr - d->base), n);
    return rc;
}

const bm_backend bm_backend_sim = {
    .scheme = "sim",
    .open = sim_open,
    .close = sim_close,
    .mem_alloc = sim_alloc,
    .mem_free = sim_free,
    .mem_write = sim_write,
    .mem_read = sim_read,
    .reg_read = rd,
    .reg_write = wr,
    .advance = adv,
};
