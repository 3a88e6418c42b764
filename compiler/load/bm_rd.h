/* Bounded little-endian reader over an in-memory file image, plus read-only
 * file mapping. Every read is checked against the end of the buffer and a
 * failure names the file and the byte offset, so loaders never read out of
 * bounds and always say where a file went wrong. */
#ifndef BM_RD_H
#define BM_RD_H

#include <stddef.h>
#include <stdint.h>

#include "bm_err.h"

typedef struct bm_rd {
    const uint8_t *p;  /* file image */
    size_t n;          /* its size */
    size_t off;        /* next byte to read */
    const char *name;  /* file name used in messages */
    bm_err *err;
} bm_rd;

void bm_rd_init(bm_rd *r, const void *p, size_t n, const char *name, bm_err *err);
/* Each returns BM_OK or BM_E_FORMAT ("<name>: offset N: <what> needs B bytes,
 * file has R left"); `what` describes the field being read. */
int bm_rd_u32(bm_rd *r, uint32_t *v, const char *what);
int bm_rd_i32(bm_rd *r, int32_t *v, const char *what);
int bm_rd_u64(bm_rd *r, uint64_t *v, const char *what);
int bm_rd_f32(bm_rd *r, float *v, const char *what);
int bm_rd_f64(bm_rd *r, double *v, const char *what);
/* Returns a pointer into the image for n bytes and advances past them. */
int bm_rd_bytes(bm_rd *r, size_t n, const uint8_t **p, const char *what);
int bm_rd_skip(bm_rd *r, uint64_t n, const char *what);

uint32_t bm_le32(const uint8_t *p);
uint64_t bm_le64(const uint8_t *p);

/* Overflow-checked size arithmetic: return 0 on overflow. */
int bm_mul_ok(uint64_t a, uint64_t b, uint64_t *out);
int bm_add_ok(uint64_t a, uint64_t b, uint64_t *out);

/* Whole-file image: mmap'd when possible (models can be large), else read. */
typedef struct bm_file {
    const uint8_t *data;
    size_t size;
    int mapped;
} bm_file;
int bm_file_open(const char *path, bm_file *f, bm_err *err);
void bm_file_close(bm_file *f);
/* Base name of a path, for messages. */
const char *bm_basename(const char *path);

#endif
