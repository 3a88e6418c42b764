/* Framed register/memory protocol between the host and the board's USB
 * bridge, above a byte-stream transport (libusb FTDI channel, or the
 * in-process bridge model bm_transport_mem). One request, one response:
 *
 *   off  size  field
 *   0    1     sync 0xB5
 *   1    1     opcode (BM_PROTO_PING ... BM_PROTO_MEM_WR); a response has bit 7 set
 *   2    1     sequence number (a response echoes its request's)
 *   3    1     status (request: 0; response: BM_PST_*)
 *   4    8     address, little endian (register offset or memory address)
 *   12   4     length of the operation in bytes
 *   16   2     payload bytes that follow (<= BM_PROTO_MAX_PAYLOAD)
 *   18   n     payload (REG_WR/MEM_WR requests; REG_RD/MEM_RD/PING responses)
 *   18+n 4     CRC-32 (IEEE 802.3, as zlib) of bytes [0, 18+n), little endian
 *
 * A lost or corrupted frame is retried with the SAME sequence number; the
 * bridge keeps its last response and replays it for a repeated sequence
 * number instead of executing twice (so a retried CTRL write cannot start the
 * kernel twice). Responses with another sequence number are dropped. */
#ifndef BM_PROTO_H
#define BM_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "bm_err.h"

#define BM_PROTO_SYNC 0xB5u
#define BM_PROTO_HDR 18u
#define BM_PROTO_CRC 4u
#define BM_PROTO_MAX_PAYLOAD 4096u
#define BM_PROTO_MAX_FRAME (BM_PROTO_HDR + BM_PROTO_MAX_PAYLOAD + BM_PROTO_CRC)
#define BM_PROTO_VERSION 1u
/* PING response payload: u32 protocol version, u32 0, u64 board memory base,
 * u64 board memory bytes (the range MEM_RD/MEM_WR accept). */
#define BM_PROTO_PING_BYTES 24u

enum { BM_PROTO_PING = 1, BM_PROTO_REG_RD = 2, BM_PROTO_REG_WR = 3, BM_PROTO_MEM_RD = 4, BM_PROTO_MEM_WR = 5 };
#define BM_PROTO_RESP 0x80u

/* Response status from the bridge. */
enum { BM_PST_OK = 0, BM_PST_BAD_OP = 1, BM_PST_BAD_ADDR = 2, BM_PST_BAD_LEN = 3 };

typedef struct bm_frame {
    uint8_t op, seq, status;
    uint64_t addr;
    uint32_t len;
    uint16_t plen;
    const uint8_t *payload; /* decode: points into the decoded buffer */
} bm_frame;

/* Byte-stream transport. recv returns BM_OK with *got > 0 bytes, or
 * BM_E_TIMEOUT when nothing arrived within timeout_ms. */
typedef struct bm_transport {
    void *ctx;
    int (*send)(void *ctx, const uint8_t *buf, size_t n, unsigned timeout_ms, bm_err *err);
    int (*recv)(void *ctx, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms, bm_err *err);
    void (*close)(void *ctx);
    const char *name; /* "libusb 0403:6010", "mem" */
} bm_transport;

uint32_t bm_proto_crc32(const uint8_t *p, size_t n);

/* Encode f (payload f->plen bytes) into buf; returns the frame size, or 0 if
 * cap is too small or plen exceeds the maximum. */
size_t bm_proto_encode(uint8_t *buf, size_t cap, const bm_frame *f);

/* Decode one frame from the start of buf. Returns BM_OK and *used = frame
 * size; 1 if more bytes are needed; BM_E_IO on a bad CRC, BM_E_FORMAT on a
 * bad sync byte or length (*used = bytes to discard before trying again). */
int bm_proto_decode(const uint8_t *buf, size_t n, bm_frame *f, size_t *used);

typedef struct bm_proto_stats {
    uint64_t frames, retries, crc_errors, timeouts, seq_rejects;
} bm_proto_stats;

typedef struct bm_proto bm_proto;

/* Takes ownership of t (closed by bm_proto_free). timeout_ms per attempt,
 * retries extra attempts after the first. max_payload <= BM_PROTO_MAX_PAYLOAD
 * (0 = maximum); longer memory transfers are split. NULL when out of memory. */
bm_proto *bm_proto_new(bm_transport t, unsigned timeout_ms, unsigned retries, unsigned max_payload);
void bm_proto_free(bm_proto *p);
const bm_proto_stats *bm_proto_get_stats(const bm_proto *p);

typedef struct bm_board_info {
    uint32_t version;
    uint64_t mem_base, mem_bytes;
} bm_board_info;

int bm_proto_ping(bm_proto *p, bm_board_info *bi, bm_err *err);
int bm_proto_reg_read(bm_proto *p, uint32_t off, uint32_t *v, bm_err *err);
int bm_proto_reg_write(bm_proto *p, uint32_t off, uint32_t v, bm_err *err);
int bm_proto_mem_read(bm_proto *p, uint64_t addr, void *dst, uint64_t n, bm_err *err);
int bm_proto_mem_write(bm_proto *p, uint64_t addr, const void *src, uint64_t n, bm_err *err);

#endif
