/* libFuzzer harness: llama2.c tokenizer file loader, then encode/decode with
 * whatever vocabulary loaded. Input: 2 bytes choosing vocab_size, then the
 * file; the tail of the input doubles as text to encode. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "load/bm_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    int vocab = 3 + (data[0] | data[1] << 8) % 1024;
    bm_tokenizer t;
    bm_err e = {0};
    if (bm_tokenizer_load_llama2c_mem(data + 2, size - 2, "fuzz.tok", vocab, &t, &e) != BM_OK)
        return 0;
    size_t tl = size > 66 ? 64 : size - 2;
    char *text = malloc(tl + 1);
    memcpy(text, data + size - tl, tl);
    text[tl] = 0;
    int *tok = malloc((tl + 3) * sizeof *tok), n = 0;
    if (bm_tokenizer_encode(&t, text, 1, 1, tok, (int)tl + 3, &n, &e) == BM_OK)
        for (int i = 1; i < n; i++)
            (void)strlen(bm_tokenizer_piece(&t, tok[i - 1], tok[i]));
    free(tok);
    free(text);
    bm_tokenizer_free(&t);
    return 0;
}
