/* USB bridge protocol against the in-process bridge model: frame codec,
 * CRC, retries on corrupted/lost frames (without executing twice), rejected
 * sequence numbers, payload splitting, timeouts, and a seeded random mix of
 * operations and faults checked against a shadow copy of board memory. */
#include <stdlib.h>

#include "bm_test.h"
#include "bm_regs.h"
#include "../../driver/usb/bm_bridge.h"

#define BASE 0x80000000ull
#define BYTES (1u << 20)

static bm_bridge *last_bridge;

static bm_proto *mk(const bm_mem_faults *f, unsigned retries, unsigned max_payload)
{
    bm_transport t;
    bm_err e = {0};
    last_bridge = bm_bridge_new(NULL, BASE, BYTES);
    if (!last_bridge || bm_transport_mem_new(last_bridge, f, &t, &e))
        return NULL;
    return bm_proto_new(t, 100, retries, max_payload);
}

static void test_codec(uint64_t seed)
{
    CHECK_EQ_INT(bm_proto_crc32((const uint8_t *)"123456789", 9), 0xCBF43926u);
    uint8_t buf[BM_PROTO_MAX_FRAME + 8], pay[BM_PROTO_MAX_PAYLOAD];
    srand((unsigned)seed);
    for (int it = 0; it < 200; it++) {
        bm_frame f = {.op = (uint8_t)(1 + rand() % 5) | (it & 1 ? BM_PROTO_RESP : 0), .seq = (uint8_t)rand(),
                      .status = (uint8_t)(rand() % 4), .addr = (uint64_t)rand() << 33 | (uint64_t)rand(),
                      .len = (uint32_t)rand(), .plen = (uint16_t)(it % 7 == 0 ? (int)BM_PROTO_MAX_PAYLOAD : rand() % 300),
                      .payload = pay};
        for (int i = 0; i < f.plen; i++)
            pay[i] = (uint8_t)rand();
        size_t n = bm_proto_encode(buf, sizeof buf, &f);
        CHECK(n == BM_PROTO_HDR + f.plen + BM_PROTO_CRC, "encode size %zu", n);
        bm_frame g;
        size_t used;
        CHECK_EQ_INT(bm_proto_decode(buf, n - 1, &g, &used), 1); /* incomplete */
        CHECK_EQ_INT(bm_proto_decode(buf, n, &g, &used), BM_OK);
        CHECK(used == n && g.op == f.op && g.seq == f.seq && g.status == f.status && g.addr == f.addr &&
                  g.len == f.len && g.plen == f.plen && memcmp(g.payload, pay, f.plen) == 0,
              "round trip %d", it);
        /* A flipped bit anywhere but the sync byte and the payload-length
         * field is a CRC error; in the length field the frame no longer
         * parses (more bytes wanted, or an absurd length). */
        size_t at = 1 + (size_t)rand() % (n - 1);
        buf[at] ^= (uint8_t)(1u << (rand() % 8));
        int d = bm_proto_decode(buf, n, &g, &used);
        if (at == 16 || at == 17)
            CHECK(d != BM_OK, "flip in length field accepted");
        else
            CHECK(d == BM_E_IO, "flip at byte %zu of %zu: decode %d", at, n, d);
    }
    bm_frame big = {.op = BM_PROTO_MEM_WR, .plen = BM_PROTO_MAX_PAYLOAD + 1, .payload = pay};
    CHECK_EQ_INT(bm_proto_encode(buf, sizeof buf, &big), 0);
    uint8_t junk[] = {0x00, 0x11, BM_PROTO_SYNC, 0x22};
    bm_frame g;
    size_t used;
    CHECK_EQ_INT(bm_proto_decode(junk, sizeof junk, &g, &used), BM_E_FORMAT);
    CHECK_EQ_INT(used, 2); /* skips to the next sync byte */
    uint8_t hdr[BM_PROTO_HDR] = {BM_PROTO_SYNC, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    CHECK_EQ_INT(bm_proto_decode(hdr, sizeof hdr, &g, &used), BM_E_FORMAT); /* plen 65535 */
}

static void test_clean(void)
{
    bm_proto *p = mk(NULL, 0, 0);
    bm_err e = {0};
    bm_board_info bi;
    CHECK_EQ_INT(bm_proto_ping(p, &bi, &e), BM_OK);
    CHECK(bi.version == BM_PROTO_VERSION && bi.mem_base == BASE && bi.mem_bytes == BYTES, "ping info");
    uint32_t v = 0;
    CHECK_EQ_INT(bm_proto_reg_read(p, BM_REG_ID, &v, &e), BM_OK);
    CHECK_EQ_INT(v, BM_ID_MAGIC);
    CHECK_EQ_INT(bm_proto_reg_write(p, BM_REG_INSN_COUNT, 0x1234567u, &e), BM_OK);
    CHECK_EQ_INT(bm_proto_reg_read(p, BM_REG_INSN_COUNT, &v, &e), BM_OK);
    CHECK_EQ_INT(v, 0x1234567u);
    CHECK_EQ_INT(bm_proto_reg_read(p, 0x1000, &v, &e), BM_E_RANGE);
    CHECK_EQ_INT(bm_proto_reg_read(p, 0x3, &v, &e), BM_E_RANGE);
    static uint8_t w[10000], r[10000];
    for (size_t i = 0; i < sizeof w; i++)
        w[i] = (uint8_t)(i * 13 + 1);
    uint64_t f0 = bm_proto_get_stats(p)->frames;
    CHECK_EQ_INT(bm_proto_mem_write(p, BASE + 100, w, sizeof w, &e), BM_OK);
    CHECK_EQ_INT(bm_proto_get_stats(p)->frames - f0, 3); /* 10000 B > 4096 B: split in three */
    CHECK_EQ_INT(bm_proto_mem_read(p, BASE + 100, r, sizeof r, &e), BM_OK);
    CHECK(memcmp(w, r, sizeof w) == 0, "memory round trip");
    CHECK(memcmp(bm_bridge_mem(last_bridge) + 100, w, sizeof w) == 0, "bridge memory holds the data");
    CHECK_EQ_INT(bm_proto_mem_read(p, BASE + BYTES - 8, r, 16, &e), BM_E_RANGE);
    CHECK(strstr(e.msg, "bad address") != NULL, "msg: %s", e.msg);
    CHECK_EQ_INT(bm_proto_mem_write(p, BASE - 4, w, 8, &e), BM_E_RANGE);
    CHECK_EQ_INT(bm_proto_get_stats(p)->retries, 0);
    bm_proto_free(p);

    p = mk(NULL, 0, 1000); /* a smaller maximum payload */
    f0 = bm_proto_get_stats(p)->frames;
    CHECK_EQ_INT(bm_proto_mem_write(p, BASE, w, sizeof w, &e), BM_OK);
    CHECK_EQ_INT(bm_proto_get_stats(p)->frames - f0, 10);
    memset(r, 0, sizeof r);
    CHECK_EQ_INT(bm_proto_mem_read(p, BASE, r, sizeof r, &e), BM_OK);
    CHECK(memcmp(w, r, sizeof w) == 0, "memory round trip, 1000-byte frames");
    bm_proto_free(p);
}

/* Each fault pattern must be survived with retries, and the bridge must have
 * executed every request exactly once. */
static void test_faults_recovered(void)
{
    static const struct { const char *name; bm_mem_faults f; } cases[] = {
        {"corrupt every 3rd response", {.corrupt_resp = 3}},
        {"corrupt every 4th request", {.corrupt_req = 4}},
        {"drop every 2nd request", {.drop_req = 2}},
        {"drop every 2nd response", {.drop_resp = 2}},
        {"wrong seq every 2nd response", {.bad_seq_resp = 2}},
        {"7-byte chunks", {.chunk = 7}},
        {"all of them", {.corrupt_resp = 7, .corrupt_req = 11, .drop_req = 13, .drop_resp = 17, .bad_seq_resp = 5, .chunk = 61}},
    };
    static uint8_t w[9000], r[9000];
    for (size_t i = 0; i < sizeof w; i++)
        w[i] = (uint8_t)(i ^ (i >> 7));
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        bm_proto *p = mk(&cases[c].f, 8, 0);
        bm_err e = {0};
        int rc = bm_proto_ping(p, NULL, &e);
        for (uint32_t i = 0; i < 20 && !rc; i++) {
            uint32_t v = 0;
            rc = bm_proto_reg_write(p, BM_REG_BASE0_LO, i * 77, &e);
            if (!rc)
                rc = bm_proto_reg_read(p, BM_REG_BASE0_LO, &v, &e);
            CHECK(rc || v == i * 77, "%s: register %u", cases[c].name, v);
        }
        if (!rc)
            rc = bm_proto_mem_write(p, BASE + 4096, w, sizeof w, &e);
        memset(r, 0, sizeof r);
        if (!rc)
            rc = bm_proto_mem_read(p, BASE + 4096, r, sizeof r, &e);
        CHECK(rc == BM_OK, "%s: %s", cases[c].name, e.msg);
        CHECK(memcmp(w, r, sizeof w) == 0, "%s: data", cases[c].name);
        const bm_proto_stats *s = bm_proto_get_stats(p);
        const bm_bridge_stats *bs = bm_bridge_get_stats(last_bridge);
        CHECK(bs->executed == s->frames, "%s: bridge executed %llu of %llu requests (must be exactly once)",
              cases[c].name, (unsigned long long)bs->executed, (unsigned long long)s->frames);
        if (cases[c].f.chunk == 7)
            CHECK_EQ_INT(s->retries, 0);
        else
            CHECK(s->retries > 0, "%s: retried", cases[c].name);
        if (cases[c].f.corrupt_resp)
            CHECK(s->crc_errors > 0, "%s: CRC errors seen", cases[c].name);
        if (cases[c].f.bad_seq_resp)
            CHECK(s->seq_rejects > 0, "%s: sequence numbers rejected", cases[c].name);
        if (cases[c].f.corrupt_resp || cases[c].f.drop_resp || cases[c].f.bad_seq_resp)
            CHECK(bs->replays > 0, "%s: retried requests answered from the replay cache", cases[c].name);
        printf("  %-30s frames %llu retries %llu crc %llu timeouts %llu seq %llu replays %llu\n", cases[c].name,
               (unsigned long long)s->frames, (unsigned long long)s->retries, (unsigned long long)s->crc_errors,
               (unsigned long long)s->timeouts, (unsigned long long)s->seq_rejects,
               (unsigned long long)bs->replays);
        bm_proto_free(p);
    }
}

static void test_faults_fatal(void)
{
    static const struct { const char *name; bm_mem_faults f; int rc; const char *msg; } cases[] = {
        {"every request lost", {.drop_req = 1}, BM_E_TIMEOUT, "no response"},
        {"every response lost", {.drop_resp = 1}, BM_E_TIMEOUT, "no response"},
        {"every response corrupted", {.corrupt_resp = 1}, BM_E_IO, "CRC"},
        {"every response for another seq", {.bad_seq_resp = 1}, BM_E_IO, "sequence"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        bm_proto *p = mk(&cases[c].f, 2, 0);
        bm_err e = {0};
        uint32_t v;
        int rc = bm_proto_reg_read(p, BM_REG_ID, &v, &e);
        CHECK(rc == cases[c].rc && strstr(e.msg, cases[c].msg), "%s: rc %d msg \"%s\"", cases[c].name, rc, e.msg);
        CHECK_EQ_INT(bm_proto_get_stats(p)->retries, 2);
        bm_proto_free(p);
    }
}

/* Random operations under random faults against a shadow memory. */
static void test_random(uint64_t seed)
{
    srand((unsigned)seed * 2654435761u);
    /* every fault kind at once, each on 1 frame in 6..25 */
    bm_mem_faults f = {.corrupt_resp = 6 + (unsigned)rand() % 20, .corrupt_req = 6 + (unsigned)rand() % 20,
                       .drop_req = 6 + (unsigned)rand() % 20, .drop_resp = 6 + (unsigned)rand() % 20,
                       .bad_seq_resp = 6 + (unsigned)rand() % 20, .chunk = 1 + (unsigned)rand() % 700};
    bm_proto *p = mk(&f, 12, 1 + (unsigned)rand() % BM_PROTO_MAX_PAYLOAD);
    uint8_t *shadow = calloc(1, BYTES), *buf = malloc(20000);
    int bad = 0;
    for (int it = 0; it < 300 && !bad; it++) {
        bm_err e = {0};
        uint32_t n = 1 + (uint32_t)rand() % 20000, off = (uint32_t)rand() % (BYTES - n);
        if (rand() & 1) {
            for (uint32_t i = 0; i < n; i++)
                buf[i] = (uint8_t)rand();
            memcpy(shadow + off, buf, n);
            bad = bm_proto_mem_write(p, BASE + off, buf, n, &e);
        } else {
            bad = bm_proto_mem_read(p, BASE + off, buf, n, &e);
            if (!bad && memcmp(buf, shadow + off, n))
                bad = -100;
        }
        CHECK(bad == 0, "random op %d (seed %llu): rc %d %s", it, (unsigned long long)seed, bad, e.msg);
    }
    CHECK(memcmp(bm_bridge_mem(last_bridge), shadow, BYTES) == 0, "board memory equals shadow (seed %llu)",
          (unsigned long long)seed);
    free(shadow);
    free(buf);
    bm_proto_free(p);
}

int main(void)
{
    uint64_t seed = bm_test_seed("test_proto", 20261123);
    test_codec(seed);
    test_clean();
    test_faults_recovered();
    test_faults_fatal();
    test_random(seed);
    return bm_test_done("test_proto");
}
