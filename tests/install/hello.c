/* Built against an installed libbitmill through pkg-config: opens the
 * reference device, runs a one-instruction program, checks the status. */
#include <bitmill.h>
#include <bm_isa.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    bm_err err = {0};
    bm_dev *d;
    if (bm_dev_open("ref://minimal", NULL, &d, &err)) {
        fprintf(stderr, "open: %s\n", err.msg);
        return 1;
    }
    uint8_t finish[16] = {BM_OP_FINISH};
    uint64_t a;
    bm_run_result r;
    int rc = bm_buf_alloc(d, 16, &a, &err) || bm_buf_write(d, a, finish, 16, &err);
    bm_run_args args = {a, 1, {0, 0, 0, 0}};
    if (!rc)
        rc = bm_dev_run(d, &args, 1000, &r, &err);
    printf("install: %s, %llu cycles\n", rc ? err.msg : "ok", (unsigned long long)r.counters[BM_CNT_CYCLES]);
    bm_dev_close(d);
    return rc || r.counters[BM_CNT_CYCLES] != 10;
}
