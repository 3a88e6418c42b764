/* SentencePiece-style BPE tokenizer with llama2.c semantics: loading of the
 * llama2.c tokenizer file, encode (same merges as llama2.c, but with a heap
 * so a whole evaluation text encodes in O(n log n)) and piece decoding. */
#include "bm_load_priv.h"
#include "bm_rd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bm_tok_entry {
    const char *s;
    int id;
};

static int cmp_entry(const void *a, const void *b)
{
    const struct bm_tok_entry *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

static int parse_byte_piece(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    if (strlen(s) != 6 || memcmp(s, "<0x", 3) != 0 || s[5] != '>')
        return -1;
    const char *a = strchr(hex, s[3]), *b = strchr(hex, s[4]);
    if (!a || !b || !s[3] || !s[4])
        return -1;
    return (int)((a - hex) * 16 + (b - hex));
}

void bm_tokenizer_free(bm_tokenizer *t)
{
    if (!t)
        return;
    if (t->vocab)
        for (int i = 0; i < t->vocab_size; i++)
            free(t->vocab[i]);
    free(t->vocab);
    free(t->scores);
    free(t->sorted);
    free(t->byte_of);
    memset(t, 0, sizeof *t);
}

int bm_tokenizer_build(bm_tokenizer *t, int vocab_size, char **vocab, float *scores,
                       int bos_id, int eos_id, const unsigned char *exclude,
                       const char *file, bm_err *err)
{
    memset(t, 0, sizeof *t);
    t->vocab_size = vocab_size;
    t->vocab = vocab;
    t->scores = scores;
    t->bos_id = bos_id;
    t->eos_id = eos_id;
    if (vocab_size < 1 || bos_id < 0 || bos_id >= vocab_size || eos_id < 0 ||
        eos_id >= vocab_size) {
        bm_tokenizer_free(t);
        return bm_fail(err, BM_E_FORMAT, "%s: bos %d / eos %d outside vocabulary of %d",
                       file, bos_id, eos_id, vocab_size);
    }
    t->sorted = malloc((size_t)vocab_size * sizeof *t->sorted);
    t->byte_of = malloc((size_t)vocab_size * sizeof *t->byte_of);
    if (!t->sorted || !t->byte_of) {
        bm_tokenizer_free(t);
        return bm_fail(err, BM_E_NOMEM, "%s: out of memory for tokenizer", file);
    }
    for (int b = 0; b < 256; b++) {
        t->byte_id[b] = -1;
        t->byte_piece[b][0] = (char)b;
        t->byte_piece[b][1] = 0;
    }
    for (int i = 0; i < vocab_size; i++) {
        int len = (int)strlen(vocab[i]);
        if (len > t->max_token_length)
            t->max_token_length = len;
        int b = parse_byte_piece(vocab[i]);
        t->byte_of[i] = (short)b;
        if (b >= 0 && t->byte_id[b] < 0)
            t->byte_id[b] = i;
        /* Control, unknown and byte tokens are never produced by merging
         * text, as in SentencePiece. */
        if (b < 0 && i != bos_id && i != eos_id && !(exclude && exclude[i]))
            t->sorted[t->n_sorted++] = (struct bm_tok_entry){vocab[i], i};
    }
    qsort(t->sorted, (size_t)t->n_sorted, sizeof *t->sorted, cmp_entry);
    return BM_OK;
}

int bm_tokenizer_load_llama2c_mem(const void *buf, size_t n, const char *name,
                                  int vocab_size, bm_tokenizer *t, bm_err *err)
{
    memset(t, 0, sizeof *t);
    if (vocab_size < 3 || vocab_size > BM_MAX_DIM)
        return bm_fail(err, BM_E_RANGE, "%s: vocab_size %d is outside [3, %d]", name,
                       vocab_size, BM_MAX_DIM);
    bm_rd r;
    bm_rd_init(&r, buf, n, name, err);
    int32_t maxlen;
    int rc = bm_rd_i32(&r, &maxlen, "max_token_length");
    if (rc)
        return rc;
    /* Each token needs at least 8 bytes: refuse before allocating. */
    if ((n - 4) / 8 < (size_t)vocab_size)
        return bm_fail(err, BM_E_FORMAT,
                       "%s: offset 4: %d tokens need at least %llu bytes, file has %zu",
                       name, vocab_size, 8ull * (unsigned)vocab_size, n - 4);
    char **vocab = calloc((size_t)vocab_size, sizeof *vocab);
    float *scores = malloc((size_t)vocab_size * sizeof *scores);
    if (!vocab || !scores) {
        free(vocab);
        free(scores);
        return bm_fail(err, BM_E_NOMEM, "%s: out of memory", name);
    }
    for (int i = 0; i < vocab_size; i++) {
        char what[64];
        int32_t len;
        const uint8_t *p;
        snprintf(what, sizeof what, "token %d score", i);
        rc = bm_rd_f32(&r, &scores[i], what);
        snprintf(what, sizeof what, "token %d length", i);
        if (!rc)
            rc = bm_rd_i32(&r, &len, what);
        if (!rc && len < 0)
            rc = bm_fail(err, BM_E_FORMAT, "%s: offset %zu: token %d has length %d",
                         name, r.off - 4, i, len);
        snprintf(what, sizeof what, "token %d bytes", i);
        if (!rc)
            rc = bm_rd_bytes(&r, (size_t)len, &p, what);
        if (!rc && !(vocab[i] = malloc((size_t)len + 1)))
            rc = bm_fail(err, BM_E_NOMEM, "%s: out of memory", name);
        if (rc) {
            for (int j = 0; j < i; j++)
                free(vocab[j]);
            free(vocab);
            free(scores);
            return rc;
        }
        memcpy(vocab[i], p, (size_t)len);
        vocab[i][len] = 0;
    }
    /* llama2.c ids: 0 <unk>, 1 <s>, 2 </s>. */
    unsigned char *excl = calloc((size_t)vocab_size, 1);
    if (!excl) {
        for (int j = 0; j < vocab_size; j++)
            free(vocab[j]);
        free(vocab);
        free(scores);
        return bm_fail(err, BM_E_NOMEM, "%s: out of memory", name);
    }
    excl[0] = 1;
    rc = bm_tokenizer_build(t, vocab_size, vocab, scores, 1, 2, excl, name, err);
    free(excl);
    return rc;
}

int bm_tokenizer_load_llama2c(const char *path, int vocab_size, bm_tokenizer *t,
                              bm_err *err)
{
    memset(t, 0, sizeof *t);
    bm_file f;
    int rc = bm_file_open(path, &f, err);
    if (rc)
        return rc;
    rc = bm_tokenizer_load_llama2c_mem(f.data, f.size, bm_basename(path), vocab_size,
                                       t, err);
    bm_file_close(&f);
    return rc;
}

static int lookup(const bm_tokenizer *t, const char *s)
{
    size_t lo = 0, hi = (size_t)t->n_sorted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->sorted[mid].s, s);
        if (c == 0) {
            /* Lowest id among equal pieces, for a deterministic answer. */
            while (mid > 0 && strcmp(t->sorted[mid - 1].s, s) == 0)
                mid--;
            return t->sorted[mid].id;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* A candidate merge of symbol `left` with its right neighbour; stale when
 * either symbol changed since (versions) or was consumed. */
typedef struct {
    float score;
    int left, right, id;
    unsigned vl, vr;
} merge;

static int better(const merge *a, const merge *b)
{
    return a->score > b->score || (a->score == b->score && a->left < b->left);
}

static void heap_push(merge *h, size_t *n, merge m)
{
    size_t i = (*n)++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!better(&m, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = m;
}

static merge heap_pop(merge *h, size_t *n)
{
    merge top = h[0], last = h[--*n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && better(&h[c + 1], &h[c]))
            c++;
        if (!better(&h[c], &last))
            break;
        h[i] = h[c];
        i = c;
    }
    if (*n)
        h[i] = last;
    return top;
}

typedef struct {
    int *id, *prev, *next;
    unsigned *ver;
    merge *heap;
    size_t nheap;
    char *buf;
} enc_state;

static void try_pair(const bm_tokenizer *t, enc_state *s, int a, int b)
{
    if (a < 0 || b < 0)
        return;
    const char *x = t->vocab[s->id[a]], *y = t->vocab[s->id[b]];
    size_t lx = strlen(x), ly = strlen(y);
    if (lx + ly > (size_t)t->max_token_length)
        return;
    memcpy(s->buf, x, lx);
    memcpy(s->buf + lx, y, ly + 1);
    int id = lookup(t, s->buf);
    if (id >= 0)
        heap_push(s->heap, &s->nheap,
                  (merge){t->scores[id], a, b, id, s->ver[a], s->ver[b]});
}

int bm_tokenizer_encode(const bm_tokenizer *t, const char *text, int bos, int eos,
                        int *tokens, int max_tokens, int *n_out, bm_err *err)
{
    *n_out = 0;
    if (!t || !t->vocab || !text)
        return bm_fail(err, BM_E_INVAL, "tokenizer_encode: no tokenizer or text");
    size_t len = strlen(text);
    size_t cap = len + 1;
    enc_state s = {0};
    s.id = malloc(cap * sizeof *s.id);
    s.prev = malloc(cap * sizeof *s.prev);
    s.next = malloc(cap * sizeof *s.next);
    s.ver = calloc(cap, sizeof *s.ver);
    s.heap = malloc(3 * cap * sizeof *s.heap);
    s.buf = malloc((size_t)t->max_token_length + 1);
    int rc = BM_OK;
    if (!s.id || !s.prev || !s.next || !s.ver || !s.heap || !s.buf) {
        rc = bm_fail(err, BM_E_NOMEM, "tokenizer_encode: out of memory for %zu bytes",
                     len);
        goto done;
    }
    int n = 0;
    const int unk = 0;
#define PUSH_BYTE(c)                                                        \
    do {                                                                    \
        int b_ = t->byte_id[(unsigned char)(c)];                            \
        s.id[n++] = b_ >= 0 ? b_ : unk;                                     \
    } while (0)
    if (len > 0) {
        /* SentencePiece's dummy prefix: text starts as if after a space. */
        int sp = lookup(t, " ");
        if (sp >= 0)
            s.id[n++] = sp;
        else
            PUSH_BYTE(' ');
    }
    char cp[5];
    size_t cl = 0;
    for (const char *c = text; *c; c++) {
        /* Group a UTF-8 code point (at most 4 bytes), as llama2.c does. */
        if ((*c & 0xC0) != 0x80)
            cl = 0;
        cp[cl++] = *c;
        cp[cl] = 0;
        if ((c[1] & 0xC0) == 0x80 && cl < 4)
            continue;
        int id = lookup(t, cp);
        if (id >= 0)
            s.id[n++] = id;
        else
            for (size_t i = 0; i < cl; i++)
                PUSH_BYTE(cp[i]);
        cl = 0;
    }
#undef PUSH_BYTE
    for (int i = 0; i < n; i++) {
        s.prev[i] = i - 1;
        s.next[i] = i + 1 < n ? i + 1 : -1;
    }
    for (int i = 0; i + 1 < n; i++)
        try_pair(t, &s, i, i + 1);
    int alive = n;
    while (s.nheap) {
        merge m = heap_pop(s.heap, &s.nheap);
        if (s.ver[m.left] != m.vl || s.ver[m.right] != m.vr || s.next[m.left] != m.right)
            continue;
        /* Merge right into left; the heap holds at most n-1 + 2 per merge. */
        s.id[m.left] = m.id;
        s.ver[m.left]++;
        s.ver[m.right]++;
        int nx = s.next[m.right];
        s.next[m.left] = nx;
        if (nx >= 0)
            s.prev[nx] = m.left;
        s.next[m.right] = -2;
        alive--;
        try_pair(t, &s, s.prev[m.left], m.left);
        try_pair(t, &s, m.left, nx);
    }
    long total = (long)alive + (bos != 0) + (eos != 0);
    if (total > max_tokens) {
        rc = bm_fail(err, BM_E_RANGE, "tokenizer_encode: %ld tokens exceed max_tokens %d",
                     total, max_tokens);
        goto done;
    }
    int k = 0;
    if (bos)
        tokens[k++] = t->bos_id;
    for (int i = n ? 0 : -1; i >= 0; i = s.next[i])
        tokens[k++] = s.id[i];
    if (eos)
        tokens[k++] = t->eos_id;
    *n_out = k;
done:
    free(s.id);
    free(s.prev);
    free(s.next);
    free(s.ver);
    free(s.heap);
    free(s.buf);
    return rc;
}

const char *bm_tokenizer_piece(const bm_tokenizer *t, int prev_token, int token)
{
    if (!t || token < 0 || token >= t->vocab_size)
        return "";
    const char *piece = t->vocab[token];
    if (t->byte_of[token] >= 0)
        return t->byte_piece[t->byte_of[token]];
    if (prev_token == t->bos_id && piece[0] == ' ')
        piece++;
    return piece;
}
