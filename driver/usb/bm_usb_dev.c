/* The `usb://` backend: a board behind a USB bridge. URI argument: empty
 * (FT2232H 0403:6010), "VVVV:PPPP", a serial number, or "mem[:PRESET]" for the
 * in-process bridge model. Registers and memory go through the framed
 * protocol (bm_proto.h); buffers come from bm_heap over the board memory the
 * bridge reports in its PING answer; runs use bm_kernel_run(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bm_bridge.h"
#include "bm_transport_usb.h"
#include "bm_usb.h"

#define USB_TIMEOUT_MS 250
#define USB_RETRIES 3
#define MEM_MODEL_BYTES (64ull << 20)
#define MEM_MODEL_BASE 0x80000000ull

typedef struct usb_dev {
    bm_proto *p;
    bm_heap *heap;
    bm_board_info bi;
    int model; /* in-process bridge: no wall time passes in advance() */
    uint32_t clock_mhz;
} usb_dev;

static void usb_close(void *impl)
{
    usb_dev *d = impl;
    if (!d)
        return;
    bm_proto_free(d->p);
    bm_heap_free(d->heap);
    free(d);
}

int bm_usb_open_transport(bm_transport t, const char *uri, void **impl, bm_dev_info *info, bm_err *err)
{
    usb_dev *d = calloc(1, sizeof *d);
    if (!d) {
        if (t.close)
            t.close(t.ctx);
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    }
    d->model = strcmp(t.name ? t.name : "", "mem") == 0;
    if (!(d->p = bm_proto_new(t, USB_TIMEOUT_MS, USB_RETRIES, 0))) {
        free(d);
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    }
    int rc = bm_proto_ping(d->p, &d->bi, err);
    if (rc) { /* the USB device is there but no bridge answers: not a usable device */
        usb_close(d);
        bm_wrap(err, "usb://%s: the board's bridge does not answer PING", uri);
        if (err)
            err->code = BM_E_NODEV;
        return BM_E_NODEV;
    }
    if (d->bi.version != BM_PROTO_VERSION || !d->bi.mem_bytes) {
        bm_board_info bi = d->bi;
        usb_close(d);
        return bm_fail(err, BM_E_MISMATCH, "usb://%s: bridge speaks protocol %u with %llu bytes of memory "
                       "(this host speaks %u)", uri, bi.version, (unsigned long long)bi.mem_bytes,
                       BM_PROTO_VERSION);
    }
    memset(info, 0, sizeof *info);
    if ((rc = bm_kernel_identify(&bm_backend_usb, d, info, err))) {
        usb_close(d);
        return bm_wrap(err, "usb://%s", uri);
    }
    if (!(d->heap = bm_heap_new(d->bi.mem_base, d->bi.mem_bytes))) {
        usb_close(d);
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    }
    d->clock_mhz = info->preset && info->preset->clock_mhz ? info->preset->clock_mhz : 100;
    snprintf(info->backend, sizeof info->backend, "usb");
    /* board memories are small (the iCE40 board has 124 KiB): KiB below 1 MiB */
    uint64_t mb = d->bi.mem_bytes;
    int mib = mb >= (1u << 20);
    snprintf(info->desc, sizeof info->desc, "USB board (%.40s), preset %.24s, %llu %s at 0x%llx",
             t.name ? t.name : "?", info->preset ? info->preset->name : "unknown",
             (unsigned long long)(mib ? mb >> 20 : mb >> 10), mib ? "MiB" : "KiB",
             (unsigned long long)d->bi.mem_base);
    info->mem_bytes = d->bi.mem_bytes;
    *impl = d;
    return BM_OK;
}

static int usb_open(const char *arg, const bm_dev_opts *o, void **impl, bm_dev_info *info, bm_err *err)
{
    bm_transport t;
    int rc;
    const char *a = arg ? arg : "";
    if (strncmp(a, "mem", 3) == 0 && (a[3] == 0 || a[3] == ':')) {
        const char *pname = a[3] ? a + 4 : (o && o->preset ? o->preset : "default");
        const bm_preset *p = bm_preset_find(pname);
        if (!p)
            return bm_fail(err, BM_E_NODEV, "usb://%s: no such preset \"%s\"", a, pname);
        uint64_t bytes = o && o->mem_bytes ? o->mem_bytes : MEM_MODEL_BYTES;
        bm_bridge *b = bm_bridge_new(p, MEM_MODEL_BASE, bytes);
        if (!b)
            return bm_fail(err, BM_E_NOMEM, "usb://%s: cannot allocate %llu bytes of board memory", a,
                           (unsigned long long)bytes);
        rc = bm_transport_mem_new(b, NULL, &t, err);
    } else {
        rc = bm_transport_usb_open(a, &t, err);
    }
    if (rc)
        return rc == BM_E_NODEV ? rc : bm_wrap(err, "usb://%s", a);
    return bm_usb_open_transport(t, a, impl, info, err);
}

const bm_proto_stats *bm_usb_stats(void *impl)
{
    return bm_proto_get_stats(((usb_dev *)impl)->p);
}

static int usb_alloc(void *impl, uint64_t bytes, uint64_t *addr, bm_err *err)
{
    usb_dev *d = impl;
    if (bm_heap_alloc(d->heap, bytes, 4096, addr))
        return bm_fail(err, BM_E_NOMEM, "usb: board memory exhausted (%llu bytes requested)",
                       (unsigned long long)bytes);
    return BM_OK;
}

static void usb_free(void *impl, uint64_t addr)
{
    bm_heap_release(((usb_dev *)impl)->heap, addr);
}

static int usb_write(void *impl, uint64_t addr, const void *src, uint64_t n, bm_err *err)
{
    return bm_proto_mem_write(((usb_dev *)impl)->p, addr, src, n, err);
}

static int usb_read(void *impl, uint64_t addr, void *dst, uint64_t n, bm_err *err)
{
    return bm_proto_mem_read(((usb_dev *)impl)->p, addr, dst, n, err);
}

static int usb_reg_read(void *impl, uint32_t off, uint32_t *v, bm_err *err)
{
    return bm_proto_reg_read(((usb_dev *)impl)->p, off, v, err);
}

static int usb_reg_write(void *impl, uint32_t off, uint32_t v, bm_err *err)
{
    return bm_proto_reg_write(((usb_dev *)impl)->p, off, v, err);
}

/* Let `cycles` of the board clock pass before the next CTRL poll; capped at
 * 10 ms so a finished kernel is noticed promptly. */
static int usb_advance(void *impl, uint64_t cycles, bm_err *err)
{
    usb_dev *d = impl;
    (void)err;
    if (d->model)
        return BM_OK;
    uint64_t us = cycles / d->clock_mhz;
    if (us > 10000)
        us = 10000;
    struct timespec ts = {0, (long)us * 1000};
    nanosleep(&ts, NULL);
    return BM_OK;
}

const bm_backend bm_backend_usb = {
    .scheme = "usb",
    .open = usb_open,
    .close = usb_close,
    .mem_alloc = usb_alloc,
    .mem_free = usb_free,
    .mem_write = usb_write,
    .mem_read = usb_read,
    .reg_read = usb_reg_read,
    .reg_write = usb_reg_write,
    .advance = usb_advance,
};
