/* bench_rtl: cycle benchmarks on the RTL (Verilator model of one preset).
 * Generates well-scheduled, double-buffered GEMM/GEMV programs (chunks of G
 * output-row tiles per LOAD, COMPUTE reps over token tiles with wrestart, one
 * STORE per tile) and appends one CSV row per workload to argv[1]:
 * preset,workload,m,n,k,bits,dtype,sparsity,cycles,ideal_cycles,utilization,
 * dram_bytes,sim_cycles_per_s,engine_cycles,cp_step,ld_wait_mem,cp_wait_tok,
 * rd_beats,fetch_beats (sim_cycles_per_s uses process CPU time).  ideal = max(compute: tiles*ksteps*T, memory:
 * compulsory bytes / min(bpc, AXI_BYTES)); the engine column cross-checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bm_engine.h"
#include "bm_insn.h"
#include "bm_sim_api.h"
#include "rtl_util.h"

static uint64_t MB;   /* device address of the memory (rtl_mem_base: below 2^addr_bits) */
#define MEMB (16u << 20)
#define OFF_W 0x100000u    /* weights (BASE0) */
#define OFF_A 0x40000u     /* activations + meta + tab (BASE1) */
#define OFF_Y 0xA00000u    /* outputs (BASE2) */

typedef struct wl { const char *name, *dtype; uint32_t m, n, k, bits, terms, dmode, sparse; } wl;

static bm_insn prog[20000];
static uint32_t np;
static void emit(bm_insn in) { if (np < 20000) prog[np++] = in; }
static bm_insn I(int op) { bm_insn in; memset(&in, 0, sizeof in); in.op = (uint8_t)op; return in; }

static double now(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static int run(const bm_preset *p, bm_sim *s, const wl *w, FILE *csv) {
    const uint32_t R = p->rows, C = p->cols, L = p->lanes, DW = p->axi_bytes;
    const uint32_t spl = w->sparse ? 2 * L : L;          /* k per step */
    const uint32_t ks = w->k / spl, nt = w->n / R, mt = (w->m + C - 1) / C;
    const uint32_t W = w->bits + 2 * w->sparse;
    const uint32_t tileb = (ks * R * L * W + 7) / 8;
    const uint32_t gsteps = 128 / spl ? 128 / spl : 1;   /* groups of 128 k */
    const uint32_t ng = (ks + gsteps - 1) / gsteps;
    const uint32_t ch = p->acc_bytes / 8;                /* ACC half, words */
    uint32_t G = 8;
    while (G > 1 && (G * tileb > p->wgt_bytes / 2 || G * ng * R * 2 > p->meta_bytes / 2 ||
                     G * mt * R * C > ch || nt % G)) G--;
    if (tileb > p->wgt_bytes / 2 || mt * R * C > ch || (uint64_t)w->k * mt * C > p->act_bytes) {
        fprintf(stderr, "%s: does not fit preset %s\n", w->name, p->name);
        return -1;
    }
    np = 0;
    const uint32_t tabb = 4u * (1u << p->table_bits) * p->max_terms;
    bm_insn in;
    if (!w->dmode) { in = I(BM_OP_LOAD); in.sp = BM_SP_TAB; in.base = 1; in.rows = 1; in.row_bytes = tabb; emit(in); }
    in = I(BM_OP_LOAD); in.sp = BM_SP_ACT; in.base = 1; in.rows = mt;     /* one row per token tile */
    in.row_bytes = ks * (w->sparse ? 2 : 1) * C * L; in.dram_off = 0x1000; in.dram_stride = in.row_bytes;
    emit(in);
    in = I(BM_OP_CONFIG); in.bits = w->bits; in.terms = w->terms; in.dmode = w->dmode;
    in.sparse = w->sparse; in.act_bits = 8; in.gsteps = gsteps; emit(in);
    const uint32_t awords = ks * (w->sparse ? 2 : 1);
    for (uint32_t c = 0; c < nt / G; c++) {
        uint32_t b = c & 1;
        /* one row when it fits the 16-bit row_bytes field, else one row per tile */
        int split = G * tileb > 0xFFFFu;
        in = I(BM_OP_LOAD); in.sp = BM_SP_WGT; in.base = 0; in.rows = split ? G : 1;
        in.row_bytes = split ? tileb : G * tileb; in.dram_stride = split ? tileb : 0;
        in.sp_addr = b * (p->wgt_bytes / 2); in.dram_off = c * G * tileb; in.pop_next = c >= 2; emit(in);
        in = I(BM_OP_LOAD); in.sp = BM_SP_META; in.base = 1; in.rows = 1; in.row_bytes = G * ng * R * 2;
        in.sp_addr = b * (p->meta_bytes / 2); in.dram_off = 0x800; in.push_next = 1; emit(in);
        if (mt == 1) {   /* GEMV: one COMPUTE walks the G tiles' weights */
            in = I(BM_OP_COMPUTE); in.wgt_addr = b * (p->wgt_bytes / 2); in.meta_addr = b * (p->meta_bytes / 4);
            in.acc_addr = b * ch; in.ksteps = ks; in.reps = G; in.pop_prev = 1; in.pop_next = c >= 2;
            in.push_prev = 1; in.push_next = 1; emit(in);
            in = I(BM_OP_STORE); in.base = 2; in.rows = G; in.row_bytes = 4 * R; in.sp_addr = b * ch;
            in.sp_stride = R * C; in.dram_off = c * G * R * 4; in.dram_stride = 4 * R;
            in.pop_prev = 1; in.push_prev = 1; emit(in);
        } else {
            for (uint32_t g = 0; g < G; g++) {
                in = I(BM_OP_COMPUTE); in.wgt_addr = b * (p->wgt_bytes / 2) + g * tileb;
                in.meta_addr = b * (p->meta_bytes / 4) + g * ng * R; in.acc_addr = b * ch + g * mt * R * C;
                in.ksteps = ks; in.reps = mt; in.wrestart = 1; in.act_inc = awords;
                in.pop_prev = g == 0; in.pop_next = g == 0 && c >= 2;
                in.push_prev = g == G - 1; in.push_next = g == G - 1; emit(in);
            }
            for (uint32_t g = 0; g < G; g++) {
                in = I(BM_OP_STORE); in.base = 2; in.rows = w->m; in.row_bytes = 4 * R;
                in.sp_addr = b * ch + g * mt * R * C; in.sp_stride = R;
                in.dram_off = ((c * G + g) * R) * 4; in.dram_stride = 4 * w->n;
                in.pop_prev = g == 0; in.push_prev = g == G - 1; emit(in);
            }
        }
    }
    emit(I(BM_OP_FINISH));
    uint8_t *mem = bm_sim_mem(s);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (uint32_t i = OFF_A; i < OFF_Y; i += 8) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; memcpy(mem + i, &x, 8); }
    memset(mem + OFF_Y, 0, MEMB - OFF_Y);
    for (uint32_t i = 0; i < np; i++) bm_insn_encode(&prog[i], mem + 16 * i);
    uint64_t base[4] = {MB + OFF_W, MB + OFF_A, MB + OFF_Y, MB};
    rtl_run rr;
    double t0 = now();
    if (rtl_run_prog(s, MB, np, base, 400000000ull, &rr) || rr.status) {
        fprintf(stderr, "%s on %s: status %x pc %u\n", w->name, p->name, rr.status, rr.err_pc);
        return -1;
    }
    double dt = now() - t0;
    /* engine, timing only */
    bm_run_args a = {MB, np, {base[0], base[1], base[2], base[3]}};
    bm_engine_opts eo = {p->mem_latency, p->mem_bpc, 0, 1};
    bm_run_result er;
    uint64_t ecyc = bm_engine_run(p, &eo, mem, MB, MEMB, &a, &er) == 0 ? er.counters[BM_CNT_CYCLES] : 0;
    uint64_t cyc = rr.counters[BM_CNT_CYCLES];
    uint64_t comp = (uint64_t)nt * mt * ks * w->terms;
    uint64_t bytes = (uint64_t)nt * tileb + (uint64_t)nt / G * G * ng * R * 2 + (uint64_t)awords * mt * C * L +
                     (uint64_t)w->m * w->n * 4;
    uint32_t E = p->mem_bpc < DW ? p->mem_bpc : DW;
    uint64_t memc = (bytes + E - 1) / E;
    uint64_t ideal = comp > memc ? comp : memc;
    uint64_t dram = (rr.counters[BM_CNT_RD_BEATS] + rr.counters[BM_CNT_WR_BEATS] + rr.counters[BM_CNT_FETCH_BEATS]) * DW;
    fprintf(csv, "%s,%s,%u,%u,%u,%u,%s,%s,%llu,%llu,%.4f,%llu,%.0f,%llu,%llu,%llu,%llu,%llu,%llu\n", p->name,
            w->name, w->m, w->n, w->k, w->bits, w->dtype, w->sparse ? "2:4" : "dense",
            (unsigned long long)cyc, (unsigned long long)ideal, (double)ideal / cyc,
            (unsigned long long)dram, cyc / dt, (unsigned long long)ecyc,
            (unsigned long long)rr.counters[BM_CNT_CP_STEP], (unsigned long long)rr.counters[BM_CNT_LD_WAIT_MEM],
            (unsigned long long)rr.counters[BM_CNT_CP_WAIT_TOK], (unsigned long long)rr.counters[BM_CNT_RD_BEATS],
            (unsigned long long)rr.counters[BM_CNT_FETCH_BEATS]);
    fflush(csv);
    printf("%-8s %-12s M=%-4u N=%-5u K=%-5u %-10s cycles %9llu ideal %9llu util %.3f (%s-bound) engine %llu  %.2f Mcyc/s (G=%u)\n",
           p->name, w->name, w->m, w->n, w->k, w->dtype, (unsigned long long)cyc, (unsigned long long)ideal,
           (double)ideal / cyc, comp >= memc ? "compute" : "memory", (unsigned long long)ecyc, cyc / dt / 1e6, G);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s OUT.csv\n", argv[0]); return 2; }
    const bm_preset *p = bm_preset_find(bm_sim_preset_name());
    if (!p) return 1;
    MB = rtl_mem_base(p, MEMB, 0);
    FILE *csv = fopen(argv[1], "a");
    if (!csv) { perror(argv[1]); return 1; }
    bm_sim_opts o = {MB, MEMB, p->mem_latency, p->mem_bpc, NULL};
    bm_sim *s = bm_sim_new(&o);
    if (!s) return 1;
    int big = p->rows * p->cols >= 16;    /* default, decode: full sizes */
    uint32_t kk = big ? 1024 : 256, gm = big ? 64 : 16, gv = big ? 2048 : 512;
    if (p->lanes * p->rows % 2 || p->lanes == 6) { kk = 240; gv = 480; }   /* odd: multiples of 6 and 3 */
    uint32_t nn = kk - kk % p->rows, nv = gv - gv % p->rows;
    /* the GEMM's token tiles must fit half of ACC and all of ACT */
    while (gm > p->cols && (((gm + p->cols - 1) / p->cols) * p->rows * p->cols > p->acc_bytes / 8 ||
                            (uint64_t)kk * ((gm + p->cols - 1) / p->cols) * p->cols > p->act_bytes)) gm /= 2;
    const uint32_t mb = p->max_bits;
    wl w[] = {
        {"gemm", "int4", gm, nn, kk, 4, 2, 1, 0},
        {"gemv", "int4", 1, nv, gv, 4, 2, 1, 0},
    };
    int rc = 0;
    for (unsigned i = 0; i < sizeof w / sizeof w[0]; i++) rc |= run(p, s, &w[i], csv);
    if (!strcmp(p->name, "default")) {    /* bits, datatypes, sparsity on the default array */
        wl sw[] = {
            {"bits", "int2", 64, 256, 1024, 2, 1, 1, 0}, {"bits", "int3", 64, 256, 1024, 3, 2, 1, 0},
            {"bits", "int4", 64, 256, 1024, 4, 2, 1, 0}, {"bits", "int5", 64, 256, 1024, 5, 3, 1, 0},
            {"bits", "int6", 64, 256, 1024, 6, 3, 1, 0}, {"bits", "int7", 64, 256, 1024, 7, 4, 1, 0},
            {"bits", "int8", 64, 256, 1024, mb, 4, 1, 0},
            {"bits", "bitmod3", 64, 256, 1024, 3, 2, 0, 0}, {"bits", "bitmod4", 64, 256, 1024, 4, 2, 0, 0},
            {"bits", "w2star", 64, 256, 1024, 3, 1, 0, 0},
            {"sparsity", "int4", 64, 256, 1024, 4, 2, 1, 1},
        };
        for (unsigned i = 0; i < sizeof sw / sizeof sw[0]; i++) rc |= run(p, s, &sw[i], csv);
    }
    bm_sim_free(s);
    fclose(csv);
    return rc ? 1 : 0;
}
