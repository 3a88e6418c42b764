/* Bounded reader and file mapping for the model loaders; see bm_rd.h.
 * Multi-byte integers are decoded byte by byte so the readers do not depend
 * on host alignment; floats are copied as IEEE-754 little-endian. */
#include "bm_rd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "bitmill loaders assume a little-endian host (float payloads are copied)"
#endif

void bm_rd_init(bm_rd *r, const void *p, size_t n, const char *name, bm_err *err)
{
    r->p = p;
    r->n = n;
    r->off = 0;
    r->name = name;
    r->err = err;
}

static int need(bm_rd *r, uint64_t n, const char *what)
{
    if (r->off > r->n || n > r->n - r->off)
        return bm_fail(r->err, BM_E_FORMAT,
                       "%s: offset %zu: %s needs %llu bytes, file has %zu",
                       r->name, r->off, what, (unsigned long long)n,
                       r->off <= r->n ? r->n - r->off : 0);
    return BM_OK;
}

uint32_t bm_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

uint64_t bm_le64(const uint8_t *p)
{
    return (uint64_t)bm_le32(p) | (uint64_t)bm_le32(p + 4) << 32;
}

int bm_rd_u32(bm_rd *r, uint32_t *v, const char *what)
{
    int rc = need(r, 4, what);
    if (rc)
        return rc;
    *v = bm_le32(r->p + r->off);
    r->off += 4;
    return BM_OK;
}

int bm_rd_i32(bm_rd *r, int32_t *v, const char *what)
{
    uint32_t u;
    int rc = bm_rd_u32(r, &u, what);
    if (!rc)
        memcpy(v, &u, 4);
    return rc;
}

int bm_rd_u64(bm_rd *r, uint64_t *v, const char *what)
{
    int rc = need(r, 8, what);
    if (rc)
        return rc;
    *v = bm_le64(r->p + r->off);
    r->off += 8;
    return BM_OK;
}

int bm_rd_f32(bm_rd *r, float *v, const char *what)
{
    int rc = need(r, 4, what);
    if (rc)
        return rc;
    memcpy(v, r->p + r->off, 4);
    r->off += 4;
    return BM_OK;
}

int bm_rd_f64(bm_rd *r, double *v, const char *what)
{
    int rc = need(r, 8, what);
    if (rc)
        return rc;
    memcpy(v, r->p + r->off, 8);
    r->off += 8;
    return BM_OK;
}

int bm_rd_bytes(bm_rd *r, size_t n, const uint8_t **p, const char *what)
{
    int rc = need(r, n, what);
    if (rc)
        return rc;
    *p = r->p + r->off;
    r->off += n;
    return BM_OK;
}

int bm_rd_skip(bm_rd *r, uint64_t n, const char *what)
{
    int rc = need(r, n, what);
    if (!rc)
        r->off += (size_t)n;
    return rc;
}

int bm_mul_ok(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_mul_overflow(a, b, out);
}

int bm_add_ok(uint64_t a, uint64_t b, uint64_t *out)
{
    return !__builtin_add_overflow(a, b, out);
}

const char *bm_basename(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int bm_file_open(const char *path, bm_file *f, bm_err *err)
{
    memset(f, 0, sizeof *f);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return bm_fail(err, BM_E_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return bm_fail(err, BM_E_IO, "%s: not a regular file", path);
    }
    if (st.st_size == 0) {
        close(fd);
        return bm_fail(err, BM_E_FORMAT, "%s: offset 0: file is empty", path);
    }
    size_t n = (size_t)st.st_size;
    void *p = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
        close(fd);
        f->data = p;
        f->size = n;
        f->mapped = 1;
        return BM_OK;
    }
    /* Filesystems without mmap support: fall back to reading it all. */
    uint8_t *buf = malloc(n);
    if (!buf) {
        close(fd);
        return bm_fail(err, BM_E_NOMEM, "%s: cannot allocate %zu bytes", path, n);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, buf + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            free(buf);
            close(fd);
            return bm_fail(err, BM_E_IO, "%s: read failed at offset %zu", path, got);
        }
        got += (size_t)k;
    }
    close(fd);
    f->data = buf;
    f->size = n;
    return BM_OK;
}

void bm_file_close(bm_file *f)
{
    if (!f->data)
        return;
    if (f->mapped)
        munmap((void *)f->data, f->size);
    else
        free((void *)f->data);
    memset(f, 0, sizeof *f);
}
