/* The libusb transport against an emulated FT2232H: umockdev provides the
 * sysfs/udev view (tests/usb/ft2232h.umockdev) so libusb enumerates the
 * device, and an ioctl handler below plays the usbfs side (URB submit/reap,
 * FTDI 2-byte status header on every 512-byte IN packet) in front of the C
 * bridge model. Checked: usb://0403:6010 opens, PING and a register read
 * through libusb, then the whole usb:// backend (ID check, memory, a run).
 *
 * umockdev works through LD_PRELOAD; the program re-executes itself with
 * libumockdev-preload.so.0 preloaded, behind libasan when built with ASan
 * (ASan insists on coming first in the library list). */
#include <dlfcn.h>
#include <errno.h>
#include <linux/usbdevice_fs.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <umockdev.h>

#include "bm_test.h"
#include "bm_insn.h"
#include "bm_isa.h"
#include "bm_regs.h"
#include "../../driver/usb/bm_bridge.h"
#include "../../driver/usb/bm_transport_usb.h"
#include "../../driver/usb/bm_usb.h"

#define DEVNODE "/dev/bus/usb/001/002"
#define EP_IN 0x83
#define EP_OUT 0x04
#define PKT 512

/* ---- the emulated device ---------------------------------------------------- */

typedef struct sim {
    bm_bridge *b;
    uint8_t req[2 * BM_PROTO_MAX_FRAME]; /* OUT byte stream, not yet a whole frame */
    size_t reqn;
    uint8_t resp[8 * BM_PROTO_MAX_FRAME]; /* IN byte stream for the host */
    size_t respn;
    GQueue done; /* completed URBs (UMockdevIoctlData of the client's urb) */
    unsigned urbs, ctrl, bulk_out, bulk_in, frames;
    unsigned baud, data8n1, noflow; /* UART setup requests seen for channel B */
} sim;

static void feed_bridge(sim *s, const uint8_t *p, size_t n)
{
    if (n > sizeof s->req - s->reqn)
        n = sizeof s->req - s->reqn;
    memcpy(s->req + s->reqn, p, n);
    s->reqn += n;
    for (;;) {
        bm_frame f;
        size_t used, rn = 0;
        int d = bm_proto_decode(s->req, s->reqn, &f, &used);
        if (d == 1)
            break;
        if (d == BM_OK && s->respn + BM_PROTO_MAX_FRAME <= sizeof s->resp) {
            s->frames++;
            if (bm_bridge_handle(s->b, s->req, used, s->resp + s->respn, &rn))
                s->respn += rn;
        }
        memmove(s->req, s->req + used, s->reqn - used);
        s->reqn -= used;
    }
}

/* Fill an IN buffer the way an FT2232H does: every 512-byte packet starts
 * with the two modem-status bytes, even when no data follows. */
static int fill_in(sim *s, uint8_t *buf, int cap)
{
    int n = 0;
    while (n + 2 <= cap) {
        buf[n++] = 0x31;
        buf[n++] = 0x60;
        size_t k = PKT - 2;
        if (k > (size_t)(cap - n))
            k = (size_t)(cap - n);
        if (k > s->respn)
            k = s->respn;
        memcpy(buf + n, s->resp, k);
        memmove(s->resp, s->resp + k, s->respn - k);
        s->respn -= k;
        n += (int)k;
        if (!s->respn)
            break;
    }
    return n;
}

/* The ioctl argument is the client's pointer; resolve() copies what it
 * points to (and syncs changes back when the ioctl completes or the URB is
 * reaped). */
static void submit(sim *s, UMockdevIoctlClient *client, UMockdevIoctlData *ptr)
{
    GError *ge = NULL;
    UMockdevIoctlData *buf = NULL, *arg = umockdev_ioctl_data_resolve(ptr, 0, sizeof(struct usbdevfs_urb), &ge);
    if (!arg) {
        fprintf(stderr, "resolve urb: %s\n", ge ? ge->message : "?");
        g_clear_error(&ge);
        umockdev_ioctl_client_complete(client, -1, EFAULT);
        return;
    }
    struct usbdevfs_urb *u = (struct usbdevfs_urb *)arg->data;
    s->urbs++;
    if (u->buffer_length > 0) {
        buf = umockdev_ioctl_data_resolve(arg, offsetof(struct usbdevfs_urb, buffer), (gsize)u->buffer_length, &ge);
        if (!buf) {
            fprintf(stderr, "resolve urb buffer: %s\n", ge ? ge->message : "?");
            g_clear_error(&ge);
            umockdev_ioctl_client_complete(client, -1, EFAULT);
            return;
        }
    }
    u = (struct usbdevfs_urb *)arg->data;
    u->status = 0;
    u->actual_length = 0;
    if (u->type == USBDEVFS_URB_TYPE_CONTROL) {
        /* FTDI vendor requests (reset, latency, bitmode) have no data stage;
         * an IN request gets zeros. */
        s->ctrl++;
        if (buf && buf->data_len >= 8 && buf->data[0] == 0x40) {
            unsigned rq = buf->data[1], wv = buf->data[2] | buf->data[3] << 8, wi = buf->data[4] | buf->data[5] << 8;
            s->baud += rq == 0x03 && wv == 0x000C && wi == 0x0202;   /* 12 MHz / 12 = 1 Mbaud, ch. B */
            s->data8n1 += rq == 0x04 && wv == 0x0008 && wi == 0x0002; /* 8N1 */
            s->noflow += rq == 0x02 && wv == 0 && wi == 0x0002;       /* no flow control */
        }
        if (buf && buf->data_len >= 8 && (buf->data[0] & 0x80)) {
            int w = buf->data[6] | buf->data[7] << 8;
            if (w > buf->data_len - 8)
                w = buf->data_len - 8;
            memset(buf->data + 8, 0, (size_t)w);
            u->actual_length = w;
        }
    } else if (u->type == USBDEVFS_URB_TYPE_BULK && u->endpoint == EP_OUT) {
        s->bulk_out++;
        feed_bridge(s, buf->data, (size_t)buf->data_len);
        u->actual_length = buf->data_len;
    } else if (u->type == USBDEVFS_URB_TYPE_BULK && u->endpoint == EP_IN) {
        s->bulk_in++;
        u->actual_length = fill_in(s, buf->data, buf->data_len);
    } else {
        u->status = -EPIPE;
    }
    g_queue_push_tail(&s->done, g_object_ref(arg));
    umockdev_ioctl_client_complete(client, 0, 0);
}

static gboolean on_ioctl(UMockdevIoctlBase *base, UMockdevIoctlClient *client, gpointer user)
{
    sim *s = user;
    (void)base;
    gulong req = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    switch (req) {
    case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData *caps = umockdev_ioctl_data_resolve(arg, 0, 4, NULL);
        if (caps)
            memset(caps->data, 0, 4); /* no optional usbfs capabilities */
        umockdev_ioctl_client_complete(client, caps ? 0 : -1, caps ? 0 : EFAULT);
        return TRUE;
    }
    case USBDEVFS_SUBMITURB:
        submit(s, client, arg);
        return TRUE;
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY: {
        UMockdevIoctlData *urb = g_queue_pop_head(&s->done);
        if (!urb) {
            umockdev_ioctl_client_complete(client, -1, EAGAIN);
            return TRUE;
        }
        /* arg is the client's `void **`; store the URB's address there */
        UMockdevIoctlData *slot = umockdev_ioctl_data_resolve(arg, 0, sizeof(void *), NULL);
        gboolean ok = slot && umockdev_ioctl_data_set_ptr(slot, 0, urb);
        g_object_unref(urb);
        umockdev_ioctl_client_complete(client, ok ? 0 : -1, ok ? 0 : EFAULT);
        return TRUE;
    }
    case USBDEVFS_GETDRIVER:
        umockdev_ioctl_client_complete(client, -1, ENODATA); /* no kernel driver bound */
        return TRUE;
    case USBDEVFS_CLAIMINTERFACE:
    case USBDEVFS_RELEASEINTERFACE:
    case USBDEVFS_DISCONNECT_CLAIM:
    case USBDEVFS_SETINTERFACE:
    case USBDEVFS_CLEAR_HALT:
    case USBDEVFS_IOCTL: /* connect/disconnect kernel driver */
    case USBDEVFS_DISCARDURB:
        umockdev_ioctl_client_complete(client, 0, 0);
        return TRUE;
    default:
        umockdev_ioctl_client_complete(client, -1, ENOTTY);
        return TRUE;
    }
}

/* ---- test ------------------------------------------------------------------- */

static void reexec_with_preload(char **argv)
{
    /* umockdev_in_mock_environment() only turns true once a testbed exists
     * (it checks that /sys is redirected), so look at our own marker. */
    if (getenv("BM_UMOCKDEV_CHILD"))
        return;
    setenv("BM_UMOCKDEV_CHILD", "1", 1);
    char pre[1024] = "";
    void *asan = dlsym(RTLD_DEFAULT, "__asan_init");
    Dl_info di;
    if (asan && dladdr(asan, &di) && di.dli_fname)
        snprintf(pre, sizeof pre, "%s ", di.dli_fname);
    strncat(pre, "libumockdev-preload.so.0", sizeof pre - strlen(pre) - 1);
    setenv("LD_PRELOAD", pre, 1);
    execv("/proc/self/exe", argv);
    fprintf(stderr, "test_usb_umockdev: cannot re-execute under LD_PRELOAD=%s: %s\n", pre, strerror(errno));
    exit(1);
}

static void test_transport(sim *s)
{
    bm_transport t;
    bm_err e = {0};
    int rc = bm_transport_usb_open("0403:6010", &t, &e);
    CHECK(rc == BM_OK, "open usb 0403:6010 under umockdev: %s", e.msg);
    if (rc)
        return;
    printf("  opened %s\n", t.name);
    bm_proto *p = bm_proto_new(t, 1000, 1, 0);
    bm_board_info bi = {0};
    rc = bm_proto_ping(p, &bi, &e);
    CHECK(rc == BM_OK && bi.version == BM_PROTO_VERSION, "PING over libusb: %s", e.msg);
    uint32_t id = 0;
    rc = bm_proto_reg_read(p, BM_REG_ID, &id, &e);
    CHECK(rc == BM_OK && id == BM_ID_MAGIC, "REG_RD ID over libusb: rc %d id 0x%08x %s", rc, id, e.msg);
    printf("  PING: protocol %u, %llu KiB at 0x%llx; ID 0x%08x; %u URBs (%u control, %u OUT, %u IN)\n", bi.version,
           (unsigned long long)(bi.mem_bytes >> 10), (unsigned long long)bi.mem_base, id, s->urbs, s->ctrl,
           s->bulk_out, s->bulk_in);
    CHECK(s->ctrl >= 8, "FTDI setup control transfers seen (%u)", s->ctrl);
    CHECK(s->baud == 1 && s->data8n1 == 1 && s->noflow == 1,
          "channel B set to 1 Mbaud 8N1, no flow control (baud %u, data %u, flow %u)", s->baud, s->data8n1,
          s->noflow);
    bm_proto_free(p);
}

static void test_backend(void)
{
    bm_dev_info info;
    void *d = NULL;
    bm_err e = {0};
    int rc = bm_backend_usb.open("0403:6010", NULL, &d, &info, &e);
    CHECK(rc == BM_OK, "usb://0403:6010: %s", e.msg);
    if (rc)
        return;
    printf("  %s\n", info.desc);
    CHECK(!strstr(info.desc, " 0 MiB") && !strstr(info.desc, " 0 KiB"), "memory size in the description: %s",
          info.desc);
    CHECK_EQ_INT(info.id, BM_ID_MAGIC);
    uint64_t prog, data;
    CHECK_EQ_INT(bm_backend_usb.mem_alloc(d, 4096, &prog, &e), BM_OK);
    CHECK_EQ_INT(bm_backend_usb.mem_alloc(d, 20000, &data, &e), BM_OK);
    static uint8_t w[20000], r[20000];
    for (size_t i = 0; i < sizeof w; i++)
        w[i] = (uint8_t)(i * 7 + 1);
    CHECK_EQ_INT(bm_backend_usb.mem_write(d, data, w, sizeof w, &e), BM_OK);
    CHECK_EQ_INT(bm_backend_usb.mem_read(d, data, r, sizeof r, &e), BM_OK);
    CHECK(memcmp(w, r, sizeof w) == 0, "20000 bytes through libusb and back");
    bm_insn fin;
    uint8_t insn[BM_INSN_BYTES];
    memset(&fin, 0, sizeof fin);
    fin.op = BM_OP_FINISH;
    bm_insn_encode(&fin, insn);
    CHECK_EQ_INT(bm_backend_usb.mem_write(d, prog, insn, sizeof insn, &e), BM_OK);
    bm_run_args a = {.insn_addr = prog, .insn_count = 1, .base = {data, data, data, data}};
    bm_run_result res;
    rc = bm_kernel_run(&bm_backend_usb, d, &a, 5000, &res, &e);
    CHECK(rc == BM_OK && res.hw_error == 0 && res.counters[BM_CNT_INSNS] == 1, "run over libusb: %d %s", rc, e.msg);
    bm_backend_usb.close(d);
    rc = bm_backend_usb.open("0403:6014", NULL, &d, &info, &e);
    CHECK(rc == BM_E_NODEV && strstr(e.msg, "no USB device 0403:6014 found"), "other PID: %d %s", rc, e.msg);
}

int main(int argc, char **argv)
{
    (void)argc;
    reexec_with_preload(argv);
    const char *desc = getenv("BM_USB_DESC") ? getenv("BM_USB_DESC") : "tests/usb/ft2232h.umockdev";
    UMockdevTestbed *tb = umockdev_testbed_new();
    GError *ge = NULL;
    CHECK(umockdev_in_mock_environment(), "not running under libumockdev-preload (LD_PRELOAD=%s)",
          getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "");
    CHECK(umockdev_testbed_add_from_file(tb, desc, &ge), "load %s: %s", desc, ge ? ge->message : "");
    g_clear_error(&ge);

    sim s;
    memset(&s, 0, sizeof s);
    g_queue_init(&s.done);
    s.b = bm_bridge_new(NULL, 0x80000000ull, 16u << 20);
    UMockdevIoctlBase *h = umockdev_ioctl_base_new();
    g_signal_connect(h, "handle-ioctl", G_CALLBACK(on_ioctl), &s);
    CHECK(umockdev_testbed_attach_ioctl(tb, DEVNODE, h, &ge), "attach ioctl handler: %s", ge ? ge->message : "");
    g_clear_error(&ge);

    test_transport(&s);
    test_backend();

    umockdev_testbed_detach_ioctl(tb, DEVNODE, NULL);
    g_object_unref(h);
    g_queue_clear_full(&s.done, g_object_unref);
    g_object_unref(tb);
    bm_bridge_free(s.b);
    return bm_test_done("test_usb_umockdev");
}
