/* Functional semantics of the data instructions (docs/isa.md, "Arithmetic"),
 * shared by the engine. Each call checks legality first and changes no state
 * when it returns an error. */
#ifndef BM_EXEC_H
#define BM_EXEC_H

#include <stdint.h>

#include "bm_isa.h"
#include "bm_presets.h"

typedef struct bm_xstate {
    const bm_preset *p;
    uint8_t *sp[4];        /* WGT, META, ACT, TAB */
    uint32_t sp_bytes[4];
    int32_t *acc;          /* ACC scratchpad, acc_words int32 */
    uint32_t acc_words;
    uint8_t *mem;          /* device memory */
    uint64_t mem_base, mem_bytes;
    uint64_t base[4];
    int cfg_valid;
    bm_insn cfg;           /* last CONFIG */
    uint64_t sat_events;
    int timing_only;
    char *msg;             /* error account, 256 bytes */
} bm_xstate;

/* Return BM_HWERR_* (0 on success). */
int bm_exec_config(bm_xstate *x, const bm_insn *in);
int bm_exec_load(bm_xstate *x, const bm_insn *in);
int bm_exec_store(bm_xstate *x, const bm_insn *in);
int bm_exec_compute(bm_xstate *x, const bm_insn *in);

/* Weight-stream bytes of one tile under the current CONFIG. */
uint64_t bm_tile_wbytes(const bm_preset *p, const bm_insn *cfg, uint32_t ksteps);

/* Integer value of a code under a CONFIG (sum of its first T terms). */
int bm_decode_value(const bm_preset *p, const bm_insn *cfg, const uint8_t *tab,
                    unsigned sel, unsigned code);

#endif
