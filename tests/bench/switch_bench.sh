#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark of iopath-switch (a benchmark, not a test: it asserts nothing).
#
#   tests/bench/switch_bench.sh [--runs N] [--seconds S] [--out DIR]
#
# 1. Forwarding rate between two packet-channel ports: iopath-peer sends
#    UDP frames as fast as it can into one port, another iopath-peer counts
#    what arrives on the other; 64 and 1518-byte frames.
# 2. The machine's DPDK baseline in the same run: dpdk-testpmd forwarding
#    between two net_ring ports in one process, swapping MAC addresses so
#    each frame's header is touched (io mode only passes pointers): about
#    the most one core of this machine forwards through DPDK at all.
# Frame sizes are RFC 2544's, FCS included; the frames carry 4 bytes less.
# 3. Failover outage: an active-backup team under a 2000 pps stream loses
#    its active link; the receiver's longest gap and the frames lost.
# Each figure is the median of N runs (default 5), the spread beside it.
# Needs root (namespaces for the failover part). Results: a table on
# stdout and DIR/switch-bench.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
RUNS=5
SECS=5
OUT=$top/results
while (($#)); do
	case $1 in
	--runs) RUNS=$2; shift ;;
	--seconds) SECS=$2; shift ;;
	--out) OUT=$2; shift ;;
	*) echo "usage: $0 [--runs N] [--seconds S] [--out DIR]" >&2; exit 2 ;;
	esac
	shift
done
export IOPATH_BIN=${IOPATH_BIN:-$top/build/bin}
[[ -x $IOPATH_BIN/iopath-switch ]] || "$top/scripts/setup"
source "$top/tests/system/lib.sh"
sys_require_root
mkdir -p "$OUT"

# --- 1. switch: peer -> switch -> peer ---
switch_start bench
switch_rate() {	# switch_rate SIZE: received pps of one run
	local size=$1 sink_pid res
	start_bg sink "$IOPATH_BIN/iopath-peer" --sock "$SW_SOCK" --port sink \
		--mac 02:00:00:bb:00:02 --ip 10.88.0.2/24 --mode sink \
		--seconds $((SECS + 3)) --slots 4096
	sink_pid=$LAST_PID
	wait_for_line "$WORK/sink.out" '"event":"ready"' 10 || fail "sink did not attach"
	"$IOPATH_BIN/iopath-peer" --sock "$SW_SOCK" --port src \
		--mac 02:00:00:bb:00:01 --ip 10.88.0.1/24 --mode send \
		--dst-ip 10.88.0.2 --dst-mac 02:00:00:bb:00:02 --rate 0 \
		--size $((size - 4)) --seconds "$SECS" --slots 4096 \
		>"$WORK/src.out" 2>"$WORK/src.log" || fail "sender failed"
	wait "$sink_pid" || true
	res=$(grep '"event":"peer"' "$WORK/sink.out")
	jget "$res" '.rx_pps'
}

# --- 2. DPDK baseline: testpmd macswap forwarding over two net_ring ports ---
baseline_rate() {	# baseline_rate SIZE: forwarded pps of one run
	local size=$1
	command -v dpdk-testpmd >/dev/null || { echo 0; return; }
	timeout $((SECS + 20)) dpdk-testpmd -l 0-1 --no-huge --no-pci -m 512 \
		--file-prefix "${T}base" --vdev net_ring0 --vdev net_ring1 -- \
		--forward-mode=macswap --tx-first --txpkts=$((size - 4)) \
		--stats-period 1 \
		--total-num-mbufs=16384 \
		--nb-cores=1 </dev/null >"$WORK/testpmd.log" 2>&1 &
	local pid=$!
	sleep $((SECS + 2))
	kill -INT "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
	rm -rf /var/run/dpdk/"${T}base"
	# Each stats block has one Rx-pps line per port; a block's frames
	# forwarded per second is their sum. Blocks of 0 are the warm-up
	# (on 2 cores the stats thread is often starved; there may be few).
	{ grep -o 'Rx-pps: *[0-9]*' "$WORK/testpmd.log" || true; } |
		awk '{sum += $2} NR % 2 == 0 {if (sum > 0) print sum; sum = 0}' |
		sort -g | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : 0)}'
}

declare -A SW BASE
for size in 64 1518; do
	sw=() base=()
	for ((r = 1; r <= RUNS; r++)); do
		# Interleaved: switch run, then baseline run, each size.
		sw+=("$(switch_rate "$size")")
		base+=("$(baseline_rate "$size")")
		printf '\r\033[K  size %4d  run %d/%d' "$size" "$r" "$RUNS" >&2
	done
	SW[$size]="$(median "${sw[@]}") $(spread "${sw[@]}")"
	BASE[$size]="$(median "${base[@]}") $(spread "${base[@]}")"
done
printf '\r\033[K' >&2
ctl "$SW_CTL" quit >/dev/null

# --- 3. failover outage ---
F=${T}fab
netns_add "$F"
ip -n "$F" link add br0 type bridge
ip -n "$F" link set br0 up
for i in a0 a1 b0; do
	veth_add "${T}$i" "${T}f$i" "$F"
	ip -n "$F" link set "${T}f$i" master br0
done
switch_start b --uplink "b0=net_af_packet2,iface=${T}b0,framecnt=4096"
B_SOCK=$SW_SOCK
switch_start a --uplink "a0=net_af_packet0,iface=${T}a0,framecnt=4096" \
	--uplink "a1=net_af_packet1,iface=${T}a1,framecnt=4096" \
	--team "t0:mode=active-backup,members=a0+a1"
A_SOCK=$SW_SOCK A_CTL=$SW_CTL
outage=() lost=()
for ((r = 1; r <= RUNS; r++)); do
	start_bg sink "$IOPATH_BIN/iopath-peer" --sock "$A_SOCK" --port fsink \
		--mac 02:00:00:cc:00:01 --ip 10.89.0.1/24 --mode sink --seconds 5
	sink_pid=$LAST_PID
	wait_for_line "$WORK/sink.out" '"event":"ready"' 10 || fail "sink did not attach"
	start_bg src "$IOPATH_BIN/iopath-peer" --sock "$B_SOCK" --port fsrc \
		--mac 02:00:00:cc:00:02 --ip 10.89.0.2/24 --mode send \
		--dst-ip 10.89.0.1 --rate 2000 --seconds 4
	src_pid=$LAST_PID
	sleep 1.5
	active=$(ctl "$A_CTL" show-team team=t0 | jq -r .team.active)
	ip -n "$F" link set "${T}f$active" down
	wait "$src_pid" || true
	wait "$sink_pid" || true
	res=$(grep '"event":"peer"' "$WORK/sink.out")
	outage+=("$(jget "$res" .outage_ms)")
	lost+=("$(jget "$res" .lost)")
	ip -n "$F" link set "${T}f$active" up
	sleep 1	# the member rejoins before the next run
	printf '\r\033[K  failover run %d/%d' "$r" "$RUNS" >&2
done
printf '\r\033[K' >&2

mpps() { awk -v p="$1" 'BEGIN {printf "%.3f", p / 1e6}'; }
gbps() { awk -v p="$1" -v s="$2" 'BEGIN {printf "%.2f", p * (s + 20) * 8 / 1e9}'; }
{
	echo "iopath-switch benchmark ($(nproc) cores, $(uname -r), median of $RUNS runs of ${SECS}s)"
	printf '%-30s %7s %8s %8s %22s\n' "" "frame B" "Mpps" "Gbit/s" "spread (pps)"
	for size in 64 1518; do
		read -r m s <<<"${SW[$size]}"
		printf '%-30s %7d %8s %8s %22s\n' "switch, pktchan -> pktchan" \
			"$size" "$(mpps "$m")" "$(gbps "$m" "$size")" "$s"
		read -r m s <<<"${BASE[$size]}"
		printf '%-30s %7d %8s %8s %22s\n' "DPDK baseline (testpmd)" \
			"$size" "$(mpps "$m")" "$(gbps "$m" "$size")" "$s"
	done
	printf 'failover (active-backup, 2000 pps): outage %s ms median (%s), lost %s frames median (%s)\n' \
		"$(median "${outage[@]}")" "$(spread "${outage[@]}")" \
		"$(median "${lost[@]}")" "$(spread "${lost[@]}")"
} | tee "$OUT/switch-bench.txt"
jq -n --arg sw64 "${SW[64]}" --arg sw1518 "${SW[1518]}" \
	--arg b64 "${BASE[64]}" --arg b1518 "${BASE[1518]}" \
	--arg outage "$(median "${outage[@]}")" --arg lost "$(median "${lost[@]}")" \
	--argjson runs "$RUNS" --argjson secs "$SECS" '{
	runs: $runs, seconds: $secs,
	switch_pps: {"64": ($sw64 | split(" ")[0] | tonumber), "1518": ($sw1518 | split(" ")[0] | tonumber)},
	baseline_pps: {"64": ($b64 | split(" ")[0] | tonumber), "1518": ($b1518 | split(" ")[0] | tonumber)},
	failover: {outage_ms: ($outage | tonumber), lost: ($lost | tonumber)}}' \
	>"$OUT/switch-bench.json"
echo "results: $OUT/switch-bench.txt, $OUT/switch-bench.json"
