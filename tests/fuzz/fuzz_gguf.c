/* libFuzzer harness: GGUF loader (metadata of every type, tensor infos,
 * embedded tokenizer) on arbitrary bytes; a loaded tokenizer is exercised. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "load/bm_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bm_model m;
    bm_err e = {0};
    if (bm_model_load_gguf_mem(data, size, "fuzz.gguf", &m, &e) != BM_OK)
        return 0;
    if (m.has_tok) {
        int tok[64], n = 0;
        if (bm_tokenizer_encode(&m.tok, "a b\xc3\xa9z\x80", 1, 1, tok, 64, &n, &e) == BM_OK)
            for (int i = 1; i < n; i++)
                (void)strlen(bm_tokenizer_piece(&m.tok, tok[i - 1], tok[i]));
    }
    bm_model_free(&m);
    return 0;
}
