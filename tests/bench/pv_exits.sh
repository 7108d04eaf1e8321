#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Exits per frame of the pv path, beside the emu path, from the same run
# (a benchmark: it asserts nothing).
#
#   tests/bench/pv_exits.sh [--runs N] [--count FRAMES] [--out DIR]
#
# Two VMs under KVM on one iopath-switch, pktgen in one, sink in the
# other, 64-byte frames; for each path (pv, emu) and mode:
#   irq   the guests sleep on interrupts; pktgen at 2000 pps
#   poll  the guests spin on their rings; pktgen at full speed
# Columns, per frame (TX: the pktgen VMM over frames sent; RX: the sink
# VMM over frames received):
#   usr   userspace exits of the NIC, from the VMM's own counters (pv:
#         setup-register accesses and uncaught notifies, all at set-up;
#         emu: every CSR access)
#   kvm   every exit KVM counted (binary stats, "kvm".exits: in-kernel
#         ioeventfd writes, interrupts, timer, halts, console...)
#   ntf   pv only: notify-register writes the guest driver made (each an
#         in-kernel ioeventfd exit), the rest suppressed by req_event
# and frames received, lost, and the rate the sink saw. Medians of N runs
# (default 3). Needs root and /dev/kvm.
set -euo pipefail
source "$(dirname "$0")/exits_lib.sh" "$@"

switch_start x
# one_run PATH MODE RATE: "tx_usr tx_kvm tx_ntf rx_usr rx_kvm rx_ntf received lost pps"
one_run() {
	local path=$1 mode=$2 rate=$3 sink_pid sink gen sent got
	start_bg sink "$BIN/iopath-vmm" --name sink --mem 64M --quiet \
		--console "$WORK/sink.con" --stats "$WORK/sink.stats" \
		--nic "$path,mac=02:00:00:ef:00:02,switch=$SW_SOCK" \
		--append "app=sink ip=10.67.0.2/24 idle_ms=2000 wait_ms=60000 mode=$mode rx_ring=512" \
		"$IMG/net.elf"
	sink_pid=$LAST_PID
	wait_for_line "$WORK/sink.con" '"event":"init"' 30 || fail "sink VM did not start"
	"$BIN/iopath-vmm" --name gen --mem 64M --quiet --console "$WORK/gen.con" \
		--stats "$WORK/gen.stats" \
		--nic "$path,mac=02:00:00:ef:00:01,switch=$SW_SOCK" \
		--append "app=pktgen dst=10.67.0.2 ip=10.67.0.1/24 size=64 rate=$rate count=$COUNT mode=$mode" \
		"$IMG/net.elf" >/dev/null 2>"$WORK/gen.log" || fail "pktgen VM failed"
	wait "$sink_pid" || true
	sink=$(grep '"event":"sink"' "$WORK/sink.con" | tail -1)
	gen=$(grep '"event":"pktgen"' "$WORK/gen.con" | tail -1)
	sent=$(jq '.tx_packets' <<<"$gen")
	got=$(jq '.received' <<<"$sink")
	# usr: the NIC's userspace exits (pv: setup_exits; emu: data + set-up)
	local usr='(.nics[0] | if .path == "pv" then .setup_exits else (.data_exits + .setup_exits) end)'
	printf '%s %s %s %s %s %s %s %s %s\n' \
		"$(jq "$usr / $sent" "$WORK/gen.stats")" \
		"$(jq ".kvm.exits / $sent" "$WORK/gen.stats")" \
		"$(jq "(.drv.notifies // 0) / $sent" <<<"$gen")" \
		"$(jq "$usr / ([$got,1] | max)" "$WORK/sink.stats")" \
		"$(jq ".kvm.exits / ([$got,1] | max)" "$WORK/sink.stats")" \
		"$(jq "(.drv.notifies // 0) / ([$got,1] | max)" <<<"$sink")" \
		"$got" "$(jq .lost <<<"$sink")" "$(jq .pps <<<"$sink")"
}

{
echo "pv vs emu: exits per frame ($(nproc) cores, $(uname -r), 64-byte frames, $COUNT per run, median of $RUNS)"
printf '%-4s %-5s %6s | %9s %9s %7s | %9s %9s %7s | %8s %6s %9s\n' path mode rate \
	"TX usr" "TX kvm" "TX ntf" "RX usr" "RX kvm" "RX ntf" received lost "sink pps"
for c in "pv irq 2000" "emu irq 2000" "pv poll 0" "emu poll 0"; do
	read -r path mode rate <<<"$c"
	cols=(a b c d e f g h i)
	declare -A v=()
	for ((r = 1; r <= RUNS; r++)); do
		read -r -a x <<<"$(one_run "$path" "$mode" "$rate")"
		for k in "${!cols[@]}"; do v[$k]+="${x[$k]} "; done
	done
	m=()
	for k in "${!cols[@]}"; do
		# shellcheck disable=SC2086
		m+=("$(median ${v[$k]})")
	done
	printf '%-4s %-5s %6s | %9.4f %9.3f %7.3f | %9.4f %9.3f %7.3f | %8s %6s %9.0f\n' \
		"$path" "$mode" "$([[ $rate -eq 0 ]] && echo max || echo "$rate")" \
		"${m[0]}" "${m[1]}" "${m[2]}" "${m[3]}" "${m[4]}" "${m[5]}" \
		"${m[6]}" "${m[7]}" "${m[8]}"
	unset v
done
} | tee "$OUT/pv-exits.txt"
