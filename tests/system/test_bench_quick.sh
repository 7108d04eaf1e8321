#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iopath bench --quick on every available path: it finishes, and writes
# well-formed JSON (jq), CSV and SVG (xmllint, else a grep). For every
# path and size NDR <= PDR <= saturation, and every figure is non-zero:
# the three rates, latency, CPU per packet at the reference rate, KVM
# exits per packet (and userspace ones on the emu path, where every
# register access traps), the price of an exit. It asserts nothing about
# speed. On two CPUs or more the run is pinned by default, the switch's
# thread apart from the vCPUs.
source "$(dirname "$0")/lib.sh"
sys_require_root
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not usable here"
command -v jq >/dev/null || skip "jq is not installed"
OUT=$WORK/results
J=$OUT/results.json

timeout 280 "$BIN/iopath" bench --quick --out "$OUT" \
	>"$WORK/bench.out" 2>"$WORK/bench.log" ||
	fail "iopath bench --quick failed: $(tail -5 "$WORK/bench.log")"
cat "$WORK/bench.out"
for f in results.json results.csv trials.csv throughput.svg latency.svg; do
	[[ -s $OUT/$f ]] || fail "$f is missing or empty"
done
jq -e . "$J" >/dev/null || fail "results.json is not JSON"
# the default placement: the switch's thread on a CPU of its own
if (($(nproc) >= 2)); then
	jq -e '.options | .pin_auto and .pin_switch != null and
		(.pin_switch as $s | .pin_vcpus | index([$s]) == null)' "$J" >/dev/null ||
		fail "not pinned by default: $(jq -c .options "$J")"
fi
paths=$(jq -r '.options.paths[]' "$J")
[[ -n $paths ]] || fail "no paths benched"
for p in $paths; do
	for size in 64 1518; do
		what="$p $size B"
		row=$(jq -c --arg p "$p" --argjson s "$size" \
			'.summary[] | select(.path == $p and .size == $s)' "$J")
		[[ -n $row ]] || fail "$what: no summary row"
		rates=$(jq -c '[.ndr_pps, .pdr_pps, .saturation_pps]' <<<"$row")
		jq -e 'all(. > 0)' <<<"$rates" >/dev/null ||
			fail "$what: a zero rate (NDR, PDR, saturation): $rates"
		jq -e '.[0] <= .[1] and .[1] <= .[2]' <<<"$rates" >/dev/null ||
			fail "$what: not NDR <= PDR <= saturation: $rates"
		jq -e '.latency_us.p50 > 0 and .latency_us.p99 > 0 and
			(.at_ref_rate.cpu_us_per_pkt | .sender_vmm > 0 and
			 .receiver_vmm > 0 and .switch > 0) and
			.at_ndr.exits_per_pkt.kvm > 0 and
			.at_low_rate.exits_per_pkt.kvm > 0 and
			.breakdown.at_ndr.total_us > 0' <<<"$row" >/dev/null ||
			fail "$what: a zero latency, CPU, exit or breakdown" \
				"figure"
		if [[ $p == emu ]]; then
			jq -e '.at_low_rate.exits_per_pkt.userspace > 0' \
				<<<"$row" >/dev/null ||
				fail "$what: no userspace exit at the low rate"
		fi
	done
done
jq -e '.summary[] | select(.path == "baseline") | .saturation_pps > 0' \
	"$J" >/dev/null || fail "no baseline figure"
jq -e '.exit_cost.us_per_exit > 0' "$J" >/dev/null ||
	fail "an exit was not priced"
# every search kept its trials, the full-speed one first
jq -e '[.runs[] | select(.path != "baseline") |
	.trials[0].rate_offered == 0] | all' "$J" >/dev/null ||
	fail "a search lost its trials"
# CSV: a header and rows with the same column count
for c in results trials; do
	cols=$(head -1 "$OUT/$c.csv" | awk -F, '{print NF}')
	awk -F, -v c="$cols" 'NF != c {exit 1}' "$OUT/$c.csv" ||
		fail "ragged $c.csv"
	[[ $(wc -l <"$OUT/$c.csv") -ge 3 ]] ||
		fail "$c.csv has no data rows"
done
for s in throughput latency; do
	if command -v xmllint >/dev/null; then
		xmllint --noout "$OUT/$s.svg" ||
			fail "$s.svg is not well-formed XML"
	else
		grep -q '<svg' "$OUT/$s.svg" || fail "$s.svg is not SVG"
	fi
done
grep -q '<rect x=.*<title>' "$OUT/throughput.svg" ||
	fail "throughput.svg has no bars"
pass "bench --quick on $(echo $paths): NDR <= PDR <= saturation," \
	"figures non-zero, JSON, CSV and SVG well-formed"
# nothing of the bench left running
pgrep -af "iopath-sw-bench|/tmp/iopath-bench-" &&
	fail "bench left processes behind"
echo "1 passed, 0 failed"
