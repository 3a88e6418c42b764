/* test_rtl_regs: the s_axi_control register map on the RTL: ID/VERSION/hash/
 * SHAPE, argument read-back, ap_ctrl_hs (ap_start, ap_done clear-on-read,
 * ap_idle, ap_ready, auto_restart), GIE/IER/ISR toggle-on-write and the
 * interrupt line, STATUS busy, counters restarting on ap_start. */
#include <stdio.h>

#include "bm_test.h"
#include "rtl_util.h"

static uint64_t MB;   /* memory window (rtl_mem_base) */

static void wait_done(bm_sim *s) {
    for (int i = 0; i < 100000; i++) {
        if (bm_sim_reg_read(s, BM_REG_STATUS) & 0x100) { bm_sim_step(s, 16); continue; }
        return;
    }
}

int main(void) {
    const bm_preset *p = bm_preset_find(bm_sim_preset_name());
    CHECK(p != NULL, "preset %s", bm_sim_preset_name());
    if (!p) return bm_test_done("rtl_regs");
    MB = rtl_mem_base(p, 1 << 20, 1);
    bm_sim_opts o = {MB, 1 << 20, p->mem_latency, p->mem_bpc, getenv("BM_TRACE")};
    bm_sim *s = bm_sim_new(&o);
    CHECK(s != NULL, "bm_sim_new");
    if (!s) return bm_test_done("rtl_regs");
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_ID), BM_ID_MAGIC);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_VERSION), BM_ISA_VERSION);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_ISA_HASH), BM_ISA_HASH);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_PRESET_HASH), p->hash);
    uint32_t shape = p->rows | p->cols << 8 | p->lanes << 16 | p->max_bits << 24 | p->max_terms << 28;
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_SHAPE), shape);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_CTRL), BM_CTRL_IDLE);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_STATUS), 0);
    CHECK_EQ_INT(bm_sim_interrupt(s), 0);
    /* arguments read back; INSN and BASEn keep addr_bits bits: the rest of
     * a HI register reads 0 (all of it with 32 address bits) */
    uint32_t hi_mask = p->addr_bits >= 64 ? 0xffffffffu
                     : p->addr_bits <= 32 ? 0 : (1u << (p->addr_bits - 32)) - 1;
    for (uint32_t a = BM_REG_INSN_LO; a <= BM_REG_BASE3_HI; a += 4) {
        if (a == 0x1c) continue;
        int hi = a != BM_REG_INSN_COUNT && (a - BM_REG_INSN_LO) % 8 == 4;
        bm_sim_reg_write(s, a, 0xA5000000u | a);
        CHECK_EQ_INT(bm_sim_reg_read(s, a), (0xA5000000u | a) & (hi ? hi_mask : 0xffffffffu));
        bm_sim_reg_write(s, a, 0xffffffffu);
        CHECK_EQ_INT(bm_sim_reg_read(s, a), hi ? hi_mask : 0xffffffffu);
    }

    /* a program of 40 NOPs and FINISH */
    uint8_t *mem = bm_sim_mem(s);
    bm_insn in;
    for (int i = 0; i < 40; i++) {
        memset(&in, 0, sizeof in); in.op = BM_OP_NOP; in.queue = (uint32_t)(i % 3);
        rtl_put_insn(mem + 16 * i, &in);
    }
    memset(&in, 0, sizeof in); in.op = BM_OP_FINISH;
    rtl_put_insn(mem + 16 * 40, &in);
    uint64_t base[4] = {MB, MB, MB, MB};
    bm_sim_reg_write(s, BM_REG_GIE, 1);
    bm_sim_reg_write(s, BM_REG_IER, 1);
    rtl_run r1, r2;
    CHECK_EQ_INT(rtl_run_prog(s, MB, 41, base, 100000, &r1), 0);   /* reads CTRL: clears done */
    CHECK_EQ_INT(r1.status, 0);
    CHECK_EQ_INT(r1.counters[BM_CNT_INSNS], 41);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_CTRL) & (BM_CTRL_DONE | BM_CTRL_IDLE), BM_CTRL_IDLE);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_ISR), 1);
    CHECK_EQ_INT(bm_sim_interrupt(s), 1);
    bm_sim_reg_write(s, BM_REG_ISR, 1);                 /* toggle: clear */
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_ISR), 0);
    CHECK_EQ_INT(bm_sim_interrupt(s), 0);
    bm_sim_reg_write(s, BM_REG_ISR, 1);                 /* toggle: set */
    CHECK_EQ_INT(bm_sim_interrupt(s), 1);
    bm_sim_reg_write(s, BM_REG_GIE, 0);
    CHECK_EQ_INT(bm_sim_interrupt(s), 0);
    bm_sim_reg_write(s, BM_REG_ISR, 1);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_ISR), 0);

    /* busy while running; done and ready are sticky until CTRL is read */
    bm_sim_reg_write(s, BM_REG_CTRL, BM_CTRL_START);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_STATUS) & 0x100, 0x100);
    uint32_t c = bm_sim_reg_read(s, BM_REG_CTRL);
    CHECK_EQ_INT(c & (BM_CTRL_IDLE | BM_CTRL_DONE), 0);
    wait_done(s);
    c = bm_sim_reg_read(s, BM_REG_CTRL);
    CHECK_EQ_INT(c & (BM_CTRL_DONE | BM_CTRL_READY | BM_CTRL_IDLE), BM_CTRL_DONE | BM_CTRL_READY | BM_CTRL_IDLE);
    c = bm_sim_reg_read(s, BM_REG_CTRL);
    CHECK_EQ_INT(c & (BM_CTRL_DONE | BM_CTRL_READY), 0);
    /* counters restart at 0 on ap_start: same program, same counters */
    CHECK_EQ_INT(rtl_run_prog(s, MB, 41, base, 100000, &r2), 0);
    for (int i = 0; i < BM_N_COUNTERS; i++)
        CHECK(r1.counters[i] == r2.counters[i], "counter %s %llu vs %llu", bm_counter_names[i],
              (unsigned long long)r1.counters[i], (unsigned long long)r2.counters[i]);
    /* auto_restart: runs again by itself until it is cleared */
    bm_sim_reg_write(s, BM_REG_IER, 1);
    bm_sim_reg_write(s, BM_REG_ISR, bm_sim_reg_read(s, BM_REG_ISR));
    bm_sim_reg_write(s, BM_REG_CTRL, BM_CTRL_START | BM_CTRL_AUTO_RESTART);
    int runs = 0;
    for (int i = 0; i < 20000 && runs < 3; i++) {
        if (bm_sim_reg_read(s, BM_REG_ISR) & 1) { runs++; bm_sim_reg_write(s, BM_REG_ISR, 1); }
        bm_sim_step(s, 4);
    }
    CHECK(runs >= 3, "auto_restart ran %d times", runs);
    bm_sim_reg_write(s, BM_REG_CTRL, 0);
    wait_done(s);
    bm_sim_step(s, 200);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_CTRL) & BM_CTRL_IDLE, BM_CTRL_IDLE);
    bm_sim_step(s, 200);
    CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_STATUS) & 0x100, 0);
    if (p->addr_bits < 64) {
        /* HI-register bits at and above addr_bits are not stored: a run whose
         * INSN/BASEn carry junk there reads its program and its LOAD's last
         * bytes (up to 2^addr_bits - 1) from the window below, on the RTL as
         * on the engine */
        uint64_t junk = 0xA5A5A5A5A5A5A5A5ull << p->addr_bits;
        memset(&in, 0, sizeof in); in.op = BM_OP_LOAD; in.sp = BM_SP_ACT; in.base = 2;
        in.rows = 2; in.row_bytes = 32; in.dram_stride = 32; in.dram_off = (1u << 20) - 64;
        rtl_put_insn(mem, &in);
        memset(&in, 0, sizeof in); in.op = BM_OP_FINISH;
        rtl_put_insn(mem + 16, &in);
        for (int i = 0; i < 64; i++) mem[(1u << 20) - 64 + i] = (uint8_t)(i * 7 + 1);
        uint64_t jb[4] = {MB | junk, MB | junk, MB | junk, MB | junk};
        bm_run_result er;
        rtl_run rr;
        int bad = rtl_compare(p, s, MB, 1 << 20, p->mem_latency, p->mem_bpc, MB | junk, 2, jb, &er, &rr);
        CHECK(!bad && !er.hw_error && rr.status == 0, "junk above addr_bits: rtl %x engine %d (%s)",
              rr.status, er.hw_error, er.msg);
        CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_INSN_HI), (uint32_t)(MB >> 32));
        CHECK_EQ_INT(bm_sim_reg_read(s, BM_REG_BASE2_HI), (uint32_t)(MB >> 32));
    }
    bm_sim_free(s);
    return bm_test_done("rtl_regs");
}
