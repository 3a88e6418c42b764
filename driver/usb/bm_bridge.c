/* Board-side bridge model and the in-process transport over it (see
 * bm_bridge.h). The register semantics follow docs/registers.md: CTRL bit0
 * ap_start, bit1 ap_done (clear on read), bit2 ap_idle; ID registers from the
 * preset; counters and STATUS from the reference engine's run result. */
#include <stdlib.h>
#include <string.h>

#include "bm_bridge.h"
#include "bm_engine.h"
#include "bm_isa.h"
#include "bm_regs.h"

#define REG_SPACE 0x1000u

struct bm_bridge {
    const bm_preset *p;
    uint64_t base, bytes;
    uint8_t *mem;
    uint32_t regs[REG_SPACE / 4];
    int have_last;
    uint8_t last_seq, last_op;
    uint8_t last[BM_PROTO_MAX_FRAME];
    size_t last_n;
    bm_bridge_stats st;
};

bm_bridge *bm_bridge_new(const bm_preset *p, uint64_t mem_base, uint64_t mem_bytes)
{
    if (!p)
        p = bm_preset_find("default");
    if (!p || !mem_bytes || mem_bytes > SIZE_MAX || mem_base + mem_bytes < mem_base)
        return NULL;
    bm_bridge *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->mem = calloc(1, (size_t)mem_bytes);
    if (!b->mem) {
        free(b);
        return NULL;
    }
    b->p = p;
    b->base = mem_base;
    b->bytes = mem_bytes;
    b->regs[BM_REG_CTRL / 4] = BM_CTRL_IDLE;
    b->regs[BM_REG_ID / 4] = BM_ID_MAGIC;
    b->regs[BM_REG_VERSION / 4] = BM_ISA_VERSION;
    b->regs[BM_REG_ISA_HASH / 4] = BM_ISA_HASH;
    b->regs[BM_REG_PRESET_HASH / 4] = p->hash;
    b->regs[BM_REG_SHAPE / 4] = p->rows | p->cols << 8 | p->lanes << 16 | p->max_bits << 24 | p->max_terms << 28;
    return b;
}

void bm_bridge_free(bm_bridge *b)
{
    if (b)
        free(b->mem);
    free(b);
}

const bm_bridge_stats *bm_bridge_get_stats(const bm_bridge *b)
{
    return &b->st;
}

uint8_t *bm_bridge_mem(bm_bridge *b)
{
    return b->mem;
}

static uint64_t reg64(const bm_bridge *b, uint32_t lo)
{
    return b->regs[lo / 4] | (uint64_t)b->regs[lo / 4 + 1] << 32;
}

/* ap_start: run the program to completion (the model has no notion of time,
 * so ap_done is visible on the next CTRL read). */
static void start(bm_bridge *b)
{
    bm_run_args a = {.insn_addr = reg64(b, BM_REG_INSN_LO), .insn_count = b->regs[BM_REG_INSN_COUNT / 4]};
    static const uint32_t lo[4] = {BM_REG_BASE0_LO, BM_REG_BASE1_LO, BM_REG_BASE2_LO, BM_REG_BASE3_LO};
    for (int i = 0; i < 4; i++)
        a.base[i] = reg64(b, lo[i]);
    bm_engine_opts o = {.mem_latency = b->p->mem_latency, .mem_bpc = b->p->mem_bpc, .max_cycles = 1ull << 32};
    bm_run_result r;
    memset(&r, 0, sizeof r);
    int rc = bm_engine_run(b->p, &o, b->mem, b->base, b->bytes, &a, &r);
    b->regs[BM_REG_STATUS / 4] = rc ? 0xffu : (uint32_t)r.hw_error & 0xffu;
    b->regs[BM_REG_ERR_PC / 4] = r.err_pc;
    for (int i = 0; i < BM_N_COUNTERS; i++)
        b->regs[bm_counter_offsets[i] / 4] = (uint32_t)r.counters[i];
    b->regs[BM_REG_CYCLES_HI / 4] = (uint32_t)(r.counters[BM_CNT_CYCLES] >> 32);
    b->regs[BM_REG_CTRL / 4] = BM_CTRL_DONE | BM_CTRL_IDLE | BM_CTRL_READY;
}

static int reg_ok(uint64_t off)
{
    return off < REG_SPACE && off % 4 == 0;
}

static int mem_ok(const bm_bridge *b, uint64_t addr, uint64_t n)
{
    return addr >= b->base && addr - b->base <= b->bytes && b->bytes - (addr - b->base) >= n;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int bm_bridge_handle(bm_bridge *b, const uint8_t *req, size_t n, uint8_t *resp, size_t *resp_n)
{
    bm_frame q, r;
    size_t used;
    b->st.requests++;
    if (bm_proto_decode(req, n, &q, &used) != BM_OK || used != n || (q.op & BM_PROTO_RESP)) {
        b->st.bad_crc++;
        return 0;
    }
    if (b->have_last && q.seq == b->last_seq && q.op == b->last_op) {
        b->st.replays++; /* a retry: answer again, do not execute twice */
        memcpy(resp, b->last, b->last_n);
        *resp_n = b->last_n;
        return 1;
    }
    b->st.executed++;
    uint8_t pay[BM_PROTO_MAX_PAYLOAD];
    memset(&r, 0, sizeof r);
    r.op = q.op | BM_PROTO_RESP;
    r.seq = q.seq;
    r.addr = q.addr;
    r.len = q.len;
    r.payload = pay;
    switch (q.op) {
    case BM_PROTO_PING:
        memset(pay, 0, BM_PROTO_PING_BYTES);
        put32(pay, BM_PROTO_VERSION);
        put64(pay + 8, b->base);
        put64(pay + 16, b->bytes);
        r.plen = BM_PROTO_PING_BYTES;
        break;
    case BM_PROTO_REG_RD:
        if (!reg_ok(q.addr) || q.len != 4) {
            r.status = reg_ok(q.addr) ? BM_PST_BAD_LEN : BM_PST_BAD_ADDR;
            break;
        }
        put32(pay, b->regs[q.addr / 4]);
        if (q.addr == BM_REG_CTRL) /* ap_done clears on read */
            b->regs[0] &= ~BM_CTRL_DONE;
        r.plen = 4;
        break;
    case BM_PROTO_REG_WR:
        if (!reg_ok(q.addr) || q.len != 4 || q.plen != 4) {
            r.status = reg_ok(q.addr) ? BM_PST_BAD_LEN : BM_PST_BAD_ADDR;
            break;
        }
        if (q.addr >= BM_REG_ID) /* read-only block */
            break;
        {
            uint32_t v = q.payload[0] | q.payload[1] << 8 | q.payload[2] << 16 | (uint32_t)q.payload[3] << 24;
            if (q.addr == BM_REG_CTRL) {
                b->regs[0] = (b->regs[0] & ~BM_CTRL_AUTO_RESTART) | (v & BM_CTRL_AUTO_RESTART);
                if ((v & BM_CTRL_START) && (b->regs[0] & BM_CTRL_IDLE))
                    start(b);
            } else {
                b->regs[q.addr / 4] = v;
            }
        }
        break;
    case BM_PROTO_MEM_RD:
        if (q.len > BM_PROTO_MAX_PAYLOAD) {
            r.status = BM_PST_BAD_LEN;
        } else if (!mem_ok(b, q.addr, q.len)) {
            r.status = BM_PST_BAD_ADDR;
        } else {
            memcpy(pay, b->mem + (q.addr - b->base), q.len);
            r.plen = (uint16_t)q.len;
        }
        break;
    case BM_PROTO_MEM_WR:
        if (q.len != q.plen)
            r.status = BM_PST_BAD_LEN;
        else if (!mem_ok(b, q.addr, q.len))
            r.status = BM_PST_BAD_ADDR;
        else if (q.len)
            memcpy(b->mem + (q.addr - b->base), q.payload, q.len);
        break;
    default:
        r.status = BM_PST_BAD_OP;
    }
    *resp_n = bm_proto_encode(resp, BM_PROTO_MAX_FRAME, &r);
    b->have_last = 1;
    b->last_seq = q.seq;
    b->last_op = q.op;
    memcpy(b->last, resp, *resp_n);
    b->last_n = *resp_n;
    return 1;
}

/* ---- in-process transport ------------------------------------------------ */

typedef struct mem_tp {
    bm_bridge *b;
    bm_mem_faults f;
    unsigned nreq, nresp;
    uint8_t in[BM_PROTO_MAX_FRAME];
    size_t inn;
    uint8_t out[4 * BM_PROTO_MAX_FRAME];
    size_t outn;
} mem_tp;

static int every(unsigned n, unsigned k)
{
    return n && k % n == 0;
}

static void respond(mem_tp *m, const uint8_t *req, size_t n)
{
    uint8_t resp[BM_PROTO_MAX_FRAME];
    size_t rn = 0;
    m->nreq++;
    if (every(m->f.drop_req, m->nreq))
        return;
    uint8_t tmp[BM_PROTO_MAX_FRAME];
    memcpy(tmp, req, n);
    if (every(m->f.corrupt_req, m->nreq))
        tmp[n / 2] ^= 0x5a;
    if (!bm_bridge_handle(m->b, tmp, n, resp, &rn))
        return;
    m->nresp++;
    if (every(m->f.drop_resp, m->nresp))
        return;
    if (every(m->f.corrupt_resp, m->nresp))
        resp[rn - 3] ^= 0x01;
    if (every(m->f.bad_seq_resp, m->nresp)) { /* a well-formed frame that answers something else */
        bm_frame r;
        size_t used;
        if (bm_proto_decode(resp, rn, &r, &used) == BM_OK) {
            uint8_t pay[BM_PROTO_MAX_PAYLOAD];
            memcpy(pay, r.payload, r.plen);
            r.payload = pay;
            r.seq ^= 0x80;
            rn = bm_proto_encode(resp, sizeof resp, &r);
        }
    }
    if (m->outn + rn <= sizeof m->out) {
        memcpy(m->out + m->outn, resp, rn);
        m->outn += rn;
    }
}

static int mem_send(void *ctx, const uint8_t *buf, size_t n, unsigned timeout_ms, bm_err *err)
{
    mem_tp *m = ctx;
    (void)timeout_ms;
    (void)err;
    /* Split the byte stream into frames the way the bridge's deframer would. */
    while (n) {
        size_t k = n < sizeof m->in - m->inn ? n : sizeof m->in - m->inn;
        memcpy(m->in + m->inn, buf, k);
        m->inn += k;
        buf += k;
        n -= k;
        for (;;) {
            bm_frame f;
            size_t used;
            int d = bm_proto_decode(m->in, m->inn, &f, &used);
            if (d == 1)
                break;
            if (d == BM_OK || d == BM_E_IO)
                respond(m, m->in, used); /* a corrupted request is dropped by the bridge */
            memmove(m->in, m->in + used, m->inn - used);
            m->inn -= used;
        }
    }
    return BM_OK;
}

static int mem_recv(void *ctx, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms, bm_err *err)
{
    mem_tp *m = ctx;
    (void)timeout_ms;
    *got = 0;
    if (!m->outn)
        return bm_fail(err, BM_E_TIMEOUT, "mem transport: no response pending");
    size_t k = m->outn < cap ? m->outn : cap;
    if (m->f.chunk && k > m->f.chunk)
        k = m->f.chunk;
    memcpy(buf, m->out, k);
    memmove(m->out, m->out + k, m->outn - k);
    m->outn -= k;
    *got = k;
    return BM_OK;
}

static void mem_close(void *ctx)
{
    mem_tp *m = ctx;
    if (m)
        bm_bridge_free(m->b);
    free(m);
}

int bm_transport_mem_new(bm_bridge *b, const bm_mem_faults *faults, bm_transport *t, bm_err *err)
{
    mem_tp *m = calloc(1, sizeof *m);
    if (!m) {
        bm_bridge_free(b);
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    }
    m->b = b;
    if (faults)
        m->f = *faults;
    *t = (bm_transport){.ctx = m, .send = mem_send, .recv = mem_recv, .close = mem_close, .name = "mem"};
    return BM_OK;
}
