/* Layer scheduler; see bm_sched.h.
 *
 * Jobs run in the order (m-block, n-tile, k-chunk). Job i's weights go to
 * WGT/META half i%2, an m-block's activations to ACT half (block%2), an
 * (m-block, n-tile) group's outputs to ACC half (group%2). Program order is
 * loads of job 0, then per job: loads of job i+1, COMPUTE i, STOREs of a
 * finished group — so loads run one job ahead and every dependency points
 * backwards in program order (no deadlock with in-order dispatch). */
#include "bm_sched.h"

#include <stdlib.h>
#include <string.h>

#include "bm_engine.h"
#include "bm_insn.h"

typedef struct item {
    bm_insn in;
    int unit;
    int dep_prev, dep_next; /* item that must finish first, -1 if none */
} item;

typedef struct ctx {
    item *it;
    int n, cap, oom;
} ctx;

static int add(ctx *c, const bm_insn *in, int dep_a, int dep_b)
{
    if (c->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 256;
        item *ni = realloc(c->it, sizeof(item) * (size_t)cap);
        if (!ni) {
            c->oom = 1;
            return -1;
        }
        c->it = ni;
        c->cap = cap;
    }
    item *x = &c->it[c->n];
    x->in = *in;
    x->unit = bm_insn_unit(in);
    x->dep_prev = x->dep_next = -1;
    /* Sort the edges by direction: a dep on a unit with a lower number is "prev". */
    int deps[2] = {dep_a, dep_b};
    for (int i = 0; i < 2; i++) {
        if (deps[i] < 0)
            continue;
        int pu = c->it[deps[i]].unit;
        if (pu < x->unit)
            x->dep_prev = x->dep_prev > deps[i] ? x->dep_prev : deps[i];
        else
            x->dep_next = x->dep_next > deps[i] ? x->dep_next : deps[i];
    }
    return c->n++;
}

/* Turn edges into push/pop flags: for each consumer (in order), a dependency
 * newer than the last one satisfied makes the producer push and the consumer
 * pop one token. Tokens then balance exactly. */
static void assign_tokens(ctx *c)
{
    int last[3][2]; /* [consumer unit][0 prev, 1 next] */
    for (int u = 0; u < 3; u++)
        last[u][0] = last[u][1] = -1;
    for (int i = 0; i < c->n; i++) {
        item *x = &c->it[i];
        if (x->unit < 0)
            continue; /* FINISH */
        if (x->dep_prev > last[x->unit][0]) {
            x->in.pop_prev = 1;
            c->it[x->dep_prev].in.push_next = 1;
            last[x->unit][0] = x->dep_prev;
        }
        if (x->dep_next > last[x->unit][1]) {
            x->in.pop_next = 1;
            c->it[x->dep_next].in.push_prev = 1;
            last[x->unit][1] = x->dep_next;
        }
    }
}

/* Contiguous copy of `bytes` into a scratchpad as at most two LOADs (the row
 * fields are 12/16 bits wide). Returns the last item. */
static int load_copy(ctx *c, int sp, uint32_t sp_addr, int base, uint64_t off, uint64_t bytes, int dep)
{
    int last = -1;
    while (bytes) {
        bm_insn in = {0};
        in.op = BM_OP_LOAD;
        in.sp = (uint32_t)sp;
        in.base = (uint32_t)base;
        in.sp_addr = sp_addr;
        in.dram_off = (uint32_t)off;
        uint64_t rb = bytes < 32768 ? bytes : 32768;
        uint64_t rows = bytes / rb;
        if (rows > 4095)
            rows = 4095;
        in.rows = (uint32_t)rows;
        in.row_bytes = (uint32_t)rb;
        in.dram_stride = (uint32_t)rb;
        last = add(c, &in, dep, -1);
        dep = -1; /* the LOAD queue is in order: one wait suffices */
        sp_addr += (uint32_t)(rows * rb);
        off += rows * rb;
        bytes -= rows * rb;
    }
    return last;
}

double bm_sched_ideal_cycles(const bm_preset *p, const bm_layer_hw *hw, int M)
{
    double macs = (double)M * hw->N * hw->K * hw->terms;
    return macs / ((double)p->rows * p->cols * p->lanes) / (hw->sparse ? 2.0 : 1.0);
}

int bm_sched_layer(const bm_preset *p, const bm_layer_hw *hw, int M, bm_prog *out, bm_err *err)
{
    const uint32_t R = p->rows, C = p->cols, L = p->lanes;
    const uint32_t aw = C * L;                      /* bytes per ACT word */
    const uint32_t tile_words = hw->Kpad / L;       /* ACT words per m-tile */
    const uint32_t act_half_words = p->act_bytes / aw / 2;
    const uint32_t acc_half = p->acc_bytes / 4 / 2;
    if (M < 1)
        return bm_fail(err, BM_E_INVAL, "%s: M must be >= 1", hw->name);
    uint32_t mtiles = ((uint32_t)M + C - 1) / C;
    uint32_t mb = act_half_words / tile_words;
    if (acc_half / (R * C) < mb)
        mb = acc_half / (R * C);
    if (mb > 4095)
        mb = 4095;
    if (mb < 1)
        return bm_fail(err, BM_E_RANGE, "%s: K=%u does not fit half of ACT on preset %s "
                       "(%u words per token tile, %u available)", hw->name, hw->K, p->name,
                       tile_words, act_half_words);
    if (mb > mtiles)
        mb = mtiles;
    const uint32_t nblocks = (mtiles + mb - 1) / mb;
    const uint32_t njobs_per_block = hw->ntiles * hw->nchunks;
    const uint64_t njobs = (uint64_t)nblocks * njobs_per_block;

    ctx c = {0};
    bm_insn cfg = {0};
    cfg.op = BM_OP_CONFIG;
    cfg.bits = hw->code_bits;
    cfg.terms = hw->terms;
    cfg.dmode = hw->dmode;
    cfg.offset = hw->offset;
    cfg.sparse = hw->sparse;
    cfg.zp = hw->zp;
    cfg.sel = hw->sel;
    cfg.act_bits = hw->act_bits;
    cfg.gsteps = hw->gsteps;
    add(&c, &cfg, -1, -1);
    int tab_load = -1;
    if (hw->tab_bytes)
        tab_load = load_copy(&c, BM_SP_TAB, 0, 0, 0, hw->tab_bytes, -1);
    (void)tab_load; /* the LOAD queue is in order: weight loads imply it */

    int *job_load = malloc(sizeof(int) * (njobs ? njobs : 1));
    int *job_comp = malloc(sizeof(int) * (njobs ? njobs : 1));
    int *block_last_comp = malloc(sizeof(int) * nblocks);
    uint64_t ngroups = (uint64_t)nblocks * hw->ntiles;
    int *group_last_store = malloc(sizeof(int) * (ngroups ? ngroups : 1));
    if (!job_load || !job_comp || !block_last_comp || !group_last_store) {
        free(job_load); free(job_comp); free(block_last_comp); free(group_last_store); free(c.it);
        return bm_fail(err, BM_E_NOMEM, "out of memory scheduling %s", hw->name);
    }

#define JOB(i, blk, t, ch) \
    uint32_t blk = (uint32_t)((i) / njobs_per_block), t = (uint32_t)((i) % njobs_per_block) / hw->nchunks, \
             ch = (uint32_t)((i) % hw->nchunks)

    for (uint64_t i = 0; i <= njobs; i++) {
        /* Loads of job i (emitted before COMPUTE i-1, i.e. one job ahead). */
        if (i < njobs) {
            JOB(i, blk, t, ch);
            int dep = i >= 2 ? job_comp[i - 2] : -1;
            if (t == 0 && ch == 0) {
                uint32_t tiles = blk + 1 == nblocks ? mtiles - blk * mb : mb;
                int adep = blk >= 2 ? block_last_comp[blk - 2] : -1;
                if (adep > dep)
                    dep = adep;
                load_copy(&c, BM_SP_ACT, (blk % 2) * act_half_words * aw, 1,
                          (uint64_t)blk * mb * tile_words * aw, (uint64_t)tiles * tile_words * aw, dep);
                dep = -1;
            }
            uint32_t steps;
            uint64_t wb, mbytes;
            uint64_t off = bm_layer_chunk(p, hw, t, ch, &steps, &wb, &mbytes);
            uint32_t h = (uint32_t)(i % 2);
            load_copy(&c, BM_SP_WGT, h * (p->wgt_bytes / 2), 0, off, wb, dep);
            job_load[i] = load_copy(&c, BM_SP_META, h * (p->meta_bytes / 2), 0, off + ((wb + 15) & ~15ull),
                                    mbytes, -1);
        }
        if (i == 0)
            continue;
        /* COMPUTE of job i-1, then the STOREs of its group if it was the last chunk. */
        uint64_t j = i - 1;
        JOB(j, blk, t, ch);
        uint32_t tiles = blk + 1 == nblocks ? mtiles - blk * mb : mb;
        uint64_t g = (uint64_t)blk * hw->ntiles + t;
        uint32_t steps;
        uint64_t wb, mbytes;
        bm_layer_chunk(p, hw, t, ch, &steps, &wb, &mbytes);
        bm_insn cp = {0};
        cp.op = BM_OP_COMPUTE;
        cp.acc_load = ch > 0;
        cp.wrestart = 1;
        cp.wgt_addr = (uint32_t)(j % 2) * (p->wgt_bytes / 2);
        cp.meta_addr = (uint32_t)(j % 2) * (p->meta_bytes / 4);
        cp.act_addr = (blk % 2) * act_half_words + ch * hw->chunk_steps * (hw->sparse ? 2 : 1);
        cp.acc_addr = (uint32_t)(g % 2) * acc_half;
        cp.ksteps = steps;
        cp.reps = tiles;
        cp.act_inc = tile_words;
        int sdep = (ch == 0 && g >= 2) ? group_last_store[g - 2] : -1;
        job_comp[j] = add(&c, &cp, job_load[j], sdep);
        block_last_comp[blk] = job_comp[j];
        if (ch + 1 == hw->nchunks) {
            uint32_t n0 = t * R, nv = hw->N - n0 < R ? hw->N - n0 : R;
            int dep = job_comp[j];
            for (uint32_t mt = 0; mt < tiles; mt++) {
                uint32_t m0 = (blk * mb + mt) * C;
                uint32_t mv = (uint32_t)M - m0 < C ? (uint32_t)M - m0 : C;
                bm_insn st = {0};
                st.op = BM_OP_STORE;
                st.base = 2;
                st.rows = mv;
                st.row_bytes = nv * 4;
                st.sp_addr = (uint32_t)(g % 2) * acc_half + mt * R * C;
                st.sp_stride = R;
                st.dram_off = (uint32_t)(((uint64_t)m0 * hw->N + n0) * 4);
                st.dram_stride = hw->N * 4;
                group_last_store[g] = add(&c, &st, dep, -1);
                dep = -1;
            }
        }
    }
#undef JOB
    bm_insn fin = {0};
    fin.op = BM_OP_FINISH;
    add(&c, &fin, -1, -1);
    free(job_load);
    free(job_comp);
    free(block_last_comp);
    free(group_last_store);
    if (c.oom) {
        free(c.it);
        return bm_fail(err, BM_E_NOMEM, "out of memory scheduling %s", hw->name);
    }
    assign_tokens(&c);
    bm_prog_init(out);
    for (int i = 0; i < c.n; i++)
        bm_prog_add(out, &c.it[i].in);
    free(c.it);
    int rc = bm_prog_status(out, err);
    if (rc)
        bm_wrap(err, "scheduling %s", hw->name);
    return rc;
}
