/* Helpers of the xrt:// backend that tests and tools use directly. */
#ifndef BM_XRT_H
#define BM_XRT_H

#include <stddef.h>

#include "bm_driver.h"
#include "bm_err.h"

extern const bm_backend bm_backend_xrt;

/* Make XILINX_XRT safe before any XRT call: XRT 2.13 aborts the process when
 * $XILINX_XRT/lib lacks its shim libraries (unset and "/usr" both do on
 * Debian). If the variable is unset or unusable, create
 * $TMPDIR/bitmill-xrt-UID/lib -> (folder of libxrt_coreutil) and point
 * XILINX_XRT there. `note` (may be NULL) says what was changed, "" if
 * nothing. BM_E_NODEV if no usable folder can be made. */
int bm_xrt_fix_env(char *note, size_t note_n, bm_err *err);

#endif
