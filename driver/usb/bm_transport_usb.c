/* libusb transport (see bm_transport_usb.h). Uses its own libusb context,
 * claims the FTDI channel's interface (detaching ftdi_sio if bound), resets
 * the channel and sets a 1 ms latency timer so short responses are not held
 * back for the default 16 ms. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libusb-1.0/libusb.h>

#include "bm_transport_usb.h"

#define FTDI_REQ_RESET 0x00
#define FTDI_REQ_FLOW 0x02     /* SIO_SET_FLOW_CTRL */
#define FTDI_REQ_BAUD 0x03     /* SIO_SET_BAUDRATE */
#define FTDI_REQ_DATA 0x04     /* SIO_SET_DATA */
#define FTDI_REQ_LATENCY 0x09
#define FTDI_REQ_BITMODE 0x0B
#define FTDI_OUT_REQTYPE 0x40 /* vendor, host to device, device recipient */

typedef struct usb_tp {
    libusb_context *ctx;
    libusb_device_handle *h;
    int iface;
    uint8_t ep_in, ep_out;
    uint16_t pkt; /* IN wMaxPacketSize */
    uint8_t left[8192];
    size_t leftn, lefto;
    char name[112];
} usb_tp;

size_t bm_ftdi_strip(uint8_t *buf, size_t n, size_t pkt)
{
    size_t w = 0;
    if (pkt <= 2)
        return 0;
    for (size_t r = 0; r < n; r += pkt) {
        size_t k = n - r < pkt ? n - r : pkt;
        if (k > 2) {
            memmove(buf + w, buf + r + 2, k - 2);
            w += k - 2;
        }
    }
    return w;
}

static int usb_err(bm_err *err, int code, const char *what, int rc)
{
    return bm_fail(err, code, "usb: %s: %s", what, libusb_strerror((enum libusb_error)rc));
}

static int usb_send(void *ctx, const uint8_t *buf, size_t n, unsigned timeout_ms, bm_err *err)
{
    usb_tp *u = ctx;
    while (n) {
        int done = 0, chunk = n > 65536 ? 65536 : (int)n;
        int rc = libusb_bulk_transfer(u->h, u->ep_out, (unsigned char *)buf, chunk, &done, timeout_ms);
        if (rc == LIBUSB_ERROR_TIMEOUT && done == 0)
            return bm_fail(err, BM_E_TIMEOUT, "usb: bulk OUT timed out after %u ms", timeout_ms);
        if (rc && rc != LIBUSB_ERROR_TIMEOUT)
            return usb_err(err, BM_E_IO, "bulk OUT", rc);
        buf += done;
        n -= (size_t)done;
    }
    return BM_OK;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int usb_recv(void *ctx, uint8_t *buf, size_t cap, size_t *got, unsigned timeout_ms, bm_err *err)
{
    usb_tp *u = ctx;
    uint64_t deadline = now_ms() + timeout_ms;
    *got = 0;
    for (;;) {
        if (u->leftn > u->lefto) {
            size_t k = u->leftn - u->lefto < cap ? u->leftn - u->lefto : cap;
            memcpy(buf, u->left + u->lefto, k);
            u->lefto += k;
            *got = k;
            return BM_OK;
        }
        u->leftn = u->lefto = 0;
        uint64_t t = now_ms();
        if (t >= deadline)
            return bm_fail(err, BM_E_TIMEOUT, "usb: no data within %u ms", timeout_ms);
        int n = 0;
        size_t want = sizeof u->left - sizeof u->left % u->pkt;
        int rc = libusb_bulk_transfer(u->h, u->ep_in, u->left, (int)want, &n, (unsigned)(deadline - t));
        if (rc && rc != LIBUSB_ERROR_TIMEOUT)
            return usb_err(err, BM_E_IO, "bulk IN", rc);
        /* FTDI sends status-only packets every latency period; those carry
         * no data, so keep reading until data or the deadline. */
        u->leftn = bm_ftdi_strip(u->left, (size_t)n, u->pkt);
    }
}

static void usb_close(void *ctx)
{
    usb_tp *u = ctx;
    if (!u)
        return;
    if (u->h) {
        libusb_release_interface(u->h, u->iface);
        libusb_close(u->h);
    }
    if (u->ctx)
        libusb_exit(u->ctx);
    free(u);
}

/* Bulk endpoints of interface `iface` (alt setting 0). */
static int find_eps(libusb_device *dev, usb_tp *u, bm_err *err)
{
    struct libusb_config_descriptor *cfg;
    int rc = libusb_get_active_config_descriptor(dev, &cfg);
    if (rc)
        rc = libusb_get_config_descriptor(dev, 0, &cfg);
    if (rc)
        return usb_err(err, BM_E_NODEV, "reading the configuration descriptor", rc);
    if (cfg->bNumInterfaces < 2)
        u->iface = 0; /* single-channel FT232H */
    rc = BM_E_NODEV;
    if (u->iface < cfg->bNumInterfaces && cfg->interface[u->iface].num_altsetting > 0) {
        const struct libusb_interface_descriptor *id = &cfg->interface[u->iface].altsetting[0];
        for (int i = 0; i < id->bNumEndpoints; i++) {
            const struct libusb_endpoint_descriptor *e = &id->endpoint[i];
            if ((e->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
                continue;
            if (e->bEndpointAddress & LIBUSB_ENDPOINT_IN) {
                u->ep_in = e->bEndpointAddress;
                u->pkt = e->wMaxPacketSize;
            } else {
                u->ep_out = e->bEndpointAddress;
            }
        }
        if (u->ep_in && u->ep_out && u->pkt > 2)
            rc = BM_OK;
    }
    libusb_free_config_descriptor(cfg);
    if (rc)
        return bm_fail(err, BM_E_NODEV, "usb: interface %d has no bulk IN/OUT endpoint pair", u->iface);
    return BM_OK;
}

static int serial_matches(libusb_device *dev, const struct libusb_device_descriptor *dd, const char *serial)
{
    libusb_device_handle *h;
    unsigned char s[128];
    int ok = 0;
    if (!dd->iSerialNumber || libusb_open(dev, &h))
        return 0;
    if (libusb_get_string_descriptor_ascii(h, dd->iSerialNumber, s, sizeof s) > 0)
        ok = strcmp((const char *)s, serial) == 0;
    libusb_close(h);
    return ok;
}

int bm_transport_usb_open(const char *spec, bm_transport *t, bm_err *err)
{
    unsigned vid = BM_USB_DEFAULT_VID, pid = BM_USB_DEFAULT_PID;
    const char *serial = NULL;
    char what[96];
    if (spec && *spec) {
        char tail;
        if (sscanf(spec, "%4x:%4x%c", &vid, &pid, &tail) != 2)
            serial = spec;
    }
    if (serial)
        snprintf(what, sizeof what, "with serial \"%.64s\"", serial);
    else
        snprintf(what, sizeof what, "%04x:%04x", vid, pid);

    usb_tp *u = calloc(1, sizeof *u);
    if (!u)
        return bm_fail(err, BM_E_NOMEM, "out of memory");
    u->iface = 1; /* FTDI channel B */
    int rc = libusb_init(&u->ctx);
    if (rc) {
        u->ctx = NULL;
        usb_close(u);
        return bm_fail(err, BM_E_NODEV, "no USB device %s found (libusb: %s)", what,
                       libusb_strerror((enum libusb_error)rc));
    }
    libusb_device **list = NULL;
    ssize_t nd = libusb_get_device_list(u->ctx, &list);
    libusb_device *dev = NULL;
    for (ssize_t i = 0; i < nd && !dev; i++) {
        struct libusb_device_descriptor dd;
        if (libusb_get_device_descriptor(list[i], &dd))
            continue;
        if (serial ? serial_matches(list[i], &dd, serial) : (dd.idVendor == vid && dd.idProduct == pid))
            dev = list[i];
    }
    if (!dev) {
        if (list)
            libusb_free_device_list(list, 1);
        usb_close(u);
        return bm_fail(err, BM_E_NODEV, "no USB device %s found", what);
    }
    rc = find_eps(dev, u, err);
    if (!rc && (rc = libusb_open(dev, &u->h))) {
        u->h = NULL;
        rc = bm_fail(err, BM_E_NODEV, "usb: cannot open %s: %s (permissions? see docs/deploy.md)", what,
                     libusb_strerror((enum libusb_error)rc));
    }
    libusb_free_device_list(list, 1);
    if (rc) {
        usb_close(u);
        return rc;
    }
    libusb_set_auto_detach_kernel_driver(u->h, 1);
    if ((rc = libusb_claim_interface(u->h, u->iface))) {
        libusb_close(u->h);
        u->h = NULL;
        usb_close(u);
        return bm_fail(err, BM_E_NODEV, "usb: cannot claim interface %d of %s: %s", u->iface, what,
                       libusb_strerror((enum libusb_error)rc));
    }
    /* FTDI channel index is interface + 1. Reset, purge, 1 ms latency,
     * bitmode off, then the UART of the bridge (bitstreams/ice40): 1 000 000
     * baud, 8N1, no flow control. Baud divisor as libftdi computes it for an
     * H-type chip: 120 MHz / 10 = 12 MHz base (wIndex bit 9 = "12 MHz clock",
     * i.e. bit 17 of the encoded divisor), divisor 12 with no fraction: wValue
     * 0x000C, wIndex 0x0200 | channel. Data: 8 bits, no parity, 1 stop
     * (0x0008). Flow control off: wValue 0, wIndex = channel. */
    uint16_t idx = (uint16_t)(u->iface + 1);
    static const uint16_t req[][3] = {{FTDI_REQ_RESET, 0, 0},     {FTDI_REQ_RESET, 1, 0},
                                      {FTDI_REQ_RESET, 2, 0},     {FTDI_REQ_LATENCY, 1, 0},
                                      {FTDI_REQ_BITMODE, 0, 0},   {FTDI_REQ_BAUD, FTDI_BAUD_1M_VALUE, FTDI_BAUD_1M_INDEX},
                                      {FTDI_REQ_DATA, 0x0008, 0}, {FTDI_REQ_FLOW, 0, 0}};
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++) {
        rc = libusb_control_transfer(u->h, FTDI_OUT_REQTYPE, (uint8_t)req[i][0], req[i][1],
                                     (uint16_t)(req[i][2] | idx), NULL, 0, 1000);
        if (rc < 0) {
            usb_close(u);
            return bm_fail(err, BM_E_NODEV, "usb: FTDI setup request 0x%02x failed on %s: %s", req[i][0],
                           what, libusb_strerror((enum libusb_error)rc));
        }
    }
    snprintf(u->name, sizeof u->name, "libusb %.90s", what);
    *t = (bm_transport){.ctx = u, .send = usb_send, .recv = usb_recv, .close = usb_close, .name = u->name};
    return BM_OK;
}
