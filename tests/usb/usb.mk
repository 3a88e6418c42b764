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
test-usb-umockdev: $(USB_UMOCK_BIN)
	@mkdir -p $(BUILD)/test-logs
	@if timeout 60 $(USB_UMOCK_BIN) > $(BUILD)/test-logs/test_usb_umockdev.log 2>&1; then \
	    echo "ok     test_usb_umockdev: $$(grep -oE '[0-9]+ passed' $(BUILD)/test-logs/test_usb_umockdev.log | tail -1)"; \
	else \
	    echo "FAILED test_usb_umockdev (log: $(BUILD)/test-logs/test_usb_umockdev.log)"; \
	    tail -20 $(BUILD)/test-logs/test_usb_umockdev.log; \
	    grep -qE '^test_usb_umockdev: [0-9]+ passed' $(BUILD)/test-logs/test_usb_umockdev.log || \
	        echo "test_usb_umockdev: 0 passed, 1 failed" >> $(BUILD)/test-logs/test_usb_umockdev.log; \
	fi
	@grep -E '^test_usb_umockdev: [0-9]+ passed' $(BUILD)/test-logs/test_usb_umockdev.log | tail -1 \
	    | sed 's/^test_usb_umockdev/usb-umockdev/' >> $(BUILD)/test-logs/summary.txt

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
