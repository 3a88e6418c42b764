// tb_tab: bm_tab (TB = 4, MT = 4, DW = 16) against a byte-array model of the
// TAB scratchpad: reset contents are zero; random writes of up to DW bytes at
// any byte address with random byte masks (rotated into two chunks); after
// each write (and after a cycle without one: hold) the stored table tab_o
// holds entry (s, q) of term t = TAB[((s << 4) | q) * 4 + t] as (bit 7,
// bit 6, bits 2:0) at [((t * 4 + s) * 16 + q) * 5 +: 5], for every term.
// BM_SEED reproduces. Prints "tb_tab: N passed, N failed".
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "Vbm_tab.h"
#include "verilated.h"

static int pass_n, fail_n;
#define CHECK(c, ...) do { if (c) pass_n++; else { fail_n++; if (fail_n < 20) { fprintf(stderr, "FAIL: " __VA_ARGS__); fputc('\n', stderr); } } } while (0)

static uint64_t rs;
static uint32_t rnd() { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return (uint32_t)rs; }

enum { TB = 4, MT = 4, DW = 16, NQ = 1 << TB, BYTES = 4 * NQ * MT };
static Vbm_tab *d;
static unsigned char tab[BYTES];
static void tick() { d->clk_i = 0; d->eval(); d->clk_i = 1; d->eval(); }

static unsigned ent_of(unsigned char b) { return ((b >> 3) & 0x18) | (b & 7); }
static unsigned tab_ent(int e) {   // 5-bit entry e of tab_o
    unsigned v = 0;
    for (int k = 0; k < 5; k++) {
        int bit = e * 5 + k;
        v |= ((d->tab_o[bit / 32] >> (bit % 32)) & 1u) << k;
    }
    return v;
}
static void check_term(int t, const unsigned char *ref, const char *what) {   // term t of tab_o
    int bad = 0;
    for (int s = 0; s < 4; s++)
        for (int q = 0; q < NQ; q++)
            if (tab_ent((t * 4 + s) * NQ + q) != ent_of(ref[((s << TB) | q) * MT + t])) bad++;
    CHECK(bad == 0, "%s: term %d: %d entries differ", what, t, bad);
}
static void write(uint32_t addr, const unsigned char *data, uint32_t mask) {
    d->we_i = 1; d->waddr_i = addr; d->wmask_i = mask;
    for (int w = 0; w < DW / 4; w++)
        d->wdata_i[w] = data[4 * w] | data[4 * w + 1] << 8 | data[4 * w + 2] << 16 | (uint32_t)data[4 * w + 3] << 24;
}

int main(int argc, char **argv) {
    Verilated::commandArgs(argc, argv);
    const char *se = getenv("BM_SEED");
    rs = se ? strtoull(se, nullptr, 0) : 7;
    printf("tb_tab: seed %llu (reproduce with BM_SEED=%llu)\n", (unsigned long long)rs, (unsigned long long)rs);
    VerilatedContext ctx;
    d = new Vbm_tab{&ctx};
    d->we_i = 0; d->rst_ni = 0; d->clk_i = 0; d->eval(); d->rst_ni = 1; d->eval();
    for (int t = 0; t < MT; t++) check_term(t, tab, "reset");
    for (int it = 0; it < 3000; it++) {
        unsigned char data[DW];
        for (int k = 0; k < DW; k++) data[k] = (unsigned char)rnd();
        uint32_t n = 1 + rnd() % DW, addr = rnd() % (BYTES - n + 1);
        uint32_t mask = (rnd() % 4 == 0) ? rnd() & ((1u << n) - 1) : (1u << n) - 1;
        for (uint32_t k = 0; k < n; k++) if (mask >> k & 1) tab[addr + k] = data[k];
        write(addr, data, mask);
        tick();
        d->we_i = 0;
        for (int t = 0; t < MT; t++) check_term(t, tab, "after write");
        tick();
        check_term(rnd() % MT, tab, "hold");
    }
    for (int t = 0; t < MT; t++) check_term(t, tab, "final");
    d->final();
    delete d;
    printf("tb_tab: %d passed, %d failed\n", pass_n, fail_n);
    return fail_n ? 1 : 0;
}
