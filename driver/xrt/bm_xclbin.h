/* Writer of a metadata-only .xclbin: no bitstream, just the sections XRT needs
 * to open the kernel (EMBEDDED_METADATA, IP_LAYOUT, MEM_TOPOLOGY,
 * CONNECTIVITY). Used to exercise the whole XRT host flow under
 * XCL_EMULATION_MODE=noop; the kernel description comes from the generated
 * bitstreams/alveo/kernel.xml so it cannot drift from spec/regs.json. */
#ifndef BM_XCLBIN_H
#define BM_XCLBIN_H

#include <stdint.h>

#include "bm_err.h"

/* Default place of the generated kernel description, relative to the repo. */
#define BM_XCLBIN_KERNEL_XML "bitstreams/alveo/kernel.xml"

/* CU base address and bank size the metadata describes (an Alveo U250-like
 * shell puts the first kernel at 0x1800000; noop mode ignores both). */
#define BM_XCLBIN_CU_BASE 0x1800000ull
#define BM_XCLBIN_BANK_KB (16ull << 20) /* 16 GiB DDR bank */

/* Read the Vitis kernel.xml at `kernel_xml` and write a metadata-only xclbin
 * to `path`. The xclbin UUID is derived from the kernel XML bytes, so the
 * same kernel.xml always yields the same file. BM_E_IO / BM_E_FORMAT. */
int bm_xclbin_write_metadata(const char *path, const char *kernel_xml, bm_err *err);

/* Build the EMBEDDED_METADATA text (XRT's project/platform/device/core
 * wrapper around the <kernel> element of kernel.xml, plus a CU instance).
 * *out is malloc'ed and NUL-terminated; the caller frees it. */
int bm_xclbin_metadata_xml(const char *kernel_xml_text, char **out, bm_err *err);

#endif
