// bm_sim.cpp: Verilator harness of bm_top behind the C API of bm_sim_api.h.
// Each tick: drive the AXI slave model's outputs for this cycle, settle the
// model, sample the handshakes, then the rising edge. The memory model is
// docs/timing.md's: read beat i of a burst accepted at a comes at
// a + LAT + floor(i*DW/E), write beat i is accepted from a + 1 + floor(i*DW/E),
// B comes LAT cycles after the last beat; one read and one write burst at a time.
#include "bm_sim_api.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "Vbm_top.h"
#include "verilated.h"
#include "verilated_fst_c.h"

#ifndef BM_PRESET_NAME
#define BM_PRESET_NAME "unknown"
#endif

double sc_time_stamp() { return 0; }

namespace {

// Byte access to Verilator signals of any width.
template <typename T> void put_bytes(T &d, const uint8_t *b, unsigned n) {
    T v = 0;
    for (unsigned i = 0; i < n; i++) v |= (T)b[i] << (8 * i);
    d = v;
}
template <std::size_t N> void put_bytes(VlWide<N> &d, const uint8_t *b, unsigned n) {
    for (std::size_t w = 0; w < N; w++) {
        uint32_t v = 0;
        for (unsigned i = 0; i < 4; i++)
            if (w * 4 + i < n) v |= (uint32_t)b[w * 4 + i] << (8 * i);
        d[w] = v;
    }
}
template <typename T> void get_bytes(const T &d, uint8_t *b, unsigned n) {
    for (unsigned i = 0; i < n; i++) b[i] = (uint8_t)((uint64_t)d >> (8 * i));
}
template <std::size_t N> void get_bytes(const VlWide<N> &d, uint8_t *b, unsigned n) {
    for (unsigned i = 0; i < n; i++) b[i] = (uint8_t)(d[i / 4] >> (8 * (i % 4)));
}
template <typename T> uint64_t get_u64(const T &d) { return (uint64_t)d; }
template <std::size_t N> uint64_t get_u64(const VlWide<N> &d) {
    return (uint64_t)d[0] | ((N > 1 ? (uint64_t)d[1] : 0) << 32);
}

} // namespace

struct bm_sim {
    VerilatedContext *ctx = nullptr;
    Vbm_top *top = nullptr;
    VerilatedFstC *tfp = nullptr;
    std::vector<uint8_t> mem;
    uint64_t base = 0, bytes = 0;
    uint32_t lat = 1, bpc = 1, dw = 0, e = 1;
    uint64_t cycle = 0, time = 0;
    // read channel
    bool rd_on = false;
    uint64_t rd_a = 0, rd_addr = 0;
    uint32_t rd_n = 0, rd_i = 0;
    // write channel: 0 idle, 1 data, 2 response
    int wr_st = 0;
    uint64_t wr_a = 0, wr_addr = 0, wr_last = 0;
    uint32_t wr_n = 0, wr_i = 0;
    bool wr_err = false;
    // AXI4-Lite handshakes seen in the last tick
    bool l_ar = false, l_r = false, l_aw = false, l_w = false, l_b = false;
    uint32_t l_rdata = 0;
};

static bool in_mem(const bm_sim *s, uint64_t a, uint64_t n) {
    return a >= s->base && a - s->base <= s->bytes && n <= s->bytes - (a - s->base);
}

static void tick(bm_sim *s) {
    Vbm_top *t = s->top;
    const uint64_t c = s->cycle;
    const uint32_t dw = s->dw;
    uint8_t buf[64];
    // ---- slave outputs for this cycle
    t->m_axi_gmem_arready = !s->rd_on;
    t->m_axi_gmem_rvalid = 0;
    t->m_axi_gmem_rlast = 0;
    t->m_axi_gmem_rresp = 0;
    if (s->rd_on && c == s->rd_a + s->lat + (uint64_t)s->rd_i * dw / s->e) {
        uint64_t ba = s->rd_addr + (uint64_t)s->rd_i * dw;
        bool ok = in_mem(s, ba, dw);
        if (ok) memcpy(buf, &s->mem[ba - s->base], dw);
        else memset(buf, 0, dw);
        put_bytes(t->m_axi_gmem_rdata, buf, dw);
        t->m_axi_gmem_rvalid = 1;
        t->m_axi_gmem_rlast = s->rd_i + 1 == s->rd_n;
        t->m_axi_gmem_rresp = ok ? 0 : 2;
    }
    t->m_axi_gmem_awready = s->wr_st == 0;
    t->m_axi_gmem_wready = s->wr_st == 1 && c >= s->wr_a + 1 + (uint64_t)s->wr_i * dw / s->e;
    t->m_axi_gmem_bvalid = s->wr_st == 2 && c >= s->wr_last + s->lat;
    t->m_axi_gmem_bresp = s->wr_err ? 2 : 0;
    t->ap_clk = 0;
    t->eval();
    // ---- handshakes
    if (t->m_axi_gmem_arvalid && t->m_axi_gmem_arready) {
        s->rd_on = true; s->rd_a = c; s->rd_i = 0;
        s->rd_addr = t->m_axi_gmem_araddr & ~(uint64_t)(dw - 1);
        s->rd_n = (uint32_t)t->m_axi_gmem_arlen + 1;
    }
    if (t->m_axi_gmem_rvalid) {
        if (++s->rd_i == s->rd_n) s->rd_on = false;
    }
    if (t->m_axi_gmem_awvalid && t->m_axi_gmem_awready) {
        s->wr_st = 1; s->wr_a = c; s->wr_i = 0; s->wr_err = false;
        s->wr_addr = t->m_axi_gmem_awaddr & ~(uint64_t)(dw - 1);
        s->wr_n = (uint32_t)t->m_axi_gmem_awlen + 1;
    }
    if (t->m_axi_gmem_wvalid && t->m_axi_gmem_wready) {
        uint64_t ba = s->wr_addr + (uint64_t)s->wr_i * dw;
        uint8_t st[64];
        get_bytes(t->m_axi_gmem_wdata, buf, dw);
        uint64_t strb = get_u64(t->m_axi_gmem_wstrb);
        for (uint32_t i = 0; i < dw; i++) st[i] = (strb >> i) & 1;
        for (uint32_t i = 0; i < dw; i++) {
            if (!st[i]) continue;
            if (in_mem(s, ba + i, 1)) s->mem[ba + i - s->base] = buf[i];
            else s->wr_err = true;
        }
        if (++s->wr_i == s->wr_n) { s->wr_st = 2; s->wr_last = c; }
    }
    if (t->m_axi_gmem_bvalid && t->m_axi_gmem_bready) s->wr_st = 0;
    s->l_ar = t->s_axi_control_arvalid && t->s_axi_control_arready;
    s->l_r = t->s_axi_control_rvalid && t->s_axi_control_rready;
    s->l_rdata = t->s_axi_control_rdata;
    s->l_aw = t->s_axi_control_awvalid && t->s_axi_control_awready;
    s->l_w = t->s_axi_control_wvalid && t->s_axi_control_wready;
    s->l_b = t->s_axi_control_bvalid && t->s_axi_control_bready;
    if (s->tfp) s->tfp->dump(s->time);
    s->time += 5;
    // ---- rising edge
    t->ap_clk = 1;
    t->eval();
    if (s->tfp) s->tfp->dump(s->time);
    s->time += 5;
    s->cycle++;
}

extern "C" {

bm_sim *bm_sim_new(const bm_sim_opts *o) {
    if (!o || o->mem_latency < 1 || o->mem_bpc < 1 || o->mem_bytes == 0 ||
        o->mem_base + o->mem_bytes < o->mem_base)
        return nullptr;
    bm_sim *s = new (std::nothrow) bm_sim;
    if (!s) return nullptr;
    try {
        s->mem.assign(o->mem_bytes, 0);
    } catch (...) {
        delete s;
        return nullptr;
    }
    s->base = o->mem_base; s->bytes = o->mem_bytes;
    s->lat = o->mem_latency; s->bpc = o->mem_bpc;
    s->ctx = new VerilatedContext;
    s->ctx->randReset(0);
    s->top = new Vbm_top{s->ctx};
    s->dw = BM_AXI_BYTES;  /* from the preset, passed by hw/sim/sim.mk */
    if (s->dw == 0 || s->dw > 64) { bm_sim_free(s); return nullptr; }
    s->e = s->bpc < s->dw ? s->bpc : s->dw;
    if (o->trace_path) {
        s->ctx->traceEverOn(true);
        s->tfp = new VerilatedFstC;
        s->top->trace(s->tfp, 99);
        s->tfp->open(o->trace_path);
    }
    Vbm_top *t = s->top;
    t->s_axi_control_awvalid = 0; t->s_axi_control_wvalid = 0; t->s_axi_control_bready = 0;
    t->s_axi_control_arvalid = 0; t->s_axi_control_rready = 0; t->s_axi_control_wstrb = 0xf;
    t->ap_rst_n = 0;
    for (int i = 0; i < 4; i++) tick(s);
    t->ap_rst_n = 1;
    tick(s);
    return s;
}

void bm_sim_free(bm_sim *s) {
    if (!s) return;
    if (s->tfp) { s->tfp->close(); delete s->tfp; }
    if (s->top) { s->top->final(); delete s->top; }
    delete s->ctx;
    delete s;
}

uint8_t *bm_sim_mem(bm_sim *s) { return s->mem.data(); }

uint32_t bm_sim_reg_read(bm_sim *s, uint32_t addr) {
    Vbm_top *t = s->top;
    t->s_axi_control_araddr = addr & 0xfff;
    t->s_axi_control_arvalid = 1;
    t->s_axi_control_rready = 1;
    for (int n = 0; n < 100; n++) {
        tick(s);
        if (s->l_ar) t->s_axi_control_arvalid = 0;
        if (s->l_r) { t->s_axi_control_rready = 0; return s->l_rdata; }
    }
    t->s_axi_control_arvalid = 0; t->s_axi_control_rready = 0;
    return 0xdeadbeef;
}

void bm_sim_reg_write(bm_sim *s, uint32_t addr, uint32_t v) {
    Vbm_top *t = s->top;
    t->s_axi_control_awaddr = addr & 0xfff;
    t->s_axi_control_awvalid = 1;
    t->s_axi_control_wdata = v;
    t->s_axi_control_wstrb = 0xf;
    t->s_axi_control_wvalid = 1;
    t->s_axi_control_bready = 1;
    for (int n = 0; n < 100; n++) {
        tick(s);
        if (s->l_aw) t->s_axi_control_awvalid = 0;
        if (s->l_w) t->s_axi_control_wvalid = 0;
        if (s->l_b) break;
    }
    t->s_axi_control_awvalid = 0; t->s_axi_control_wvalid = 0; t->s_axi_control_bready = 0;
}

void bm_sim_step(bm_sim *s, uint64_t cycles) {
    for (uint64_t i = 0; i < cycles; i++) tick(s);
}

int bm_sim_interrupt(bm_sim *s) { return s->top->__SYM__interrupt; }
uint64_t bm_sim_cycle(bm_sim *s) { return s->cycle; }
const char *bm_sim_preset_name(void) { return BM_PRESET_NAME; }

} // extern "C"
