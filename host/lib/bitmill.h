/* libbitmill: the host API. Open a device by URI, query it, allocate and move
 * buffers, run programs with a timeout, read counters. Every backend (ref://,
 * sim://, xrt://, usb://) sits behind it. Functions return BM_OK or a
 * negative BM_E_* code with a message in `err`; nothing prints or exits.
 * Thread-safety: a bm_dev must be used by one thread at a time; distinct
 * devices are independent. */
#ifndef BITMILL_H
#define BITMILL_H

#include <stdint.h>

#include "bm_driver.h"
#include "bm_err.h"

typedef struct bm_dev bm_dev;

/* uri: "ref://[preset]", "sim://[preset]", "xrt://INDEX", "usb://[VID:PID|serial]". */
int bm_dev_open(const char *uri, const bm_dev_opts *o, bm_dev **out, bm_err *err);
void bm_dev_close(bm_dev *d);
const bm_dev_info *bm_dev_query(const bm_dev *d);
/* BM_E_MISMATCH (with both hashes in the message) unless the device runs
 * this ISA and preset. */
int bm_dev_check(const bm_dev *d, uint32_t isa_hash, uint32_t preset_hash, bm_err *err);

int bm_buf_alloc(bm_dev *d, uint64_t bytes, uint64_t *dev_addr, bm_err *err);
void bm_buf_free(bm_dev *d, uint64_t dev_addr);
int bm_buf_write(bm_dev *d, uint64_t dev_addr, const void *src, uint64_t n, bm_err *err);
int bm_buf_read(bm_dev *d, uint64_t dev_addr, void *dst, uint64_t n, bm_err *err);

/* Run and wait. A device error status becomes BM_E_DEVICE with the
 * instruction index; r holds the counters either way. */
int bm_dev_run(bm_dev *d, const bm_run_args *a, uint64_t timeout_ms, bm_run_result *r, bm_err *err);

#endif
