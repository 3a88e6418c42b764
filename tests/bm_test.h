/* Minimal test harness: CHECK records a pass or a failure (with file:line and
 * a message), bm_test_done() prints "<name>: N passed, N failed" and returns
 * the exit status. Randomized tests print their seed with bm_test_seed(). */
#ifndef BM_TEST_H
#define BM_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bm_t_pass, bm_t_fail;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        if (cond) {                                                        \
            bm_t_pass++;                                                   \
        } else {                                                           \
            bm_t_fail++;                                                   \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
        }                                                                  \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                 \
    CHECK((long long)(a) == (long long)(b), "%lld != %lld", (long long)(a), \
          (long long)(b))

/* Seed from BM_SEED env var (to reproduce) or the given default. */
static inline uint64_t bm_test_seed(const char *name, uint64_t dflt)
{
    const char *s = getenv("BM_SEED");
    uint64_t seed = s ? strtoull(s, NULL, 0) : dflt;
    printf("%s: seed %llu (reproduce with BM_SEED=%llu)\n", name,
           (unsigned long long)seed, (unsigned long long)seed);
    return seed;
}

/* Directory of the shared test data; tests needing it fail loudly if absent. */
static inline const char *bm_test_data_dir(void)
{
    const char *d = getenv("DATA_DIR");
    return d ? d : "../shared/data";
}

static inline int bm_test_done(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, bm_t_pass, bm_t_fail);
    return bm_t_fail ? 1 : 0;
}

#endif
