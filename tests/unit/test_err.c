/* bm_err: messages are formatted, wrapped with context and never overflow. */
#include "bm_test.h"
#include "bm_err.h"

int main(void)
{
    bm_err e = {0};
    CHECK_EQ_INT(bm_fail(&e, BM_E_FORMAT, "bad magic %x", 0x12), BM_E_FORMAT);
    CHECK(strcmp(e.msg, "bad magic 12") == 0, "msg '%s'", e.msg);
    bm_wrap(&e, "loading %s", "x.bin");
    CHECK(strcmp(e.msg, "loading x.bin: bad magic 12") == 0, "msg '%s'", e.msg);
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    bm_fail(&e, BM_E_IO, "%s", big);
    CHECK(strlen(e.msg) == sizeof e.msg - 1, "truncated to buffer");
    CHECK(bm_fail(NULL, BM_E_IO, "x") == BM_E_IO, "NULL err allowed");
    CHECK(strcmp(bm_strerror(BM_E_TIMEOUT), "timeout") == 0, "strerror");
    return bm_test_done("test_err");
}
