/* URI dispatch and the checks every backend shares; see bitmill.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitmill.h"
#include "bm_insn.h"
#include "bm_isa.h"

struct bm_dev {
    const bm_backend *be;
    void *impl;
    bm_dev_info info;
};

int bm_dev_open(const char *uri, const bm_dev_opts *o, bm_dev **out, bm_err *err)
{
    *out = NULL;
    const char *sep = strstr(uri, "://");
    if (!sep)
        return bm_fail(err, BM_E_INVAL, "device URI '%s' lacks a scheme (ref://, sim://, xrt://, usb://)", uri);
    char scheme[16];
    size_t n = (size_t)(sep - uri);
    if (n >= sizeof scheme)
        return bm_fail(err, BM_E_INVAL, "device URI '%s': unknown scheme", uri);
    memcpy(scheme, uri, n);
    scheme[n] = 0;
    const bm_backend *be = bm_backend_find(scheme);
    if (!be)
        return bm_fail(err, BM_E_NODEV, "device URI '%s': backend '%s' is not available in this build",
                       uri, scheme);
    bm_dev *d = calloc(1, sizeof *d);
    if (!d)
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    d->be = be;
    bm_dev_opts dflt = {0};
    int rc = be->open(sep + 3, o ? o : &dflt, &d->impl, &d->info, err);
    if (rc) {
        free(d);
        return rc;
    }
    *out = d;
    return BM_OK;
}

void bm_dev_close(bm_dev *d)
{
    if (!d)
        return;
    d->be->close(d->impl);
    free(d);
}

const bm_dev_info *bm_dev_query(const bm_dev *d) { return &d->info; }

int bm_dev_check(const bm_dev *d, uint32_t isa_hash, uint32_t preset_hash, bm_err *err)
{
    if (d->info.isa_hash != isa_hash)
        return bm_fail(err, BM_E_MISMATCH, "program built for ISA 0x%08x, device implements ISA 0x%08x",
                       isa_hash, d->info.isa_hash);
    if (d->info.preset_hash != preset_hash) {
        const bm_preset *want = bm_preset_by_hash(preset_hash);
        return bm_fail(err, BM_E_MISMATCH, "program built for preset %s (0x%08x), device is %s (0x%08x)",
                       want ? want->name : "?", preset_hash,
                       d->info.preset ? d->info.preset->name : "?", d->info.preset_hash);
    }
    return BM_OK;
}

int bm_buf_alloc(bm_dev *d, uint64_t bytes, uint64_t *a, bm_err *err)
{
    return d->be->mem_alloc(d->impl, bytes, a, err);
}
void bm_buf_free(bm_dev *d, uint64_t a) { d->be->mem_free(d->impl, a); }
int bm_buf_write(bm_dev *d, uint64_t a, const void *s, uint64_t n, bm_err *err)
{
    return d->be->mem_write(d->impl, a, s, n, err);
}
int bm_buf_read(bm_dev *d, uint64_t a, void *s, uint64_t n, bm_err *err)
{
    return d->be->mem_read(d->impl, a, s, n, err);
}

int bm_dev_run(bm_dev *d, const bm_run_args *a, uint64_t timeout_ms, bm_run_result *r, bm_err *err)
{
    /* The INSN/BASE registers keep only the preset's addr_bits (the rest of
     * a HI register is not stored): refuse an address that would be cut. */
    const bm_preset *p = d->info.preset;
    if (p && p->addr_bits < 64) {
        uint64_t hi = a->insn_addr;
        for (int i = 0; i < 4; i++)
            hi |= a->base[i];
        if (hi >> p->addr_bits)
            return bm_fail(err, BM_E_INVAL, "device address 0x%llx needs more than the %u address "
                           "bits of preset %s", (unsigned long long)hi, p->addr_bits, p->name);
    }
    int rc = d->be->run ? d->be->run(d->impl, a, timeout_ms, r, err)
                        : bm_kernel_run(d->be, d->impl, a, timeout_ms, r, err);
    if (rc)
        return rc;
    if (r->hw_error)
        return bm_fail(err, BM_E_DEVICE, "device error %s at instruction %u: %s",
                       bm_hwerr_name(r->hw_error), r->err_pc, r->msg);
    return BM_OK;
}
