/* test_ice40_bridge: the iCE40 board top (UART bridge + board memory +
 * bm_top, preset ice40) in Verilator, driven through its UART pins by the
 * real host protocol code (driver/usb/bm_proto.c) over a simulation
 * bm_transport: PING, the ID registers, register and memory round trips,
 * error statuses, retries after corrupted/lost/truncated frames (the bridge's
 * replay cache and idle timeout), tiny compiled programs whose results must
 * equal the reference engine's, and the whole usb:// backend opening the
 * board. Seeded: BM_SEED=N reproduces. */
#include <stdlib.h>

#include "bm_test.h"
#include "bm_engine.h"
#include "bm_insn.h"
#include "bm_isa.h"
#include "bm_regs.h"
#include "ice40_sim.h"
#include "pack/bm_pack.h"
#include "sched/bm_sched.h"
#include "usb/bm_proto.h"
#include "usb/bm_usb.h"

#define MEM_BASE 0x80000000ull
#define MEM_BYTES (128u * 1024 - 4096) /* 4 SPRAMs minus the staging ring */
#define QUIET 400000u                  /* cycles of silence = no answer (> bridge idle timeout) */

static uint64_t rng;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* ---- simulation transport with fault injection -------------------------- */

typedef struct sim_tp {
    ice40_sim *s;
    unsigned corrupt_next; /* flip a bit in the next request */
    unsigned truncate_next; /* send only the first half of the next request */
    unsigned drop_next_resp; /* swallow the next response */
    unsigned nsend;
} sim_tp;

static int tp_send(void *ctx, const uint8_t *buf, size_t n, unsigned timeout_ms, bm_err *err)
{
    sim_tp *t = ctx;
    (void)timeout_ms;
    (void)err;
    t->nsend++;
    if (t->corrupt_next) {
        t->corrupt_next = 0;
        uint8_t tmp[BM_PROTO_MAX_FRAME];
        memcpy(tmp, buf, n);
        tmp[n / 2] ^= 0x10;
        ice40_sim_send(t->s, tmp, n);
        return BM_OK;
    }
    if (t->truncate_next) {
        t->truncate_next = 0;
        ice40_sim_send(t->s, buf, n / 2);
        return BM_OK;
    }
    ice40_sim_send(t->s, buf, n);
    return BM_OK;
}

static int tp_recv(void *ctx, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms, bm_err *err)
{
    sim_tp *t = ctx;
    (void)timeout_ms; /* simulated time: silence for QUIET cycles is a timeout */
    *got = ice40_sim_recv(t->s, buf, cap, QUIET);
    if (*got && t->drop_next_resp) {
        t->drop_next_resp = 0;
        *got = 0;
    }
    if (!*got)
        return bm_fail(err, BM_E_TIMEOUT, "ice40 sim: no answer within %u cycles", QUIET);
    return BM_OK;
}

static bm_transport transport(sim_tp *t, void (*close)(void *))
{
    return (bm_transport){.ctx = t, .send = tp_send, .recv = tp_recv, .close = close, .name = "ice40-sim"};
}

/* ---- raw frames: statuses the host API never provokes ------------------- */

static int raw(sim_tp *t, uint8_t op, uint64_t addr, uint32_t len, const uint8_t *pay, uint16_t plen,
               uint8_t seq, bm_frame *r, uint8_t *rbuf)
{
    uint8_t f[BM_PROTO_MAX_FRAME];
    bm_frame q = {.op = op, .seq = seq, .addr = addr, .len = len, .plen = plen, .payload = pay};
    size_t n = bm_proto_encode(f, sizeof f, &q);
    ice40_sim_send(t->s, f, n);
    size_t got = 0, used = 0;
    for (;;) {
        size_t k = ice40_sim_recv(t->s, rbuf + got, BM_PROTO_MAX_FRAME - got, QUIET);
        if (!k)
            return -1;
        got += k;
        int d = bm_proto_decode(rbuf, got, r, &used);
        if (d != 1)
            return d == BM_OK && used == got ? 0 : -2;
    }
}

static void test_raw(sim_tp *t)
{
    bm_frame r;
    static uint8_t rb[BM_PROTO_MAX_FRAME];
    uint8_t four[4] = {1, 2, 3, 4};
    CHECK(raw(t, 9, 0, 0, NULL, 0, 200, &r, rb) == 0 && r.status == BM_PST_BAD_OP && r.op == (9 | BM_PROTO_RESP) &&
              r.seq == 200,
          "unknown opcode -> BAD_OP (status %u)", r.status);
    CHECK(raw(t, BM_PROTO_MEM_RD, MEM_BASE, 5000, NULL, 0, 201, &r, rb) == 0 && r.status == BM_PST_BAD_LEN &&
              r.plen == 0,
          "MEM_RD of 5000 bytes -> BAD_LEN (status %u)", r.status);
    CHECK(raw(t, BM_PROTO_REG_WR, BM_REG_GIE, 4, four, 2, 202, &r, rb) == 0 && r.status == BM_PST_BAD_LEN,
          "REG_WR with 2 payload bytes -> BAD_LEN (status %u)", r.status);
    CHECK(raw(t, BM_PROTO_MEM_WR, MEM_BASE, 8, four, 4, 203, &r, rb) == 0 && r.status == BM_PST_BAD_LEN,
          "MEM_WR len != payload -> BAD_LEN (status %u)", r.status);
    CHECK(raw(t, BM_PROTO_REG_RD, BM_REG_ID, 4, NULL, 0, 204, &r, rb) == 0 && r.status == 0 && r.plen == 4 &&
              r.addr == BM_REG_ID && r.len == 4 &&
              (uint32_t)(r.payload[0] | r.payload[1] << 8 | r.payload[2] << 16 | (uint32_t)r.payload[3] << 24) ==
                  BM_ID_MAGIC,
          "raw REG_RD ID echoes addr/len and carries the magic");
    /* a response-opcode frame and a frame with a bad CRC get no answer */
    uint8_t f[64];
    bm_frame q = {.op = BM_PROTO_PING | BM_PROTO_RESP, .seq = 205};
    size_t n = bm_proto_encode(f, sizeof f, &q);
    ice40_sim_send(t->s, f, n);
    CHECK(ice40_sim_recv(t->s, rb, sizeof rb, QUIET) == 0, "response opcode ignored");
    q.op = BM_PROTO_PING;
    n = bm_proto_encode(f, sizeof f, &q);
    f[n - 1] ^= 1;
    ice40_sim_send(t->s, f, n);
    CHECK(ice40_sim_recv(t->s, rb, sizeof rb, QUIET) == 0, "bad CRC ignored");
    /* garbage before a frame: the bridge hunts for the sync byte */
    uint8_t junk[5] = {0x00, 0x42, 0xff, 0x13, 0x37};
    ice40_sim_send(t->s, junk, sizeof junk);
    CHECK(raw(t, BM_PROTO_PING, 0, 24, NULL, 0, 206, &r, rb) == 0 && r.status == 0 && r.plen == 24,
          "PING after line garbage");
}

/* ---- registers and memory through bm_proto ------------------------------ */

static void test_regs(bm_proto *p, const bm_preset *pre)
{
    bm_err e = {0};
    bm_board_info bi;
    CHECK(bm_proto_ping(p, &bi, &e) == BM_OK, "ping: %s", e.msg);
    CHECK_EQ_INT(bi.version, BM_PROTO_VERSION);
    CHECK_EQ_INT(bi.mem_base, MEM_BASE);
    CHECK_EQ_INT(bi.mem_bytes, MEM_BYTES);
    uint32_t v = 0;
    CHECK(bm_proto_reg_read(p, BM_REG_ID, &v, &e) == BM_OK && v == BM_ID_MAGIC, "ID 0x%08x: %s", v, e.msg);
    CHECK(bm_proto_reg_read(p, BM_REG_VERSION, &v, &e) == BM_OK && v == BM_ISA_VERSION, "VERSION %u", v);
    CHECK(bm_proto_reg_read(p, BM_REG_ISA_HASH, &v, &e) == BM_OK && v == BM_ISA_HASH, "ISA_HASH 0x%08x", v);
    CHECK(bm_proto_reg_read(p, BM_REG_PRESET_HASH, &v, &e) == BM_OK && v == pre->hash, "PRESET_HASH 0x%08x", v);
    uint32_t shape = pre->rows | pre->cols << 8 | pre->lanes << 16 | pre->max_bits << 24 | (uint32_t)pre->max_terms << 28;
    CHECK(bm_proto_reg_read(p, BM_REG_SHAPE, &v, &e) == BM_OK && v == shape, "SHAPE 0x%08x", v);
    CHECK(bm_proto_reg_read(p, BM_REG_CTRL, &v, &e) == BM_OK && (v & BM_CTRL_IDLE), "CTRL idle 0x%x", v);
    for (int i = 0; i < 4; i++) {
        uint32_t w = rnd();
        CHECK(bm_proto_reg_write(p, BM_REG_BASE0_LO + 8 * i, w, &e) == BM_OK, "write BASE%d", i);
        CHECK(bm_proto_reg_read(p, BM_REG_BASE0_LO + 8 * i, &v, &e) == BM_OK && v == w, "BASE%d 0x%08x", i, v);
    }
    CHECK(bm_proto_reg_write(p, BM_REG_ID, 0, &e) == BM_OK, "write to read-only ID accepted");
    CHECK(bm_proto_reg_read(p, BM_REG_ID, &v, &e) == BM_OK && v == BM_ID_MAGIC, "ID unchanged");
    CHECK(bm_proto_reg_read(p, 0x1000, &v, &e) == BM_E_RANGE, "REG_RD 0x1000: %s", e.msg);
    CHECK(bm_proto_reg_read(p, 0x12, &v, &e) == BM_E_RANGE, "REG_RD unaligned: %s", e.msg);
}

static int read_check(bm_proto *p, const uint8_t *shadow, uint32_t off, uint32_t n)
{
    static uint8_t buf[MEM_BYTES];
    bm_err e = {0};
    if (bm_proto_mem_read(p, MEM_BASE + off, buf, n, &e) != BM_OK) {
        CHECK(0, "read [0x%x, +%u): %s", off, n, e.msg);
        return 1;
    }
    for (uint32_t k = 0; k < n; k++)
        if (buf[k] != shadow[off + k]) {
            CHECK(0, "read [0x%x, +%u): byte 0x%x is %02x, want %02x", off, n, off + k, buf[k], shadow[off + k]);
            return 1;
        }
    return 0;
}

/* Memory round trips at odd addresses and lengths (whole 4 KiB frames, split
 * transfers, single bytes, the last bytes of the board memory); each written
 * range is read back with 40 bytes around it, so a stray byte-enable shows. */
static void test_mem(bm_proto *p)
{
    bm_err e = {0};
    static uint8_t shadow[MEM_BYTES], buf[8192];
    uint32_t lens[] = {4096, 4096 + 3, 1, 2, 3, 5, 7, 4093, 17, 300, 9};
    uint32_t offs[sizeof lens / sizeof lens[0]];
    int ok = 1, bad = 0;
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        uint32_t n = lens[i];
        uint32_t off = i == 0 ? 0 : 40 + rnd() % (MEM_BYTES - n - 80);
        if (n == 9)
            off = MEM_BYTES - 9;
        offs[i] = off;
        for (uint32_t k = 0; k < n; k++)
            shadow[off + k] = buf[k] = (uint8_t)rnd();
        ok &= bm_proto_mem_write(p, MEM_BASE + off, buf, n, &e) == BM_OK;
    }
    CHECK(ok, "memory writes: %s", e.msg);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0] && !bad; i++) {
        uint32_t lo = offs[i] >= 40 ? offs[i] - 40 : 0, hi = offs[i] + lens[i] + 40;
        bad |= read_check(p, shadow, lo, (hi < MEM_BYTES ? hi : MEM_BYTES) - lo);
    }
    CHECK(!bad, "written ranges read back, neighbours untouched");
    CHECK(read_check(p, shadow, MEM_BYTES - 8192, 8192) == 0, "top 8 KiB read back in one call");
    CHECK(bm_proto_mem_read(p, MEM_BASE + MEM_BYTES - 4, buf, 8, &e) == BM_E_RANGE, "read past the end: %s", e.msg);
    CHECK(bm_proto_mem_write(p, MEM_BASE + MEM_BYTES, buf, 1, &e) == BM_E_RANGE, "staging ring not writable");
    CHECK(bm_proto_mem_read(p, MEM_BASE - 4, buf, 4, &e) == BM_E_RANGE, "below the base");
    CHECK(bm_proto_mem_write(p, MEM_BASE + 100, buf, 0, &e) == BM_OK, "zero-length write");
}

/* Retries: a corrupted request is dropped by the bridge and resent; a lost
 * response is replayed without executing twice (ISR is toggle-on-write, so a
 * second execution would show); a truncated request is abandoned after the
 * bridge's idle timeout. */
static void test_faults(sim_tp *t, bm_proto *p)
{
    bm_err e = {0};
    const bm_proto_stats *st = bm_proto_get_stats(p);
    uint64_t r0 = st->retries;
    uint32_t v = 0;
    CHECK(bm_proto_reg_read(p, BM_REG_ISR, &v, &e) == BM_OK && v == 0, "ISR clear at start");
    t->drop_next_resp = 1;
    CHECK(bm_proto_reg_write(p, BM_REG_ISR, 1, &e) == BM_OK, "ISR toggle with a lost response: %s", e.msg);
    CHECK(bm_proto_reg_read(p, BM_REG_ISR, &v, &e) == BM_OK && v == 1, "toggled once, not twice (ISR %u)", v);
    CHECK(bm_proto_reg_write(p, BM_REG_ISR, 1, &e) == BM_OK && bm_proto_reg_read(p, BM_REG_ISR, &v, &e) == BM_OK &&
              v == 0,
          "ISR back to 0");
    /* a lost response to a CTRL read must return the same value again */
    t->drop_next_resp = 1;
    CHECK(bm_proto_reg_read(p, BM_REG_CTRL, &v, &e) == BM_OK && (v & BM_CTRL_IDLE), "CTRL read replayed: %s", e.msg);
    uint8_t w[600], r[600];
    for (size_t i = 0; i < sizeof w; i++)
        w[i] = (uint8_t)rnd();
    t->corrupt_next = 1;
    CHECK(bm_proto_mem_write(p, MEM_BASE + 0x1001, w, sizeof w, &e) == BM_OK, "write with a corrupted frame: %s",
          e.msg);
    t->truncate_next = 1;
    CHECK(bm_proto_mem_read(p, MEM_BASE + 0x1001, r, sizeof r, &e) == BM_OK && !memcmp(w, r, sizeof r),
          "read after a truncated request: %s", e.msg);
    t->drop_next_resp = 1;
    CHECK(bm_proto_mem_read(p, MEM_BASE + 0x1001, r, sizeof r, &e) == BM_OK && !memcmp(w, r, sizeof r),
          "MEM_RD replayed: %s", e.msg);
    CHECK(st->retries - r0 == 5, "5 retries, %llu seen", (unsigned long long)(st->retries - r0));
}

/* ---- a compiled layer: board vs reference engine ------------------------ */

static void put_args(bm_proto *p, const bm_run_args *a, bm_err *e, int *ok)
{
    *ok &= bm_proto_reg_write(p, BM_REG_INSN_LO, (uint32_t)a->insn_addr, e) == BM_OK;
    *ok &= bm_proto_reg_write(p, BM_REG_INSN_HI, (uint32_t)(a->insn_addr >> 32), e) == BM_OK;
    *ok &= bm_proto_reg_write(p, BM_REG_INSN_COUNT, a->insn_count, e) == BM_OK;
    for (int i = 0; i < 4; i++) {
        *ok &= bm_proto_reg_write(p, BM_REG_BASE0_LO + 8 * i, (uint32_t)a->base[i], e) == BM_OK;
        *ok &= bm_proto_reg_write(p, BM_REG_BASE0_HI + 8 * i, (uint32_t)(a->base[i] >> 32), e) == BM_OK;
    }
}

/* The board preset runs codes of up to max_bits (4): the compiler refuses an
 * 8-bit layer with a message naming the limit, before anything reaches the
 * board. */
static void refuse_wide(const bm_preset *pre)
{
    bm_err e = {0};
    float W[16];
    for (int i = 0; i < 16; i++)
        W[i] = (float)(i - 8) / 8.f;
    bm_qconf qc = {BM_DT_INT, 8, 0, 8, 0, 0};
    bm_qweight q;
    bm_layer_hw hw;
    int rc = bm_quantize_rtn(W, 2, 8, &qc, NULL, "w8", &q, &e);
    CHECK(rc == BM_OK, "quantize INT8: %s", e.msg);
    if (rc)
        return;
    rc = bm_layer_plan(pre, &q, "w8", 8, &hw, &e);
    CHECK(rc != BM_OK && strstr(e.msg, "max_terms"), "INT8 on preset %s refused: rc %d \"%s\"", pre->name,
          rc, e.msg);
    bm_qweight_free(&q);
}

static void run_layer(bm_proto *p, const bm_preset *pre, bm_dtype dt, int bits, int group, int sparse, int N, int K,
                      int M)
{
    bm_err e = {0};
    float *W = malloc(sizeof(float) * (size_t)N * K);
    uint8_t *keep = NULL;
    for (int i = 0; i < N * K; i++)
        W[i] = ((float)(rnd() % 20001) - 10000.f) / 10000.f;
    if (sparse) {
        keep = calloc((size_t)N * K, 1); /* 2 of every 4 along K */
        for (int n = 0; n < N; n++)
            for (int k0 = 0; k0 < K; k0 += 4) {
                int i = (int)(rnd() % 4), j = (i + 1 + (int)(rnd() % 3)) % 4;
                if (k0 + i < K) keep[(size_t)n * K + k0 + i] = 1;
                if (k0 + j < K) keep[(size_t)n * K + k0 + j] = 1;
            }
    }
    bm_qconf qc = {dt, bits, group, 8, 0, 0};
    bm_qweight q;
    bm_layer_hw hw;
    bm_prog pg;
    memset(&pg, 0, sizeof pg);
    int rc = bm_quantize_rtn(W, N, K, &qc, keep, "t", &q, &e);
    CHECK(rc == BM_OK, "quantize: %s", e.msg);
    if (rc) {
        free(W);
        free(keep);
        return;
    }
    rc = bm_layer_plan(pre, &q, "t", 8, &hw, &e);
    CHECK(rc == BM_OK, "plan: %s", e.msg);
    uint8_t *blob = rc ? NULL : calloc(hw.blob_bytes, 1);
    float *rs = malloc(sizeof(float) * (size_t)N);
    if (!rc)
        rc = bm_layer_pack(pre, &q, &hw, blob, rs, &e);
    if (!rc)
        rc = bm_sched_layer(pre, &hw, M, &pg, &e);
    CHECK(rc == BM_OK, "pack/sched: %s", e.msg);
    if (rc) {
        free(blob);
        free(rs);
        bm_qweight_free(&q);
        free(W);
        free(keep);
        return;
    }
    int8_t *x = malloc((size_t)M * K);
    for (int i = 0; i < M * K; i++)
        x[i] = (int8_t)(rnd() % 256 - 128);
    uint64_t ab = bm_act_bytes(pre, &hw, M);
    uint64_t o_a = (hw.blob_bytes + 4095) & ~4095ull, o_o = (o_a + ab + 4095) & ~4095ull,
             o_i = (o_o + (uint64_t)M * N * 4 + 4095) & ~4095ull;
    uint64_t used = o_i + (uint64_t)pg.n * BM_INSN_BYTES;
    CHECK(used <= MEM_BYTES, "layer fits the board memory (%llu bytes)", (unsigned long long)used);
    uint8_t *img = calloc(used, 1), *back = calloc(used, 1);
    memcpy(img, blob, hw.blob_bytes);
    bm_act_pack(pre, &hw, x, M, img + o_a);
    memset(img + o_o, 0x5a, (size_t)M * N * 4); /* outputs must be overwritten */
    memcpy(img + o_i, pg.bytes, (size_t)pg.n * BM_INSN_BYTES);
    bm_run_args a = {MEM_BASE + o_i, pg.n, {MEM_BASE, MEM_BASE + o_a, MEM_BASE + o_o, 0}};

    int ok = bm_proto_mem_write(p, MEM_BASE, img, used, &e) == BM_OK;
    put_args(p, &a, &e, &ok);
    ok &= bm_proto_reg_write(p, BM_REG_CTRL, BM_CTRL_START, &e) == BM_OK;
    uint32_t ctrl = 0;
    int polls = 0;
    while (ok && !(ctrl & BM_CTRL_DONE) && polls++ < 2000)
        ok &= bm_proto_reg_read(p, BM_REG_CTRL, &ctrl, &e) == BM_OK;
    CHECK(ok && (ctrl & BM_CTRL_DONE), "ap_done after %d polls: %s", polls, e.msg);
    uint32_t status = 0, hw_cnt[BM_N_COUNTERS], cyc_hi = 0;
    ok &= bm_proto_reg_read(p, BM_REG_STATUS, &status, &e) == BM_OK;
    for (int i = 0; i < BM_N_COUNTERS; i++)
        ok &= bm_proto_reg_read(p, bm_counter_offsets[i], &hw_cnt[i], &e) == BM_OK;
    ok &= bm_proto_reg_read(p, BM_REG_CYCLES_HI, &cyc_hi, &e) == BM_OK;
    ok &= bm_proto_mem_read(p, MEM_BASE, back, used, &e) == BM_OK;
    CHECK(ok, "run over the bridge: %s", e.msg);

    bm_engine_opts eo = {pre->mem_latency, pre->mem_bpc, 0, 0};
    bm_run_result er;
    rc = bm_engine_run(pre, &eo, img, MEM_BASE, used, &a, &er);
    CHECK(rc == BM_OK && er.hw_error == 0, "engine: rc %d hw_error %d %s", rc, er.hw_error, er.msg);
    CHECK((status & 0xff) == 0, "board STATUS 0x%x", status);
    CHECK(!memcmp(back + o_o, img + o_o, (size_t)M * N * 4), "outputs equal the engine's (dt %d, %d bits, %dx%dx%d)",
          dt, bits, M, N, K);
    CHECK(!memcmp(back, img, used), "whole memory image equals the engine's");
    /* work counters do not depend on memory timing; cycles do (the board's
     * memory is not the engine's latency/bandwidth model) */
    static const int same[] = {BM_CNT_INSNS, BM_CNT_CP_STEP, BM_CNT_FETCH_BEATS, BM_CNT_RD_BEATS,
                               BM_CNT_WR_BEATS};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
        CHECK(hw_cnt[same[i]] == er.counters[same[i]], "counter %s: board %u engine %llu", bm_counter_names[same[i]],
              hw_cnt[same[i]], (unsigned long long)er.counters[same[i]]);
    printf("  layer dt=%d b=%d g=%d sparse=%d %dx%dx%d: %u insns, board %llu cycles, engine %llu (lat %u, bpc %u)\n", dt,
           bits, group, sparse, M, N, K, pg.n, (unsigned long long)hw_cnt[BM_CNT_CYCLES] | (unsigned long long)cyc_hi << 32,
           (unsigned long long)er.counters[BM_CNT_CYCLES], pre->mem_latency, pre->mem_bpc);
    free(img);
    free(back);
    free(x);
    bm_prog_free(&pg);
    free(blob);
    free(rs);
    bm_qweight_free(&q);
    free(W);
    free(keep);
}

/* ---- the usb:// backend over the same wire ------------------------------ */

static void test_backend(ice40_sim *s, const bm_preset *pre)
{
    sim_tp *t = calloc(1, sizeof *t);
    if (!t)
        return;
    t->s = s;
    void *d = NULL;
    bm_dev_info info;
    bm_err e = {0};
    int rc = bm_usb_open_transport(transport(t, free), "ice40-sim", &d, &info, &e);
    CHECK(rc == BM_OK, "usb backend opens the simulated board: %s", e.msg);
    if (rc)
        return;
    printf("  %s: %s\n", info.backend, info.desc);
    CHECK(info.preset == pre, "backend identifies preset %s", info.preset ? info.preset->name : "?");
    CHECK_EQ_INT(info.mem_bytes, MEM_BYTES);
    uint64_t prog = 0;
    CHECK(bm_backend_usb.mem_alloc(d, 64, &prog, &e) == BM_OK, "alloc: %s", e.msg);
    uint8_t insn[BM_INSN_BYTES];
    bm_insn fin;
    memset(&fin, 0, sizeof fin);
    fin.op = BM_OP_FINISH;
    CHECK(bm_insn_encode(&fin, insn) == BM_OK && bm_backend_usb.mem_write(d, prog, insn, sizeof insn, &e) == BM_OK,
          "write FINISH: %s", e.msg);
    bm_run_args a = {.insn_addr = prog, .insn_count = 1, .base = {prog, prog, prog, prog}};
    bm_run_result res;
    rc = bm_kernel_run(&bm_backend_usb, d, &a, 20000, &res, &e);
    CHECK(rc == BM_OK && res.hw_error == 0 && res.counters[BM_CNT_INSNS] == 1, "bm_kernel_run FINISH: rc %d %s", rc,
          e.msg);
    /* an instruction address outside the board memory: AXI SLVERR -> DRAM error */
    a.insn_addr = 0x10000000ull;
    rc = bm_kernel_run(&bm_backend_usb, d, &a, 20000, &res, &e);
    CHECK(rc == BM_OK && res.hw_error == BM_HWERR_DRAM, "fetch outside memory -> DRAM error (%d: %s)", res.hw_error,
          res.msg);
    bm_backend_usb.close(d);
}

int main(void)
{
    rng = bm_test_seed("test_ice40_bridge", 0x1ce40) | 1;
    const bm_preset *pre = bm_preset_find("ice40");
    CHECK(pre != NULL, "preset ice40");
    ice40_sim *s = ice40_sim_new(getenv("BM_TRACE"));
    CHECK(s != NULL, "model");
    if (!pre || !s)
        return bm_test_done("test_ice40_bridge");
    printf("  board: %u Hz, %u baud\n", ice40_sim_clk_hz(), ice40_sim_baud());
    sim_tp tp = {.s = s};
    /* timeouts are simulated (QUIET cycles of silence), so the wall-clock
     * deadline only needs to be long */
    bm_proto *p = bm_proto_new(transport(&tp, NULL), 600000, 3, 0);
    CHECK(p != NULL, "proto");
    if (!p)
        return bm_test_done("test_ice40_bridge");
    test_raw(&tp);
    test_regs(p, pre);
    test_mem(p); /* before anything else writes memory: its shadow starts all zero */
    test_faults(&tp, p);
    run_layer(p, pre, BM_DT_BITMOD, 4, 8, 0, 5, 24, 2);
    run_layer(p, pre, BM_DT_INT, 4, 0, 0, 3, 12, 1);
    run_layer(p, pre, BM_DT_INT_ASYM, 3, 8, 1, 4, 16, 3);
    refuse_wide(pre);
    const bm_proto_stats *st = bm_proto_get_stats(p);
    printf("  %llu frames, %llu retries, %llu simulated cycles (%.2f s of board time)\n",
           (unsigned long long)st->frames, (unsigned long long)st->retries,
           (unsigned long long)ice40_sim_cycles(s), (double)ice40_sim_cycles(s) / ice40_sim_clk_hz());
    bm_proto_free(p);
    test_backend(s, pre);
    CHECK_EQ_INT(ice40_sim_framing_errors(s), 0);
    ice40_sim_free(s);
    return bm_test_done("test_ice40_bridge");
}
