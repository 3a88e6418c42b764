#!/usr/bin/env bash
# `make test-install`: the installed library, headers and pkg-config file are
# enough to build and run a client program.
set -u
build=$1; prefix=$build/install; log=$build/test-logs; mkdir -p "$log"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
ok=0; fail=0
if cc -std=c11 -Wall -Wextra -Werror tests/install/hello.c $(pkg-config --cflags --libs bitmill) \
     -o "$build/install/hello" && "$build/install/hello"; then ok=1; else fail=1; fi
echo "install: $ok passed, $fail failed" | tee -a "$log/summary.txt"
exit $fail
