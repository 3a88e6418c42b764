/* libFuzzer harness: safetensors loader (8-byte length, JSON header, data)
 * with the fixed config.json of the seed model (fuzz_config.c fuzzes the
 * config parser itself). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz/fuzz_cfg.h"
#include "load/bm_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bm_model m;
    bm_err e = {0};
    if (bm_model_load_safetensors_mem(data, size, "fuzz.safetensors", BM_FUZZ_CONFIG,
                                      strlen(BM_FUZZ_CONFIG), "config.json", &m, &e) == BM_OK)
        bm_model_free(&m);
    return 0;
}
