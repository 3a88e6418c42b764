/* test_rtl_smoke: register map and the smallest programs on the RTL. */
#include <stdio.h>

#include "bm_test.h"
#include "rtl_util.h"

int main(void) {
    const bm_preset *p = bm_preset_find(bm_sim_preset_name());
    CHECK(p != NULL, "preset %s", bm_sim_preset_name());
    if (!p) return bm_test_done("rtl_smoke");
    bm_sim_opts o = {0x400000000ull, 1 << 20, p->mem_latency, p->mem_bpc, getenv("BM_TRACE")};
    bm_sim *s = bm_sim_new(&o);
    CHECK(s != NULL, "bm_sim_new");
    if (!s) return bm_test_done("rtl_smoke");
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_ID), BM_ID_MAGIC);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_VERSION), BM_ISA_VERSION);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_ISA_HASH), BM_ISA_HASH);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_PRESET_HASH), p->hash);
    uint32_t shape = p->rows | p->cols << 8 | p->lanes << 16 | p->max_bits << 24 | p->max_terms << 28;
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_SHAPE), shape);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_CTRL) & BM_CTRL_IDLE, BM_CTRL_IDLE);

    uint8_t *mem = bm_sim_mem(s);
    bm_insn in;
    memset(&in, 0, sizeof in); in.op = BM_OP_NOP; in.queue = 1;
    rtl_put_insn(mem + 0, &in);
    memset(&in, 0, sizeof in); in.op = BM_OP_FINISH;
    rtl_put_insn(mem + 16, &in);
    uint64_t base[4] = {0x400000000ull, 0x400000000ull, 0x400000000ull, 0x400000000ull};
    rtl_run r;
    CHECK_EQ_INT(rtl_run_prog(s, 0x400000000ull, 2, base, 10000, &r), 0);
    printf("status %x err_pc %u cycles %llu insns %llu fetch %llu\n", r.status, r.err_pc,
           (unsigned long long)r.counters[0], (unsigned long long)r.counters[BM_CNT_INSNS],
           (unsigned long long)r.counters[BM_CNT_FETCH_BEATS]);
    CHECK_EQ_INT(r.status, 0);
    CHECK_EQ_INT(r.counters[BM_CNT_INSNS], 2);
    bm_sim_free(s);
    return bm_test_done("rtl_smoke");
}
