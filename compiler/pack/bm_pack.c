/* Packing of quantized weights into the accelerator's layout; see bm_pack.h.
 * Blob = [decode table, 16-aligned] then per n-tile, per k-chunk:
 * [weight bitstream, 16-aligned][metadata entries, 16-aligned]. */
#include "bm_pack.h"

#include <stdio.h>
#include <string.h>

#include "bm_engine.h"
#include "bm_isa.h"

#define ALIGN16(x) (((x) + 15) & ~(uint64_t)15)

int bm_csd_terms(int v, int8_t sign[8], uint8_t shift[8])
{
    int n = 0;
    for (unsigned s = 0; v != 0 && n < 8; s++) {
        if (v & 1) {
            int d = 2 - (((v % 4) + 4) % 4); /* +1 if v = 1 mod 4, -1 if 3 mod 4 */
            sign[n] = (int8_t)d;
            shift[n] = (uint8_t)s;
            n++;
            v -= d;
        }
        v /= 2;
    }
    return v ? 9 : n;
}

/* Codes a quantizer can emit: W2* uses 5 of its 8 three-bit codes (|q| <= 2);
 * the others still get table entries but must not raise the term count. */
static int emitted(const bm_qweight *q, int v)
{
    return q->conf.dtype != BM_DT_ABQ || (v >= -2 && v <= 2);
}

int bm_decode_table(const bm_preset *p, const bm_qweight *q, uint8_t *tab, int *terms, bm_err *err)
{
    int T = 1;
    memset(tab, 0, bm_tab_bytes(p));
    for (int s = 0; s < 4; s++)
        for (int c = 0; c < (1 << q->code_bits); c++) {
            int v = bm_q_value(q->conf.dtype, q->conf.bits, q->conf.dtype == BM_DT_BITMOD ? s : 0, c);
            if (v == BM_Q_BADVALUE)
                v = 0; /* codes the quantizer never emits */
            int8_t sg[8];
            uint8_t sh[8];
            int n = bm_csd_terms(v, sg, sh);
            if (!emitted(q, v))
                n = n < (int)p->max_terms ? n : (int)p->max_terms;
            else if (n > (int)p->max_terms)
                return bm_fail(err, BM_E_RANGE, "value %d needs %d power-of-two terms, preset %s has %u",
                               v, n, p->name, p->max_terms);
            for (int t = 0; t < n; t++) {
                if (sh[t] > 7)
                    return bm_fail(err, BM_E_RANGE, "value %d needs shift %u > 7", v, sh[t]);
                tab[((size_t)(s << p->table_bits) | (size_t)c) * p->max_terms + t] =
                    (uint8_t)(0x80 | (sg[t] < 0 ? 0x40 : 0) | sh[t]);
            }
            if (n > T && emitted(q, v))
                T = n;
        }
    *terms = T;
    return BM_OK;
}

int bm_layer_plan(const bm_preset *p, const bm_qweight *q, const char *name, int act_bits,
                  bm_layer_hw *hw, bm_err *err)
{
    memset(hw, 0, sizeof *hw);
    snprintf(hw->name, sizeof hw->name, "%s", name);
    if (!q->scode)
        return bm_fail(err, BM_E_INVAL, "%s: fp32 group scales (scale_bits 0) cannot run on the "
                       "accelerator; use integer scale codes", name);
    if (q->conf.scale_bits > 8)
        return bm_fail(err, BM_E_INVAL, "%s: scale codes wider than 8 bits", name);
    const uint32_t L = p->lanes, R = p->rows;
    hw->N = (uint32_t)q->N;
    hw->K = (uint32_t)q->K;
    hw->sparse = q->keep != NULL;
    if (hw->sparse && (L & 1))
        return bm_fail(err, BM_E_INVAL, "%s: 2:4 needs an even LANES (preset %s has %u)", name, p->name, L);
    uint32_t kstep = hw->sparse ? 2 * L : L;
    hw->Kpad = (hw->K + kstep - 1) / kstep * kstep;
    hw->ksteps = hw->Kpad / kstep;
    hw->group = (uint32_t)q->group;
    if (hw->group % kstep && (uint32_t)q->ngroups > 1)
        return bm_fail(err, BM_E_INVAL, "%s: group %u is not a multiple of the %u weights a step covers "
                       "on preset %s", name, hw->group, kstep, p->name);
    hw->gsteps = q->ngroups > 1 ? hw->group / kstep : hw->ksteps;
    if ((uint64_t)hw->gsteps * L > BM_GROUP_MAX)
        return bm_fail(err, BM_E_INVAL, "%s: group of %u steps exceeds GROUP_MAX", name, hw->gsteps);
    hw->dtype = (uint8_t)q->conf.dtype;
    hw->bits = (uint8_t)q->conf.bits;
    hw->code_bits = (uint8_t)q->code_bits;
    hw->zp = q->conf.dtype == BM_DT_INT_ASYM;
    hw->sel = q->conf.dtype == BM_DT_BITMOD;
    hw->act_bits = (uint8_t)act_bits;
    if (q->code_bits <= (int)p->table_bits) {
        uint8_t tab[4096];
        int T;
        if (bm_tab_bytes(p) > sizeof tab)
            return bm_fail(err, BM_E_RANGE, "decode table too large");
        int rc = bm_decode_table(p, q, tab, &T, err);
        if (rc)
            return bm_wrap(err, "%s", name);
        hw->dmode = 0;
        hw->terms = (uint8_t)T;
        hw->tab_bytes = bm_tab_bytes(p);
    } else {
        if (q->conf.dtype != BM_DT_INT && q->conf.dtype != BM_DT_INT_ASYM)
            return bm_fail(err, BM_E_INVAL, "%s: %d-bit codes exceed the table", name, q->code_bits);
        hw->dmode = 1;
        hw->offset = q->conf.dtype == BM_DT_INT_ASYM;
        hw->terms = (uint8_t)((q->code_bits + 1) / 2);
        if (hw->terms > p->max_terms)
            return bm_fail(err, BM_E_RANGE, "%s: %d-bit Booth needs %u terms > max_terms %u", name,
                           q->code_bits, hw->terms, p->max_terms);
    }
    /* k-chunks: as many whole groups as fit in half of WGT and of META. */
    const uint64_t W = hw->code_bits + 2u * hw->sparse;
    const uint64_t step_bits = (uint64_t)R * L * W;
    uint64_t max_steps = (uint64_t)(p->wgt_bytes / 2 - 16) * 8 / step_bits;
    uint64_t max_groups = (p->meta_bytes / 2 - 16) / (2ull * R);
    uint64_t cs = max_steps / hw->gsteps;
    if (cs > max_groups)
        cs = max_groups;
    cs *= hw->gsteps;
    if (cs < hw->gsteps)
        return bm_fail(err, BM_E_RANGE, "%s: one group (%u steps) does not fit half of WGT/META on "
                       "preset %s", name, hw->gsteps, p->name);
    hw->chunk_steps = (uint32_t)(cs < hw->ksteps ? cs : hw->ksteps);
    hw->nchunks = (hw->ksteps + hw->chunk_steps - 1) / hw->chunk_steps;
    hw->ntiles = (hw->N + R - 1) / R;
    hw->tile_bytes = 0;
    for (uint32_t c = 0; c < hw->nchunks; c++) {
        uint32_t st;
        uint64_t wb, mb;
        bm_layer_chunk(p, hw, 0, c, &st, &wb, &mb);
        hw->tile_bytes += ALIGN16(wb) + ALIGN16(mb);
    }
    hw->blob_bytes = ALIGN16(hw->tab_bytes) + hw->ntiles * hw->tile_bytes;
    hw->bpw = bm_q_bits_per_weight(q);
    return BM_OK;
}

uint64_t bm_layer_chunk(const bm_preset *p, const bm_layer_hw *hw, uint32_t tile, uint32_t chunk,
                        uint32_t *steps, uint64_t *wbytes, uint64_t *mbytes)
{
    const uint64_t W = hw->code_bits + 2u * hw->sparse;
    uint64_t off = ALIGN16(hw->tab_bytes) + (uint64_t)tile * hw->tile_bytes;
    /* All chunks but the last have chunk_steps steps, so the prefix is uniform. */
    uint64_t full_w = ((uint64_t)hw->chunk_steps * p->rows * p->lanes * W + 7) / 8;
    uint64_t full_m = 2ull * p->rows * ((hw->chunk_steps + hw->gsteps - 1) / hw->gsteps);
    off += (uint64_t)chunk * (ALIGN16(full_w) + ALIGN16(full_m));
    uint32_t st = hw->ksteps - chunk * hw->chunk_steps;
    if (st > hw->chunk_steps)
        st = hw->chunk_steps;
    *steps = st;
    *wbytes = ((uint64_t)st * p->rows * p->lanes * W + 7) / 8;
    *mbytes = 2ull * p->rows * ((st + hw->gsteps - 1) / hw->gsteps);
    return off;
}

static void put_bits(uint8_t *s, uint64_t bitpos, unsigned n, unsigned v)
{
    for (unsigned i = 0; i < n; i++, bitpos++)
        if ((v >> i) & 1)
            s[bitpos >> 3] |= (uint8_t)(1u << (bitpos & 7));
}

int bm_layer_pack(const bm_preset *p, const bm_qweight *q, const bm_layer_hw *hw, uint8_t *blob,
                  float *rscale, bm_err *err)
{
    const uint32_t R = p->rows, L = p->lanes;
    const unsigned W = hw->code_bits + 2u * hw->sparse;
    const unsigned cmask = (1u << hw->code_bits) - 1;
    if (hw->tab_bytes) {
        int T;
        int rc = bm_decode_table(p, q, blob, &T, err);
        if (rc)
            return rc;
    }
    for (uint32_t t = 0; t < hw->ntiles; t++)
        for (uint32_t ch = 0; ch < hw->nchunks; ch++) {
            uint32_t steps;
            uint64_t wb, mb;
            uint64_t off = bm_layer_chunk(p, hw, t, ch, &steps, &wb, &mb);
            uint8_t *ws = blob + off, *ms = blob + off + ALIGN16(wb);
            uint32_t s0 = ch * hw->chunk_steps;
            for (uint32_t r = 0; r < R; r++) {
                uint32_t n = t * R + r;
                for (uint32_t g = 0; g < (steps + hw->gsteps - 1) / hw->gsteps; g++) {
                    uint32_t gg = (s0 / hw->gsteps) + g; /* group index along K */
                    uint8_t sc = 0, aux = 0;
                    if (n < hw->N && gg < (uint32_t)q->ngroups) {
                        sc = q->scode[(size_t)n * q->ngroups + gg];
                        aux = hw->sel ? q->sel[(size_t)n * q->ngroups + gg]
                                      : (uint8_t)q->zero[(size_t)n * q->ngroups + gg];
                    }
                    ms[2 * ((size_t)g * R + r)] = sc;
                    ms[2 * ((size_t)g * R + r) + 1] = aux;
                }
                if (n >= hw->N)
                    continue; /* padded rows: scale 0, codes 0 */
                const uint8_t *codes = q->code + (size_t)n * q->K;
                for (uint32_t s = 0; s < steps; s++) {
                    uint32_t gs = s0 + s;
                    for (uint32_t l = 0; l < L; l++) {
                        unsigned slot;
                        if (!hw->sparse) {
                            uint32_t k = gs * L + l;
                            slot = k < hw->K ? codes[k] & cmask : 0;
                        } else {
                            /* lane pair (2j, 2j+1) carries the kept weights of run j. */
                            uint32_t run = gs * (L / 2) + l / 2, k0 = run * 4, kept[2], nk = 0;
                            for (uint32_t i = 0; i < 4 && k0 + i < hw->K; i++)
                                if (q->keep[(size_t)n * q->K + k0 + i]) {
                                    if (nk == 2)
                                        return bm_fail(err, BM_E_INVAL, "%s: row %u run at k=%u keeps more "
                                                       "than 2 of 4 weights", hw->name, n, k0);
                                    kept[nk++] = i;
                                }
                            if ((l & 1) < nk) {
                                uint32_t i = kept[l & 1];
                                slot = (codes[k0 + i] & cmask) | (i << hw->code_bits);
                            } else {
                                /* padding: a code whose value equals the zero offset; a run
                                 * past the last group has scale 0, so any code will do. */
                                uint32_t gi = k0 / hw->group;
                                int z = hw->zp && gi < (uint32_t)q->ngroups ? q->zero[(size_t)n * q->ngroups + gi] : 0;
                                unsigned zc = hw->zp ? (unsigned)(z + (1 << (hw->code_bits - 1))) & cmask : 0;
                                slot = zc | ((l & 1) << hw->code_bits);
                            }
                        }
                        put_bits(ws, ((uint64_t)s * R * L + (uint64_t)r * L + l) * W, W, slot);
                    }
                }
            }
        }
    for (uint32_t n = 0; n < hw->N; n++)
        rscale[n] = q->rscale[n];
    return BM_OK;
}

uint64_t bm_act_bytes(const bm_preset *p, const bm_layer_hw *hw, int M)
{
    uint64_t mt = ((uint64_t)M + p->cols - 1) / p->cols;
    return mt * hw->Kpad * p->cols;
}

void bm_act_pack(const bm_preset *p, const bm_layer_hw *hw, const int8_t *x, int M, uint8_t *out)
{
    const uint32_t C = p->cols, L = p->lanes;
    uint64_t mt = ((uint64_t)M + C - 1) / C, words = hw->Kpad / L;
    for (uint64_t j = 0; j < mt; j++)
        for (uint64_t w = 0; w < words; w++)
            for (uint32_t c = 0; c < C; c++)
                for (uint32_t l = 0; l < L; l++) {
                    uint64_t m = j * C + c, k = w * L + l;
                    out[((j * words + w) * C + c) * L + l] =
                        (m < (uint64_t)M && k < hw->K) ? (uint8_t)x[m * hw->K + k] : 0;
                }
}
