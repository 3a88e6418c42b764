/* Backend registry. Backends that need optional libraries are weak so a
 * build without them still links; they are then simply not offered. */
#include <string.h>

#include "bm_driver.h"

extern const bm_backend bm_backend_ref;
extern const bm_backend bm_backend_sim __attribute__((weak));
extern const bm_backend bm_backend_xrt __attribute__((weak));
extern const bm_backend bm_backend_usb __attribute__((weak));

const bm_backend *const bm_backends[] = {&bm_backend_ref, &bm_backend_sim, &bm_backend_xrt,
                                         &bm_backend_usb, NULL};

const bm_backend *bm_backend_find(const char *scheme)
{
    for (int i = 0; i < 4; i++)
        if (bm_backends[i] && strcmp(bm_backends[i]->scheme, scheme) == 0)
            return bm_backends[i];
    return NULL;
}
