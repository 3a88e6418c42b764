/* libFuzzer harness: the strict JSON parser and the Hugging Face config.json
 * reader on arbitrary bytes (not NUL-terminated). */
#include <stddef.h>
#include <stdint.h>

#include "load/bm_json.h"
#include "load/bm_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bm_model_cfg c;
    bm_err e = {0};
    (void)bm_hf_config_parse((const char *)data, size, "fuzz.json", &c, &e);
    bm_json j;
    if (bm_json_parse((const char *)data, size, "fuzz.json", &j, &e) == BM_OK) {
        /* Walk the tree: every link must stay inside the node array. */
        for (int i = 0; i < j.n; i++)
            for (const bm_json_node *k = bm_json_child(&j, &j.nodes[i]); k; k = bm_json_next(&j, k))
                (void)k->type;
        bm_json_free(&j);
    }
    return 0;
}
