/* Error helpers; see bm_err.h. */
#include "bm_err.h"

#include <stdio.h>
#include <string.h>

int bm_fail(bm_err *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

int bm_wrap(bm_err *err, const char *fmt, ...)
{
    if (!err)
        return BM_E_INVAL;
    char prefix[256], old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* Truncation is acceptable: the message is for people. */
    size_t n = strlen(prefix);
    if (n > sizeof err->msg - 3)
        n = sizeof err->msg - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    size_t room = sizeof err->msg - n - 3;
    size_t m = strnlen(old, room);
    memcpy(err->msg + n + 2, old, m);
    err->msg[n + 2 + m] = 0;
    return err->code;
}

const char *bm_strerror(int code)
{
    switch (code) {
    case BM_OK: return "success";
    case BM_E_INVAL: return "invalid argument";
    case BM_E_NOMEM: return "out of memory";
    case BM_E_IO: return "I/O error";
    case BM_E_FORMAT: return "malformed file";
    case BM_E_UNSUPP: return "unsupported";
    case BM_E_RANGE: return "out of range";
    case BM_E_NODEV: return "no such device";
    case BM_E_MISMATCH: return "program/device mismatch";
    case BM_E_TIMEOUT: return "timeout";
    case BM_E_DEVICE: return "device error";
    case BM_E_NUMERIC: return "numerical error";
    }
    return "unknown error";
}
