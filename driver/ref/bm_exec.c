/* Bit-exact semantics of CONFIG, LOAD, STORE and COMPUTE, written to follow
 * the pseudo-code of docs/isa.md line by line. The RTL is held to this. */
#include "bm_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG(...) snprintf(x->msg, 256, __VA_ARGS__)

/* ---- decode --------------------------------------------------------------- */

static int term_value(uint8_t t)
{
    if (!(t & 0x80))
        return 0;
    int v = 1 << (t & 7);
    return (t & 0x40) ? -v : v;
}

static int booth_value(unsigned code, unsigned bits, int offset, unsigned terms)
{
    if (offset)
        code ^= 1u << (bits - 1);
    /* sign-extend to 16 bits so x[i] above bits-1 equals the sign bit */
    int32_t xs = (int32_t)(code << (32 - bits)) >> (32 - bits);
    uint32_t xv = (uint32_t)xs;
    int v = 0;
    for (unsigned t = 0; t < terms; t++) {
        int hi = (xv >> (2 * t + 1)) & 1, mid = (xv >> (2 * t)) & 1;
        int lo = t ? (int)((xv >> (2 * t - 1)) & 1) : 0;
        v += (-2 * hi + mid + lo) * (1 << (2 * t));
    }
    return v;
}

int bm_decode_value(const bm_preset *p, const bm_insn *cfg, const uint8_t *tab,
                    unsigned sel, unsigned code)
{
    if (cfg->dmode)
        return booth_value(code, cfg->bits, (int)cfg->offset, cfg->terms);
    int v = 0;
    size_t e = (((size_t)sel << p->table_bits) | code) * p->max_terms;
    for (unsigned t = 0; t < cfg->terms; t++)
        v += term_value(tab[e + t]);
    return v;
}

/* ---- CONFIG ---------------------------------------------------------------- */

int bm_exec_config(bm_xstate *x, const bm_insn *in)
{
    const bm_preset *p = x->p;
    const char *why = NULL;
    if (in->bits < 1 || in->bits > p->max_bits)
        why = "bits outside 1..max_bits";
    else if (in->terms < 1 || in->terms > p->max_terms)
        why = "terms outside 1..max_terms";
    else if (!in->dmode && in->bits > p->table_bits)
        why = "table mode needs bits <= table_bits";
    else if (!in->dmode && in->offset)
        why = "offset is for Booth mode only";
    else if (in->dmode && in->terms != (in->bits + 1) / 2)
        why = "Booth mode needs terms == ceil(bits/2)";
    else if (in->act_bits < 2 || in->act_bits > 8)
        why = "act_bits outside 2..8";
    else if (in->gsteps < 1 || (uint64_t)in->gsteps * p->lanes > BM_GROUP_MAX)
        why = "gsteps*LANES must be in 1..GROUP_MAX";
    else if (in->sparse && (p->lanes & 1))
        why = "2:4 mode needs an even LANES";
    else if (in->zp && in->sel)
        why = "zp and sel share aux: not both";
    if (why) {
        MSG("CONFIG: %s (bits=%u terms=%u dmode=%u gsteps=%u)", why, in->bits,
            in->terms, in->dmode, in->gsteps);
        return BM_HWERR_CONFIG;
    }
    x->cfg = *in;
    x->cfg_valid = 1;
    return 0;
}

/* ---- DMA ------------------------------------------------------------------- */

/* Device address of byte j of row i, or 0 with an error message. */
static int dram_span(bm_xstate *x, const bm_insn *in, uint32_t row, uint64_t *addr)
{
    uint64_t a = x->base[in->base];
    uint64_t off = (uint64_t)in->dram_off + (uint64_t)row * in->dram_stride;
    if (a + off < a) {
        MSG("address overflow: base%u 0x%llx + 0x%llx", in->base, (unsigned long long)a,
            (unsigned long long)off);
        return BM_HWERR_DRAM;
    }
    a += off;
    /* no byte at or above 2^addr_bits (a < 2^64 here, and the window check
     * below covers the 2^64 end) */
    if (x->p->addr_bits < 64 && (a >> x->p->addr_bits ||
                                 (1ull << x->p->addr_bits) - a < in->row_bytes)) {
        MSG("device address 0x%llx (+%u bytes) reaches 2^%u", (unsigned long long)a, in->row_bytes,
            x->p->addr_bits);
        return BM_HWERR_DRAM;
    }
    if (a < x->mem_base || a - x->mem_base > x->mem_bytes ||
        x->mem_bytes - (a - x->mem_base) < in->row_bytes) {
        MSG("device address 0x%llx (+%u bytes) outside memory [0x%llx, 0x%llx)",
            (unsigned long long)a, in->row_bytes, (unsigned long long)x->mem_base,
            (unsigned long long)(x->mem_base + x->mem_bytes));
        return BM_HWERR_DRAM;
    }
    *addr = a - x->mem_base;
    return 0;
}

/* Every row of a LOAD/STORE inside device memory (checked before any byte
 * moves, so a failing instruction changes nothing). */
static int dram_rows_ok(bm_xstate *x, const bm_insn *in)
{
    for (uint32_t i = 0; i < in->rows; i++) {
        uint64_t a;
        int e = dram_span(x, in, i, &a);
        if (e)
            return e;
    }
    return 0;
}

int bm_exec_load(bm_xstate *x, const bm_insn *in)
{
    if (in->rows < 1 || in->row_bytes < 1) {
        MSG("LOAD: rows and row_bytes must be >= 1");
        return BM_HWERR_FIELD;
    }
    uint64_t n = (uint64_t)in->rows * in->row_bytes;
    if ((uint64_t)in->sp_addr + n > x->sp_bytes[in->sp]) {
        MSG("LOAD: scratchpad %u bytes [%u, %llu) beyond its %u bytes", in->sp, in->sp_addr,
            (unsigned long long)(in->sp_addr + n), x->sp_bytes[in->sp]);
        return BM_HWERR_SP_RANGE;
    }
    int e = dram_rows_ok(x, in);
    if (e)
        return e;
    for (uint32_t i = 0; i < in->rows; i++) {
        uint64_t a;
        dram_span(x, in, i, &a);
        memcpy(x->sp[in->sp] + in->sp_addr + (uint64_t)i * in->row_bytes, x->mem + a,
               in->row_bytes);
    }
    return 0;
}

int bm_exec_store(bm_xstate *x, const bm_insn *in)
{
    if (in->rows < 1 || in->row_bytes < 4 || (in->row_bytes & 3)) {
        MSG("STORE: rows >= 1 and row_bytes a non-zero multiple of 4 required");
        return BM_HWERR_FIELD;
    }
    uint64_t last = (uint64_t)in->sp_addr + (uint64_t)(in->rows - 1) * in->sp_stride +
                    in->row_bytes / 4;
    if (last > x->acc_words) {
        MSG("STORE: ACC words up to %llu beyond its %u words", (unsigned long long)last,
            x->acc_words);
        return BM_HWERR_SP_RANGE;
    }
    int e = dram_rows_ok(x, in);
    if (e)
        return e;
    for (uint32_t i = 0; i < in->rows; i++) {
        uint64_t a;
        dram_span(x, in, i, &a);
        const int32_t *src = x->acc + in->sp_addr + (uint64_t)i * in->sp_stride;
        for (uint32_t j = 0; j < in->row_bytes / 4; j++) {
            uint32_t v = (uint32_t)src[j];
            uint8_t *d = x->mem + a + 4 * j;
            d[0] = (uint8_t)v;
            d[1] = (uint8_t)(v >> 8);
            d[2] = (uint8_t)(v >> 16);
            d[3] = (uint8_t)(v >> 24);
        }
    }
    return 0;
}

/* ---- COMPUTE --------------------------------------------------------------- */

uint64_t bm_tile_wbytes(const bm_preset *p, const bm_insn *cfg, uint32_t ksteps)
{
    uint64_t w = cfg->bits + 2u * cfg->sparse;
    return ((uint64_t)ksteps * p->rows * p->lanes * w + 7) / 8;
}

static unsigned stream_bits(const uint8_t *s, uint64_t bitpos, unsigned n)
{
    unsigned v = 0;
    for (unsigned i = 0; i < n; i++, bitpos++)
        v |= ((s[bitpos >> 3] >> (bitpos & 7)) & 1u) << i;
    return v;
}

static int act_value(uint8_t byte, unsigned bits)
{
    int v = byte & ((1 << bits) - 1);
    return (v & (1 << (bits - 1))) ? v - (1 << bits) : v;
}

int bm_exec_compute(bm_xstate *x, const bm_insn *in)
{
    const bm_preset *p = x->p;
    if (!x->cfg_valid) {
        MSG("COMPUTE before any CONFIG");
        return BM_HWERR_CONFIG;
    }
    if (in->ksteps < 1 || in->reps < 1) {
        MSG("COMPUTE: ksteps and reps must be >= 1");
        return BM_HWERR_FIELD;
    }
    const bm_insn *c = &x->cfg;
    const uint32_t R = p->rows, C = p->cols, L = p->lanes;
    const unsigned sp = c->sparse, W = c->bits + 2 * sp;
    const uint32_t ngroups = (in->ksteps + c->gsteps - 1) / c->gsteps;
    const uint64_t tileb = bm_tile_wbytes(p, c, in->ksteps);
    const uint64_t wreps = in->wrestart ? 1 : in->reps;
    const uint64_t aw = (uint64_t)C * L; /* bytes per ACT word */
    const uint64_t act_words = x->sp_bytes[BM_SP_ACT] / aw;
    const uint64_t words_per_tile = (uint64_t)in->ksteps * (sp ? 2 : 1);
    const uint64_t last_act = (uint64_t)in->act_addr + (uint64_t)(in->reps - 1) * in->act_inc +
                              words_per_tile;
    if ((uint64_t)in->wgt_addr + wreps * tileb > x->sp_bytes[BM_SP_WGT]) {
        MSG("COMPUTE: weights [%u, %llu) beyond WGT (%u bytes)", in->wgt_addr,
            (unsigned long long)(in->wgt_addr + wreps * tileb), x->sp_bytes[BM_SP_WGT]);
        return BM_HWERR_SP_RANGE;
    }
    if (((uint64_t)in->meta_addr + wreps * ngroups * R) * 2 > x->sp_bytes[BM_SP_META]) {
        MSG("COMPUTE: metadata entries beyond META");
        return BM_HWERR_SP_RANGE;
    }
    if (last_act > act_words) {
        MSG("COMPUTE: activation words up to %llu beyond ACT (%llu words)",
            (unsigned long long)last_act, (unsigned long long)act_words);
        return BM_HWERR_SP_RANGE;
    }
    if ((uint64_t)in->acc_addr + (uint64_t)in->reps * R * C > x->acc_words) {
        MSG("COMPUTE: output tiles beyond ACC (%u words)", x->acc_words);
        return BM_HWERR_SP_RANGE;
    }
    if (x->timing_only)
        return 0;

    /* Values of every (selector, code): the TAB may change between COMPUTEs. */
    int vtab[4][256];
    unsigned ncodes = 1u << c->bits;
    for (unsigned s = 0; s < 4; s++)
        for (unsigned k = 0; k < ncodes; k++)
            vtab[s][k] = bm_decode_value(p, c, x->sp[BM_SP_TAB], s, k);

    int64_t *acc = malloc(sizeof(int64_t) * R * C * 3);
    if (!acc) {
        MSG("out of host memory");
        return BM_HWERR_FIELD;
    }
    int64_t *gp = acc + R * C, *as = gp + R * C;
    const uint8_t *wgt = x->sp[BM_SP_WGT], *act = x->sp[BM_SP_ACT];
    const uint8_t *meta = x->sp[BM_SP_META];

    for (uint32_t i = 0; i < in->reps; i++) {
        uint64_t A = (uint64_t)in->act_addr + (uint64_t)i * in->act_inc;
        uint64_t Wb = in->wgt_addr + (in->wrestart ? 0 : i * tileb);
        uint64_t Mb = in->meta_addr + (in->wrestart ? 0 : (uint64_t)i * ngroups * R);
        uint64_t O = in->acc_addr + (uint64_t)i * R * C;
        for (uint32_t r = 0; r < R; r++)
            for (uint32_t cc = 0; cc < C; cc++)
                acc[r * C + cc] = in->acc_load ? x->acc[O + cc * R + r] : 0;
        for (uint32_t g = 0; g < ngroups; g++) {
            memset(gp, 0, sizeof(int64_t) * R * C * 2);
            uint32_t s_end = (g + 1) * c->gsteps < in->ksteps ? (g + 1) * c->gsteps : in->ksteps;
            for (uint32_t s = g * c->gsteps; s < s_end; s++) {
                const uint8_t *w0 = act + (A + (sp ? 2 * (uint64_t)s : s)) * aw;
                for (uint32_t r = 0; r < R; r++) {
                    unsigned sel = c->sel ? (meta[2 * (Mb + g * R + r) + 1] & 3) : 0;
                    for (uint32_t l = 0; l < L; l++) {
                        uint64_t bit = 8 * Wb + ((uint64_t)s * R * L + r * L + l) * W;
                        unsigned slot = stream_bits(wgt, bit, W);
                        unsigned code = slot & ((1u << c->bits) - 1);
                        int v = vtab[sel][code];
                        uint32_t pos = l, wsel = 0;
                        if (sp) {
                            uint32_t q = 4 * (l / 2) + (slot >> c->bits);
                            wsel = q >= L;
                            pos = wsel ? q - L : q;
                        }
                        for (uint32_t cc = 0; cc < C; cc++) {
                            int a = act_value(w0[wsel * aw + cc * L + pos], c->act_bits);
                            gp[r * C + cc] += (int64_t)a * v;
                            as[r * C + cc] += a;
                        }
                    }
                }
            }
            for (uint32_t r = 0; r < R; r++) {
                uint8_t scale = meta[2 * (Mb + g * R + r)];
                int8_t aux = (int8_t)meta[2 * (Mb + g * R + r) + 1];
                for (uint32_t cc = 0; cc < C; cc++) {
                    int64_t d = gp[r * C + cc] - (c->zp ? (int64_t)aux * as[r * C + cc] : 0);
                    int64_t v = acc[r * C + cc] + (int64_t)scale * d;
                    if (v > INT32_MAX || v < INT32_MIN) {
                        v = v > INT32_MAX ? INT32_MAX : INT32_MIN;
                        x->sat_events++;
                    }
                    acc[r * C + cc] = v;
                }
            }
        }
        for (uint32_t r = 0; r < R; r++)
            for (uint32_t cc = 0; cc < C; cc++)
                x->acc[O + cc * R + r] = (int32_t)acc[r * C + cc];
    }
    free(acc);
    return 0;
}
