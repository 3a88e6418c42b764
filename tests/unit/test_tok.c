/* Tokenizer: the O(n log n) heap encoder gives exactly the tokens of
 * llama2.c's reference O(n^2) merge loop (re-implemented here) on random
 * slices of real text, random UTF-8 and random bytes; decode(encode(x))
 * reproduces x; byte fallback and BOS/EOS rules; max_tokens is enforced. */
#include "bm_test.h"
#include "load/bm_model.h"

static int ref_lookup(const bm_tokenizer *t, const char *s)
{
    for (int i = 0; i < t->vocab_size; i++)
        if (i != 0 && i != t->bos_id && i != t->eos_id && t->byte_of[i] < 0 &&
            strcmp(t->vocab[i], s) == 0)
            return i;
    return -1;
}

/* llama2.c encode(), verbatim in structure (linear lookups for clarity). */
static int ref_encode(const bm_tokenizer *t, const char *text, int *tokens)
{
    int n = 0;
    char buf[64];
    size_t len = 0;
    if (text[0])
        tokens[n++] = ref_lookup(t, " ");
    for (const char *c = text; *c; c++) {
        if ((*c & 0xC0) != 0x80)
            len = 0;
        buf[len++] = *c;
        buf[len] = 0;
        if ((*(c + 1) & 0xC0) == 0x80 && len < 4)
            continue;
        int id = ref_lookup(t, buf);
        if (id != -1)
            tokens[n++] = id;
        else
            for (size_t i = 0; i < len; i++)
                tokens[n++] = (unsigned char)buf[i] + 3;
        len = 0;
    }
    for (;;) {
        float best = -1e10f;
        int bid = -1, bidx = -1;
        for (int i = 0; i < n - 1; i++) {
            char cat[128];
            snprintf(cat, sizeof cat, "%s%s", t->vocab[tokens[i]], t->vocab[tokens[i + 1]]);
            int id = ref_lookup(t, cat);
            if (id != -1 && t->scores[id] > best) {
                best = t->scores[id];
                bid = id;
                bidx = i;
            }
        }
        if (bidx == -1)
            break;
        tokens[bidx] = bid;
        for (int i = bidx + 1; i < n - 1; i++)
            tokens[i] = tokens[i + 1];
        n--;
    }
    return n;
}

int main(void)
{
    uint64_t seed = bm_test_seed("test_tok", 12345);
    char p[1024];
    snprintf(p, sizeof p, "%s/tok512.bin", bm_test_data_dir());
    bm_tokenizer t;
    bm_err e = {0};
    int rc = bm_tokenizer_load_llama2c(p, 512, &t, &e);
    CHECK(rc == BM_OK, "%s (set DATA_DIR to the shared data folder)", e.msg);
    snprintf(p, sizeof p, "%s/tinystories_val.txt", bm_test_data_dir());
    FILE *f = fopen(p, "rb");
    CHECK(f != NULL, "open %s", p);
    if (rc || !f)
        return bm_test_done("test_tok");
    static char text[200000];
    size_t tn = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[tn] = 0;
    CHECK_EQ_INT(t.max_token_length, 7);

    int a[1024], b[1024], na, mismatches = 0, roundtrip_bad = 0;
    char s[400], dec[2048];
    for (int it = 0; it < 300; it++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t len = 1 + (seed >> 33) % 120, kind = it % 3;
        if (kind == 0) { /* slice of real text */
            size_t off = (seed >> 20) % (tn - len);
            memcpy(s, text + off, len);
        } else {
            for (size_t i = 0; i < len; i++) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                unsigned r = (unsigned)(seed >> 40);
                if (kind == 1) { /* ASCII plus some valid UTF-8 */
                    static const char *const pcs[] = {"a", " ", "é", "\xe2\x80\x99", "\n",
                                                      "the", "!", "\xf0\x9f\x98\x80", "Z"};
                    const char *q = pcs[r % 9];
                    size_t k = strlen(q);
                    if (i + k > len)
                        break;
                    memcpy(s + i, q, k);
                    i += k - 1;
                } else { /* arbitrary bytes except NUL */
                    s[i] = (char)(1 + r % 255);
                }
            }
        }
        s[len] = 0;
        len = strlen(s);
        int nb = ref_encode(&t, s, b);
        rc = bm_tokenizer_encode(&t, s, 0, 0, a, 1024, &na, &e);
        if (rc || na != nb || memcmp(a, b, (size_t)na * sizeof(int)) != 0) {
            if (mismatches++ < 3)
                CHECK(0, "encode differs from llama2.c on case %d (kind %zu): %d vs %d tokens",
                      it, kind, na, nb);
        }
        /* Round trip: BOS + tokens decode back to the text. */
        size_t k = 0;
        int prev = t.bos_id;
        for (int i = 0; i < na; i++) {
            const char *pc = bm_tokenizer_piece(&t, prev, a[i]);
            size_t pl = a[i] == 3 ? 1 : strlen(pc); /* <0x00> never occurs: no NULs */
            memcpy(dec + k, pc, pl);
            k += pl;
            prev = a[i];
        }
        dec[k] = 0;
        if (k != len || memcmp(dec, s, len) != 0)
            roundtrip_bad++;
    }
    CHECK_EQ_INT(mismatches, 0);
    CHECK_EQ_INT(roundtrip_bad, 0);

    /* BOS/EOS, empty text, max_tokens. */
    CHECK(bm_tokenizer_encode(&t, "", 1, 1, a, 4, &na, &e) == BM_OK && na == 2 && a[0] == 1 &&
              a[1] == 2, "empty text: BOS EOS only");
    CHECK(bm_tokenizer_encode(&t, "hello there", 0, 0, a, 2, &na, &e) == BM_E_RANGE,
          "max_tokens enforced");
    CHECK(strstr(e.msg, "max_tokens") != NULL, "message: %s", e.msg);
    /* Byte tokens decode to raw bytes; out-of-range ids decode to "". */
    CHECK(strcmp(bm_tokenizer_piece(&t, 5, 'A' + 3), "A") == 0, "<0x41> -> A");
    CHECK(strcmp(bm_tokenizer_piece(&t, 5, 100000), "") == 0, "bad id -> empty");
    CHECK(strcmp(bm_tokenizer_piece(&t, 5, -1), "") == 0, "negative id -> empty");
    /* Whole-file encode is fast (heap merges): the full text here. */
    int *big = malloc((tn + 3) * sizeof(int));
    CHECK(bm_tokenizer_encode(&t, text, 1, 0, big, (int)tn + 3, &na, &e) == BM_OK, "%s", e.msg);
    printf("%zu bytes -> %d tokens (%.2f bytes/token)\n", tn, na, (double)tn / na);
    free(big);
    bm_tokenizer_free(&t);
    return bm_test_done("test_tok");
}
