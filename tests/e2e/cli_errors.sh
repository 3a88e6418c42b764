#!/usr/bin/env bash
# `bitmill` on bad input: each case must exit with the documented code
# (docs/cli.md) and print a message naming the problem; nothing half-written
# is left behind. Appends "cli: N passed, N failed" to the test summary.
set -u
build=$1; data=$2; bin=$build/bin/bitmill; tmp=$build/cli-test; mkdir -p "$tmp" "$build/test-logs"
pass=0; fail=0
expect() {  # code, message regex, command...
  local code=$1 re=$2; shift 2
  local out; out=$("$@" 2>&1 >/dev/null); local rc=$?
  if [[ $rc -eq $code ]] && grep -Eq -- "$re" <<<"$out"; then pass=$((pass+1))
  else fail=$((fail+1)); echo "FAIL: $* -> exit $rc (want $code), stderr: $out"; fi
}
model=$data/stories260K.bin
[[ -f $model ]] || { echo "cli: missing $model (set DATA_DIR)"; echo "cli: 0 passed, 1 failed" >> "$build/test-logs/summary.txt"; exit 1; }
"$bin" compile "$model" -o "$tmp/ok.bmx" --preset odd --dtype int --bits 4 --group 12 --quiet >/dev/null || fail=$((fail+1))
head -c 5000 "$tmp/ok.bmx" > "$tmp/trunc.bmx"
cp "$tmp/ok.bmx" "$tmp/flip.bmx"; printf '\x55' | dd of="$tmp/flip.bmx" bs=1 seek=3000 conv=notrunc status=none
expect 2 "unknown option"            "$bin" run "$model" --frobnicate
expect 2 "unknown command"           "$bin" frobnicate
expect 2 "--text FILE is required"   "$bin" eval "$model"
expect 2 "need --calib"              "$bin" eval "$model" --text x --method gptq
expect 4 "cannot open"               "$bin" run "$tmp/missing.bin"
expect 4 "file size field|checksum|leaves the file|not a .bmx|runs past" "$bin" run "$tmp/trunc.bmx" --device ref://odd
expect 4 "checksum"                  "$bin" info "$tmp/flip.bmx"
expect 3 "preset odd.*device is default|built for preset odd" "$bin" run "$tmp/ok.bmx" --device ref://default --steps 2
expect 3 "no such preset"            "$bin" run "$model" --device ref://huge --steps 2
expect 3 "not available|no USB|cannot" "$bin" info --device warp://0
expect 2 "not a multiple"            "$bin" layer "$model" --name blk.0.attn_q --device ref://odd --group 32
expect 4 "cannot create"             "$bin" compile "$model" -o "$tmp/no/such/dir/x.bmx" --quiet
if ls "$tmp"/no 2>/dev/null | grep -q .; then fail=$((fail+1)); echo "FAIL: half-written output left"; else pass=$((pass+1)); fi
for c in compile run eval layer disasm info; do
  if "$bin" $c --help | grep -q "usage: bitmill $c"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL: $c --help"; fi
done
echo "cli: $pass passed, $fail failed" | tee -a "$build/test-logs/summary.txt"
[[ $fail -eq 0 ]]
