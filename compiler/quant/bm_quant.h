/* Weight quantizers (INT sym/asym, BitMoD, ABQ W2*), two-level group scales
 * and GPTQ. Every quantizer emits one code space, the contract with the
 * hardware decode table; docs/formats.md defines it exactly. */
#ifndef BM_QUANT_H
#define BM_QUANT_H

#include <limits.h>
#include <stdint.h>

#include "bm_err.h"

typedef enum { BM_DT_INT = 0, BM_DT_INT_ASYM = 1, BM_DT_BITMOD = 2, BM_DT_ABQ = 3 } bm_dtype;

/* BitMoD selectors: which extra value the "-0" code decodes to. */
enum { BM_SEL_ER_POS = 0, BM_SEL_ER_NEG = 1, BM_SEL_EA_POS = 2, BM_SEL_EA_NEG = 3 };

typedef struct bm_qconf {
    bm_dtype dtype;
    int bits;       /* INT/INT_ASYM: 2..8; BITMOD: 3 or 4; ABQ: 2 (W2*: 5 levels, stored in 3 bits) */
    int group;      /* weights per group along K; 0 = per output channel (one group = whole row) */
    int scale_bits; /* integer group-scale code bits (two-level scales), 1..8; 0 = fp32 group
                       scales (accuracy reference only, not executable by hardware) */
    int int_full;   /* symmetric INT: 0 = restricted [-(2^(b-1)-1), 2^(b-1)-1] (BitMoD
                       reference), 1 = full two's complement [-2^(b-1), 2^(b-1)-1] */
    int asym_gptq;  /* asymmetric INT range: 0 = [min w, max w] (BitMoD reference),
                       1 = GPTQ (range forced to include 0) */
} bm_qconf;

typedef struct bm_qweight {
    int N, K, group, ngroups; /* group = effective group (K for per-channel); ngroups =
                                 ceil(K/group), the last group may be partial */
    bm_qconf conf;            /* the configuration as given */
    int code_bits;            /* stored bits per code: bits, except ABQ = 3 */
    uint8_t *code;   /* [N][K] stored code in the low code_bits bits */
    uint8_t *sel;    /* [N][ngroups] BitMoD selector; 0 for other dtypes */
    int8_t *zero;    /* [N][ngroups] zero offset in VALUE units (asym), 0 otherwise */
    float *gscale;   /* [N][ngroups] fp32 group scale the quantizer chose (scale_bits 0: the
                        scale the codes use; else the fp32 scale scode was rounded from) */
    uint8_t *scode;  /* [N][ngroups] integer group-scale code, NULL if scale_bits == 0;
                        0 only for an all-zero group */
    float *rscale;   /* [N] row scale: effective group scale = rscale[n] * scode[n][g];
                        1.0 when scale_bits == 0 */
    uint8_t *keep;   /* [N][K] 1 = kept, 0 = pruned (2:4); NULL = dense */
} bm_qweight;

/* bm_q_value() result for an invalid dtype/bits/sel/code. */
#define BM_Q_BADVALUE INT_MIN

/* Integer grid value of a stored code (the hardware decode table is built
 * from this). For INT_ASYM the value is code - 2^(b-1). */
int bm_q_value(bm_dtype dt, int bits, int sel, int code);
/* Number of codes the quantizer can emit (ABQ: 5 of the 8 3-bit codes;
 * restricted INT never emits -2^(b-1) but the code still decodes). 0 if
 * dt/bits are invalid. */
int bm_q_code_count(bm_dtype dt, int bits);
/* BM_OK or BM_E_INVAL with the reason. */
int bm_qconf_check(const bm_qconf *c, bm_err *err);

/* Round-to-nearest quantization. keep (optional, [N][K], must be 2:4) marks
 * pruned weights: they are excluded from the group statistics and coded as
 * exact zero. tensor names the weight in error messages. */
int bm_quantize_rtn(const float *W, int N, int K, const bm_qconf *c, const uint8_t *keep,
                    const char *tensor, bm_qweight *out, bm_err *err);
/* [N][K]. two_level=1: (rscale*scode)*(value-zero) (what the hardware
 * computes; requires scale_bits > 0); 0: gscale*(value-zero). Pruned -> 0. */
void bm_q_dequant(const bm_qweight *q, int two_level, float *W_out);
/* Total stored bits / (N*K): codes (2:4: min(2,run) slots of code_bits + 2
 * index bits per aligned run of 4), per group scale (scale_bits, or 32 for
 * fp32) + selector (BitMoD 2) + zero (asym: bits), per row 32-bit rscale
 * when scale_bits > 0. See docs/formats.md. */
double bm_q_bits_per_weight(const bm_qweight *q);
void bm_qweight_free(bm_qweight *q);

/* GPTQ (BRIEF section 5). H: double [K][K], H = 2/n sum x x^T. block: lazy
 * batch width (adjusted so groups and 2:4 runs never straddle a block).
 * act_order: columns by descending diag(H) with static groups; refused with
 * a mask or sparsegpt_24. sparsegpt_24=1: joint SparseGPT 2:4 + quantization
 * (out->keep is the chosen mask). keep_or_null: quantize on a fixed mask. */
typedef struct bm_gptq_opts { int block; double percdamp; int act_order; } bm_gptq_opts;
#define BM_GPTQ_DEFAULTS ((bm_gptq_opts){128, 0.01, 0})
int bm_quantize_gptq(const float *W, int N, int K, const double *H, const bm_qconf *c,
                     const bm_gptq_opts *o, const uint8_t *keep_or_null, int sparsegpt_24,
                     const char *tensor, bm_qweight *out, bm_err *err);

#endif
