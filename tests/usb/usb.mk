# Device-backend targets that need more than the unit-test link line (the
# only make fragment of the xrt/usb backends). Included by the top Makefile.
#   make noop-xclbin         $(BUILD)/xrt/bitmill_noop.xclbin: metadata-only
#                            xclbin from bitstreams/alveo/kernel.xml for
#                            XCL_EMULATION_MODE=noop (docs/deploy.md)
#   make test-usb-umockdev   the libusb transport against an emulated FT2232H:
#                            umockdev device description tests/usb/ft2232h.umockdev
#                            plus the usbfs ioctl handler in test_usb_umockdev.c;
#                            part of `make test` via TEST_EXTRA.
# Built with ASan+UBSan like the unit tests; the program re-executes itself
# with LD_PRELOAD="<libasan> libumockdev-preload.so.0" (ASan must be first).

UMOCKDEV_CFLAGS := $(shell pkg-config --cflags umockdev-1.0 2>/dev/null)
UMOCKDEV_LIBS   := $(shell pkg-config --libs umockdev-1.0 2>/dev/null)
USB_UMOCK_BIN   := $(BUILD)/asan/bin/test_usb_umockdev

$(USB_UMOCK_BIN): tests/usb/test_usb_umockdev.c tests/usb/ft2232h.umockdev $(BUILD)/lib/libbitmill_asan.a
	@mkdir -p $(@D)
	@test -n "$(UMOCKDEV_LIBS)" || { echo "umockdev-1.0 not found by pkg-config (apt install libumockdev-dev)"; exit 1; }
	$(CC) $(CFLAGS_A) -Itests $(UMOCKDEV_CFLAGS) -o $@ $< $(BUILD)/lib/libbitmill_asan.a \
	    $(XRT_LIBS) $(UMOCKDEV_LIBS) $(LDLIBS)

.PHONY: test-usb-umockdev
# Appends the program's "N passed, N failed" line to the suite summary; fails
# (exit 1) when the program fails, so `make test` counts it.
test-usb-umockdev: $(USB_UMOCK_BIN)
	@mkdir -p $(BUILD)/test-logs
	@log=$(BUILD)/test-logs/test_usb_umockdev.log; \
	timeout 60 $(USB_UMOCK_BIN) > $$log 2>&1; rc=$$?; \
	line=$$(grep -E '^test_usb_umockdev: [0-9]+ passed, [0-9]+ failed' $$log | tail -1); \
	[ -n "$$line" ] && echo "$$line" | sed 's/^test_usb_umockdev/usb-umockdev/' >> $(BUILD)/test-logs/summary.txt; \
	if [ $$rc -eq 0 ]; then echo "ok     $$line"; \
	else echo "FAILED test_usb_umockdev (exit $$rc, log: $$log)"; tail -20 $$log; exit 1; fi

TEST_EXTRA += test-usb-umockdev

# ---- metadata-only xclbin for the XRT noop flow ---------------------------------
GEN_XCLBIN := $(BUILD)/bin/gen_xclbin

$(GEN_XCLBIN): tests/xrt/gen_xclbin.c driver/xrt/bm_xclbin.c driver/xrt/bm_xclbin.h common/bm_err.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_R) -o $@ tests/xrt/gen_xclbin.c driver/xrt/bm_xclbin.c common/bm_err.c

$(BUILD)/xrt/bitmill_noop.xclbin: $(GEN_XCLBIN) bitstreams/alveo/kernel.xml
	@mkdir -p $(@D)
	$(GEN_XCLBIN) $@ bitstreams/alveo/kernel.xml

.PHONY: noop-xclbin
noop-xclbin: $(BUILD)/xrt/bitmill_noop.xclbin
