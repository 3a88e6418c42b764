// tb_term_decode: exhaustive test of bm_term_decode. Booth mode: for every
// b = 1..8, both code formats (two's complement, offset-binary) and every
// code, each term matches the radix-4 Booth digit and the terms sum to the
// code's value. Table mode: for every selector (4) x code (16) x term (4) of a
// random decode table (bytes, packed into 5-bit entries as bm_tab stores
// them), the decoded (nonzero, negative, shift) is the table byte's. Prints "tb_term_decode: N passed, N failed".
#include <cstdio>
#include <cstdlib>

#include "Vbm_term_decode.h"
#include "verilated.h"

static int pass_n, fail_n;
#define CHECK(c, ...) do { if (c) pass_n++; else { fail_n++; if (fail_n < 20) { fprintf(stderr, "FAIL: " __VA_ARGS__); fputc('\n', stderr); } } } while (0)

static int term_of(int nz, int neg, int sh) { return nz ? (neg ? -(1 << sh) : (1 << sh)) : 0; }

int main(int argc, char **argv) {
    Verilated::commandArgs(argc, argv);
    VerilatedContext ctx;
    Vbm_term_decode d{&ctx};
    // Booth
    for (int b = 1; b <= 8; b++) {
        int T = (b + 1) / 2;
        for (int off = 0; off <= 1; off++) {
            for (int code = 0; code < (1 << b); code++) {
                int x = off ? code - (1 << (b - 1))
                            : ((code & (1 << (b - 1))) ? code - (1 << b) : code);
                unsigned xs = (unsigned)x;   // two's complement, sign above b-1
                int sum = 0;
                for (int t = 0; t < T; t++) {
                    d.code_i = code; d.bits_i = b; d.t_i = t; d.dmode_i = 1; d.offset_i = off;
                    d.eval();
                    int v = term_of(d.nz_o, d.neg_o, d.sh_o);
                    int hi = (xs >> (2 * t + 1)) & 1, mid = (xs >> (2 * t)) & 1;
                    int lo = t ? (xs >> (2 * t - 1)) & 1 : 0;
                    int want = (-2 * hi + mid + lo) * (1 << (2 * t));
                    CHECK(v == want, "booth b=%d off=%d code=%d t=%d: %d != %d", b, off, code, t, v, want);
                    sum += v;
                }
                CHECK(sum == x, "booth b=%d off=%d code=%d: sum %d != %d", b, off, code, sum, x);
            }
        }
    }
    // Table: 4 selectors x 16 codes x 4 terms
    unsigned char tab[4][16][4];
    srand(12345);
    for (int s = 0; s < 4; s++)
        for (int q = 0; q < 16; q++)
            for (int t = 0; t < 4; t++) tab[s][q][t] = (unsigned char)rand();
    for (int s = 0; s < 4; s++) {
        for (int t = 0; t < 4; t++) {
            // 16 entries of 5 bits (bm_tab's format: nonzero, negative, shift)
            unsigned long long packed[2] = {0, 0};
            for (int q = 0; q < 16; q++) {
                unsigned long long e = ((tab[s][q][t] >> 3) & 0x18) | (tab[s][q][t] & 7);
                int bit = 5 * q;
                packed[bit / 64] |= e << (bit % 64);
                if (bit % 64 > 59) packed[1] |= e >> (64 - bit % 64);
            }
            d.row_tab_i[0] = (uint32_t)packed[0]; d.row_tab_i[1] = (uint32_t)(packed[0] >> 32);
            d.row_tab_i[2] = (uint32_t)packed[1];
            for (int b = 1; b <= 4; b++) {
                for (int q = 0; q < (1 << b); q++) {
                    d.code_i = q; d.bits_i = b; d.t_i = t; d.dmode_i = 0; d.offset_i = 0;
                    d.eval();
                    unsigned char e = tab[s][q][t];
                    CHECK(d.nz_o == (e >> 7) && d.neg_o == ((e >> 6) & 1) && d.sh_o == (e & 7),
                          "table s=%d t=%d b=%d code=%d", s, t, b, q);
                }
            }
        }
    }
    d.final();
    printf("tb_term_decode: %d passed, %d failed\n", pass_n, fail_n);
    return fail_n ? 1 : 0;
}
