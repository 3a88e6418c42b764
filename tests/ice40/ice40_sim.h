/* ice40_sim.h: C interface of the Verilator model of the iCE40 board top
 * (bitstreams/ice40/rtl/bm_ice40_top.sv) seen from its UART pins, as the
 * FT2232H would: bytes written are shifted into the FPGA's RX pin as 8N1
 * characters, bytes the FPGA sends on its TX pin are decoded and returned.
 * Time only passes inside ice40_sim_recv()/ice40_sim_run(). */
#ifndef ICE40_SIM_H
#define ICE40_SIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ice40_sim ice40_sim;

/* trace: FST file name or NULL. NULL when out of memory. */
ice40_sim *ice40_sim_new(const char *trace);
void ice40_sim_free(ice40_sim *s);

/* Queue bytes for the FPGA's RX line (sent back to back, 10 bit times each). */
void ice40_sim_send(ice40_sim *s, const uint8_t *buf, size_t n);

/* Run until at least one byte came back and the line then stayed quiet for a
 * character time, or until idle_cycles passed with nothing sent or received.
 * Returns the number of bytes copied to buf (0 = timeout). */
size_t ice40_sim_recv(ice40_sim *s, uint8_t *buf, size_t cap, uint64_t idle_cycles);

/* Run n clock cycles. */
void ice40_sim_run(ice40_sim *s, uint64_t n);

uint64_t ice40_sim_cycles(const ice40_sim *s);
uint32_t ice40_sim_clk_hz(void);
uint32_t ice40_sim_baud(void);
/* UART characters with a bad stop bit seen from the FPGA (should stay 0). */
uint64_t ice40_sim_framing_errors(const ice40_sim *s);

#ifdef __cplusplus
}
#endif

#endif
