/* First-fit device-memory allocator for backends that own their memory.
 * Blocks are kept sorted by address; freeing coalesces nothing because the
 * runtime allocates few, long-lived buffers. */
#include <stdlib.h>

#include "bm_driver.h"

typedef struct blk { uint64_t addr, size; } blk;
struct bm_heap { uint64_t base, bytes; blk *b; int n, cap; };

bm_heap *bm_heap_new(uint64_t base, uint64_t bytes)
{
    bm_heap *h = calloc(1, sizeof *h);
    if (h) {
        h->base = base;
        h->bytes = bytes;
    }
    return h;
}

void bm_heap_free(bm_heap *h)
{
    if (h)
        free(h->b);
    free(h);
}

int bm_heap_alloc(bm_heap *h, uint64_t bytes, uint64_t align, uint64_t *addr)
{
    if (!bytes)
        bytes = 1;
    if (!align)
        align = 64;
    uint64_t at = h->base;
    int i = 0;
    for (;; i++) {
        at = (at + align - 1) / align * align;
        uint64_t lim = i < h->n ? h->b[i].addr : h->base + h->bytes;
        if (at <= lim && lim - at >= bytes)
            break;
        if (i >= h->n)
            return BM_E_NOMEM;
        at = h->b[i].addr + h->b[i].size;
    }
    if (h->n == h->cap) {
        int cap = h->cap ? 2 * h->cap : 16;
        blk *nb = realloc(h->b, sizeof(blk) * (size_t)cap);
        if (!nb)
            return BM_E_NOMEM;
        h->b = nb;
        h->cap = cap;
    }
    for (int j = h->n; j > i; j--)
        h->b[j] = h->b[j - 1];
    h->b[i] = (blk){at, bytes};
    h->n++;
    *addr = at;
    return BM_OK;
}

void bm_heap_release(bm_heap *h, uint64_t addr)
{
    for (int i = 0; i < h->n; i++)
        if (h->b[i].addr == addr) {
            for (int j = i; j + 1 < h->n; j++)
                h->b[j] = h->b[j + 1];
            h->n--;
            return;
        }
}

int bm_mem_span(const char *who, uint64_t base, uint64_t bytes, uint64_t addr, uint64_t n, bm_err *err)
{
    if (addr < base || addr - base > bytes || bytes - (addr - base) < n)
        return bm_fail(err, BM_E_RANGE, "%s: [0x%llx, +%llu) outside device memory [0x%llx, +%llu)", who,
                       (unsigned long long)addr, (unsigned long long)n, (unsigned long long)base,
                       (unsigned long long)bytes);
    return BM_OK;
}

uint64_t bm_dev_mem_base(const bm_preset *p, uint64_t bytes)
{
    static const uint64_t cand[2] = {0x400000000ull, 0x80000000ull};
    for (int i = 0; i < 2; i++)
        if (p->addr_bits >= 64 ? bytes <= UINT64_MAX - cand[i]
                               : cand[i] < (1ull << p->addr_bits) &&
                                 bytes <= (1ull << p->addr_bits) - cand[i])
            return cand[i];
    return 0;
}
