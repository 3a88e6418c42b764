/* The small interface every device backend implements (ref, sim, xrt, usb).
 * host/lib builds the public bitmill.h API on top of it. A backend either
 * implements `run` itself (ref) or exposes the AXI4-Lite register file
 * (reg_read/reg_write/advance) and lets bm_kernel_run() drive the same
 * ap_ctrl_hs sequence a board sees. */
#ifndef BM_DRIVER_H
#define BM_DRIVER_H

#include <stdint.h>

#include "bm_engine.h"
#include "bm_err.h"
#include "bm_presets.h"

typedef struct bm_dev_info {
    uint32_t id, version, isa_hash, preset_hash, shape;
    const bm_preset *preset;   /* NULL if the device's preset is unknown here */
    char backend[16];          /* "ref", "sim", ... */
    char desc[128];            /* free text: "Verilator model, preset odd" */
    uint64_t mem_bytes;        /* device memory available to buffers */
    uint32_t mem_latency, mem_bpc; /* memory model (ref/sim), 0 if real */
} bm_dev_info;

typedef struct bm_dev_opts {
    const char *preset;        /* ref/sim: preset name (default "default") */
    uint64_t mem_bytes;        /* ref/sim: device memory (default 256 MiB) */
    uint32_t mem_latency, mem_bpc; /* ref/sim: 0 = preset default */
    const char *trace_path;    /* sim: FST waveform file, NULL = off */
    const char *xclbin;        /* xrt: path of the .xclbin to load */
} bm_dev_opts;

typedef struct bm_backend {
    const char *scheme;
    /* `arg` is the URI after "scheme://" (may be empty). */
    int (*open)(const char *arg, const bm_dev_opts *o, void **impl, bm_dev_info *info, bm_err *err);
    void (*close)(void *impl);
    int (*mem_alloc)(void *impl, uint64_t bytes, uint64_t *dev_addr, bm_err *err);
    void (*mem_free)(void *impl, uint64_t dev_addr);
    int (*mem_write)(void *impl, uint64_t dev_addr, const void *src, uint64_t n, bm_err *err);
    int (*mem_read)(void *impl, uint64_t dev_addr, void *dst, uint64_t n, bm_err *err);
    /* Either run ... */
    int (*run)(void *impl, const bm_run_args *a, uint64_t timeout_ms, bm_run_result *r, bm_err *err);
    /* ... or registers: one 32-bit AXI4-Lite access each, and advance() lets
     * time pass while the host waits (clock cycles for sim, a sleep or a USB
     * poll otherwise). */
    int (*reg_read)(void *impl, uint32_t off, uint32_t *v, bm_err *err);
    int (*reg_write)(void *impl, uint32_t off, uint32_t v, bm_err *err);
    int (*advance)(void *impl, uint64_t cycles, bm_err *err);
} bm_backend;

/* Registered backends, NULL-terminated; bm_backend_find("sim") or NULL. */
extern const bm_backend *const bm_backends[];
const bm_backend *bm_backend_find(const char *scheme);

/* The ap_ctrl_hs run sequence over reg_read/reg_write/advance: write INSN,
 * INSN_COUNT and BASE0..3, set ap_start, poll ap_done (advancing time in
 * steps) until done or timeout_ms of wall time, then read STATUS, ERR_PC and
 * every counter. BM_E_TIMEOUT on timeout (the device is left running). */
int bm_kernel_run(const bm_backend *be, void *impl, const bm_run_args *a,
                  uint64_t timeout_ms, bm_run_result *r, bm_err *err);

/* Read and check the ID registers into info (id, version, hashes, shape). */
int bm_kernel_identify(const bm_backend *be, void *impl, bm_dev_info *info, bm_err *err);

/* 1 if the Verilator model of `preset` is built and loadable (sim://). */
int bm_sim_available(const char *preset);

/* BM_OK if [addr, addr+n) lies in [base, base+bytes), else BM_E_RANGE with a
 * message naming the backend. */
int bm_mem_span(const char *who, uint64_t base, uint64_t bytes, uint64_t addr, uint64_t n, bm_err *err);
/* Device address of the memory window of a host-RAM backend (ref://, sim://):
 * 0x400000000 (above 4 GiB, so 64-bit addresses are exercised) where the
 * window fits below 2^addr_bits, else 0x80000000 (the iCE40 board's); 0 when
 * neither fits. */
uint64_t bm_dev_mem_base(const bm_preset *p, uint64_t bytes);

/* Simple first-fit allocator over a device address range, shared by the
 * backends that manage their own memory (ref, sim, usb). */
typedef struct bm_heap bm_heap;
bm_heap *bm_heap_new(uint64_t base, uint64_t bytes);
void bm_heap_free(bm_heap *h);
int bm_heap_alloc(bm_heap *h, uint64_t bytes, uint64_t align, uint64_t *addr);
void bm_heap_release(bm_heap *h, uint64_t addr);

#endif
