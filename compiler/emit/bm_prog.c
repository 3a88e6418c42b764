/* Instruction stream buffer; see bm_prog.h. */
#include "bm_prog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_insn.h"

void bm_prog_init(bm_prog *p)
{
    memset(p, 0, sizeof *p);
}

void bm_prog_free(bm_prog *p)
{
    free(p->bytes);
    memset(p, 0, sizeof *p);
}

void bm_prog_add(bm_prog *p, const bm_insn *in)
{
    if (p->err)
        return;
    if (p->n == p->cap) {
        uint32_t cap = p->cap ? 2 * p->cap : 64;
        uint8_t *b = realloc(p->bytes, (size_t)cap * BM_INSN_BYTES);
        if (!b) {
            p->err = BM_E_NOMEM;
            snprintf(p->msg, sizeof p->msg, "out of memory at instruction %u", p->n);
            return;
        }
        p->bytes = b;
        p->cap = cap;
    }
    int e = bm_insn_encode(in, p->bytes + (size_t)p->n * BM_INSN_BYTES);
    if (e) {
        char d[128];
        p->err = BM_E_RANGE;
        snprintf(p->msg, sizeof p->msg, "instruction %u (%s) does not encode: %s", p->n,
                 bm_insn_format(in, d, sizeof d), bm_hwerr_name(e));
        return;
    }
    p->n++;
}

int bm_prog_status(const bm_prog *p, bm_err *err)
{
    if (p->err)
        return bm_fail(err, p->err, "%s", p->msg);
    return BM_OK;
}
