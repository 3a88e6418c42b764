/* Cycle engine: fetch, dispatch, queues, tokens and the memory model of
 * docs/timing.md, with each instruction's effect applied atomically when it
 * starts (bm_exec.c). Between events it jumps ahead instead of stepping every
 * cycle, so long COMPUTEs cost nothing to model. */
#include "bm_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bm_err.h"
#include "bm_exec.h"
#include "bm_insn.h"

#define NEVER UINT64_MAX

uint32_t bm_tab_bytes(const bm_preset *p)
{
    return 4u * (1u << p->table_bits) * p->max_terms;
}

uint32_t bm_sp_bytes(const bm_preset *p, int sp)
{
    switch (sp) {
    case BM_SP_WGT: return p->wgt_bytes;
    case BM_SP_META: return p->meta_bytes;
    case BM_SP_ACT: return p->act_bytes;
    case BM_SP_TAB: return bm_tab_bytes(p);
    }
    return 0;
}

typedef struct qent {
    bm_insn in;
    uint32_t pc;
    uint64_t disp; /* cycle it was dispatched */
} qent;

typedef struct unit {
    qent *q;
    uint32_t head, count;
    int busy;            /* executing an instruction */
    uint64_t end;        /* last busy cycle (known for all but an unfinished LOAD) */
    uint64_t start;
    qent cur;
    /* LOAD/STORE burst walk */
    uint32_t row;
    uint64_t row_pos;    /* bytes of the current row already covered */
    uint64_t next_req;   /* LOAD: cycle the next burst is requested from */
    uint64_t beats;      /* beats of the current instruction */
} unit;

typedef struct eng {
    const bm_preset *p;
    bm_engine_opts o;
    bm_xstate x;
    bm_run_args a;
    bm_run_result *r;
    unit u[3];
    unsigned tok[4];     /* L2C, C2L, C2S, S2C */
    /* fetch */
    qent *fb;
    uint32_t fb_head, fb_count;
    uint64_t fb_avail;   /* cycle the buffered instructions become dispatchable */
    uint64_t fetch_req;  /* cycle fetch requests the channel from, NEVER if not */
    uint32_t pc;         /* next instruction to fetch */
    uint8_t *fb_raw;     /* raw bytes of fetched instructions (decoded at dispatch) */
    int finished;
    uint64_t finish_cycle;
    uint64_t rd_free;    /* first cycle the read channel is free */
    uint64_t now;
} eng;

enum { L2C, C2L, C2S, S2C };

/* Token counter a unit pops/pushes towards prev/next. */
static int tok_index(int unit, int next, int push)
{
    if (unit == BM_UNIT_LOAD)
        return push ? L2C : C2L;           /* only next exists */
    if (unit == BM_UNIT_STORE)
        return push ? S2C : C2S;           /* only prev exists */
    if (next)
        return push ? C2S : S2C;
    return push ? C2L : L2C;
}

static int stop(eng *e, int code, uint32_t pc)
{
    if (!e->r->hw_error) {
        e->r->hw_error = code;
        e->r->err_pc = pc;
        if (!e->r->msg[0])
            snprintf(e->r->msg, sizeof e->r->msg, "%s", bm_hwerr_name(code));
    }
    return code;
}

/* ---- memory model ---------------------------------------------------------- */

static uint64_t beat_at(const eng *e, uint64_t a, uint64_t i)
{
    uint32_t dw = e->p->axi_bytes, eff = e->o.mem_bpc < dw ? e->o.mem_bpc : dw;
    return a + (i * dw) / eff;
}

/* Next burst of a LOAD/STORE walk: beats, or 0 when the walk is over. */
static uint64_t next_burst(eng *e, unit *u)
{
    const bm_insn *in = &u->cur.in;
    const uint32_t dw = e->p->axi_bytes;
    while (u->row < in->rows) {
        uint64_t start = e->a.base[in->base] + in->dram_off + (uint64_t)u->row * in->dram_stride;
        uint64_t x = start + u->row_pos, row_end = start + in->row_bytes;
        if (x >= row_end) {
            u->row++;
            u->row_pos = 0;
            continue;
        }
        uint64_t y = row_end;
        uint64_t page = (x | 4095) + 1;
        if (page < y)
            y = page;
        uint64_t cap = (x / dw) * dw + (uint64_t)BM_BURST_MAX * dw;
        if (cap < y)
            y = cap;
        u->row_pos += y - x;
        return (y + dw - 1) / dw - x / dw;
    }
    return 0;
}

/* ---- units ------------------------------------------------------------------ */

static int tokens_ok(const eng *e, int ui, const bm_insn *in)
{
    if (in->pop_prev && !e->tok[tok_index(ui, 0, 0)])
        return 0;
    if (in->pop_next && !e->tok[tok_index(ui, 1, 0)])
        return 0;
    return 1;
}

/* Completion is processed at the cycle after the last busy one, so the
 * pushes are visible from exactly that cycle. */
static int push(eng *e, int idx, uint32_t pc)
{
    if (e->tok[idx] >= BM_TOKEN_MAX) {
        snprintf(e->r->msg, sizeof e->r->msg, "token counter %d overflows %d", idx, BM_TOKEN_MAX);
        return stop(e, BM_HWERR_TOKEN, pc);
    }
    e->tok[idx]++;
    return 0;
}

static int finish_insn(eng *e, int ui)
{
    unit *u = &e->u[ui];
    const bm_insn *in = &u->cur.in;
    uint64_t d = u->end - u->start + 1;
    uint64_t *c = e->r->counters;
    if (ui == BM_UNIT_LOAD) {
        c[BM_CNT_LD_BUSY] += d;
        c[BM_CNT_LD_WAIT_MEM] += d - u->beats;
        c[BM_CNT_RD_BEATS] += u->beats;
    } else if (ui == BM_UNIT_STORE) {
        c[BM_CNT_ST_BUSY] += d;
        c[BM_CNT_ST_WAIT_MEM] += d - u->beats;
        c[BM_CNT_WR_BEATS] += u->beats;
    } else {
        c[BM_CNT_CP_BUSY] += d;
    }
    c[BM_CNT_INSNS]++;
    u->busy = 0;
    if (in->push_prev && push(e, tok_index(ui, 0, 1), u->cur.pc))
        return -1;
    if (in->push_next && push(e, tok_index(ui, 1, 1), u->cur.pc))
        return -1;
    return 0;
}

/* Start the head instruction of unit ui at cycle t: apply its effect. */
static int start_insn(eng *e, int ui, uint64_t t)
{
    unit *u = &e->u[ui];
    qent *qe = &u->q[u->head];
    const bm_insn *in = &qe->in;
    const bm_preset *p = e->p;
    if (in->pop_prev)
        e->tok[tok_index(ui, 0, 0)]--;
    if (in->pop_next)
        e->tok[tok_index(ui, 1, 0)]--;
    u->cur = *qe;
    u->head = (u->head + 1) % p->queue_depth;
    u->count--;
    u->busy = 1;
    u->start = t;
    u->beats = 0;
    int err = 0;
    switch (in->op) {
    case BM_OP_CONFIG:
        err = bm_exec_config(&e->x, in);
        u->end = t;
        break;
    case BM_OP_NOP:
        u->end = t;
        break;
    case BM_OP_COMPUTE: {
        err = bm_exec_compute(&e->x, in);
        if (err)
            break;
        uint64_t T = e->x.cfg.terms, C = p->cols;
        uint64_t per = (in->acc_load ? C : 0) + (uint64_t)in->ksteps * T + BM_CMP_PIPE + C;
        u->end = t + in->reps * per - 1;
        e->r->counters[BM_CNT_CP_STEP] += (uint64_t)in->reps * in->ksteps * T;
        break;
    }
    case BM_OP_LOAD:
        err = bm_exec_load(&e->x, in);
        u->row = 0;
        u->row_pos = 0;
        u->next_req = t;
        u->end = NEVER;
        break;
    case BM_OP_STORE: {
        err = bm_exec_store(&e->x, in);
        if (err)
            break;
        u->row = 0;
        u->row_pos = 0;
        uint64_t aw = t + 1, b = t, n;
        while ((n = next_burst(e, u)) != 0) {
            uint64_t last = beat_at(e, aw + 1, n - 1);
            b = last + e->o.mem_latency;
            u->beats += n;
            aw = b + 1;
        }
        u->end = b;
        break;
    }
    }
    if (err)
        return stop(e, err, u->cur.pc);
    return 0;
}

/* ---- fetch and dispatch ---------------------------------------------------- */

static int fetch_grant(eng *e, uint64_t t)
{
    const bm_preset *p = e->p;
    /* instruction addresses wrap at 2^addr_bits, as the RTL's fetch adder
     * does; a burst never crosses it (4 KiB rule) */
    uint64_t addr = (e->a.insn_addr + (uint64_t)e->pc * BM_INSN_BYTES) & bm_addr_mask(p);
    uint32_t n = p->fetch_depth;
    if (n > e->a.insn_count - e->pc)
        n = e->a.insn_count - e->pc;
    uint32_t to_page = (uint32_t)((4096 - (addr & 4095)) / BM_INSN_BYTES);
    if (n > to_page)
        n = to_page;
    uint64_t dw = p->axi_bytes;
    uint64_t beats = ((addr % dw) + (uint64_t)n * BM_INSN_BYTES + dw - 1) / dw;
    uint64_t last = beat_at(e, t + e->o.mem_latency, beats - 1);
    if (addr < e->x.mem_base || addr - e->x.mem_base > e->x.mem_bytes ||
        e->x.mem_bytes - (addr - e->x.mem_base) < (uint64_t)n * BM_INSN_BYTES) {
        snprintf(e->r->msg, sizeof e->r->msg, "instruction fetch at 0x%llx outside memory",
                 (unsigned long long)addr);
        return stop(e, BM_HWERR_DRAM, e->pc);
    }
    memcpy(e->fb_raw, e->x.mem + (addr - e->x.mem_base), (size_t)n * BM_INSN_BYTES);
    for (uint32_t i = 0; i < n; i++)
        e->fb[i].pc = e->pc + i;
    e->fb_head = 0;
    e->fb_count = n;
    e->pc += n;
    e->fb_avail = last + 1;
    e->fetch_req = NEVER;
    e->rd_free = last + 1;
    e->r->counters[BM_CNT_FETCH_BEATS] += beats;
    return 0;
}

/* Dispatch at most one instruction at cycle t. Returns 1 if one moved. */
static int dispatch(eng *e, uint64_t t, const uint32_t qcount[3])
{
    if (e->finished || !e->fb_count || e->fb_avail > t)
        return 0;
    qent *f = &e->fb[e->fb_head];
    bm_insn in;
    int err = bm_insn_decode(e->fb_raw + (size_t)e->fb_head * BM_INSN_BYTES, &in);
    if (err) {
        snprintf(e->r->msg, sizeof e->r->msg, "instruction %u: %s", f->pc,
                 err == BM_HWERR_OPCODE ? "undefined opcode" : "reserved bit or illegal token flag");
        stop(e, err, f->pc);
        return 0;
    }
    if (in.op == BM_OP_FINISH) {
        e->finished = 1;
        e->finish_cycle = t;
        e->r->counters[BM_CNT_INSNS]++;
    } else {
        int ui = bm_insn_unit(&in);
        unit *u = &e->u[ui];
        if (qcount[ui] >= e->p->queue_depth)
            return 0;
        qent *q = &u->q[(u->head + u->count) % e->p->queue_depth];
        q->in = in;
        q->pc = f->pc;
        q->disp = t;
        u->count++;
    }
    e->fb_head++;
    e->fb_count--;
    if (!e->fb_count && !e->finished)
        e->fetch_req = t + 1;
    return 1;
}

/* ---- main loop ---------------------------------------------------------------- */

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static int load_wants_channel(const eng *e, uint64_t t)
{
    const unit *u = &e->u[BM_UNIT_LOAD];
    return u->busy && u->end == NEVER && u->next_req <= t;
}

static int step(eng *e, uint64_t t, uint64_t *next)
{
    int acted = 0;
    /* Completion of instructions whose last busy cycle was t-1. */
    for (int ui = 0; ui < 3; ui++) {
        unit *u = &e->u[ui];
        if (u->busy && u->end != NEVER && u->end < t) {
            if (finish_insn(e, ui))
                return -1;
            acted = 1;
        }
    }

    /* Done? */
    if (e->finished && e->finish_cycle < t) {
        int idle = 1;
        for (int ui = 0; ui < 3; ui++)
            idle &= !e->u[ui].busy && !e->u[ui].count;
        if (idle) {
            e->r->counters[BM_CNT_CYCLES] = t;
            return 1;
        }
    }

    uint32_t qcount[3] = {e->u[0].count, e->u[1].count, e->u[2].count};

    /* Dispatch (uses queue occupancy at the start of t). */
    if (dispatch(e, t, qcount))
        acted = 1;
    if (e->r->hw_error)
        return -1;

    /* Units: start, or count a token wait. */
    int blocked[3] = {0, 0, 0};
    for (int ui = 0; ui < 3; ui++) {
        unit *u = &e->u[ui];
        if (u->busy || !u->count)
            continue;
        qent *h = &u->q[u->head];
        if (h->disp >= t) {
            continue;
        }
        if (!tokens_ok(e, ui, &h->in)) {
            blocked[ui] = 1;
            continue;
        }
        if (start_insn(e, ui, t))
            return -1;
        acted = 1;
    }
    /* Read channel: fetch first, then the LOAD's next burst. */
    if (e->rd_free <= t) {
        if (e->fetch_req <= t && !e->finished) {
            if (e->pc >= e->a.insn_count) {
                snprintf(e->r->msg, sizeof e->r->msg,
                         "%u instructions executed without FINISH", e->a.insn_count);
                return stop(e, BM_HWERR_NO_FINISH, e->pc ? e->pc - 1 : 0);
            }
            if (fetch_grant(e, t))
                return -1;
            acted = 1;
        } else if (load_wants_channel(e, t)) {
            unit *u = &e->u[BM_UNIT_LOAD];
            uint64_t n = next_burst(e, u);
            uint64_t last = beat_at(e, t + e->o.mem_latency, n - 1);
            u->beats += n;
            e->rd_free = last + 1;
            u->next_req = last + 1;
            /* Was that the last burst? Peek without consuming. */
            unit peek = *u;
            if (!next_burst(e, &peek))
                u->end = last + BM_DMA_TAIL;
            acted = 1;
        }
    }

    for (int ui = 0; ui < 3; ui++)
        if (blocked[ui])
            e->r->counters[ui == 0 ? BM_CNT_LD_WAIT_TOK : ui == 1 ? BM_CNT_CP_WAIT_TOK
                                                                   : BM_CNT_ST_WAIT_TOK]++;

    if (acted) {
        *next = t + 1;
        return 0;
    }

    /* Nothing happened at t: find the next cycle anything can happen. */
    uint64_t n = NEVER;
    for (int ui = 0; ui < 3; ui++) {
        const unit *u = &e->u[ui];
        if (u->busy && u->end != NEVER)
            n = min64(n, u->end + 1);
    }
    const unit *ld = &e->u[BM_UNIT_LOAD];
    if (ld->busy && ld->end == NEVER)
        n = min64(n, ld->next_req > e->rd_free ? ld->next_req : e->rd_free);
    if (e->fetch_req != NEVER && !e->finished)
        n = min64(n, e->fetch_req > e->rd_free ? e->fetch_req : e->rd_free);
    if (e->fb_count && !e->finished && e->fb_avail > t)
        n = min64(n, e->fb_avail);
    if (n == NEVER) {
        /* Nothing will ever change: deadlock. Report the oldest blocked head. */
        uint32_t pc = UINT32_MAX;
        for (int ui = 0; ui < 3; ui++)
            if (e->u[ui].count && e->u[ui].q[e->u[ui].head].pc < pc)
                pc = e->u[ui].q[e->u[ui].head].pc;
        if (pc == UINT32_MAX)
            pc = e->fb_count ? e->fb[e->fb_head].pc : e->pc;
        snprintf(e->r->msg, sizeof e->r->msg,
                 "deadlock: every unit waits for a token (tokens L2C=%u C2L=%u C2S=%u S2C=%u)",
                 e->tok[L2C], e->tok[C2L], e->tok[C2S], e->tok[S2C]);
        stop(e, BM_HWERR_DEADLOCK, pc);
        return -1;
    }
    /* Token waits hold over the skipped cycles t+1 .. n-1. */
    for (int ui = 0; ui < 3; ui++)
        if (blocked[ui])
            e->r->counters[ui == 0 ? BM_CNT_LD_WAIT_TOK : ui == 1 ? BM_CNT_CP_WAIT_TOK
                                                                   : BM_CNT_ST_WAIT_TOK] += n - t - 1;
    *next = n;
    return 0;
}

int bm_engine_run(const bm_preset *p, const bm_engine_opts *o, uint8_t *mem,
                  uint64_t mem_base, uint64_t mem_bytes, const bm_run_args *a,
                  bm_run_result *r)
{
    if (!p || !o || !mem || !a || !r || o->mem_latency < 1 || o->mem_bpc < 1)
        return BM_E_INVAL;
    memset(r, 0, sizeof *r);
    eng *e = calloc(1, sizeof *e);
    if (!e)
        return BM_E_NOMEM;
    e->p = p;
    e->o = *o;
    e->a = *a;
    e->r = r;
    int rc = BM_OK;
    for (int i = 0; i < 4; i++) {
        e->x.sp_bytes[i] = bm_sp_bytes(p, i);
        e->x.sp[i] = calloc(1, e->x.sp_bytes[i]);
    }
    e->x.acc_words = p->acc_bytes / 4;
    e->x.acc = calloc(e->x.acc_words ? e->x.acc_words : 1, sizeof(int32_t));
    e->fb = calloc(p->fetch_depth, sizeof(qent));
    e->fb_raw = calloc(p->fetch_depth, BM_INSN_BYTES);
    for (int ui = 0; ui < 3; ui++)
        e->u[ui].q = calloc(p->queue_depth, sizeof(qent));
    int ok = e->x.acc && e->fb && e->fb_raw;
    for (int i = 0; i < 4; i++)
        ok &= e->x.sp[i] != NULL;
    for (int ui = 0; ui < 3; ui++)
        ok &= e->u[ui].q != NULL;
    if (!ok) {
        rc = BM_E_NOMEM;
        goto out;
    }
    e->x.p = p;
    e->x.mem = mem;
    e->x.mem_base = mem_base;
    e->x.mem_bytes = mem_bytes;
    /* INSN and BASEn keep only addr_bits bits (docs/registers.md): the
     * engine sees what the RTL's registers hold */
    e->a.insn_addr &= bm_addr_mask(p);
    for (int i = 0; i < 4; i++)
        e->a.base[i] &= bm_addr_mask(p);
    memcpy(e->x.base, e->a.base, sizeof e->x.base);
    e->x.timing_only = o->timing_only;
    e->x.msg = r->msg;
    e->fetch_req = a->insn_count ? 0 : NEVER;
    if (!a->insn_count) {
        snprintf(r->msg, sizeof r->msg, "INSN_COUNT is 0");
        stop(e, BM_HWERR_NO_FINISH, 0);
        goto out;
    }
    uint64_t limit = o->max_cycles ? o->max_cycles : (1ull << 40);
    uint64_t t = 0;
    for (;;) {
        uint64_t next = t + 1;
        int s = step(e, t, &next);
        if (s)
            break; /* done (1) or error (-1) */
        if (next > limit) {
            rc = BM_E_TIMEOUT;
            break;
        }
        t = next;
    }
    if (r->hw_error)
        r->counters[BM_CNT_CYCLES] = t;
    r->counters[BM_CNT_SAT_EVENTS] = e->x.sat_events;
out:
    for (int i = 0; i < 4; i++)
        free(e->x.sp[i]);
    free(e->x.acc);
    free(e->fb);
    free(e->fb_raw);
    for (int ui = 0; ui < 3; ui++)
        free(e->u[ui].q);
    free(e);
    return rc;
}
