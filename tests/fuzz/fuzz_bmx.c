/* libFuzzer harness: the .bmx program reader on arbitrary bytes; a program
 * that loads is re-scheduled for M = 1 and 3 on its preset (exercising the
 * validated layer descriptors). */
#include <stddef.h>
#include <stdint.h>

#include "emit/bm_bmx.h"
#include "sched/bm_sched.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bm_bmx b;
    bm_err e = {0};
    if (bm_bmx_read_mem(data, size, "fuzz.bmx", &b, &e) != BM_OK)
        return 0;
    for (int i = 0; i < b.nl; i++)
        for (int m = 1; m <= 3; m += 2) {
            bm_prog pg;
            if (bm_sched_layer(b.preset, &b.layers[i].hw, m, &pg, &e) == BM_OK)
                bm_prog_free(&pg);
        }
    bm_bmx_free(&b);
    return 0;
}
