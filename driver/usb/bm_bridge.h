/* C model of the board-side USB bridge: serves the framed protocol
 * (bm_proto.h) from a register file and a host buffer standing in for board
 * memory; ap_start runs the program with the reference engine, so a usb://
 * device over this model computes real results. bm_bridge_handle() is one
 * frame in, one frame out, so the same model can sit behind the in-process
 * transport, a umockdev ioctl handler, or be replaced by the Verilog bridge. */
#ifndef BM_BRIDGE_H
#define BM_BRIDGE_H

#include <stddef.h>
#include <stdint.h>

#include "bm_presets.h"
#include "bm_proto.h"

typedef struct bm_bridge bm_bridge;

typedef struct bm_bridge_stats {
    uint64_t requests, executed, replays, bad_crc;
} bm_bridge_stats;

/* NULL preset = "default". NULL when out of memory. */
bm_bridge *bm_bridge_new(const bm_preset *p, uint64_t mem_base, uint64_t mem_bytes);
void bm_bridge_free(bm_bridge *b);
const bm_bridge_stats *bm_bridge_get_stats(const bm_bridge *b);
/* Direct access for tests (board memory as the bridge sees it). */
uint8_t *bm_bridge_mem(bm_bridge *b);

/* Serve one request frame. Returns 1 and the response in resp (*resp_n
 * bytes), or 0 when there is nothing to answer (corrupted request: the host
 * times out and retries). resp must hold BM_PROTO_MAX_FRAME bytes. */
int bm_bridge_handle(bm_bridge *b, const uint8_t *req, size_t n, uint8_t *resp, size_t *resp_n);

/* Faults the in-process transport injects, each "every Nth frame" (0 = off),
 * counted separately for requests and responses. */
typedef struct bm_mem_faults {
    unsigned drop_req, drop_resp;       /* frame vanishes */
    unsigned corrupt_req, corrupt_resp; /* one byte flipped: CRC error */
    unsigned bad_seq_resp;              /* valid frame, wrong sequence number */
    unsigned chunk;                     /* deliver responses in pieces of this many bytes (0 = whole) */
} bm_mem_faults;

/* In-process transport to `b` (the transport owns and frees the bridge).
 * recv returns BM_E_TIMEOUT at once when no response is pending. */
int bm_transport_mem_new(bm_bridge *b, const bm_mem_faults *faults, bm_transport *t, bm_err *err);

#endif
