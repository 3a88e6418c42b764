/* Instruction encode/decode/disassembly, driven by the generated field
 * tables in common/gen/bm_isa_tab.c (one source: spec/isa.json). */
#ifndef BM_INSN_H
#define BM_INSN_H

#include <stddef.h>
#include <stdint.h>

#include "bm_isa.h"

/* Pack `in` into 16 little-endian bytes. Returns BM_HWERR_NONE, or
 * BM_HWERR_OPCODE / BM_HWERR_FIELD if the opcode is undefined or a field
 * value does not fit its width (out is then unspecified). */
int bm_insn_encode(const bm_insn *in, uint8_t out[BM_INSN_BYTES]);
/* Unpack; fields the instruction does not have are 0. Returns
 * BM_HWERR_OPCODE for an undefined opcode, BM_HWERR_FIELD when a reserved
 * bit is set or a token flag points at a missing neighbour. */
int bm_insn_decode(const uint8_t in[BM_INSN_BYTES], bm_insn *out);
/* Descriptor of an opcode, or NULL. */
const bm_insn_desc *bm_insn_desc_of(unsigned opcode);
/* Unit that executes the instruction: BM_UNIT_* or -1 for FINISH. */
int bm_insn_unit(const bm_insn *in);
/* "LOAD sp=ACT base=1 rows=1 ... +pop_prev" into buf; returns buf. */
char *bm_insn_format(const bm_insn *in, char *buf, size_t len);
/* Name of a hardware error code ("DEADLOCK"), "?" if unknown. */
const char *bm_hwerr_name(int code);
/* Raw bit access on a 16-byte instruction. */
uint64_t bm_bits_get(const uint8_t w[BM_INSN_BYTES], unsigned lsb, unsigned width);
void bm_bits_set(uint8_t w[BM_INSN_BYTES], unsigned lsb, unsigned width, uint64_t v);

#endif
