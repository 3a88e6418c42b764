/* Error reporting shared by every layer: functions return an int status
 * (BM_OK or a negative BM_E_* code) and, when given a bm_err, leave a
 * human-readable message in it. Libraries never print, exit or abort. */
#ifndef BM_ERR_H
#define BM_ERR_H

#include <stdarg.h>

enum {
    BM_OK = 0,
    BM_E_INVAL = -1,     /* bad argument or option */
    BM_E_NOMEM = -2,     /* allocation failed */
    BM_E_IO = -3,        /* file or device I/O failed */
    BM_E_FORMAT = -4,    /* malformed input file */
    BM_E_UNSUPP = -5,    /* valid but unsupported input (dtype, version) */
    BM_E_RANGE = -6,     /* value or size out of range / overflow */
    BM_E_NODEV = -7,     /* device missing or cannot be opened */
    BM_E_MISMATCH = -8,  /* program built for another preset or ISA */
    BM_E_TIMEOUT = -9,   /* device did not finish in time */
    BM_E_DEVICE = -10,   /* device reported an error status */
    BM_E_NUMERIC = -11,  /* NaN/Inf or numerical failure */
};

typedef struct bm_err {
    int code;
    char msg[512];
} bm_err;

/* Record code+message in err (if non-NULL) and return code. */
int bm_fail(bm_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefix an existing message with context ("loading foo.gguf: ..."). */
int bm_wrap(bm_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
const char *bm_strerror(int code);

#endif
