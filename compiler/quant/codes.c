/* Code space: the integer grid value of each stored code for every dtype,
 * and configuration checks. The hardware decode table is built from
 * bm_q_value(), so this file is the single definition of the code space. */
#include "bm_quant_impl.h"

/* BitMoD magnitude codes (b-1 bits) and the extra value of "-0" per selector. */
static const int bitmod3_mag[4] = {0, 1, 2, 4};
static const int bitmod4_mag[8] = {0, 1, 2, 3, 4, 6, 8, 12};
static const int bitmod3_extra[4] = {3, -3, 6, -6};
static const int bitmod4_extra[4] = {10, -10, 16, -16};

int bm_q_code_count(bm_dtype dt, int bits)
{
    switch (dt) {
    case BM_DT_INT:
    case BM_DT_INT_ASYM:
        return bits >= 2 && bits <= 8 ? 1 << bits : 0;
    case BM_DT_BITMOD:
        return bits == 3 || bits == 4 ? 1 << bits : 0;
    case BM_DT_ABQ:
        return bits == 2 ? 5 : 0;
    }
    return 0;
}

int bm_q_value(bm_dtype dt, int bits, int sel, int code)
{
    if (bm_q_code_count(dt, bits) == 0 || sel < 0 || sel > 3)
        return BM_Q_BADVALUE;
    int cb = dt == BM_DT_ABQ ? 3 : bits;
    if (code < 0 || code >= (1 << cb))
        return BM_Q_BADVALUE;
    switch (dt) {
    case BM_DT_INT:
    case BM_DT_ABQ: /* two's complement in cb bits; ABQ codes 3,4,5 are never emitted */
        return code >= (1 << (cb - 1)) ? code - (1 << cb) : code;
    case BM_DT_INT_ASYM:
        return code - (1 << (bits - 1));
    case BM_DT_BITMOD: {
        int sign = code >> (bits - 1), mag = code & ((1 << (bits - 1)) - 1);
        const int *mt = bits == 3 ? bitmod3_mag : bitmod4_mag;
        if (sign && mag == 0)
            return bits == 3 ? bitmod3_extra[sel] : bitmod4_extra[sel];
        return sign ? -mt[mag] : mt[mag];
    }
    }
    return BM_Q_BADVALUE;
}

int bm_qconf_check(const bm_qconf *c, bm_err *err)
{
    if (!c)
        return bm_fail(err, BM_E_INVAL, "quantizer: no configuration");
    if (bm_q_code_count(c->dtype, c->bits) == 0)
        return bm_fail(err, BM_E_INVAL,
                       "quantizer: dtype %d does not support %d bits (INT 2..8, BitMoD 3/4, ABQ 2)",
                       (int)c->dtype, c->bits);
    if (c->group < 0)
        return bm_fail(err, BM_E_INVAL, "quantizer: group %d < 0", c->group);
    if (c->scale_bits < 0 || c->scale_bits > 8)
        return bm_fail(err, BM_E_INVAL, "quantizer: scale_bits %d not in 0..8", c->scale_bits);
    return BM_OK;
}
