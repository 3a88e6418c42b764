/* libFuzzer harness: llama2.c .bin loader on arbitrary bytes. Success or a
 * clean BM_E_* error are both fine; crashes, over-reads and leaks are not. */
#include <stddef.h>
#include <stdint.h>

#include "load/bm_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bm_model m;
    bm_err e = {0};
    if (bm_model_load_llama2c_mem(data, size, "fuzz.bin", &m, &e) == BM_OK)
        bm_model_free(&m);
    return 0;
}
