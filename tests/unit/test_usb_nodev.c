/* usb:// with no board attached (this machine has no USB stack at all):
 * a clean BM_E_NODEV naming the device looked for, for the default FT2232H,
 * an explicit VID:PID and a serial number. Also the FTDI status-byte
 * stripping the libusb transport applies to every IN packet. */
#include "bm_test.h"
#include "../../driver/usb/bm_transport_usb.h"
#include "../../driver/usb/bm_usb.h"

static void nodev(const char *arg, const char *want)
{
    bm_dev_info info;
    void *d = NULL;
    bm_err e = {0};
    int rc = bm_backend_usb.open(arg, NULL, &d, &info, &e);
    printf("  usb://%s -> %d \"%s\"\n", arg, rc, e.msg);
    CHECK(rc == BM_E_NODEV && strstr(e.msg, want), "usb://%s: rc %d msg \"%s\"", arg, rc, e.msg);
    if (rc == BM_OK)
        bm_backend_usb.close(d);
}

static void test_strip(void)
{
    uint8_t b[1100];
    /* 512-byte packets: [s s d0..d509][s s d510..d1019][s s d1020..] */
    size_t n = 0, k = 0;
    for (int pk = 0; pk < 3; pk++) {
        b[n++] = 0x31;
        b[n++] = 0x60;
        for (int i = 0; i < (pk < 2 ? 510 : 40); i++)
            b[n++] = (uint8_t)(k++ % 251);
    }
    size_t m = bm_ftdi_strip(b, n, 512);
    CHECK_EQ_INT(m, 1060);
    int ok = 1;
    for (size_t i = 0; i < m; i++)
        ok &= b[i] == (uint8_t)(i % 251);
    CHECK(ok, "payload order kept across packets");
    uint8_t s[4] = {0x31, 0x60, 0x31, 0x60};
    CHECK_EQ_INT(bm_ftdi_strip(s, 2, 512), 0); /* status-only packet */
    CHECK_EQ_INT(bm_ftdi_strip(s, 4, 2), 0);   /* degenerate packet size */
    uint8_t t[6] = {0x31, 0x60, 7, 0x31, 0x60, 8};
    CHECK_EQ_INT(bm_ftdi_strip(t, 6, 3), 2); /* 3-byte packets (full-speed-like tiny) */
    CHECK(t[0] == 7 && t[1] == 8, "tiny packets");
}

int main(void)
{
    nodev("", "no USB device 0403:6010 found");
    nodev("0403:6014", "no USB device 0403:6014 found");
    nodev("FT5XYZ01", "no USB device with serial \"FT5XYZ01\" found");
    test_strip();
    return bm_test_done("test_usb_nodev");
}
