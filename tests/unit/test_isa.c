/* ISA codec: every field of every instruction round-trips at 0, 1 and its
 * maximum; overflowing fields, reserved bits, undefined opcodes and token
 * flags towards missing neighbours are rejected. */
#include "bm_test.h"
#include "bm_insn.h"

static void set_field(bm_insn *in, const bm_field_desc *f, uint32_t v)
{
    memcpy((uint8_t *)in + f->off, &v, sizeof v);
}

int main(void)
{
    uint8_t w[16];
    for (int i = 0; i < BM_N_INSN_DESC; i++) {
        const bm_insn_desc *d = &bm_insn_descs[i];
        for (int j = 0; j < d->nfields; j++) {
            const bm_field_desc *f = &d->fields[j];
            uint32_t max = f->width == 32 ? 0xffffffffu : (1u << f->width) - 1;
            uint32_t vals[3] = {0, 1, max};
            for (int k = 0; k < 3; k++) {
                bm_insn in = {0}, out;
                in.op = d->opcode;
                if (d->opcode == BM_OP_NOP && strcmp(f->name, "queue") == 0 && vals[k] > 2)
                    continue;
                set_field(&in, f, vals[k]);
                CHECK_EQ_INT(bm_insn_encode(&in, w), BM_HWERR_NONE);
                CHECK_EQ_INT(bm_insn_decode(w, &out), BM_HWERR_NONE);
                CHECK(memcmp(&in, &out, sizeof in) == 0, "%s.%s=%u round trip", d->name, f->name, vals[k]);
                CHECK_EQ_INT(bm_bits_get(w, f->lsb, f->width), vals[k]);
            }
            if (f->width < 32) {
                bm_insn in = {0};
                in.op = d->opcode;
                set_field(&in, f, max + 1);
                CHECK_EQ_INT(bm_insn_encode(&in, w), BM_HWERR_FIELD);
            }
        }
        /* Every reserved bit is refused on decode. */
        unsigned used = 8;
        for (int j = 0; j < d->nfields; j++)
            used = d->fields[j].lsb + d->fields[j].width;
        for (unsigned b = used; b < 128; b += 7) {
            bm_insn in = {0}, out;
            in.op = d->opcode;
            bm_insn_encode(&in, w);
            w[b / 8] |= (uint8_t)(1u << (b % 8));
            CHECK_EQ_INT(bm_insn_decode(w, &out), BM_HWERR_FIELD);
        }
    }
    /* Undefined opcodes, including the all-zero word. */
    for (unsigned op = 0; op < 16; op++) {
        if (bm_insn_desc_of(op))
            continue;
        memset(w, 0, sizeof w);
        w[0] = (uint8_t)op;
        bm_insn out;
        CHECK_EQ_INT(bm_insn_decode(w, &out), BM_HWERR_OPCODE);
    }
    /* Token flags: LOAD has no prev, STORE no next, FINISH none. */
    struct { uint8_t op, pp, pn, up, un; int ok; } tk[] = {
        {BM_OP_LOAD, 1, 0, 0, 0, 0}, {BM_OP_LOAD, 0, 0, 1, 0, 0}, {BM_OP_LOAD, 0, 1, 0, 1, 1},
        {BM_OP_STORE, 0, 1, 0, 0, 0}, {BM_OP_STORE, 0, 0, 0, 1, 0}, {BM_OP_STORE, 1, 0, 1, 0, 1},
        {BM_OP_COMPUTE, 1, 1, 1, 1, 1}, {BM_OP_FINISH, 0, 0, 0, 1, 0}, {BM_OP_FINISH, 0, 0, 0, 0, 1},
    };
    for (size_t i = 0; i < sizeof tk / sizeof tk[0]; i++) {
        bm_insn in = {0}, out;
        in.op = tk[i].op;
        in.pop_prev = tk[i].pp; in.pop_next = tk[i].pn; in.push_prev = tk[i].up; in.push_next = tk[i].un;
        if (in.op == BM_OP_LOAD || in.op == BM_OP_STORE) { in.rows = 1; in.row_bytes = 4; }
        bm_insn_encode(&in, w);
        CHECK_EQ_INT(bm_insn_decode(w, &out) == BM_HWERR_NONE, tk[i].ok);
    }
    /* NOP queue 3 is illegal; NOP towards a missing neighbour too. */
    {
        bm_insn in = {0}, out;
        in.op = BM_OP_NOP; in.queue = 3;
        bm_insn_encode(&in, w);
        CHECK_EQ_INT(bm_insn_decode(w, &out), BM_HWERR_FIELD);
        in.queue = 0; in.pop_prev = 1;
        bm_insn_encode(&in, w);
        CHECK_EQ_INT(bm_insn_decode(w, &out), BM_HWERR_FIELD);
    }
    /* The disassembler names the instruction and its tokens. */
    {
        bm_insn in = {0};
        char buf[256];
        in.op = BM_OP_COMPUTE; in.ksteps = 16; in.pop_prev = 1;
        bm_insn_format(&in, buf, sizeof buf);
        CHECK(strstr(buf, "COMPUTE") && strstr(buf, "ksteps=16") && strstr(buf, "+pop_prev"), "%s", buf);
        CHECK(strcmp(bm_hwerr_name(BM_HWERR_DEADLOCK), "DEADLOCK") == 0, "error names");
    }
    return bm_test_done("test_isa");
}
