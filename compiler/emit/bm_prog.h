/* Growable instruction stream: the scheduler appends decoded instructions,
 * encode errors are caught at append time (a field that does not fit is a
 * compiler bug, reported with the instruction index). */
#ifndef BM_PROG_H
#define BM_PROG_H

#include <stddef.h>
#include <stdint.h>

#include "bm_err.h"
#include "bm_isa.h"

typedef struct bm_prog {
    uint8_t *bytes;   /* n * BM_INSN_BYTES */
    uint32_t n, cap;
    int err;          /* first append error (sticky) */
    char msg[160];
} bm_prog;

void bm_prog_init(bm_prog *p);
void bm_prog_free(bm_prog *p);
/* Append; on failure the program becomes invalid (p->err set). */
void bm_prog_add(bm_prog *p, const bm_insn *in);
int bm_prog_status(const bm_prog *p, bm_err *err);

#endif
