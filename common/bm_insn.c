/* Table-driven instruction codec; see bm_insn.h. Field positions come only
 * from the generated tables, so this file never changes with the ISA. */
#include "bm_insn.h"

#include <stdio.h>
#include <string.h>

uint64_t bm_bits_get(const uint8_t w[BM_INSN_BYTES], unsigned lsb, unsigned width)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < width; i++) {
        unsigned b = lsb + i;
        v |= (uint64_t)((w[b >> 3] >> (b & 7)) & 1u) << i;
    }
    return v;
}

void bm_bits_set(uint8_t w[BM_INSN_BYTES], unsigned lsb, unsigned width, uint64_t v)
{
    for (unsigned i = 0; i < width; i++) {
        unsigned b = lsb + i;
        w[b >> 3] = (uint8_t)((w[b >> 3] & ~(1u << (b & 7))) | (((v >> i) & 1u) << (b & 7)));
    }
}

const bm_insn_desc *bm_insn_desc_of(unsigned opcode)
{
    for (int i = 0; i < BM_N_INSN_DESC; i++)
        if (bm_insn_descs[i].opcode == opcode)
            return &bm_insn_descs[i];
    return NULL;
}

static uint8_t *u8_field(bm_insn *in, const bm_field_desc *f)
{
    return (uint8_t *)in + f->off;
}

int bm_insn_unit(const bm_insn *in)
{
    switch (in->op) {
    case BM_OP_LOAD: return BM_UNIT_LOAD;
    case BM_OP_CONFIG:
    case BM_OP_COMPUTE: return BM_UNIT_COMPUTE;
    case BM_OP_STORE: return BM_UNIT_STORE;
    case BM_OP_NOP: return (int)in->queue;
    default: return -1;
    }
}

/* Token flags towards a neighbour the unit does not have are illegal. */
static int tokens_legal(const bm_insn *in)
{
    int unit = bm_insn_unit(in);
    if (in->op == BM_OP_FINISH)
        return !(in->pop_prev | in->pop_next | in->push_prev | in->push_next);
    if (unit == BM_UNIT_LOAD && (in->pop_prev | in->push_prev))
        return 0;
    if (unit == BM_UNIT_STORE && (in->pop_next | in->push_next))
        return 0;
    if (unit < 0 || unit > BM_UNIT_STORE)
        return 0;
    return 1;
}

int bm_insn_encode(const bm_insn *in, uint8_t out[BM_INSN_BYTES])
{
    const bm_insn_desc *d = bm_insn_desc_of(in->op);
    memset(out, 0, BM_INSN_BYTES);
    if (!d)
        return BM_HWERR_OPCODE;
    for (int i = 0; i < 5; i++) {
        const bm_field_desc *f = &bm_common_fields[i];
        unsigned v = i == 0 ? in->op : *((const uint8_t *)in + f->off);
        if (v >> f->width)
            return BM_HWERR_FIELD;
        bm_bits_set(out, f->lsb, f->width, v);
    }
    for (int i = 0; i < d->nfields; i++) {
        const bm_field_desc *f = &d->fields[i];
        uint32_t v;
        memcpy(&v, (const uint8_t *)in + f->off, sizeof v);
        if (f->width < 32 && (v >> f->width))
            return BM_HWERR_FIELD;
        bm_bits_set(out, f->lsb, f->width, v);
    }
    return BM_HWERR_NONE;
}

int bm_insn_decode(const uint8_t in[BM_INSN_BYTES], bm_insn *out)
{
    memset(out, 0, sizeof *out);
    out->op = (uint8_t)bm_bits_get(in, BM_F_OP_LSB, BM_F_OP_WIDTH);
    const bm_insn_desc *d = bm_insn_desc_of(out->op);
    if (!d)
        return BM_HWERR_OPCODE;
    for (int i = 1; i < 5; i++) {
        const bm_field_desc *f = &bm_common_fields[i];
        *u8_field(out, f) = (uint8_t)bm_bits_get(in, f->lsb, f->width);
    }
    for (int i = 0; i < d->nfields; i++) {
        const bm_field_desc *f = &d->fields[i];
        uint32_t v = (uint32_t)bm_bits_get(in, f->lsb, f->width);
        memcpy((uint8_t *)out + f->off, &v, sizeof v);
    }
    uint64_t lo = 0, hi = 0;
    memcpy(&lo, in, 8);
    memcpy(&hi, in + 8, 8);
    if ((lo & d->reserved_lo) || (hi & d->reserved_hi))
        return BM_HWERR_FIELD;
    if (out->op == BM_OP_NOP && out->queue > 2)
        return BM_HWERR_FIELD;
    if (!tokens_legal(out))
        return BM_HWERR_FIELD;
    return BM_HWERR_NONE;
}

char *bm_insn_format(const bm_insn *in, char *buf, size_t len)
{
    const bm_insn_desc *d = bm_insn_desc_of(in->op);
    size_t n = 0;
    if (!len)
        return buf;
    buf[0] = 0;
#define PUT(...)                                                   \
    do {                                                           \
        int k_ = snprintf(buf + n, len - n, __VA_ARGS__);          \
        if (k_ > 0)                                                \
            n = (size_t)k_ < len - n ? n + (size_t)k_ : len - 1;   \
    } while (0)
    if (!d) {
        PUT("<illegal opcode %u>", in->op);
        return buf;
    }
    PUT("%-8s", d->name);
    for (int i = 0; i < d->nfields; i++) {
        uint32_t v;
        memcpy(&v, (const uint8_t *)in + d->fields[i].off, sizeof v);
        if (strcmp(d->fields[i].name, "sp") == 0 && in->op == BM_OP_LOAD) {
            static const char *sp[] = {"WGT", "META", "ACT", "TAB"};
            PUT(" sp=%s", sp[v & 3]);
        } else if (strstr(d->fields[i].name, "dram_off")) {
            PUT(" %s=0x%x", d->fields[i].name, v);
        } else {
            PUT(" %s=%u", d->fields[i].name, v);
        }
    }
    if (in->pop_prev) PUT(" +pop_prev");
    if (in->pop_next) PUT(" +pop_next");
    if (in->push_prev) PUT(" +push_prev");
    if (in->push_next) PUT(" +push_next");
#undef PUT
    return buf;
}

const char *bm_hwerr_name(int code)
{
    for (int i = 0; i < BM_N_ERROR_DESC; i++)
        if (bm_error_descs[i].code == code)
            return bm_error_descs[i].name;
    return "?";
}
