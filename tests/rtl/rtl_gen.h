/* rtl_gen.h: generator of random legal, race-free, token-correct programs
 * for the RTL-vs-engine comparison (test_rtl_random) and the illegal-program
 * tests. A program runs `iters` double-buffered iterations: LOADs fill half b
 * of WGT/META/ACT (and TAB once), COMPUTEs read it and write tiles into half b
 * of ACC, STOREs copy those tiles to strided, unaligned DRAM rows. Tokens
 * follow the VTA scheme so no scratchpad byte is refilled while in use, and
 * every byte a COMPUTE or STORE reads was written earlier in the same run. */
#ifndef RTL_GEN_H
#define RTL_GEN_H

#include <stdint.h>
#include <string.h>

#include "bm_insn.h"
#include "bm_isa.h"
#include "bm_presets.h"

#define GEN_MAX_INSNS 2048
#define GEN_IN_OFF   0x10000u   /* input data region (BASE0) */
#define GEN_IN_BYTES 0x60000u
#define GEN_OUT_OFF  0x80000u   /* output region (BASE1) */
#define GEN_OUT_BYTES 0x80000u
#define GEN_MEM_BYTES 0x100000u

typedef struct gen_rng { uint64_t s; } gen_rng;
static inline uint64_t gen_next(gen_rng *r) {
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
/* uniform in [lo, hi] */
static inline uint32_t gen_rand(gen_rng *r, uint32_t lo, uint32_t hi) {
    return hi <= lo ? lo : lo + (uint32_t)(gen_next(r) % ((uint64_t)hi - lo + 1));
}

typedef struct gen_prog {
    bm_insn in[GEN_MAX_INSNS];
    uint32_t n;
    uint32_t insn_off;       /* byte offset of the program in memory */
    uint32_t mem_latency, mem_bpc;
} gen_prog;

typedef struct gen_ctx {
    const bm_preset *p;
    gen_rng r;
    gen_prog *g;
    uint32_t out_cur;        /* next free output byte (relative to BASE1) */
    int sat_mode;            /* load everything from the constant first 64 KiB */
} gen_ctx;

static inline void gen_emit(gen_ctx *c, const bm_insn *in) {
    if (c->g->n < GEN_MAX_INSNS - 1) c->g->in[c->g->n++] = *in;
}

static inline void gen_nop(gen_ctx *c, unsigned q) {
    bm_insn in; memset(&in, 0, sizeof in);
    in.op = BM_OP_NOP; in.queue = q;
    gen_emit(c, &in);
}

/* LOAD `n` bytes to scratchpad sp at sp_addr from a random place of the input
 * region, as one or two LOADs with random row shapes. Token flags go on the
 * first (pop) / last (push) LOAD. */
static inline void gen_load(gen_ctx *c, unsigned sp, uint32_t sp_addr, uint32_t n,
                            int pop, int push) {
    while (n) {
        bm_insn in; memset(&in, 0, sizeof in);
        in.op = BM_OP_LOAD; in.sp = sp; in.base = gen_rand(&c->r, 0, 1) ? 0 : 2;
        uint32_t rb = gen_rand(&c->r, 0, 3) == 0 ? n : gen_rand(&c->r, 1, n < 600 ? n : 600);
        if (gen_rand(&c->r, 0, 5) == 0 && n > 4000) rb = gen_rand(&c->r, 4000, n < 9000 ? n : 9000);
        uint32_t rows = n / rb;
        if (rows > 4095) rows = 4095;
        if (rows > 64 && gen_rand(&c->r, 0, 1)) rows = 64;
        in.rows = rows; in.row_bytes = rb; in.sp_addr = sp_addr;
        in.dram_stride = rb + (gen_rand(&c->r, 0, 2) ? 0 : gen_rand(&c->r, 0, 300));
        if (gen_rand(&c->r, 0, 7) == 0) in.dram_stride = gen_rand(&c->r, 0, rb); /* overlapping rows */
        uint64_t span = (uint64_t)(rows - 1) * in.dram_stride + rb;
        if (span > GEN_IN_BYTES - 64) { in.dram_stride = rb; span = (uint64_t)rows * rb; }
        in.dram_off = gen_rand(&c->r, 0, (uint32_t)(GEN_IN_BYTES - 64 - span));
        if (c->sat_mode && span < 0x10000 - 64) in.dram_off = gen_rand(&c->r, 0, (uint32_t)(0x10000 - 64 - span));
        if (in.base == 2) in.dram_off += 64;  /* BASE2 = BASE0 - 64 */
        uint32_t done = rows * rb;
        in.pop_next = pop; pop = 0;
        in.push_next = (done == n) ? push : 0;
        gen_emit(c, &in);
        sp_addr += done; n -= done;
    }
}

/* A random CONFIG legal for the preset. */
static inline void gen_config(gen_ctx *c, bm_insn *cfg) {
    const bm_preset *p = c->p;
    memset(cfg, 0, sizeof *cfg);
    cfg->op = BM_OP_CONFIG;
    cfg->dmode = gen_rand(&c->r, 0, 1);
    if (cfg->dmode) {
        cfg->bits = gen_rand(&c->r, 1, p->max_bits);
        cfg->terms = (cfg->bits + 1) / 2;
        if (cfg->terms > p->max_terms) { cfg->bits = 2 * p->max_terms; cfg->terms = p->max_terms; }
        cfg->offset = gen_rand(&c->r, 0, 1);
    } else {
        cfg->bits = gen_rand(&c->r, 1, p->table_bits);
        cfg->terms = gen_rand(&c->r, 1, p->max_terms);
    }
    cfg->sparse = (p->lanes % 2 == 0) ? gen_rand(&c->r, 0, 2) == 0 : 0;
    unsigned m = gen_rand(&c->r, 0, 2);
    cfg->zp = m == 1; cfg->sel = m == 2;
    cfg->act_bits = gen_rand(&c->r, 0, 2) ? 8 : gen_rand(&c->r, 2, 8);
    uint32_t gmax = BM_GROUP_MAX / p->lanes;
    if (c->sat_mode) {   /* widest Booth codes, no zero-point: large sums */
        cfg->dmode = 1; cfg->terms = p->max_terms; cfg->bits = 2 * p->max_terms;
        if (cfg->bits > p->max_bits) cfg->bits = p->max_bits;
        cfg->terms = (cfg->bits + 1) / 2; cfg->offset = 0; cfg->zp = 0;
    }
    cfg->gsteps = gen_rand(&c->r, 0, 4) == 0 ? gen_rand(&c->r, 1, gmax < 200 ? gmax : 200)
                                             : gen_rand(&c->r, 1, 12);
}

static inline uint64_t gen_tileb(const bm_preset *p, const bm_insn *cfg, uint32_t k) {
    return ((uint64_t)k * p->rows * p->lanes * (cfg->bits + 2 * cfg->sparse) + 7) / 8;
}

/* Build a whole program. */
static inline void gen_program(const bm_preset *p, uint64_t seed, gen_prog *g) {
    gen_ctx c = {p, {seed}, g, 0, 0};
    memset(g, 0, sizeof *g);
    c.sat_mode = gen_rand(&c.r, 0, 7) == 0;
    const uint32_t R = p->rows, C = p->cols, L = p->lanes;
    const uint32_t wh = p->wgt_bytes / 2, mh = p->meta_bytes / 4 /* entries */;
    const uint32_t aw = C * L, ah = p->act_bytes / aw / 2 /* words */;
    const uint32_t ch = p->acc_bytes / 4 / 2 /* words */;
    const uint32_t tabb = 4u * (1u << p->table_bits) * p->max_terms;
    /* memory model and program placement (sometimes straddling 4 KiB) */
    g->mem_latency = gen_rand(&c.r, 0, 2) ? p->mem_latency : gen_rand(&c.r, 1, 40);
    g->mem_bpc = gen_rand(&c.r, 0, 2) ? p->mem_bpc : gen_rand(&c.r, 1, 2 * p->axi_bytes);
    g->insn_off = gen_rand(&c.r, 0, 1) ? 16 * gen_rand(&c.r, 0, 64)
                                       : 0x1000 - 16 * gen_rand(&c.r, 1, 6);
    uint32_t iters = gen_rand(&c.r, 1, 6);
    bm_insn cfg; gen_config(&c, &cfg);
    /* the decode table is loaded once, before anything reads it */
    gen_load(&c, BM_SP_TAB, 0, tabb, 0, 0);
    uint32_t it = 0;
    for (uint32_t k = 0; k < iters; k++) {
        uint32_t b = it & 1;
        if (it && gen_rand(&c.r, 0, 2) == 0) gen_config(&c, &cfg);
        /* plan 1..2 COMPUTEs that fit in the halves */
        bm_insn cmp[2]; uint32_t ncmp = gen_rand(&c.r, 1, 2);
        uint32_t wcur = 0, mcur = 0, acur = 0, ocur = 0;
        struct { uint32_t w, wn, m, mn, a, an; } need[2];
        for (uint32_t j = 0; j < ncmp; j++) {
            bm_insn *x = &cmp[j]; memset(x, 0, sizeof *x);
            x->op = BM_OP_COMPUTE;
            for (int tries = 0;; tries++) {
                uint32_t kmax = tries > 20 ? 2 : 40;
                x->ksteps = gen_rand(&c.r, 1, kmax);
                if ((c.sat_mode || gen_rand(&c.r, 0, 6) == 0) && tries < 5) x->ksteps = gen_rand(&c.r, 40, 300);
                x->reps = gen_rand(&c.r, 1, tries > 20 ? 1 : 4);
                x->wrestart = gen_rand(&c.r, 0, 3) == 0;
                x->act_inc = gen_rand(&c.r, 0, 3) == 0 ? 0 : gen_rand(&c.r, 0, 2 * x->ksteps + 4);
                if (j > 0 && gen_rand(&c.r, 0, 1)) {   /* k-split: accumulate on tile j-1 */
                    x->acc_load = 1; x->acc_addr = cmp[j - 1].acc_addr; x->reps = cmp[j - 1].reps;
                } else {
                    x->acc_load = 0; x->acc_addr = b * ch + ocur;
                }
                uint32_t ng = (x->ksteps + cfg.gsteps - 1) / cfg.gsteps;
                uint32_t wreps = x->wrestart ? 1 : x->reps;
                uint64_t wn = wreps * gen_tileb(p, &cfg, x->ksteps);
                uint64_t mn = (uint64_t)wreps * ng * R;
                uint64_t an = (uint64_t)(x->reps - 1) * x->act_inc + (uint64_t)x->ksteps * (cfg.sparse ? 2 : 1);
                uint64_t on = x->acc_load ? 0 : (uint64_t)x->reps * R * C;
                if (wcur + wn <= wh && mcur + mn <= mh && acur + an <= ah && ocur + on <= ch) {
                    need[j].w = b * wh + wcur; need[j].wn = (uint32_t)wn;
                    need[j].m = b * mh + mcur; need[j].mn = (uint32_t)mn;
                    need[j].a = b * ah + acur; need[j].an = (uint32_t)an;
                    x->wgt_addr = need[j].w; x->meta_addr = need[j].m; x->act_addr = need[j].a;
                    wcur += (uint32_t)wn + gen_rand(&c.r, 0, 3); mcur += (uint32_t)mn;
                    acur += (uint32_t)an; ocur += (uint32_t)on;
                    break;
                }
                if (tries > 60) { ncmp = j; break; }
            }
        }
        if (ncmp == 0) continue;
        /* LOADs of every region; pop C2L from iteration it >= 2, push L2C */
        int pop = it >= 2;
        for (uint32_t j = 0; j < ncmp; j++) {
            int last = j == ncmp - 1;
            if (need[j].wn) gen_load(&c, BM_SP_WGT, need[j].w, need[j].wn, pop, 0), pop = 0;
            gen_load(&c, BM_SP_META, 2 * need[j].m, 2 * need[j].mn, pop, 0); pop = 0;
            gen_load(&c, BM_SP_ACT, need[j].a * aw, need[j].an * aw, pop, 0); pop = 0;
            if (last) {
                if (gen_rand(&c.r, 0, 3) == 0) {          /* token via a NOP */
                    bm_insn nop; memset(&nop, 0, sizeof nop);
                    nop.op = BM_OP_NOP; nop.queue = 0; nop.push_next = 1; gen_emit(&c, &nop);
                } else {
                    g->in[g->n - 1].push_next = 1;
                }
            }
        }
        if (gen_rand(&c.r, 0, 3) == 0) gen_nop(&c, gen_rand(&c.r, 0, 2));
        /* CONFIG + COMPUTEs */
        gen_emit(&c, &cfg);
        for (uint32_t j = 0; j < ncmp; j++) {
            bm_insn x = cmp[j];
            if (j == 0) { x.pop_prev = 1; x.pop_next = it >= 2; }
            if (j == ncmp - 1) { x.push_prev = 1; x.push_next = 1; }
            gen_emit(&c, &x);
        }
        /* STOREs of random windows of the tiles written */
        uint32_t tw = ocur, t0 = b * ch;
        uint32_t nst = gen_rand(&c.r, 1, 2);
        for (uint32_t j = 0; j < nst; j++) {
            bm_insn s; memset(&s, 0, sizeof s);
            s.op = BM_OP_STORE; s.base = 1;
            uint32_t rw = gen_rand(&c.r, 1, tw < 40 ? tw : 40);
            uint32_t stride = gen_rand(&c.r, 0, 3) == 0 ? rw : gen_rand(&c.r, 0, rw + 8);
            uint32_t maxrows = stride ? (tw - rw) / stride + 1 : 64;
            uint32_t rows = gen_rand(&c.r, 1, maxrows < 64 ? maxrows : 64);
            uint32_t span = (rows - 1) * stride + rw;
            s.sp_addr = t0 + gen_rand(&c.r, 0, tw - span);
            s.sp_stride = stride; s.rows = rows; s.row_bytes = 4 * rw;
            s.dram_stride = 4 * rw + gen_rand(&c.r, 0, 2) * gen_rand(&c.r, 0, 100);
            uint32_t dspan = (rows - 1) * s.dram_stride + 4 * rw;
            if (c.out_cur + dspan + 64 > GEN_OUT_BYTES) c.out_cur = 0;
            s.dram_off = c.out_cur + gen_rand(&c.r, 0, 31);
            if (gen_rand(&c.r, 0, 5) == 0) s.dram_off = (s.dram_off | 4095) + 1 - gen_rand(&c.r, 1, 40);
            if (s.dram_off + dspan > GEN_OUT_BYTES) s.dram_off = 0;
            c.out_cur = s.dram_off + dspan + gen_rand(&c.r, 0, 16);
            s.pop_prev = j == 0;
            s.push_prev = j == nst - 1;
            gen_emit(&c, &s);
        }
        if (gen_rand(&c.r, 0, 4) == 0) gen_nop(&c, gen_rand(&c.r, 0, 2));
        it++;
    }
    bm_insn fin; memset(&fin, 0, sizeof fin); fin.op = BM_OP_FINISH;
    gen_emit(&c, &fin);
}

/* Fill memory for a program: random input data, zero outputs, the code. */
static inline void gen_memory(const gen_prog *g, uint64_t seed, uint8_t *mem) {
    gen_rng r = {seed ^ 0x5eed5eedull};
    memset(mem, 0, GEN_MEM_BYTES);
    for (uint32_t i = 0; i < GEN_IN_BYTES; i += 8) {
        uint64_t v = gen_next(&r);
        memcpy(mem + GEN_IN_OFF + i, &v, 8);
    }
    /* the first 64 KiB hold one large byte (programs in sat_mode load only
     * from there: long same-sign sums that saturate); some other pages too */
    memset(mem + GEN_IN_OFF, (gen_next(&r) & 1) ? 0x7f : 0x81, 0x10000);
    for (uint32_t pg = 0; pg < GEN_IN_BYTES; pg += 4096) {
        if (gen_next(&r) % 4 == 0) {
            static const uint8_t big[4] = {0x7f, 0x80, 0x81, 0xff};
            memset(mem + GEN_IN_OFF + pg, big[gen_next(&r) % 4], 4096);
        }
    }
    for (uint32_t i = 0; i < g->n; i++) bm_insn_encode(&g->in[i], mem + g->insn_off + 16 * i);
}

#endif
