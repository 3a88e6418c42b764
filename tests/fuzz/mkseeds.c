/* Writes the fuzz seed corpus (small valid files of every loader format,
 * from seedgen.h) into <dir>/<harness>/. Run by tests/fuzz/fuzz.mk. */
#include "fuzz/fuzz_cfg.h"
#include "fuzz/seedgen.h"

#include <sys/stat.h>

static int save(const char *dir, const char *h, const char *file, const sg_buf *b)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, h);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/%s/%s", dir, h, file);
    if (sg_save(b, p) != 0) {
        fprintf(stderr, "mkseeds: cannot write %s\n", p);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: mkseeds <dir>\n");
        return 2;
    }
    const char *dir = argv[1];
    mkdir(dir, 0755);
    int bad = 0;
    for (int shared = 0; shared < 2; shared++) {
        sg_model s;
        sg_model_random(&s, BM_FUZZ_DIM, BM_FUZZ_HIDDEN, BM_FUZZ_LAYERS, BM_FUZZ_HEADS,
                        BM_FUZZ_KV_HEADS, BM_FUZZ_VOCAB, BM_FUZZ_SEQ, shared, 7 + shared);
        sg_buf b = {0};
        char name[32], cfg[2048];
        sg_write_llama2c(&s, &b);
        snprintf(name, sizeof name, "seed%d.bin", shared);
        bad |= save(dir, "llama2c", name, &b);
        sg_free(&b);
        sg_write_gguf(&s, shared ? 1 : 30, NULL, 0, 0, &b);
        snprintf(name, sizeof name, "seed%d.gguf", shared);
        bad |= save(dir, "gguf", name, &b);
        sg_free(&b);
        if (!shared) {
            sg_write_safetensors(&s, "F16", &b, cfg, sizeof cfg);
            bad |= save(dir, "safetensors", "seed.safetensors", &b);
            sg_free(&b);
            sg_put(&b, cfg, strlen(cfg));
            bad |= save(dir, "config", "config.json", &b);
            sg_free(&b);
        }
        sg_model_free(&s);
    }
    /* A GGUF with an embedded tokenizer (bigger; vocab 263). */
    sg_model s;
    sg_model_random(&s, 8, 8, 1, 2, 2, 263, 4, 1, 11);
    sg_buf b = {0};
    sg_write_gguf(&s, 0, NULL, 0, 1, &b);
    bad |= save(dir, "gguf", "seed_tok.gguf", &b);
    sg_free(&b);
    sg_model_free(&s);
    /* Tokenizer: two selector bytes (vocab 3 + 272 = 275) then the file. */
    uint8_t sel[2] = {(uint8_t)272, (uint8_t)(272 >> 8)};
    sg_put(&b, sel, 2);
    sg_write_tokenizer(&b, 275);
    sg_put(&b, " abc ab\xc3\xa9", 9);
    bad |= save(dir, "tokenizer", "seed.tok", &b);
    sg_free(&b);
    const char *js = "{\"a\": [1, -2.5e3, true, false, null, \"\\u00e9\\ud83d\\ude00\"], "
                     "\"b\": {\"c\": {}}}";
    sg_put(&b, js, strlen(js));
    bad |= save(dir, "config", "misc.json", &b);
    sg_free(&b);
    return bad;
}
