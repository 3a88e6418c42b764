/* libusb-1.0 transport to an FTDI FT2232H-class board: bulk endpoints of one
 * FTDI channel (B by default), with FTDI's 2-byte modem-status header stripped
 * from every IN packet. */
#ifndef BM_TRANSPORT_USB_H
#define BM_TRANSPORT_USB_H

#include <stddef.h>
#include <stdint.h>

#include "bm_proto.h"

#define BM_USB_DEFAULT_VID 0x0403u
#define BM_USB_DEFAULT_PID 0x6010u /* FT2232H */
/* Line rate of the board's UART (bitstreams/ice40, ICE40_BAUD) and the
 * FT2232H SIO_SET_BAUDRATE request that selects it (12 MHz / 12, exact). */
#define BM_USB_BAUD 1000000u
#define FTDI_BAUD_1M_VALUE 0x000Cu
#define FTDI_BAUD_1M_INDEX 0x0200u

/* spec: "" (0403:6010), "VVVV:PPPP" (hex), or a serial number string.
 * BM_E_NODEV with "no USB device 0403:6010 found" when nothing matches. */
int bm_transport_usb_open(const char *spec, bm_transport *t, bm_err *err);

/* Remove the 2 status bytes FTDI puts at the start of every IN packet of
 * `pkt` bytes (the last packet may be short). Returns the data length left
 * at the start of buf. */
size_t bm_ftdi_strip(uint8_t *buf, size_t n, size_t pkt);

#endif
