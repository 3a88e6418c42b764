// ice40_sim.cpp: Verilator harness of bm_ice40_top behind ice40_sim.h. The
// model runs at the board's clock; a host-side UART (the FT2232H's role)
// drives rx_i and decodes tx_o with the same bit time as the board
// (ICE40_CLK_HZ / ICE40_BAUD, the parameters the model was built with).
#include "ice40_sim.h"

#include <cstring>
#include <deque>
#include <new>

#include "Vbm_ice40_top.h"
#include "verilated.h"
#include "verilated_fst_c.h"

#ifndef ICE40_CLK_HZ
#define ICE40_CLK_HZ 12000000u
#endif
#ifndef ICE40_BAUD
#define ICE40_BAUD 1000000u
#endif

double sc_time_stamp() { return 0; }

namespace {
constexpr uint32_t kCpb = ICE40_CLK_HZ / ICE40_BAUD; // clocks per bit
}

struct ice40_sim {
    VerilatedContext *ctx = nullptr;
    Vbm_ice40_top *top = nullptr;
    VerilatedFstC *tfp = nullptr;
    uint64_t cycle = 0, time = 0;
    // host -> FPGA: the character being shifted out, then the queue
    std::deque<uint8_t> txq;
    uint32_t tx_bits = 0; // {stop, data, start} still to send, LSB first
    int tx_left = 0;      // bits left in tx_bits
    uint32_t tx_cnt = 0;  // clocks left in the current bit
    // FPGA -> host: receiver state
    int rx_state = 0;     // 0 idle, 1 receiving
    uint32_t rx_cnt = 0;
    int rx_bit = 0;
    uint32_t rx_sh = 0;
    std::deque<uint8_t> rxq;
    uint64_t ferr = 0, last_rx = 0;
};

static void tick(ice40_sim *s) {
    Vbm_ice40_top *t = s->top;
    // drive the FPGA's RX line
    if (s->tx_left == 0 && !s->txq.empty()) {
        s->tx_bits = (1u << 9) | ((uint32_t)s->txq.front() << 1); // stop, data, start(0)
        s->txq.pop_front();
        s->tx_left = 10;
        s->tx_cnt = kCpb;
    }
    t->rx_i = s->tx_left ? (s->tx_bits & 1u) : 1u;
    t->clk_i = 0;
    t->eval();
    if (s->tfp) s->tfp->dump(s->time);
    s->time++;
    // sample the FPGA's TX line (middle of each bit)
    uint8_t line = t->tx_o;
    if (s->rx_state == 0) {
        if (!line) { s->rx_state = 1; s->rx_cnt = kCpb / 2; s->rx_bit = 0; s->rx_sh = 0; }
    } else if (s->rx_cnt) {
        s->rx_cnt--;
    } else {
        if (s->rx_bit == 0 && line) {
            s->rx_state = 0; // glitch
        } else if (s->rx_bit >= 1 && s->rx_bit <= 8) {
            s->rx_sh |= (uint32_t)line << (s->rx_bit - 1);
        } else if (s->rx_bit == 9) {
            if (line) s->rxq.push_back((uint8_t)s->rx_sh);
            else s->ferr++;
            s->last_rx = s->cycle;
            s->rx_state = 0;
        }
        s->rx_bit++;
        s->rx_cnt = kCpb - 1;
    }
    t->clk_i = 1;
    t->eval();
    if (s->tfp) s->tfp->dump(s->time);
    s->time++;
    s->cycle++;
    if (s->tx_left && --s->tx_cnt == 0) {
        s->tx_bits >>= 1;
        s->tx_left--;
        s->tx_cnt = kCpb;
    }
}

extern "C" {

ice40_sim *ice40_sim_new(const char *trace) {
    ice40_sim *s = new (std::nothrow) ice40_sim;
    if (!s) return nullptr;
    s->ctx = new (std::nothrow) VerilatedContext;
    if (!s->ctx) { delete s; return nullptr; }
    if (trace) s->ctx->traceEverOn(true);
    s->top = new (std::nothrow) Vbm_ice40_top(s->ctx, "top");
    if (!s->top) { delete s->ctx; delete s; return nullptr; }
    if (trace) {
        s->tfp = new (std::nothrow) VerilatedFstC;
        if (s->tfp) { s->top->trace(s->tfp, 99); s->tfp->open(trace); }
    }
    s->top->btn_ni = 1;
    s->top->rx_i = 1;
    ice40_sim_run(s, 64); // power-on reset
    return s;
}

void ice40_sim_free(ice40_sim *s) {
    if (!s) return;
    if (s->tfp) { s->tfp->close(); delete s->tfp; }
    s->top->final();
    delete s->top;
    delete s->ctx;
    delete s;
}

void ice40_sim_send(ice40_sim *s, const uint8_t *buf, size_t n) {
    s->txq.insert(s->txq.end(), buf, buf + n);
}

size_t ice40_sim_recv(ice40_sim *s, uint8_t *buf, size_t cap, uint64_t idle_cycles) {
    uint64_t quiet = 0;
    for (;;) {
        bool busy = s->tx_left || !s->txq.empty() || s->rx_state;
        // return what arrived once the FPGA paused for a character time
        if (!s->rxq.empty() && !busy && s->cycle - s->last_rx > 12ull * kCpb) break;
        if (s->rxq.size() >= cap) break;
        if (busy || !s->rxq.empty()) quiet = 0;
        else if (++quiet > idle_cycles) break;
        tick(s);
    }
    size_t n = 0;
    while (n < cap && !s->rxq.empty()) {
        buf[n++] = s->rxq.front();
        s->rxq.pop_front();
    }
    return n;
}

void ice40_sim_run(ice40_sim *s, uint64_t n) {
    while (n--) tick(s);
}

uint64_t ice40_sim_cycles(const ice40_sim *s) { return s->cycle; }
uint32_t ice40_sim_clk_hz(void) { return ICE40_CLK_HZ; }
uint32_t ice40_sim_baud(void) { return ICE40_BAUD; }
uint64_t ice40_sim_framing_errors(const ice40_sim *s) { return s->ferr; }

} // extern "C"
