/* test_rtl_dma: directed DMA programs (aligned, unaligned, odd lengths,
 * bursts split at 4 KiB and at BURST_MAX beats, strided rows, fetch wins the
 * read channel) under several memory models; each must match the engine in
 * memory, CYCLES, RD/WR beats and every other counter. The data path goes
 * LOAD -> ACT/WGT/META -> COMPUTE -> ACC -> STORE, so a lost or shifted byte
 * shows up in the stored result. */
#include <stdio.h>

#include "bm_test.h"
#include "rtl_gen.h"
#include "rtl_util.h"

static uint64_t MB;   /* memory window: ends at 2^addr_bits on narrow presets */

static bm_insn I(int op) { bm_insn in; memset(&in, 0, sizeof in); in.op = (uint8_t)op; return in; }

int main(void) {
    const bm_preset *p = bm_preset_find(bm_sim_preset_name());
    if (p) MB = rtl_mem_base(p, GEN_MEM_BYTES, 1);
    if (!p) { CHECK(0, "preset"); return bm_test_done("rtl_dma"); }
    const uint32_t R = p->rows, C = p->cols, L = p->lanes, aw = C * L;
    const uint32_t lat[4] = {1, p->mem_latency, 7, 33};
    const uint32_t bpc[4] = {p->axi_bytes, p->mem_bpc, 1, p->axi_bytes / 2 + 1};
    /* row shapes: bytes, offset; the COMPUTE reads 8 steps = 8 ACT words */
    const uint32_t shapes[][3] = {   /* rows, row_bytes, dram_off */
        {1, 8 * 64, 0}, {1, 8 * 64, 3}, {8, 64, 4093}, {2, 4096 + 20, 4090}, {3, 8192 + 5, 17},
        {64, 8, 1}, {5, 1, 4095},
    };
    for (int m = 0; m < 4; m++) {
        bm_sim_opts o = {MB, GEN_MEM_BYTES, lat[m], bpc[m], NULL};
        bm_sim *s = bm_sim_new(&o);
        if (!s) { CHECK(0, "bm_sim_new"); break; }
        for (unsigned k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
            uint8_t *mem = bm_sim_mem(s);
            gen_prog g; memset(&g, 0, sizeof g);
            gen_memory(&g, 100 + k, mem);
            bm_insn prog[16]; int n = 0;
            const uint32_t ksteps = 8;
            uint32_t rows = shapes[k][0], rb = shapes[k][1];
            uint32_t total = rows * rb;
            if (total + (ksteps + 1) * aw > p->act_bytes) continue;   /* preset too small */
            bm_insn c = I(BM_OP_CONFIG);
            c.bits = 8 > p->max_bits ? p->max_bits : 8; c.terms = (c.bits + 1) / 2; c.dmode = 1;
            c.act_bits = 8; c.gsteps = 2;
            uint32_t wbytes = (ksteps * R * L * c.bits + 7) / 8;
            /* TAB, META, WGT, ACT: the shaped LOAD goes to ACT (enough words) */
            bm_insn l = I(BM_OP_LOAD); l.sp = BM_SP_META; l.rows = 1; l.row_bytes = 2 * R * 4;
            l.dram_off = 100; prog[n++] = l;
            l = I(BM_OP_LOAD); l.sp = BM_SP_WGT; l.rows = 1; l.row_bytes = wbytes; l.dram_off = 7;
            prog[n++] = l;
            l = I(BM_OP_LOAD); l.sp = BM_SP_ACT; l.rows = rows; l.row_bytes = rb;
            l.dram_off = shapes[k][2]; l.dram_stride = rb + 3 * (k & 1); l.push_next = 1;
            if (total < ksteps * aw) { l.row_bytes = rb; }
            prog[n++] = l;
            uint32_t words = total / aw;
            if (words < ksteps) {   /* top up the ACT words the COMPUTE reads */
                bm_insn t = I(BM_OP_LOAD); t.sp = BM_SP_ACT; t.rows = 1;
                t.sp_addr = total; t.row_bytes = ksteps * aw - total + aw; t.dram_off = 9;
                prog[n - 1].push_next = 0; t.push_next = 1; prog[n++] = t;
            }
            prog[n++] = c;
            bm_insn x = I(BM_OP_COMPUTE); x.ksteps = ksteps; x.reps = 1; x.pop_prev = 1;
            x.push_next = 1; prog[n++] = x;
            bm_insn st = I(BM_OP_STORE); st.base = 1; st.rows = C; st.row_bytes = 4 * R;
            st.sp_stride = R; st.dram_off = shapes[k][2] % 4096; st.dram_stride = 4 * R + 5;
            st.pop_prev = 1; prog[n++] = st;
            st = I(BM_OP_STORE); st.base = 1; st.rows = 1; st.row_bytes = 4 * R * C;
            st.dram_off = 0x9000 - 7; prog[n++] = st;   /* crosses 4 KiB */
            prog[n++] = I(BM_OP_FINISH);
            for (int i = 0; i < n; i++) bm_insn_encode(&prog[i], mem + 0x800 + 16 * i);
            uint64_t base[4] = {MB + GEN_IN_OFF, MB + GEN_OUT_OFF, MB, MB};
            bm_run_result er; rtl_run rr;
            int bad = rtl_compare(p, s, MB, GEN_MEM_BYTES, lat[m], bpc[m], MB + 0x800, (uint32_t)n,
                                  base, &er, &rr);
            CHECK(!bad && !er.hw_error, "model lat %u bpc %u shape %u: mismatch (%s)", lat[m], bpc[m],
                  k, er.msg);
        }
        bm_sim_free(s);
    }
    return bm_test_done("rtl_dma");
}
