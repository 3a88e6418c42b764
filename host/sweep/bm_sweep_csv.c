/* results.csv: the column list (units in the names), row writer and the
 * reader of point ids for --resume. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bm_sweep_row.h"

static const char header[] =
    "point_id,shape,preset,rows,cols,lanes,dtype,bits,group,method,sparsity,act_bits,workload,layer,"
    "m_tokens,n_out,k_in,terms,bits_per_weight,cycles,ideal_cycles,util_ratio,cycles_per_token,"
    "ld_busy_cycles,ld_wait_tok_cycles,ld_wait_mem_cycles,cp_busy_cycles,cp_wait_tok_cycles,cp_step_cycles,"
    "st_busy_cycles,st_wait_tok_cycles,st_wait_mem_cycles,dram_rd_bytes,dram_wr_bytes,fetch_bytes,"
    "dram_bytes,dram_bytes_per_cycle,mem_bpc_bytes_per_cycle,mem_latency_cycles,clock_mhz,time_us,"
    "timing_only,rel_error,perplexity,fp32_perplexity,ppl_tokens,rtl_cycles,rtl_deviation_cycles,"
    "rtl_counter_diffs,lut_cells,ff_cells,carry_cells,dsp_cells,bram_36k_blocks,lutram_cells,synth_seconds,"
    "ice40_fit,ice40_lut4_cells,fmax_mhz,synth_note,source,tool_version,git_rev,synth_tools";

const char *bm_sweep_header(void) { return header; }

static void num(FILE *o, double v, const char *fmt)
{
    fputc(',', o);
    if (!isnan(v)) fprintf(o, fmt, v);
}

int bm_sweep_row_write(FILE *o, const bm_sweep_row *r, bm_err *err)
{
    static const char *dt[] = {"int", "int-asym", "bitmod", "abq"};
    static const char *sp[] = {"none", "2:4-magnitude", "2:4-wanda", "2:4-sparsegpt"};
    const bm_sweep_shape *sh = &r->spec->shape[r->pt->shape];
    const bm_preset *p = &sh->p;
    const bm_compile_opts *co = &r->pt->co;
    const uint64_t *c = r->cnt;
    const double cyc = (double)c[BM_CNT_CYCLES], ab = p->axi_bytes;
    const double rd = (double)c[BM_CNT_RD_BEATS] * ab, wr = (double)c[BM_CNT_WR_BEATS] * ab;
    const double fe = (double)c[BM_CNT_FETCH_BEATS] * ab;
    fprintf(o, "%s,%s,%s,%u,%u,%u,%s,%d,%d,%s,%s,%d,%s,%s,%d,%d,%d,%d", r->pt->id, sh->name,
            sh->is_preset ? p->name : "synth", p->rows, p->cols, p->lanes, dt[co->q.dtype], co->q.bits,
            co->q.group, co->method == BM_METHOD_GPTQ ? "gptq" : "rtn", sp[co->prune], co->act_bits,
            r->spec->wl[r->pt->wl].name, r->layer, r->M, r->N, r->K, r->terms);
    num(o, r->bpw, "%.4f");
    num(o, cyc, "%.0f");
    num(o, r->ideal, "%.1f");
    num(o, cyc > 0 ? r->ideal / cyc : NAN, "%.4f");
    num(o, r->M ? cyc / r->M : NAN, "%.1f");
    static const int order[] = {BM_CNT_LD_BUSY, BM_CNT_LD_WAIT_TOK, BM_CNT_LD_WAIT_MEM, BM_CNT_CP_BUSY,
                                BM_CNT_CP_WAIT_TOK, BM_CNT_CP_STEP, BM_CNT_ST_BUSY, BM_CNT_ST_WAIT_TOK,
                                BM_CNT_ST_WAIT_MEM};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        fprintf(o, ",%llu", (unsigned long long)c[order[i]]);
    num(o, rd, "%.0f");
    num(o, wr, "%.0f");
    num(o, fe, "%.0f");
    num(o, rd + wr + fe, "%.0f");
    num(o, cyc > 0 ? (rd + wr + fe) / cyc : NAN, "%.3f");
    fprintf(o, ",%u,%u,%u", r->mem_bpc, r->mem_latency, p->clock_mhz);
    num(o, cyc / p->clock_mhz, "%.3f");
    fprintf(o, ",%d", r->timing_only);
    num(o, r->rel_error, "%.6g");
    num(o, r->ppl, "%.4f");
    num(o, r->fp32_ppl, "%.4f");
    if (r->ppl_tokens) fprintf(o, ",%ld", r->ppl_tokens);
    else fputc(',', o);
    if (r->rtl_checked)
        fprintf(o, ",%llu,%lld,%d", (unsigned long long)r->rtl_cycles,
                (long long)r->rtl_cycles - (long long)c[BM_CNT_CYCLES], r->rtl_counter_diffs);
    else
        fputs(",,,", o);
    /* Resources: the synthesis of this configuration (bm_sweep_synth). */
    const bm_sweep_res *res = r->res;
    if (res && res->state == BM_SYNTH_OK)
        fprintf(o, ",%ld,%ld,%ld,%ld,%g,%ld", res->lut, res->ff, res->carry, res->dsp, res->bram, res->lutram);
    else
        fputs(",,,,,,", o);
    num(o, res ? res->seconds : NAN, "%.0f");
    fprintf(o, ",%s", res && res->ice40[0] ? res->ice40 : "skipped");
    if (res && res->ice40_lut4 >= 0) fprintf(o, ",%ld", res->ice40_lut4);
    else fputc(',', o);
    num(o, res ? res->fmax_mhz : NAN, "%.2f");
    fprintf(o, ",%s", res ? res->note : "no synthesis asked for");
    /* source: what produced the cycles, then the resources. */
    fprintf(o, ",%s;%s", r->rtl_checked ? "rtl" : "cycle-model",
            res ? bm_sweep_synth_source(res) : sh->is_preset ? "no-synthesis-report" : "no-rtl-for-shape");
    fprintf(o, ",%s,%s,%s\n", r->env->version, r->env->git, res && res->tools[0] ? res->tools : "");
    if (ferror(o))
        return bm_fail(err, BM_E_IO, "write error");
    return BM_OK;
}

int bm_sweep_done_ids(const char *path, char ***ids, int *n, bm_err *err)
{
    *ids = NULL;
    *n = 0;
    FILE *f = fopen(path, "r");
    if (!f)
        return BM_OK; /* nothing done yet */
    char line[4096];
    int cap = 0, rc = BM_OK;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "point_id,", 9) || line[0] == '#' || line[0] == '\n')
            continue;
        char *comma = strchr(line, ',');
        if (!comma) continue;
        *comma = 0;
        if (*n && !strcmp((*ids)[*n - 1], line))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            char **t = realloc(*ids, sizeof(char *) * (size_t)cap);
            if (!t) { rc = bm_fail(err, BM_E_NOMEM, "out of memory"); break; }
            *ids = t;
        }
        if (!((*ids)[*n] = strdup(line))) { rc = bm_fail(err, BM_E_NOMEM, "out of memory"); break; }
        (*n)++;
    }
    fclose(f);
    return rc;
}

void bm_sweep_free_ids(char **ids, int n)
{
    for (int i = 0; i < n; i++) free(ids[i]);
    free(ids);
}
