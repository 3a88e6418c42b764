/* ap_ctrl_hs run sequence and ID check shared by register-level backends
 * (sim, usb, and xrt where registers are reachable). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bm_driver.h"
#include "bm_isa.h"
#include "bm_regs.h"

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#define RD(off, v) do { int rc_ = be->reg_read(impl, (off), (v), err); if (rc_) return rc_; } while (0)
#define WR(off, v) do { int rc_ = be->reg_write(impl, (off), (v), err); if (rc_) return rc_; } while (0)

int bm_kernel_identify(const bm_backend *be, void *impl, bm_dev_info *info, bm_err *err)
{
    RD(BM_REG_ID, &info->id);
    if (info->id != BM_ID_MAGIC)
        return bm_fail(err, BM_E_NODEV, "device ID register reads 0x%08x, expected 0x%08x "
                       "(not a bitmill kernel)", info->id, BM_ID_MAGIC);
    RD(BM_REG_VERSION, &info->version);
    RD(BM_REG_ISA_HASH, &info->isa_hash);
    RD(BM_REG_PRESET_HASH, &info->preset_hash);
    RD(BM_REG_SHAPE, &info->shape);
    info->preset = bm_preset_by_hash(info->preset_hash);
    return BM_OK;
}

int bm_kernel_run(const bm_backend *be, void *impl, const bm_run_args *a,
                  uint64_t timeout_ms, bm_run_result *r, bm_err *err)
{
    uint32_t v;
    memset(r, 0, sizeof *r);
    RD(BM_REG_CTRL, &v);
    if (!(v & BM_CTRL_IDLE))
        return bm_fail(err, BM_E_DEVICE, "device busy (CTRL=0x%x): a previous run did not finish", v);
    WR(BM_REG_INSN_LO, (uint32_t)a->insn_addr);
    WR(BM_REG_INSN_HI, (uint32_t)(a->insn_addr >> 32));
    WR(BM_REG_INSN_COUNT, a->insn_count);
    static const uint32_t lo[4] = {BM_REG_BASE0_LO, BM_REG_BASE1_LO, BM_REG_BASE2_LO, BM_REG_BASE3_LO};
    for (int i = 0; i < 4; i++) {
        WR(lo[i], (uint32_t)a->base[i]);
        WR(lo[i] + 4, (uint32_t)(a->base[i] >> 32));
    }
    WR(BM_REG_CTRL, BM_CTRL_START);
    uint64_t t0 = now_ms(), step = 64;
    for (;;) {
        RD(BM_REG_CTRL, &v);
        if (v & BM_CTRL_DONE)
            break;
        if (now_ms() - t0 > timeout_ms)
            return bm_fail(err, BM_E_TIMEOUT, "device did not finish within %llu ms",
                           (unsigned long long)timeout_ms);
        int rc = be->advance(impl, step, err);
        if (rc)
            return rc;
        if (step < 65536)
            step *= 2;
    }
    uint32_t st, pc;
    RD(BM_REG_STATUS, &st);
    RD(BM_REG_ERR_PC, &pc);
    r->hw_error = (int)(st & 0xff);
    r->err_pc = pc;
    for (int i = 0; i < BM_N_COUNTERS; i++) {
        RD(bm_counter_offsets[i], &v);
        r->counters[i] = v;
    }
    RD(BM_REG_CYCLES_HI, &v);
    r->counters[BM_CNT_CYCLES] |= (uint64_t)v << 32;
    if (r->hw_error)
        snprintf(r->msg, sizeof r->msg, "device stopped with error %d at instruction %u",
                 r->hw_error, pc);
    return BM_OK;
}
