#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iopath bench --quick on every available path: it finishes, and writes
# well-formed JSON (jq), CSV and SVG (xmllint, else a grep) with non-zero
# figures. It asserts nothing about speed.
source "$(dirname "$0")/lib.sh"
sys_require_root
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not usable here"
command -v jq >/dev/null || skip "jq is not installed"
OUT=$WORK/results

timeout 240 "$BIN/iopath" bench --quick --out "$OUT" >"$WORK/bench.out" 2>"$WORK/bench.log" ||
	fail "iopath bench --quick failed: $(tail -5 "$WORK/bench.log")"
cat "$WORK/bench.out"
for f in results.json results.csv throughput.svg latency.svg; do
	[[ -s $OUT/$f ]] || fail "$f is missing or empty"
done
jq -e . "$OUT/results.json" >/dev/null || fail "results.json is not JSON"
paths=$(jq -r '.options.paths[]' "$OUT/results.json")
[[ -n $paths ]] || fail "no paths benched"
for p in $paths; do
	for size in 64 1518; do
		# Throughput and latency are non-zero for the big frames at least
		# (an emulated NIC may lose frames at 64 B at any tested rate).
		thr=$(jq -r --arg p "$p" --argjson s "$size" \
			'.summary[] | select(.path == $p and .size == $s) | .throughput_pps' \
			"$OUT/results.json")
		[[ -n $thr ]] || fail "$p $size B: no summary row"
		if [[ $size -eq 1518 ]]; then
			awk -v t="$thr" 'BEGIN {exit !(t > 0)}' || fail "$p $size B: throughput 0"
			jq -e --arg p "$p" '.summary[] | select(.path == $p and .size == 1518) |
				.latency_us.p50 > 0 and .exits_per_pkt.userspace > 0 and
				.cpu_us_per_pkt.sender_vmm > 0' "$OUT/results.json" >/dev/null ||
				fail "$p 1518 B: zero latency, exits or CPU figures"
		fi
	done
done
jq -e '.summary[] | select(.path == "baseline") | .throughput_pps > 0' \
	"$OUT/results.json" >/dev/null || fail "no baseline figure"
# CSV: a header and one row per (size, path) with the same column count
cols=$(head -1 "$OUT/results.csv" | awk -F, '{print NF}')
awk -F, -v c="$cols" 'NF != c {exit 1}' "$OUT/results.csv" || fail "ragged CSV"
[[ $(wc -l <"$OUT/results.csv") -ge 3 ]] || fail "CSV has no data rows"
for s in throughput latency; do
	if command -v xmllint >/dev/null; then
		xmllint --noout "$OUT/$s.svg" || fail "$s.svg is not well-formed XML"
	else
		grep -q '<svg' "$OUT/$s.svg" || fail "$s.svg is not SVG"
	fi
done
grep -q '<rect x=.*<title>' "$OUT/throughput.svg" || fail "throughput.svg has no bars"
pass "bench --quick on $(echo $paths): JSON, CSV and SVG well-formed, figures non-zero"
# nothing of the bench left running
pgrep -af "iopath-sw-bench|/tmp/iopath-bench-" && fail "bench left processes behind"
echo "1 passed, 0 failed"
