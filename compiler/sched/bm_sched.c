/* Layer scheduler; see bm_sched.h.
 *
 * A job is one COMPUTE: an n-tile t times a k-piece p (a range of whole
 * quantization groups, at most half of WGT/META) for the `reps` m-tiles of
 * an m-block. Jobs are grouped by (m-block, n-group): an n-group's output
 * tiles (ng n-tiles x mb m-tiles) stay in one ACC half across all k-pieces
 * (acc_load after the first piece) and are stored when the group is done.
 * Two activation policies:
 *   RESIDENT  an m-block's whole K stays in one ACT half; loop order
 *             (block, n-group, n-tile, piece); weights stream once per block.
 *   KSPLIT    only one k-piece of the m-block's activations is in an ACT half;
 *             loop order (block, n-group, piece, n-tile); the piece is
 *             reloaded per n-group, weights stream once per block.
 * An "activation range" is one ACT load unit (a block, or a (block, n-group,
 * piece)); range r lives in ACT half r%2, and its loads are spread over the
 * jobs of range r-1 so they overlap the computes instead of stalling them.
 * Job i's weights go to WGT/META half i%2; group g's outputs to ACC half g%2.
 * Program order is loads of job 0, then per job: loads of job i+1 (its share
 * of the next activation range, its weights and metadata), COMPUTE i, STOREs
 * of a finished group — so loads run one job ahead and every dependency
 * points backwards in program order (no deadlock with in-order dispatch).
 * The loads of job i wait for COMPUTE i-2, which frees both the WGT/META
 * half and (because a range's loads start after the first job of the
 * previous range) the ACT half they overwrite.
 *
 * The policy, m-block, n-group and piece count are chosen by a cost model
 * (est_plan): a two-stage pipeline simulation of the job sequence with the
 * memory model's burst costs (docs/timing.md). */
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

/* ---- geometry and plans ------------------------------------------------ */

typedef struct piece {
    uint32_t s0, s1; /* steps [s0, s1) */
} piece;

typedef struct geo {
    const bm_preset *p;
    const bm_layer_hw *hw;
    uint32_t M, R, C, L, T;
    uint32_t aw;             /* bytes per ACT word */
    uint32_t spw;            /* ACT words per step */
    uint32_t tile_words;     /* ACT words of one m-tile, whole K */
    uint32_t act_half_words;
    uint32_t acc_half;       /* ACC words per half */
    uint32_t mtiles;
    uint64_t step_bits;      /* R*L*W */
    uint32_t cap_w;          /* most steps of one piece in a WGT/META half */
} geo;

typedef struct plan {
    int mode;           /* BM_SCHED_RESIDENT / KSPLIT / LEGACY */
    uint32_t mb, ng, np;
    const piece *pc;
} plan;

typedef struct job {
    uint32_t b, grp, t, tl, p, r;
    uint8_t last_in_grp;
} job;

typedef struct jobs {
    job *j;
    uint32_t n;
    uint32_t nr;        /* activation ranges */
    uint32_t *rfirst;   /* first job of each range */
    uint32_t *rb, *rp;  /* block and piece (UINT32_MAX: whole K) of each range */
} jobs;

static void jobs_free(jobs *J)
{
    free(J->j);
    free(J->rfirst);
    free(J->rb);
    free(J->rp);
    memset(J, 0, sizeof *J);
}

static uint32_t cdiv(uint32_t a, uint32_t b) { return (a + b - 1) / b; }
static uint32_t mtiles_of(const geo *g, const plan *pl, uint32_t b)
{
    uint32_t nb = cdiv(g->mtiles, pl->mb);
    return b + 1 == nb ? g->mtiles - b * pl->mb : pl->mb;
}

/* The job sequence of a plan. */
static int make_jobs(const geo *g, const plan *pl, jobs *J)
{
    const uint32_t nt = g->hw->ntiles, nb = cdiv(g->mtiles, pl->mb), nG = cdiv(nt, pl->ng);
    const int res = pl->mode != BM_SCHED_KSPLIT;
    uint64_t n = (uint64_t)nb * nt * pl->np, nr = res ? nb : (uint64_t)nb * nG * pl->np;
    memset(J, 0, sizeof *J);
    if (n > 50000000ull)
        return -1;
    J->j = malloc(sizeof(job) * n);
    J->rfirst = malloc(sizeof(uint32_t) * nr);
    J->rb = malloc(sizeof(uint32_t) * nr);
    J->rp = malloc(sizeof(uint32_t) * nr);
    if (!J->j || !J->rfirst || !J->rb || !J->rp) {
        jobs_free(J);
        return -1;
    }
    uint32_t i = 0, r = 0;
    for (uint32_t b = 0; b < nb; b++) {
        if (res) {
            J->rfirst[r] = i;
            J->rb[r] = b;
            J->rp[r] = UINT32_MAX;
            r++;
        }
        for (uint32_t G = 0; G < nG; G++) {
            uint32_t grp = b * nG + G, t0 = G * pl->ng, tn = nt - t0 < pl->ng ? nt - t0 : pl->ng;
            for (uint32_t a = 0; a < (res ? tn : pl->np); a++) {
                if (!res) {
                    J->rfirst[r] = i;
                    J->rb[r] = b;
                    J->rp[r] = a;
                    r++;
                }
                for (uint32_t k = 0; k < (res ? pl->np : tn); k++) {
                    job *x = &J->j[i++];
                    x->b = b;
                    x->grp = grp;
                    x->tl = res ? a : k;
                    x->t = t0 + x->tl;
                    x->p = res ? k : a;
                    x->r = r - 1;
                    x->last_in_grp = 0;
                }
            }
            J->j[i - 1].last_in_grp = 1;
        }
    }
    J->n = i;
    J->nr = r;
    return 0;
}

/* ACT words per m-tile of range r, and its word offset along K. */
static uint32_t range_words(const geo *g, const plan *pl, const jobs *J, uint32_t r, uint32_t *w0)
{
    if (J->rp[r] == UINT32_MAX) {
        *w0 = 0;
        return g->tile_words;
    }
    const piece *pc = &pl->pc[J->rp[r]];
    *w0 = pc->s0 * g->spw;
    return (pc->s1 - pc->s0) * g->spw;
}

/* Loads of range h are spread over jobs [lo, hi]: from the job after the
 * first of range h-1 (whose predecessor is the last job using ACT half h%2)
 * to the first job of range h. Returns the number of parts (<= hi-lo+1). */
static uint32_t range_parts(const geo *g, const plan *pl, const jobs *J, uint32_t h, uint32_t *lo,
                            uint32_t *hi)
{
    uint32_t w0, words = range_words(g, pl, J, h, &w0);
    uint64_t bytes = (uint64_t)mtiles_of(g, pl, J->rb[h]) * words * g->aw;
    *hi = J->rfirst[h];
    *lo = (h == 0 || pl->mode == BM_SCHED_LEGACY) ? *hi : J->rfirst[h - 1] + 1;
    uint32_t span = *hi - *lo + 1;
    uint64_t np = bytes / 16384;
    if (np < 1)
        np = 1;
    return np < span ? (uint32_t)np : span;
}

/* The activation range job i hosts a part of, its part index and count;
 * returns 0 if none. */
static int hosted_part(const geo *g, const plan *pl, const jobs *J, uint32_t i, uint32_t *h, uint32_t *k,
                       uint32_t *np)
{
    uint32_t r = J->j[i].r;
    uint32_t hh = J->rfirst[r] == i ? r : r + 1;
    if (hh >= J->nr)
        return 0;
    uint32_t lo, hi;
    uint32_t n = range_parts(g, pl, J, hh, &lo, &hi);
    if (i < lo || i > hi)
        return 0;
    uint32_t span = hi - lo + 1, d = i - lo;
    /* part kk goes to job lo + floor(kk*span/n) */
    uint32_t kk = (uint32_t)(((uint64_t)d * n + span - 1) / span);
    if (kk >= n || (uint64_t)kk * span / n != d)
        return 0;
    *h = hh;
    *k = kk;
    *np = n;
    return 1;
}

/* Byte range [a, b) of range h's activation bytes (m-tiles concatenated as
 * in ACT) loaded by part k of np; calls fn per contiguous DRAM segment. */
typedef void (*seg_fn)(void *ctx, uint32_t sp_byte, uint64_t dram_off, uint64_t bytes);
static void range_part_segs(const geo *g, const plan *pl, const jobs *J, uint32_t h, uint32_t k, uint32_t np,
                            seg_fn fn, void *ctx)
{
    uint32_t w0, words = range_words(g, pl, J, h, &w0);
    uint32_t tiles = mtiles_of(g, pl, J->rb[h]);
    uint64_t tb = (uint64_t)words * g->aw, total = tiles * tb;
    uint64_t a = total * k / np, b = total * (k + 1) / np;
    uint32_t base = (h % 2) * g->act_half_words * g->aw;
    uint64_t px = 0, poff = 0, plen = 0; /* pending segment, merged while contiguous */
    for (uint32_t mt = 0; mt < tiles; mt++) {
        uint64_t s = mt * tb, e = s + tb;
        uint64_t x = a > s ? a : s, y = b < e ? b : e;
        if (x >= y)
            continue;
        uint64_t m = (uint64_t)J->rb[h] * pl->mb + mt;
        uint64_t off = (m * g->tile_words + w0) * g->aw + (x - s);
        if (plen && poff + plen == off && px + plen == x) {
            plen += y - x;
            continue;
        }
        if (plen)
            fn(ctx, base + (uint32_t)px, poff, plen);
        px = x;
        poff = off;
        plen = y - x;
    }
    if (plen)
        fn(ctx, base + (uint32_t)px, poff, plen);
}

/* Segments of piece pc in the packed blob (one per pack chunk it touches). */
typedef struct wseg {
    uint64_t woff, wbytes, moff, mbytes;
} wseg;

static uint32_t piece_segs(const geo *g, uint32_t tile, const piece *pc, wseg *out /* >= 2 used */, uint32_t max)
{
    const bm_layer_hw *hw = g->hw;
    uint32_t n = 0;
    if (!out)
        max = 0;
    for (uint32_t c = pc->s0 / hw->chunk_steps; c < hw->nchunks && c * hw->chunk_steps < pc->s1; c++) {
        uint32_t st;
        uint64_t wb, mbytes;
        uint64_t off = bm_layer_chunk(g->p, hw, tile, c, &st, &wb, &mbytes);
        uint32_t c0 = c * hw->chunk_steps, a = pc->s0 > c0 ? pc->s0 : c0, b = pc->s1 < c0 + st ? pc->s1 : c0 + st;
        uint64_t bit0 = (uint64_t)(a - c0) * g->step_bits;
        uint64_t wend = b == c0 + st ? wb : (uint64_t)(b - c0) * g->step_bits / 8;
        uint32_t g0 = (a - c0) / hw->gsteps, g1 = cdiv(b - c0, hw->gsteps);
        if (n < max) {
            out[n].woff = off + bit0 / 8;
            out[n].wbytes = wend - bit0 / 8;
            out[n].moff = off + ((wb + 15) & ~15ull) + 2ull * g->R * g0;
            out[n].mbytes = 2ull * g->R * (g1 - g0);
        }
        n++;
    }
    return n;
}

/* STOREs of finished groups waiting to be emitted. They are spread over
 * the following jobs (at most store_quota after each COMPUTE) so that the
 * dispatcher never blocks on a full STORE queue in front of the next
 * COMPUTE; a group's stores are all emitted before the first COMPUTE that
 * reuses its ACC half (group + 2). At most 3 groups are pending. */
typedef struct spend {
    uint32_t grp[4], job[4], next[4], count[4];
    double ready[4];
    uint32_t head, n;
} spend;

static void sp_push(spend *q, uint32_t grp, uint32_t job, uint32_t count, double ready)
{
    uint32_t k = (q->head + q->n++) % 4;
    q->grp[k] = grp;
    q->job[k] = job;
    q->next[k] = 0;
    q->count[k] = count;
    q->ready[k] = ready;
}

/* Pop the next store: its group's last job and index within the group. */
static void sp_pop(spend *q, uint32_t *job, uint32_t *k, double *ready)
{
    uint32_t h = q->head;
    *job = q->job[h];
    *k = q->next[h]++;
    *ready = q->ready[h];
    if (q->next[h] == q->count[h]) {
        q->head = (h + 1) % 4;
        q->n--;
    }
}

/* STOREs to emit after a COMPUTE: all pending ones if they fit the STORE
 * queue (or the queue is too short to spread them usefully), else half a
 * queue. */
static uint32_t store_quota(const bm_preset *p, const spend *q)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < q->n; i++) {
        uint32_t k = (q->head + i) % 4;
        n += q->count[k] - q->next[k];
    }
    if (n <= p->queue_depth || p->queue_depth < 4)
        return n;
    return p->queue_depth / 2;
}

/* ---- cost model -------------------------------------------------------- */

/* Read-channel cycles of `bytes` moved by `nload` LOADs (docs/timing.md:
 * bursts end at 4 KiB, one burst in flight, each pays the latency). */
static double load_cycles(const geo *g, double bytes, double nload)
{
    const bm_preset *p = g->p;
    double E = p->mem_bpc < p->axi_bytes ? p->mem_bpc : p->axi_bytes;
    double burst = 4096.0 < 256.0 * p->axi_bytes ? 4096.0 : 256.0 * p->axi_bytes;
    double nb = bytes / burst + nload;
    return bytes / E + nb * (p->mem_latency + 1) + nload * (BM_DMA_TAIL + 1);
}

/* Estimated cycles of a plan; *rd = bytes it reads from device memory. */
static double est_plan(const geo *g, const plan *pl, double *rd)
{
    jobs J;
    if (make_jobs(g, pl, &J))
        return 1e300;
    const bm_preset *p = g->p;
    const uint32_t R = g->R, C = g->C;
    double E = p->mem_bpc < p->axi_bytes ? p->mem_bpc : p->axi_bytes;
    double fetch_per_insn = (p->mem_latency + 16.0 * p->fetch_depth / E + 1) / p->fetch_depth;
    /* Per-piece weight cost (same for every tile). */
    double *wcost = malloc(sizeof(double) * 2 * pl->np), *wbyt = wcost + pl->np;
    *rd = 0;
    if (!wcost) {
        jobs_free(&J);
        return 1e300;
    }
    for (uint32_t k = 0; k < pl->np; k++) {
        uint32_t ns = piece_segs(g, 0, &pl->pc[k], NULL, 0);
        /* bytes: steps * R*L*W / 8 + metadata */
        uint64_t bytes = ((uint64_t)(pl->pc[k].s1 - pl->pc[k].s0) * g->step_bits + 7) / 8 +
                2ull * R * cdiv(pl->pc[k].s1 - pl->pc[k].s0, g->hw->gsteps);
        wcost[k] = load_cycles(g, (double)bytes, 2.0 * ns) + (2.0 * ns + 1) * fetch_per_insn;
        wbyt[k] = (double)bytes;
    }
    double le = g->hw->tab_bytes ? load_cycles(g, g->hw->tab_bytes, 1) : 0;
    double ce1 = 0, ce2 = 0; /* compute end of jobs i-1, i-2 */
    double send[2] = {0, 0}; /* end of the last store of groups with this ACC half */
    double sfree = 0;        /* store unit free */
    double row_c = 2 + p->mem_latency + (double)R * 4 / E;
    /* Dispatch: STORE k waits until STORE k-qd started, and so does every
     * later instruction; df1/df2 are that floor after the stores that follow
     * COMPUTE i-1 / i-2 (loads of job i come after the latter in program
     * order, COMPUTE i after the former). */
    const uint32_t qd = p->queue_depth < 63 ? p->queue_depth : 63;
    double sring[64] = {0};
    uint64_t nst = 0;
    double df = 0, df1 = 0, df2 = 0;
    spend q;
    memset(&q, 0, sizeof q);
#define EST_STORE()                                                                         \
    do {                                                                                    \
        uint32_t jj_, k_;                                                                   \
        double rd_;                                                                         \
        sp_pop(&q, &jj_, &k_, &rd_);                                                        \
        const job *y_ = &J.j[jj_];                                                          \
        uint32_t tiles_ = mtiles_of(g, pl, y_->b), mt_ = k_ % tiles_;                       \
        uint32_t m0_ = (y_->b * pl->mb + mt_) * C;                                          \
        double rows_ = g->M - m0_ < C ? g->M - m0_ : C;                                     \
        double st_ = sfree > rd_ ? sfree : rd_;                                             \
        if (nst >= qd && sring[(nst - qd) % (qd + 1)] + 1 > df)                             \
            df = sring[(nst - qd) % (qd + 1)] + 1;                                          \
        if (df > st_)                                                                       \
            st_ = df;                                                                       \
        sring[nst % (qd + 1)] = st_;                                                        \
        nst++;                                                                              \
        sfree = st_ + rows_ * row_c;                                                        \
        send[y_->grp % 2] = sfree;                                                          \
        le += fetch_per_insn;                                                               \
    } while (0)
    for (uint32_t i = 0; i < J.n; i++) {
        const job *x = &J.j[i];
        double lc = wcost[x->p];
        *rd += wbyt[x->p];
        uint32_t h, k, np;
        if (hosted_part(g, pl, &J, i, &h, &k, &np)) {
            uint32_t w0, words = range_words(g, pl, &J, h, &w0);
            double bytes = (double)mtiles_of(g, pl, J.rb[h]) * words * g->aw / np;
            *rd += bytes;
            double nl = (J.rp[h] == UINT32_MAX ? 0 : (double)mtiles_of(g, pl, J.rb[h]) / np) + 1;
            lc += load_cycles(g, bytes, nl) + nl * fetch_per_insn;
        }
        double ls = le > ce2 ? le : ce2;
        if (df2 > ls)
            ls = df2;
        le = ls + lc;
        /* flush the stores of group grp-2 before the group's first COMPUTE */
        if (i == 0 || J.j[i - 1].grp != x->grp)
            while (q.n && q.grp[q.head] + 2 <= x->grp)
                EST_STORE();
        double cs = ce1 > le ? ce1 : le;
        if (df > cs)
            cs = df;
        if ((i == 0 || J.j[i - 1].grp != x->grp) && send[x->grp % 2] > cs)
            cs = send[x->grp % 2]; /* group g-2 used the same ACC half */
        uint32_t reps = mtiles_of(g, pl, x->b);
        double ce = cs + (double)reps * ((x->p ? C : 0) + (double)(pl->pc[x->p].s1 - pl->pc[x->p].s0) * g->T +
                                         BM_CMP_PIPE + C);
        ce2 = ce1;
        ce1 = ce;
        if (x->last_in_grp)
            sp_push(&q, x->grp, i, (x->tl + 1) * reps, ce);
        for (uint32_t e = 0, quota = store_quota(p, &q); e < quota && q.n; e++)
            EST_STORE();
        df2 = df1;
        df1 = df;
    }
    while (q.n)
        EST_STORE();
#undef EST_STORE
    double slast = sfree;
    free(wcost);
    jobs_free(&J);
    return ce1 > slast ? ce1 : slast;
}

/* ---- pieces ------------------------------------------------------------ */

/* Split K into pieces of at most cap steps, aiming at `want` balanced
 * pieces. Units are runs of whole groups that start at byte boundaries of
 * their pack chunk's stream; a piece crosses a pack-chunk boundary only if
 * that boundary is byte-aligned. Returns the count, 0 if impossible. */
static uint32_t make_pieces(const geo *g, uint32_t cap, uint32_t want, piece *out, uint32_t max)
{
    const bm_layer_hw *hw = g->hw;
    uint32_t u = 1;
    while ((u * (uint64_t)hw->gsteps * g->step_bits) % 8)
        u++;
    const uint32_t gsz = u * hw->gsteps;
    const int aligned = ((uint64_t)hw->chunk_steps * g->step_bits) % 8 == 0;
    uint32_t n = 0, cur0 = 0, cur = 0;
    for (uint32_t c = 0; c < hw->nchunks; c++) {
        uint32_t c0 = c * hw->chunk_steps, ce = c0 + hw->chunk_steps < hw->ksteps ? c0 + hw->chunk_steps : hw->ksteps;
        for (uint32_t a = c0; a < ce; a += gsz) {
            uint32_t b = a + gsz < ce ? a + gsz : ce, len = b - a;
            if (len > cap)
                return 0;
            double target = (double)hw->ksteps * (n + 1) / want;
            int forced = a == c0 && c > 0 && !aligned;
            if (cur > 0 && (forced || cur + len > cap || (double)b - target > target - (double)a)) {
                if (n == max)
                    return 0;
                out[n].s0 = cur0;
                out[n].s1 = a;
                n++;
                cur0 = a;
                cur = 0;
            }
            cur += len;
        }
    }
    if (n == max)
        return 0;
    out[n].s0 = cur0;
    out[n].s1 = hw->ksteps;
    return n + 1;
}

/* ---- emission ---------------------------------------------------------- */

typedef struct act_emit {
    ctx *c;
    int dep, last;
} act_emit;

static void act_seg(void *vp, uint32_t sp_byte, uint64_t dram_off, uint64_t bytes)
{
    act_emit *e = vp;
    e->last = load_copy(e->c, BM_SP_ACT, sp_byte, 1, dram_off, bytes, e->dep);
    e->dep = -1;
}

/* The next pending STORE: one m-tile x n-tile of a finished group. */
static void emit_store(const geo *g, const plan *pl, const jobs *J, ctx *c, spend *q, const int *job_comp,
                       int *group_last_store)
{
    uint32_t jj, k;
    double rd;
    sp_pop(q, &jj, &k, &rd);
    const job *x = &J->j[jj];
    const bm_layer_hw *hw = g->hw;
    uint32_t tiles = mtiles_of(g, pl, x->b), tl = k / tiles, mt = k % tiles;
    uint32_t n0 = (x->t - x->tl + tl) * g->R, nv = hw->N - n0 < g->R ? hw->N - n0 : g->R;
    uint32_t m0 = (x->b * pl->mb + mt) * g->C;
    uint32_t mv = g->M - m0 < g->C ? g->M - m0 : g->C;
    bm_insn st = {0};
    st.op = BM_OP_STORE;
    st.base = 2;
    st.rows = mv;
    st.row_bytes = nv * 4;
    st.sp_addr = (x->grp % 2) * g->acc_half + (tl * tiles + mt) * g->R * g->C;
    st.sp_stride = g->R;
    st.dram_off = (uint32_t)(((uint64_t)m0 * hw->N + n0) * 4);
    st.dram_stride = hw->N * 4;
    group_last_store[x->grp] = add(c, &st, job_comp[jj], -1);
}

static int emit_plan(const geo *g, const plan *pl, bm_prog *out, bm_err *err)
{
    const bm_preset *p = g->p;
    const bm_layer_hw *hw = g->hw;
    const uint32_t R = g->R, C = g->C;
    jobs J;
    if (make_jobs(g, pl, &J))
        return bm_fail(err, BM_E_NOMEM, "out of memory scheduling %s", hw->name);
    uint32_t ngroups = J.n ? J.j[J.n - 1].grp + 1 : 0;
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
    if (hw->tab_bytes)
        load_copy(&c, BM_SP_TAB, 0, 0, 0, hw->tab_bytes, -1); /* the LOAD queue is in order */

    int *job_load = malloc(sizeof(int) * (J.n ? J.n : 1));
    int *job_comp = malloc(sizeof(int) * (J.n ? J.n : 1));
    int *group_last_store = malloc(sizeof(int) * (ngroups ? ngroups : 1));
    if (!job_load || !job_comp || !group_last_store) {
        free(job_load); free(job_comp); free(group_last_store); jobs_free(&J);
        return bm_fail(err, BM_E_NOMEM, "out of memory scheduling %s", hw->name);
    }
    spend q;
    memset(&q, 0, sizeof q);
    for (uint32_t i = 0; i <= J.n; i++) {
        /* Loads of job i (emitted before COMPUTE i-1, i.e. one job ahead). */
        if (i < J.n) {
            const job *x = &J.j[i];
            int dep = i >= 2 ? job_comp[i - 2] : -1;
            uint32_t h, k, np;
            if (hosted_part(g, pl, &J, i, &h, &k, &np)) {
                act_emit e = {&c, dep, -1};
                range_part_segs(g, pl, &J, h, k, np, act_seg, &e);
                dep = e.dep;
            }
            wseg s[2];
            uint32_t ns = piece_segs(g, x->t, &pl->pc[x->p], s, 2);
            uint32_t wpos = (i % 2) * (p->wgt_bytes / 2), mpos = (i % 2) * (p->meta_bytes / 2);
            for (uint32_t q = 0; q < ns && q < 2; q++) {
                load_copy(&c, BM_SP_WGT, wpos, 0, s[q].woff, s[q].wbytes, dep);
                dep = -1;
                wpos += (uint32_t)s[q].wbytes;
            }
            for (uint32_t q = 0; q < ns && q < 2; q++) {
                job_load[i] = load_copy(&c, BM_SP_META, mpos, 0, s[q].moff, s[q].mbytes, -1);
                mpos += (uint32_t)s[q].mbytes;
            }
        }
        if (i == 0)
            continue;
        /* COMPUTE of job i-1 (after the remaining STOREs of the group that used
         * its ACC half), then up to store_quota pending STOREs. */
        uint32_t j = i - 1;
        const job *x = &J.j[j];
        uint32_t tiles = mtiles_of(g, pl, x->b);
        uint32_t w0, words = range_words(g, pl, &J, x->r, &w0);
        const piece *pc = &pl->pc[x->p];
        bm_insn cp = {0};
        cp.op = BM_OP_COMPUTE;
        cp.acc_load = x->p > 0;
        cp.wrestart = 1;
        cp.wgt_addr = (j % 2) * (p->wgt_bytes / 2);
        cp.meta_addr = (j % 2) * (p->meta_bytes / 4);
        cp.act_addr = (x->r % 2) * g->act_half_words + (pc->s0 * g->spw - w0);
        cp.acc_addr = (x->grp % 2) * g->acc_half + x->tl * tiles * R * C;
        cp.ksteps = pc->s1 - pc->s0;
        cp.reps = tiles;
        cp.act_inc = words;
        int first_of_grp = j == 0 || J.j[j - 1].grp != x->grp;
        if (first_of_grp)
            while (q.n && q.grp[q.head] + 2 <= x->grp)
                emit_store(g, pl, &J, &c, &q, job_comp, group_last_store);
        int sdep = (first_of_grp && x->grp >= 2) ? group_last_store[x->grp - 2] : -1;
        job_comp[j] = add(&c, &cp, job_load[j], sdep);
        if (x->last_in_grp)
            sp_push(&q, x->grp, j, (x->tl + 1) * tiles, 0);
        for (uint32_t e = 0, quota = store_quota(p, &q); e < quota && q.n; e++)
            emit_store(g, pl, &J, &c, &q, job_comp, group_last_store);
    }
    while (q.n)
        emit_store(g, pl, &J, &c, &q, job_comp, group_last_store);
    bm_insn fin = {0};
    fin.op = BM_OP_FINISH;
    add(&c, &fin, -1, -1);
    free(job_load);
    free(job_comp);
    free(group_last_store);
    jobs_free(&J);
    if (c.oom) {
        free(c.it);
        return bm_fail(err, BM_E_NOMEM, "out of memory scheduling %s", hw->name);
    }
    assign_tokens(&c);
    bm_prog_init(out);
    for (int i = 0; i < c.n; i++)
        bm_prog_add(out, &c.it[i].in);
    free(c.it);
    return BM_OK;
}

/* ---- choice ------------------------------------------------------------ */

/* Up to `max` (<= 16) distinct values ceil(n/k), k = 1..n, that are <= lim:
 * the largest, then a halving chain, then the next largest ones. */
static uint32_t spread(uint32_t n, uint32_t lim, uint32_t *out, uint32_t max)
{
    uint32_t all[64], na = 0, cnt = 0;
    uint8_t used[64] = {0};
    for (uint32_t k = 1; k <= n && na < 64; k++) {
        uint32_t v = cdiv(n, k);
        if ((na && v == all[na - 1]) || v > lim)
            continue;
        all[na++] = v;
    }
    if (na && all[na - 1] != 1 && na < 64 && lim >= 1)
        all[na++] = 1;
    for (uint32_t i = 0; i < na && cnt < max; i++)
        if (i == 0 || all[i] * 2 <= out[cnt - 1]) {
            out[cnt++] = all[i];
            used[i] = 1;
        }
    for (uint32_t i = 0; i < na && cnt < max; i++)
        if (!used[i])
            out[cnt++] = all[i];
    return cnt;
}

int bm_sched_layer_opts(const bm_preset *p, const bm_layer_hw *hw, int M, const bm_sched_opts *opts,
                        bm_prog *out, bm_sched_info *info, bm_err *err)
{
    bm_sched_opts o = {0};
    if (opts)
        o = *opts;
    if (M < 1)
        return bm_fail(err, BM_E_INVAL, "%s: M must be >= 1", hw->name);
    geo g;
    g.p = p;
    g.hw = hw;
    g.M = (uint32_t)M;
    g.R = p->rows;
    g.C = p->cols;
    g.L = p->lanes;
    g.T = hw->terms;
    g.aw = g.C * g.L;
    g.spw = hw->sparse ? 2 : 1;
    g.tile_words = hw->Kpad / g.L;
    g.act_half_words = p->act_bytes / g.aw / 2;
    g.acc_half = p->acc_bytes / 4 / 2;
    g.mtiles = cdiv(g.M, g.C);
    g.step_bits = (uint64_t)g.R * g.L * (hw->code_bits + 2u * hw->sparse);
    {
        uint64_t sw = (uint64_t)(p->wgt_bytes / 2) * 8 / g.step_bits;
        uint64_t sm = (uint64_t)(p->meta_bytes / 2) / (2ull * g.R) * hw->gsteps;
        uint64_t cw = sw < sm ? sw : sm;
        g.cap_w = cw > hw->ksteps ? hw->ksteps : (uint32_t)cw;
    }
    uint32_t mb_acc = g.acc_half / (g.R * g.C);
    if (mb_acc > 4095)
        mb_acc = 4095;
    if (mb_acc < 1)
        return bm_fail(err, BM_E_RANGE, "%s: one output tile does not fit half of ACC on preset %s", hw->name,
                       p->name);
    const uint32_t maxp = hw->ksteps + hw->nchunks + 1;
    piece *legacy = malloc(sizeof(piece) * hw->nchunks);
    piece *cand = malloc(sizeof(piece) * maxp), *best_pc = malloc(sizeof(piece) * maxp);
    if (!legacy || !cand || !best_pc) {
        free(legacy); free(cand); free(best_pc);
        return bm_fail(err, BM_E_NOMEM, "out of memory scheduling %s", hw->name);
    }
    for (uint32_t ch = 0; ch < hw->nchunks; ch++) {
        legacy[ch].s0 = ch * hw->chunk_steps;
        legacy[ch].s1 = ch + 1 == hw->nchunks ? hw->ksteps : (ch + 1) * hw->chunk_steps;
    }
    /* Two passes over the candidates: the least estimated cycles, then the
     * least device-memory traffic among plans within 0.5 % of them. */
    plan best = {0};
    double best_est = 1e301, min_est = 1e301, best_rd = 1e301;
    /* The cost model ignores fetch and dispatch stalls of short instruction
     * queues: on such presets a new plan must beat the original by 5 %, and
     * with queues of 2 (where it is off by 10-20 %) the original is kept
     * whenever it fits. */
    const double margin = p->queue_depth < 8 || p->fetch_depth < 8 ? 1.05 : 1.0;
    /* The original schedule: a candidate of its own (and the forced LEGACY mode). */
    uint32_t mb_leg = g.act_half_words / g.tile_words;
    if (mb_leg > mb_acc)
        mb_leg = mb_acc;
    if (mb_leg > g.mtiles)
        mb_leg = g.mtiles;
    for (int pass = 0; pass < 2; pass++) {
#define CONSIDER(PL, E, RD, PCS)                                                          \
        do {                                                                              \
            if (pass == 0) {                                                              \
                if ((E) < min_est)                                                        \
                    min_est = (E);                                                        \
            } else if ((E) <= min_est * 1.005 && ((RD) < best_rd || ((RD) == best_rd && (E) < best_est))) { \
                best_est = (E);                                                           \
                best_rd = (RD);                                                           \
                best = (PL);                                                              \
                memcpy(best_pc, (PCS), sizeof(piece) * (PL).np);                          \
                best.pc = best_pc;                                                        \
            }                                                                             \
        } while (0)
        int have_legacy = 0;
        if (mb_leg >= 1 && (o.mode == BM_SCHED_AUTO || o.mode == BM_SCHED_LEGACY)) {
            plan pl = {BM_SCHED_LEGACY, mb_leg, 1, hw->nchunks, legacy};
            double rd, e = est_plan(&g, &pl, &rd);
            CONSIDER(pl, e, rd, legacy);
            have_legacy = 1;
        }
        const int keep_legacy = o.mode == BM_SCHED_AUTO && p->queue_depth <= 2 && have_legacy;
        if (o.mode == BM_SCHED_LEGACY || keep_legacy)
            continue;
        uint32_t mbs[16], nmb = 0;
        if (o.mb)
            mbs[nmb++] = o.mb;
        else
            nmb = spread(g.mtiles, mb_acc, mbs, 10);
        for (int mode = BM_SCHED_RESIDENT; mode <= BM_SCHED_KSPLIT; mode++) {
            if (o.mode && o.mode != mode)
                continue;
            for (uint32_t a = 0; a < nmb; a++) {
                uint32_t mb = mbs[a];
                if (mb < 1 || mb > mb_acc || mb > g.mtiles)
                    continue;
                uint32_t cap = g.cap_w;
                if (mode == BM_SCHED_RESIDENT && (uint64_t)mb * g.tile_words > g.act_half_words)
                    continue;
                if (mode == BM_SCHED_KSPLIT) {
                    uint32_t ca = g.act_half_words / mb / g.spw;
                    if (ca < cap)
                        cap = ca;
                }
                if (cap < 1)
                    continue;
                uint32_t pmin = cdiv(hw->ksteps, cap);
                uint32_t last_np = 0;
                for (uint32_t want = o.kp ? o.kp : pmin; want <= (o.kp ? o.kp : pmin + 2); want++) {
                    uint32_t np = make_pieces(&g, cap, want, cand, maxp);
                    if (!np || np == last_np)
                        continue;
                    last_np = np;
                    if (mode == BM_SCHED_KSPLIT && np == 1 && !o.mode)
                        continue; /* = RESIDENT with reloads */
                    uint32_t ngs[16], nng = 0;
                    uint32_t nglim = mb_acc / mb;
                    if (o.ng)
                        ngs[nng++] = o.ng;
                    else
                        nng = spread(hw->ntiles, nglim, ngs, 8);
                    for (uint32_t b = 0; b < nng; b++) {
                        if (ngs[b] < 1 || (uint64_t)ngs[b] * mb > mb_acc)
                            continue;
                        plan pl = {mode, mb, ngs[b], np, cand};
                        double rd, e = est_plan(&g, &pl, &rd) * margin;
                        CONSIDER(pl, e, rd, cand);
                    }
                }
            }
        }
#undef CONSIDER
    }
    int rc;
    if (!best.mode) {
        rc = bm_fail(err, BM_E_RANGE, "%s: no schedule fits preset %s (K=%u: %u ACT words per token tile, %u "
                     "per half; %u ACC words per half)", hw->name, p->name, hw->K, g.tile_words,
                     g.act_half_words, g.acc_half);
    } else {
        rc = emit_plan(&g, &best, out, err);
        if (info) {
            info->mode = best.mode;
            info->mb = best.mb;
            info->ng = best.ng;
            info->kp = best.np;
            info->est_cycles = best_est;
        }
    }
    free(legacy);
    free(cand);
    free(best_pc);
    if (rc)
        return rc;
    rc = bm_prog_status(out, err);
    if (rc)
        bm_wrap(err, "scheduling %s", hw->name);
    return rc;
}

int bm_sched_layer(const bm_preset *p, const bm_layer_hw *hw, int M, bm_prog *out, bm_err *err)
{
    return bm_sched_layer_opts(p, hw, M, NULL, out, NULL, err);
}
