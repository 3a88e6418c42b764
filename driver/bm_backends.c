/* Backend registry. Every backend is referenced strongly so a static link
 * pulls it in (scripts/deps.sh installs XRT and libusb on every build). */
#include <string.h>

#include "bm_driver.h"

extern const bm_backend bm_backend_ref;
extern const bm_backend bm_backend_sim;
extern const bm_backend bm_backend_xrt;
extern const bm_backend bm_backend_usb;

const bm_backend *const bm_backends[] = {&bm_backend_ref, &bm_backend_sim, &bm_backend_xrt,
                                         &bm_backend_usb, NULL};

const bm_backend *bm_backend_find(const char *scheme)
{
    for (int i = 0; i < 4; i++)
        if (bm_backends[i] && strcmp(bm_backends[i]->scheme, scheme) == 0)
            return bm_backends[i];
    return NULL;
}
