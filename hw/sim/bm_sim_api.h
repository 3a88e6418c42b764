/* bm_sim_api.h: C API of the Verilator model of bm_top (hw/sim/bm_sim.cpp).
 * One bm_sim is one accelerator with its own device memory served by an AXI
 * slave model that implements docs/timing.md's memory model (latency, bytes
 * per cycle, one read and one write burst at a time; SLVERR outside memory).
 * Register accesses are real AXI4-Lite transactions; the clock runs meanwhile. */
#ifndef BM_SIM_API_H
#define BM_SIM_API_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bm_sim bm_sim;
typedef struct bm_sim_opts {
    uint64_t mem_base, mem_bytes;  /* device memory window */
    uint32_t mem_latency, mem_bpc; /* memory model: cycles (>= 1), bytes/cycle (>= 1) */
    const char *trace_path;        /* FST waveform file, NULL = no trace */
} bm_sim_opts;

bm_sim  *bm_sim_new(const bm_sim_opts *o);         /* NULL on failure */
void     bm_sim_free(bm_sim *s);
uint8_t *bm_sim_mem(bm_sim *s);                    /* host view of [mem_base, mem_base+mem_bytes) */
uint32_t bm_sim_reg_read(bm_sim *s, uint32_t addr);             /* one AXI4-Lite read */
void     bm_sim_reg_write(bm_sim *s, uint32_t addr, uint32_t v); /* one AXI4-Lite write */
void     bm_sim_step(bm_sim *s, uint64_t cycles);  /* run the clock */
int      bm_sim_interrupt(bm_sim *s);
uint64_t bm_sim_cycle(bm_sim *s);
const char *bm_sim_preset_name(void);

#ifdef __cplusplus
}
#endif
#endif
