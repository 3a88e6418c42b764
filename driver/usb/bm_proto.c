/* Host side of the framed bridge protocol (frame layout in bm_proto.h):
 * encode/decode, CRC-32, and request/response with retries over any
 * bm_transport. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bm_proto.h"

struct bm_proto {
    bm_transport t;
    unsigned timeout_ms, retries, max_payload;
    uint8_t seq;
    uint8_t tx[BM_PROTO_MAX_FRAME];
    uint8_t rx[2 * BM_PROTO_MAX_FRAME];
    size_t rxn;
    bm_proto_stats st;
};

/* Bitwise: frames are short and this keeps the driver free of shared
 * tables. Same polynomial and result as zlib's crc32(). */
uint32_t bm_proto_crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

size_t bm_proto_encode(uint8_t *buf, size_t cap, const bm_frame *f)
{
    size_t n = BM_PROTO_HDR + (size_t)f->plen + BM_PROTO_CRC;
    if (f->plen > BM_PROTO_MAX_PAYLOAD || n > cap || (f->plen && !f->payload))
        return 0;
    buf[0] = BM_PROTO_SYNC;
    buf[1] = f->op;
    buf[2] = f->seq;
    buf[3] = f->status;
    put_le(buf + 4, f->addr, 8);
    put_le(buf + 12, f->len, 4);
    put_le(buf + 16, f->plen, 2);
    if (f->plen)
        memcpy(buf + BM_PROTO_HDR, f->payload, f->plen);
    put_le(buf + BM_PROTO_HDR + f->plen, bm_proto_crc32(buf, BM_PROTO_HDR + f->plen), 4);
    return n;
}

int bm_proto_decode(const uint8_t *buf, size_t n, bm_frame *f, size_t *used)
{
    *used = 0;
    if (n == 0)
        return 1;
    if (buf[0] != BM_PROTO_SYNC) {
        size_t i = 1;
        while (i < n && buf[i] != BM_PROTO_SYNC)
            i++;
        *used = i;
        return BM_E_FORMAT;
    }
    if (n < BM_PROTO_HDR)
        return 1;
    uint16_t plen = (uint16_t)get_le(buf + 16, 2);
    if (plen > BM_PROTO_MAX_PAYLOAD) {
        *used = 1;
        return BM_E_FORMAT;
    }
    size_t total = BM_PROTO_HDR + (size_t)plen + BM_PROTO_CRC;
    if (n < total)
        return 1;
    if ((uint32_t)get_le(buf + BM_PROTO_HDR + plen, 4) != bm_proto_crc32(buf, BM_PROTO_HDR + plen)) {
        *used = total;
        return BM_E_IO;
    }
    f->op = buf[1];
    f->seq = buf[2];
    f->status = buf[3];
    f->addr = get_le(buf + 4, 8);
    f->len = (uint32_t)get_le(buf + 12, 4);
    f->plen = plen;
    f->payload = buf + BM_PROTO_HDR;
    *used = total;
    return BM_OK;
}

bm_proto *bm_proto_new(bm_transport t, unsigned timeout_ms, unsigned retries, unsigned max_payload)
{
    bm_proto *p = calloc(1, sizeof *p);
    if (!p) {
        if (t.close)
            t.close(t.ctx);
        return NULL;
    }
    p->t = t;
    p->timeout_ms = timeout_ms ? timeout_ms : 1;
    p->retries = retries;
    p->max_payload = max_payload && max_payload < BM_PROTO_MAX_PAYLOAD ? max_payload : BM_PROTO_MAX_PAYLOAD;
    return p;
}

void bm_proto_free(bm_proto *p)
{
    if (!p)
        return;
    if (p->t.close)
        p->t.close(p->t.ctx);
    free(p);
}

const bm_proto_stats *bm_proto_get_stats(const bm_proto *p)
{
    return &p->st;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *op_name(uint8_t op)
{
    static const char *const n[] = {"?", "PING", "REG_RD", "REG_WR", "MEM_RD", "MEM_WR"};
    return op < 6 ? n[op] : "?";
}

/* Why one attempt failed. */
enum { FAIL_NONE, FAIL_TIMEOUT, FAIL_CRC, FAIL_SEQ };

/* Wait for the response to the request in p->tx (sequence `seq`). */
static int await(bm_proto *p, uint8_t op, uint8_t seq, bm_frame *resp, size_t *hold, int *why, bm_err *err)
{
    uint64_t deadline = now_ms() + p->timeout_ms;
    for (;;) {
        while (p->rxn) {
            size_t used;
            int d = bm_proto_decode(p->rx, p->rxn, resp, &used);
            if (d == 1)
                break;
            if (d == BM_E_IO) { /* corrupted response: drop what we have, resend */
                p->st.crc_errors++;
                p->rxn = 0;
                *why = FAIL_CRC;
                return 1;
            }
            if (d == BM_OK && (resp->op != (op | BM_PROTO_RESP) || resp->seq != seq)) {
                p->st.seq_rejects++; /* stale or foreign response */
                *why = FAIL_SEQ;
                d = BM_E_FORMAT;
            }
            if (d == BM_OK) {
                *hold = used; /* resp->payload points into rx until xact drops it */
                return 0;
            }
            memmove(p->rx, p->rx + used, p->rxn - used);
            p->rxn -= used;
        }
        if (p->rxn == sizeof p->rx) /* cannot happen with valid frames; resync */
            p->rxn = 0;
        uint64_t t = now_ms();
        if (t >= deadline) {
            /* A partial frame left now is garbage (e.g. a corrupted length
             * field still waiting for bytes); the retry gets a fresh copy. */
            p->rxn = 0;
            p->st.timeouts++;
            if (*why == FAIL_NONE)
                *why = FAIL_TIMEOUT;
            return 1;
        }
        size_t got = 0;
        int rc = p->t.recv(p->t.ctx, p->rx + p->rxn, sizeof p->rx - p->rxn, &got,
                           (unsigned)(deadline - t), err);
        if (rc == BM_E_TIMEOUT) {
            p->rxn = 0;
            p->st.timeouts++;
            if (*why == FAIL_NONE)
                *why = FAIL_TIMEOUT;
            return 1;
        }
        if (rc)
            return rc;
        p->rxn += got;
    }
}

/* Status and size of a matching response; copies its payload to out. */
static int check(const bm_frame *req, const bm_frame *r, void *out, size_t want, bm_err *err)
{
    if (r->status == BM_PST_BAD_ADDR)
        return bm_fail(err, BM_E_RANGE, "usb: bridge rejected %s at 0x%llx (+%u): bad address",
                       op_name(req->op), (unsigned long long)req->addr, req->len);
    if (r->status == BM_PST_BAD_LEN)
        return bm_fail(err, BM_E_INVAL, "usb: bridge rejected %s length %u", op_name(req->op), req->len);
    if (r->status != BM_PST_OK)
        return bm_fail(err, BM_E_UNSUPP, "usb: bridge answered %s with status %u", op_name(req->op), r->status);
    if (r->plen != want)
        return bm_fail(err, BM_E_IO, "usb: %s response carries %u bytes, expected %zu", op_name(req->op),
                       r->plen, want);
    if (want)
        memcpy(out, r->payload, want);
    return BM_OK;
}

/* One request/response with retries. The response payload (exactly
 * `want` bytes) is copied to out. */
static int xact(bm_proto *p, bm_frame *req, void *out, size_t want, bm_err *err)
{
    req->seq = ++p->seq;
    req->status = 0;
    size_t n = bm_proto_encode(p->tx, sizeof p->tx, req);
    if (!n)
        return bm_fail(err, BM_E_INVAL, "usb: %s request of %u payload bytes does not fit a frame",
                       op_name(req->op), req->plen);
    int why = FAIL_NONE;
    p->st.frames++;
    for (unsigned attempt = 0; attempt <= p->retries; attempt++) {
        if (attempt)
            p->st.retries++;
        int rc = p->t.send(p->t.ctx, p->tx, n, p->timeout_ms, err);
        if (rc == BM_E_TIMEOUT) {
            p->st.timeouts++;
            why = FAIL_TIMEOUT;
            continue;
        }
        if (rc)
            return rc;
        bm_frame r;
        size_t hold = 0;
        why = FAIL_NONE;
        rc = await(p, req->op, req->seq, &r, &hold, &why, err);
        if (rc == 1)
            continue;
        if (rc)
            return rc;
        rc = check(req, &r, out, want, err);
        memmove(p->rx, p->rx + hold, p->rxn - hold);
        p->rxn -= hold;
        return rc;
    }
    if (why == FAIL_CRC)
        return bm_fail(err, BM_E_IO, "usb: %s: CRC error on all %u attempts", op_name(req->op), p->retries + 1);
    if (why == FAIL_SEQ)
        return bm_fail(err, BM_E_IO, "usb: %s: only responses with a wrong sequence number (%u attempts)",
                       op_name(req->op), p->retries + 1);
    return bm_fail(err, BM_E_TIMEOUT, "usb: %s: no response within %u ms (%u attempts)", op_name(req->op),
                   p->timeout_ms, p->retries + 1);
}

int bm_proto_ping(bm_proto *p, bm_board_info *bi, bm_err *err)
{
    bm_frame f = {.op = BM_PROTO_PING, .len = BM_PROTO_PING_BYTES};
    uint8_t v[BM_PROTO_PING_BYTES];
    int rc = xact(p, &f, v, sizeof v, err);
    if (!rc && bi) {
        bi->version = (uint32_t)get_le(v, 4);
        bi->mem_base = get_le(v + 8, 8);
        bi->mem_bytes = get_le(v + 16, 8);
    }
    return rc;
}

int bm_proto_reg_read(bm_proto *p, uint32_t off, uint32_t *v, bm_err *err)
{
    bm_frame f = {.op = BM_PROTO_REG_RD, .addr = off, .len = 4};
    uint8_t b[4];
    int rc = xact(p, &f, b, 4, err);
    if (!rc)
        *v = (uint32_t)get_le(b, 4);
    return rc;
}

int bm_proto_reg_write(bm_proto *p, uint32_t off, uint32_t v, bm_err *err)
{
    uint8_t b[4];
    put_le(b, v, 4);
    bm_frame f = {.op = BM_PROTO_REG_WR, .addr = off, .len = 4, .plen = 4, .payload = b};
    return xact(p, &f, NULL, 0, err);
}

int bm_proto_mem_read(bm_proto *p, uint64_t addr, void *dst, uint64_t n, bm_err *err)
{
    uint8_t *d = dst;
    while (n) {
        uint32_t k = n < p->max_payload ? (uint32_t)n : p->max_payload;
        bm_frame f = {.op = BM_PROTO_MEM_RD, .addr = addr, .len = k};
        int rc = xact(p, &f, d, k, err);
        if (rc)
            return rc;
        d += k;
        addr += k;
        n -= k;
    }
    return BM_OK;
}

int bm_proto_mem_write(bm_proto *p, uint64_t addr, const void *src, uint64_t n, bm_err *err)
{
    const uint8_t *s = src;
    while (n) {
        uint32_t k = n < p->max_payload ? (uint32_t)n : p->max_payload;
        bm_frame f = {.op = BM_PROTO_MEM_WR, .addr = addr, .len = k, .plen = (uint16_t)k, .payload = s};
        int rc = xact(p, &f, NULL, 0, err);
        if (rc)
            return rc;
        s += k;
        addr += k;
        n -= k;
    }
    return BM_OK;
}
