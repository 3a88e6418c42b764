/* gen_xclbin: write a metadata-only .xclbin (no bitstream) for the XRT noop
 * flow, from the generated kernel description.
 * Usage: gen_xclbin OUT.xclbin [bitstreams/alveo/kernel.xml] */
#include <stdio.h>

#include "../../driver/xrt/bm_xclbin.h"

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s OUT.xclbin [KERNEL_XML (default %s)]\n", argv[0], BM_XCLBIN_KERNEL_XML);
        return 2;
    }
    bm_err e = {0};
    if (bm_xclbin_write_metadata(argv[1], argc == 3 ? argv[2] : BM_XCLBIN_KERNEL_XML, &e)) {
        fprintf(stderr, "gen_xclbin: %s\n", e.msg);
        return 1;
    }
    return 0;
}
