/* Error paths through the runtime on ref:// and sim://: an illegal opcode, a
 * deadlock and a scratchpad overrun end with BM_E_DEVICE naming the error and
 * the instruction, identically on both; a program that outlives its timeout
 * gives BM_E_TIMEOUT on sim:// (wall-clock) without hanging the host; a
 * missing backend, preset or library gives BM_E_NODEV. */
#include "bm_test.h"
#include "bitmill.h"
#include "bm_insn.h"
#include "emit/bm_prog.h"

static bm_insn I(int op) { bm_insn in = {0}; in.op = (uint8_t)op; return in; }

static int run_prog(bm_dev *d, bm_prog *pg, uint64_t timeout_ms, bm_run_result *r, bm_err *err)
{
    uint64_t a;
    int rc = bm_buf_alloc(d, (uint64_t)pg->n * 16, &a, err);
    if (!rc) rc = bm_buf_write(d, a, pg->bytes, (uint64_t)pg->n * 16, err);
    bm_run_args args = {a, pg->n, {a, a, a, a}};
    if (!rc) rc = bm_dev_run(d, &args, timeout_ms, r, err);
    bm_buf_free(d, a);
    return rc;
}

int main(void)
{
    bm_err err = {0};
    const char *uris[] = {"ref://default", "sim://default"};
    CHECK(bm_sim_available("default"), "Verilator model for default not built (make sim-lib)");
    for (int u = 0; u < 2; u++) {
        bm_dev *d;
        int rc = bm_dev_open(uris[u], NULL, &d, &err);
        CHECK(rc == BM_OK, "%s: %s", uris[u], err.msg);
        if (rc) continue;
        bm_insn nop = I(BM_OP_NOP), fin = I(BM_OP_FINISH);
        nop.queue = 1;
        bm_run_result r;
        /* Undefined opcode at instruction 2. */
        bm_prog pg;
        bm_prog_init(&pg);
        bm_prog_add(&pg, &nop); bm_prog_add(&pg, &nop); bm_prog_add(&pg, &fin);
        pg.bytes[32] = 0x0E;
        rc = run_prog(d, &pg, 5000, &r, &err);
        CHECK(rc == BM_E_DEVICE && r.hw_error == BM_HWERR_OPCODE && r.err_pc == 2, "%s opcode: rc %d hw %d pc %u",
              uris[u], rc, r.hw_error, r.err_pc);
        CHECK(strstr(err.msg, "OPCODE") && strstr(err.msg, "instruction 2"), "message: %s", err.msg);
        bm_prog_free(&pg);
        /* Deadlock: COMPUTE waits for a LOAD token that never comes. */
        bm_prog_init(&pg);
        bm_insn dl = nop; dl.pop_prev = 1;
        bm_prog_add(&pg, &nop); bm_prog_add(&pg, &dl); bm_prog_add(&pg, &fin);
        rc = run_prog(d, &pg, 5000, &r, &err);
        CHECK(rc == BM_E_DEVICE && r.hw_error == BM_HWERR_DEADLOCK && r.err_pc == 1, "%s deadlock: rc %d hw %d pc %u",
              uris[u], rc, r.hw_error, r.err_pc);
        bm_prog_free(&pg);
        /* Scratchpad overrun. */
        bm_prog_init(&pg);
        bm_insn ld = I(BM_OP_LOAD);
        ld.sp = BM_SP_WGT; ld.rows = 2; ld.row_bytes = 65535; ld.dram_stride = 16;
        bm_prog_add(&pg, &ld); bm_prog_add(&pg, &fin);
        rc = run_prog(d, &pg, 5000, &r, &err);
        CHECK(rc == BM_E_DEVICE && r.hw_error == BM_HWERR_SP_RANGE && r.err_pc == 0, "%s sp range: rc %d hw %d",
              uris[u], rc, r.hw_error);
        bm_prog_free(&pg);
        /* The device still works after errors. */
        bm_prog_init(&pg);
        bm_prog_add(&pg, &nop); bm_prog_add(&pg, &fin);
        rc = run_prog(d, &pg, 5000, &r, &err);
        CHECK(rc == BM_OK && r.hw_error == 0, "%s after errors: %s", uris[u], err.msg);
        bm_prog_free(&pg);
        if (u == 1) {
            /* A legal program far longer than its timeout: 64 COMPUTEs of 60
             * tiles x 2000 INT8 steps (~3e7 cycles) with a 200 ms budget. */
            bm_prog_init(&pg);
            bm_insn cf = I(BM_OP_CONFIG);
            cf.bits = 8; cf.terms = 4; cf.dmode = 1; cf.act_bits = 8; cf.gsteps = 1000;
            bm_insn cp = I(BM_OP_COMPUTE);
            cp.ksteps = 2000; cp.reps = 60; cp.wrestart = 1;
            bm_prog_add(&pg, &cf);
            for (int i = 0; i < 64; i++) bm_prog_add(&pg, &cp);
            bm_prog_add(&pg, &fin);
            rc = run_prog(d, &pg, 200, &r, &err);
            CHECK(rc == BM_E_TIMEOUT && strstr(err.msg, "200 ms"), "timeout: rc %d %s", rc, err.msg);
            bm_prog_free(&pg);
        }
        bm_dev_close(d);
    }
    bm_dev *d;
    CHECK_EQ_INT(bm_dev_open("sim://nosuch", NULL, &d, &err), BM_E_NODEV);
    CHECK_EQ_INT(bm_dev_open("warp://0", NULL, &d, &err), BM_E_NODEV);
    CHECK(strstr(err.msg, "warp") != NULL, "%s", err.msg);
    CHECK_EQ_INT(bm_dev_open("nodevice", NULL, &d, &err), BM_E_INVAL);
    return bm_test_done("test_e2e_errors");
}
