/* usb:// backend end to end over the in-process bridge model (usb://mem):
 * open + ID check through the protocol, buffers from the board heap, memory
 * round trips, and a run through bm_kernel_run() (ap_ctrl_hs over framed
 * register accesses) whose STATUS/counters come back from the model. Also a
 * faulty link under the backend. */
#include <stdlib.h>

#include "bm_test.h"
#include "bm_insn.h"
#include "bm_isa.h"
#include "bm_regs.h"
#include "../../driver/usb/bm_bridge.h"
#include "../../driver/usb/bm_usb.h"

static void run_finish(const bm_backend *be, void *d, const char *what)
{
    bm_err e = {0};
    uint64_t prog = 0, data = 0;
    CHECK_EQ_INT(be->mem_alloc(d, 4096, &prog, &e), BM_OK);
    CHECK_EQ_INT(be->mem_alloc(d, 3 << 20, &data, &e), BM_OK);
    CHECK(prog != data, "%s: distinct buffers", what);
    uint8_t insn[BM_INSN_BYTES];
    bm_insn fin;
    memset(&fin, 0, sizeof fin);
    fin.op = BM_OP_FINISH;
    CHECK_EQ_INT(bm_insn_encode(&fin, insn), BM_OK);
    CHECK_EQ_INT(be->mem_write(d, prog, insn, sizeof insn, &e), BM_OK);

    static uint8_t w[3 << 20], r[3 << 20];
    for (size_t i = 0; i < sizeof w; i++)
        w[i] = (uint8_t)(i * 31 + (i >> 12));
    CHECK_EQ_INT(be->mem_write(d, data, w, sizeof w, &e), BM_OK);
    CHECK_EQ_INT(be->mem_read(d, data, r, sizeof r, &e), BM_OK);
    CHECK(memcmp(w, r, sizeof w) == 0, "%s: 3 MiB round trip", what);

    bm_run_args a = {.insn_addr = prog, .insn_count = 1, .base = {data, data, data, data}};
    bm_run_result res;
    int rc = bm_kernel_run(be, d, &a, 5000, &res, &e);
    CHECK(rc == BM_OK, "%s: run: %s", what, e.msg);
    CHECK_EQ_INT(res.hw_error, 0);
    CHECK_EQ_INT(res.counters[BM_CNT_INSNS], 1);
    CHECK(res.counters[BM_CNT_CYCLES] > 0, "%s: cycles counted", what);
    /* no FINISH within insn_count: the model reports NO_FINISH in STATUS */
    a.insn_count = 0;
    rc = bm_kernel_run(be, d, &a, 5000, &res, &e);
    CHECK(rc == BM_OK && res.hw_error == BM_HWERR_NO_FINISH, "%s: NO_FINISH: rc %d hw_error %d", what, rc,
          res.hw_error);
    printf("  %s: run ok, cycles %llu, then hw_error %d (%s)\n", what,
           (unsigned long long)res.counters[BM_CNT_CYCLES], res.hw_error, res.msg);
    be->mem_free(d, data);
    be->mem_free(d, prog);
}

int main(void)
{
    const bm_backend *be = bm_backend_find("usb");
    CHECK(be == &bm_backend_usb, "registry offers usb");
    bm_dev_info info;
    void *d = NULL;
    bm_err e = {0};
    int rc = bm_backend_usb.open("mem", NULL, &d, &info, &e);
    CHECK(rc == BM_OK, "open usb://mem: %s", e.msg);
    if (!rc) {
        printf("  %s: %s\n", info.backend, info.desc);
        CHECK_EQ_INT(info.id, BM_ID_MAGIC);
        CHECK(info.preset && strcmp(info.preset->name, "default") == 0, "preset from PRESET_HASH");
        CHECK(info.mem_bytes == 64ull << 20, "board memory from PING");
        uint64_t big;
        CHECK_EQ_INT(bm_backend_usb.mem_alloc(d, 1ull << 30, &big, &e), BM_E_NOMEM);
        run_finish(&bm_backend_usb, d, "clean link");
        bm_backend_usb.close(d);
    }
    CHECK_EQ_INT(bm_backend_usb.open("mem:nosuchpreset", NULL, &d, &info, &e), BM_E_NODEV);

    /* the same over a link that drops and corrupts frames */
    bm_dev_opts o = {.mem_bytes = 8 << 20};
    const bm_preset *odd = bm_preset_find("odd");
    bm_bridge *b = bm_bridge_new(odd, 0x80000000ull, o.mem_bytes);
    bm_mem_faults f = {.corrupt_resp = 9, .drop_req = 13, .bad_seq_resp = 17, .chunk = 510};
    bm_transport t;
    CHECK(b && bm_transport_mem_new(b, &f, &t, &e) == BM_OK, "faulty transport");
    rc = bm_usb_open_transport(t, "mem (faulty)", &d, &info, &e);
    CHECK(rc == BM_OK, "open over faulty link: %s", e.msg);
    if (!rc) {
        CHECK(info.preset == odd || !odd, "odd preset identified");
        run_finish(&bm_backend_usb, d, "faulty link");
        const bm_proto_stats *s = bm_usb_stats(d);
        CHECK(s->retries > 0 && s->crc_errors > 0 && s->seq_rejects > 0, "faults were hit and survived");
        printf("  faulty link: %llu frames, %llu retries\n", (unsigned long long)s->frames,
               (unsigned long long)s->retries);
        bm_backend_usb.close(d);
    }
    /* a USB device whose bridge never answers is not a usable device */
    bm_mem_faults dead = {.drop_req = 1};
    b = bm_bridge_new(NULL, 0x80000000ull, 1 << 20);
    CHECK(b && bm_transport_mem_new(b, &dead, &t, &e) == BM_OK, "dead transport");
    rc = bm_usb_open_transport(t, "mem (dead)", &d, &info, &e);
    CHECK(rc == BM_E_NODEV && strstr(e.msg, "does not answer PING"), "dead bridge: %d %s", rc, e.msg);
    return bm_test_done("test_usb_mem");
}
