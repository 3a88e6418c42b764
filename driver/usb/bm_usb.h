/* The usb:// backend and what tests reach inside it. */
#ifndef BM_USB_H
#define BM_USB_H

#include "bm_driver.h"
#include "bm_proto.h"

extern const bm_backend bm_backend_usb;

/* Open a usb:// device over an already-made transport (the backend owns it
 * from here on, also on failure). Used by usb://mem and by tests that bring
 * their own transport. */
int bm_usb_open_transport(bm_transport t, const char *uri, void **impl, bm_dev_info *info, bm_err *err);

/* Protocol statistics of an open usb:// device. */
const bm_proto_stats *bm_usb_stats(void *impl);

#endif
