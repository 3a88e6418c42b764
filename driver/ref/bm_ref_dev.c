/* The `ref://` backend: device memory in host RAM, programs executed by the
 * reference + cycle engine (bm_engine.c). URI argument: a preset name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_driver.h"
#include "bm_isa.h"

typedef struct ref_dev {
    const bm_preset *p;
    uint8_t *mem;
    uint64_t base;  /* device address of mem[0] (bm_dev_mem_base) */
    uint64_t bytes;
    bm_heap *heap;
    bm_engine_opts o;
} ref_dev;

static int ref_open(const char *arg, const bm_dev_opts *o, void **impl, bm_dev_info *info, bm_err *err)
{
    const char *name = arg && *arg ? arg : (o && o->preset ? o->preset : "default");
    const bm_preset *p = bm_preset_find(name);
    if (!p)
        return bm_fail(err, BM_E_NODEV, "ref://%s: no such preset (see `bitmill info --presets`)", name);
    ref_dev *d = calloc(1, sizeof *d);
    if (!d)
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    d->p = p;
    d->bytes = o && o->mem_bytes ? o->mem_bytes : (256ull << 20);
    d->base = bm_dev_mem_base(p, d->bytes);
    if (!d->base) {
        unsigned long long n = d->bytes;
        free(d);
        return bm_fail(err, BM_E_INVAL, "ref://%s: %llu bytes of device memory do not fit below 2^%u",
                       name, n, p->addr_bits);
    }
    d->mem = calloc(1, d->bytes);
    d->heap = bm_heap_new(d->base, d->bytes);
    if (!d->mem || !d->heap) {
        free(d->mem);
        bm_heap_free(d->heap);
        free(d);
        return bm_fail(err, BM_E_NOMEM, "ref: cannot allocate %llu bytes of device memory",
                       (unsigned long long)(o && o->mem_bytes ? o->mem_bytes : 0));
    }
    d->o.mem_latency = o && o->mem_latency ? o->mem_latency : p->mem_latency;
    d->o.mem_bpc = o && o->mem_bpc ? o->mem_bpc : p->mem_bpc;
    memset(info, 0, sizeof *info);
    info->id = 0x424D494C;
    info->version = BM_ISA_VERSION;
    info->isa_hash = BM_ISA_HASH;
    info->preset_hash = p->hash;
    info->shape = p->rows | p->cols << 8 | p->lanes << 16 | p->max_bits << 24 | p->max_terms << 28;
    info->preset = p;
    snprintf(info->backend, sizeof info->backend, "ref");
    snprintf(info->desc, sizeof info->desc, "reference + cycle model, preset %s", p->name);
    info->mem_bytes = d->bytes;
    info->mem_latency = d->o.mem_latency;
    info->mem_bpc = d->o.mem_bpc;
    *impl = d;
    return BM_OK;
}

static void ref_close(void *impl)
{
    ref_dev *d = impl;
    if (!d)
        return;
    free(d->mem);
    bm_heap_free(d->heap);
    free(d);
}

static int ref_alloc(void *impl, uint64_t bytes, uint64_t *addr, bm_err *err)
{
    ref_dev *d = impl;
    if (bm_heap_alloc(d->heap, bytes, 4096, addr))
        return bm_fail(err, BM_E_NOMEM, "ref: device memory exhausted (%llu bytes requested)",
                       (unsigned long long)bytes);
    return BM_OK;
}

static void ref_free(void *impl, uint64_t addr)
{
    bm_heap_release(((ref_dev *)impl)->heap, addr);
}

static int span(ref_dev *d, uint64_t addr, uint64_t n, bm_err *err)
{
    return bm_mem_span("ref", d->base, d->bytes, addr, n, err);
}

static int ref_write(void *impl, uint64_t addr, const void *src, uint64_t n, bm_err *err)
{
    ref_dev *d = impl;
    int rc = span(d, addr, n, err);
    if (!rc)
        memcpy(d->mem + (addr - d->base), src, n);
    return rc;
}

static int ref_read(void *impl, uint64_t addr, void *dst, uint64_t n, bm_err *err)
{
    ref_dev *d = impl;
    int rc = span(d, addr, n, err);
    if (!rc)
        memcpy(dst, d->mem + (addr - d->base), n);
    return rc;
}

static int ref_run(void *impl, const bm_run_args *a, uint64_t timeout_ms, bm_run_result *r, bm_err *err)
{
    ref_dev *d = impl;
    bm_engine_opts o = d->o;
    (void)timeout_ms; /* the engine is bounded by cycles instead */
    o.max_cycles = 1ull << 40;
    int rc = bm_engine_run(d->p, &o, d->mem, d->base, d->bytes, a, r);
    if (rc == BM_E_TIMEOUT)
        return bm_fail(err, rc, "ref: program ran past %llu cycles", (unsigned long long)o.max_cycles);
    if (rc)
        return bm_fail(err, rc, "ref: engine failed: %s", bm_strerror(rc));
    return BM_OK;
}

const bm_backend bm_backend_ref = {
    .scheme = "ref",
    .open = ref_open,
    .close = ref_close,
    .mem_alloc = ref_alloc,
    .mem_free = ref_free,
    .mem_write = ref_write,
    .mem_read = ref_read,
    .run = ref_run,
};
