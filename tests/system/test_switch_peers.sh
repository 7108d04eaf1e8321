#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iopath bench --switch-peers: testpmd through iopath-switch, Open vSwitch
# with DPDK and testpmd's own io forwarding. It finishes with well-formed
# JSON, CSV and SVG and non-zero figures for every switch that is
# installed (OVS is reported as skipped, with the reason, where it is
# not); and it leaves nothing behind, also when interrupted halfway; and
# nothing of it outlives a SIGKILL.
# It asserts nothing about speed.
source "$(dirname "$0")/lib.sh"
sys_require_root
command -v jq >/dev/null || skip "jq is not installed"
[[ -x /usr/bin/dpdk-testpmd ]] || skip "dpdk-testpmd is not installed"
OUT=$WORK/results
OVS=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk

# What a run of ours may leave: scratch, DPDK run directories, OVS's
# namespace, processes.
leftovers() {
	local pid=$1
	ls -d /tmp/iopath-peers-"$pid" /var/run/dpdk/iopath-*-"$pid" \
		/var/run/dpdk/iopath-sw-peers"$pid" 2>/dev/null
	ip netns list | grep -w "iopath-ovs-$pid"
	pgrep -af "iopath-peers-$pid" | grep -v pgrep
}

timeout 300 "$BIN/iopath" bench --switch-peers --quick --out "$OUT" \
	>"$WORK/peers.out" 2>"$WORK/peers.log" &
pid=$!
wait "$pid" || fail "iopath bench --switch-peers failed: $(tail -5 "$WORK/peers.log")"
cat "$WORK/peers.out"
for f in peers.json peers.csv peers.svg; do
	[[ -s $OUT/$f ]] || fail "$f is missing or empty"
done
jq -e . "$OUT/peers.json" >/dev/null || fail "peers.json is not JSON"
switches=(iopath-switch dpdk-io)
if [[ -x $OVS ]]; then
	switches+=(ovs-dpdk)
else
	jq -e '.skipped["ovs-dpdk"] | test("not installed")' "$OUT/peers.json" \
		>/dev/null || fail "OVS is not installed but not reported as skipped"
fi
for sw in "${switches[@]}"; do
	for size in 64 1518; do
		jq -e --arg w "$sw" --argjson s "$size" \
			'[.results[] | select(.switch == $w and .frame_bytes == $s and
			  .pps_median > 0 and .repeats_ok == 1)] | length == 1' \
			"$OUT/peers.json" >/dev/null ||
			fail "$sw $size B: no non-zero figure"
	done
done
jq -e '[.results[] | select(.switch == "iopath-switch")][0].pct_of_iopath == 100' \
	"$OUT/peers.json" >/dev/null || fail "iopath-switch is not 100% of itself"
cols=$(head -1 "$OUT/peers.csv" | awk -F, '{print NF}')
awk -F, -v c="$cols" 'NF != c {exit 1}' "$OUT/peers.csv" || fail "ragged CSV"
[[ $(wc -l <"$OUT/peers.csv") -eq $((1 + 2 * ${#switches[@]})) ]] ||
	fail "CSV does not have a row per switch and size"
if command -v xmllint >/dev/null; then
	xmllint --noout "$OUT/peers.svg" || fail "peers.svg is not well-formed XML"
fi
[[ $(grep -c '<rect x=.*<title>' "$OUT/peers.svg") -eq $((2 * ${#switches[@]})) ]] ||
	fail "peers.svg does not have a bar per switch and size"
left=$(leftovers "$pid" || true)
[[ -z $left ]] || fail "left behind: $left"
pass "switch-peers over ${switches[*]}: JSON, CSV and SVG well-formed, figures non-zero, nothing left"

# run_until_trial2 NAME: a longer run in the background, 3 s into its
# second trial; sets pid.
run_until_trial2() {
	"$BIN/iopath" bench --switch-peers --sizes 64,128,256 --trial 5 \
		--out "$WORK/$1" >"$WORK/$1.out" 2>"$WORK/$1.log" &
	pid=$!
	for _ in $(seq 300); do
		grep -q "trial 2/" "$WORK/$1.log" 2>/dev/null && break
		sleep 0.1
	done
	grep -q "trial 2/" "$WORK/$1.log" || fail "$1: the second trial never started"
	sleep 3
}

# Ctrl-C in the middle of a trial: it reports what it has and cleans up.
run_until_trial2 int
kill -INT "$pid"
for _ in $(seq 300); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "still running 30 s after SIGINT"
wait "$pid" || true
grep -q interrupted "$WORK/int.log" || fail "no word of the interruption"
jq -e . "$WORK/int/peers.json" >/dev/null || fail "no JSON after the interruption"
left=$(leftovers "$pid" || true)
[[ -z $left ]] || fail "left behind after SIGINT: $left"
pass "SIGINT mid-run: partial results written, nothing left behind"

# SIGKILL: nothing can clean up, but no generator or switch may outlive
# iopath (they would spin on a CPU for ever), and the next run removes
# the files and namespace it left.
run_until_trial2 kill
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
sleep 3
procs=$(pgrep -af "iopath-peers-$pid" | grep -v pgrep || true)
[[ -z $procs ]] || fail "outlived a SIGKILLed iopath: $procs"
"$BIN/iopath" bench --switch-peers --sizes 64 --trial 1 --repeats 1 \
	--out "$WORK/after" >"$WORK/after.out" 2>"$WORK/after.log" ||
	fail "the run after a SIGKILL failed: $(tail -3 "$WORK/after.log")"
left=$(leftovers "$pid" || true)
[[ -z $left ]] || fail "the next run did not remove what the killed one left: $left"
pass "SIGKILL mid-run: no process outlives iopath; the next run sweeps its files and namespace"
echo "3 passed, 0 failed"
