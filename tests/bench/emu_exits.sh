#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Exits per packet of the emu path (a benchmark: it asserts nothing).
#
#   tests/bench/emu_exits.sh [--runs N] [--count FRAMES]
#
# Two VMs under KVM, each with an emulated 21140 on one iopath-switch:
# pktgen in one, sink in the other, 64-byte frames. Two cases:
#   irq   the guests sleep on interrupts; pktgen at 2000 pps
#   poll  the guests spin on their descriptor rings; pktgen at full speed
# For each: TX exits per frame (the pktgen VMM), RX exits per frame (the
# sink VMM), both from the VMMs' own counters (data-path CSR accesses;
# SROM/MII bring-up left out), frames received and lost, and the rate the
# sink saw. Medians of N runs (default 3). Needs root and /dev/kvm.
set -euo pipefail
source "$(dirname "$0")/exits_lib.sh" "$@"

switch_start x
one_run() {	# one_run MODE RATE: "tx_epf rx_epf received lost pps"
	local mode=$1 rate=$2 sink_pid
	start_bg sink "$BIN/iopath-vmm" --name sink --mem 64M --quiet \
		--console "$WORK/sink.con" --stats "$WORK/sink.stats" \
		--nic "emu,mac=02:00:00:ee:00:02,switch=$SW_SOCK" \
		--append "app=sink ip=10.66.0.2/24 idle_ms=2000 wait_ms=60000 mode=$mode rx_ring=512" \
		"$IMG/net.elf"
	sink_pid=$LAST_PID
	wait_for_line "$WORK/sink.con" '"event":"init"' 30 || fail "sink VM did not start"
	"$BIN/iopath-vmm" --name gen --mem 64M --quiet --console "$WORK/gen.con" \
		--stats "$WORK/gen.stats" \
		--nic "emu,mac=02:00:00:ee:00:01,switch=$SW_SOCK" \
		--append "app=pktgen dst=10.66.0.2 ip=10.66.0.1/24 size=64 rate=$rate count=$COUNT mode=$mode" \
		"$IMG/net.elf" >/dev/null 2>"$WORK/gen.log" || fail "pktgen VM failed"
	wait "$sink_pid" || true
	local sink
	sink=$(grep '"event":"sink"' "$WORK/sink.con" | tail -1)
	printf '%s %s %s %s %s\n' \
		"$(jq '.nics[0].exits_per_tx_frame' "$WORK/gen.stats")" \
		"$(jq '.nics[0].exits_per_rx_frame' "$WORK/sink.stats")" \
		"$(jq .received <<<"$sink")" "$(jq .lost <<<"$sink")" \
		"$(jq .pps <<<"$sink")"
}

{
echo "emu path: exits per frame ($(nproc) cores, $(uname -r), 64-byte frames, $COUNT per run, median of $RUNS)"
printf '%-6s %10s %14s %14s %10s %8s %10s\n' mode "rate pps" "TX exits/frm" "RX exits/frm" received lost "sink pps"
for c in "irq 2000" "poll 0"; do
	read -r mode rate <<<"$c"
	tx=() rx=() got=() lost=() pps=()
	for ((r = 1; r <= RUNS; r++)); do
		read -r a b g l p <<<"$(one_run "$mode" "$rate")"
		tx+=("$a") rx+=("$b") got+=("$g") lost+=("$l") pps+=("$p")
	done
	printf '%-6s %10s %14.3f %14.3f %10s %8s %10.0f\n' "$mode" \
		"$([[ $rate -eq 0 ]] && echo max || echo "$rate")" \
		"$(median "${tx[@]}")" "$(median "${rx[@]}")" \
		"$(median "${got[@]}")" "$(median "${lost[@]}")" "$(median "${pps[@]}")"
done
} | tee "$OUT/emu-exits.txt"
