// tb_pe: bm_pe (LANES = 4) against a C++ model of docs/isa.md: random terms,
// activations, 2:4 indices (the 4:1 activation mux), group dequantization
// with scale, zero-point (aux * activation sum) and int32 saturation (counted).
// BM_SEED reproduces. Prints "tb_pe: N passed, N failed".
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "Vbm_pe.h"
#include "verilated.h"

static int pass_n, fail_n;
#define CHECK(c, ...) do { if (c) pass_n++; else { fail_n++; if (fail_n < 20) { fprintf(stderr, "FAIL: " __VA_ARGS__); fputc('\n', stderr); } } } while (0)

static uint64_t rs;
static uint32_t rnd() { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return (uint32_t)rs; }

static Vbm_pe *p;
static void tick() { p->clk_i = 0; p->eval(); p->clk_i = 1; p->eval(); }

int main(int argc, char **argv) {
    Verilated::commandArgs(argc, argv);
    const char *se = getenv("BM_SEED");
    rs = se ? strtoull(se, nullptr, 0) : 42;
    printf("tb_pe: seed %llu (reproduce with BM_SEED=%llu)\n", (unsigned long long)rs, (unsigned long long)rs);
    VerilatedContext ctx;
    p = new Vbm_pe{&ctx};
    const int L = 4;
    p->rst_ni = 0; tick(); p->rst_ni = 1;
    int sats = 0;
    for (int tile = 0; tile < 400; tile++) {
        int big = tile % 5 == 0;        // saturating tiles
        int sparse = rnd() & 1, zp = rnd() & 1;
        int64_t acc = (tile % 3 == 0) ? (int32_t)rnd() : 0;
        if (acc) { p->ld_i = 1; p->ld_data_i = (uint32_t)acc; } else { p->clr_i = 1; }
        p->v_i = 0; p->dq_i = 0; tick(); p->ld_i = 0; p->clr_i = 0;
        int ngroups = 1 + rnd() % 4;
        for (int g = 0; g < ngroups; g++) {
            int steps = 1 + rnd() % (big ? 80 : 6), T = 1 + rnd() % 4;
            int64_t gp = 0, as = 0;
            for (int s = 0; s < steps; s++) {
                int8_t act[8]; unsigned idx[4];
                for (int i = 0; i < 8; i++) act[i] = big ? 127 : (int8_t)rnd();
                for (int l = 0; l < L; l++) idx[l] = rnd() & 3;
                int x[4];
                for (int l = 0; l < L; l++) x[l] = sparse ? act[4 * (l / 2) + idx[l]] : act[l];
                for (int t = 0; t < T; t++) {
                    unsigned nz = 0, neg = 0, sh = 0;
                    for (int l = 0; l < L; l++) {
                        unsigned a = big ? 1 : rnd() & 1, b = big ? 0 : rnd() & 1, c = big ? 7 : rnd() & 7;
                        nz |= a << l; neg |= b << l; sh |= c << (3 * l);
                        if (a) gp += (int64_t)x[l] * (b ? -(1 << c) : (1 << c));
                        if (t == 0) as += x[l];
                    }
                    p->v_i = 1; p->first_i = (s == 0 && t == 0); p->t0_i = t == 0;
                    p->sparse_i = sparse; p->nz_i = nz; p->neg_i = neg; p->sh_i = sh;
                    p->idx_i = idx[0] | idx[1] << 2 | idx[2] << 4 | idx[3] << 6;
                    uint64_t av = 0;
                    for (int i = 0; i < 8; i++) av |= (uint64_t)(uint8_t)act[i] << (8 * i);
                    p->act_i = av;
                    tick();
                }
            }
            unsigned scale = big ? 255 : rnd() & 255; int8_t aux = (int8_t)rnd();
            p->v_i = 0; p->dq_i = 1; p->zp_i = zp; p->scale_i = scale; p->aux_i = (uint8_t)aux;
            tick(); p->dq_i = 0;
            int64_t d = gp - (zp ? (int64_t)aux * as : 0);
            int64_t v = acc + (int64_t)scale * d;
            int sat = 0;
            if (v > INT32_MAX) { v = INT32_MAX; sat = 1; }
            if (v < INT32_MIN) { v = INT32_MIN; sat = 1; }
            acc = v;
            p->eval();
            CHECK(p->sat_o == sat, "tile %d group %d: sat %d != %d", tile, g, p->sat_o, sat);
            sats += sat;
            tick();
            CHECK((int32_t)p->acc_o == (int32_t)acc, "tile %d group %d: acc %d != %lld", tile, g,
                  (int32_t)p->acc_o, (long long)acc);
        }
    }
    CHECK(sats > 10, "saturating cases exercised: %d", sats);
    p->final();
    delete p;
    printf("tb_pe: %d passed, %d failed\n", pass_n, fail_n);
    return fail_n ? 1 : 0;
}
