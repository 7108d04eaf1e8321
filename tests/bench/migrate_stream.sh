#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Live migration under a sequenced stream: issue 13's figures per path (a
# benchmark: it asserts nothing).
#
#   tests/bench/migrate_stream.sh [--runs N] [--paths "emu pv"]
#       [--cases "sink sender"] [--rate PPS] [--seconds S]
#       [--sink-args "k=v ..."] [--out DIR]
#
# --sink-args: more of the sink's command line (default rx_ring=1024).
#
# Each run is a lab of two hosts (a switch each, with an uplink into the
# fabric namespace) and two VMs of 64 MiB on the path under test: pktgen
# on h1 sends 64-byte frames at RATE (default 100 kpps) to a sink on h0
# for S seconds (default 6). Two seconds into the stream `iopath migrate
# --json` moves
#   sink    the sink from h0 to h1 (the stream ends local to h1);
#   sender  pktgen from h1 to h0 (the stream stays on the fabric);
#   none    nothing (--cases "none ..."): what the stream loses anyway.
# From the migration's record: total time, pre-copy rounds, pages sent,
# downtime (the VMM's: pause to resume). From the sink's record
# (guests/apps/net_sink.c): the longest gap in the sequence numbers (its
# time from the sender's stamps: the downtime the guest's peer saw), all
# frames lost and those lost outside that gap, and the longest silence
# between two frames by the sink's clock; and the rate pktgen kept, with
# what it skipped. A sender paused by its migration leaves no gap in the
# numbers (pktgen sends at most catchup_us= of the frames that fell due
# meanwhile and skips the rest, unnumbered): its downtime is the sink's
# silence and pktgen's longest stall.
# Per path and case, medians of N runs (default 3) with the range beside
# them. Needs root and /dev/kvm. Results: a table on stdout and
# DIR/migrate-stream.json (every run's records), and each run's `lab
# status` (the switches' port counters) in DIR/migrate-stream-*.status.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
RUNS=3
PATHS="emu pv"
CASES="sink sender"
RATE=100000
SECS=6
# 10 ms of the stream: with the default 256 the emu sink lost ~6% of a
# 100 kpps stream to its vCPU's scheduling on a busy 2-core host,
# migration or not; with 1024, 149 frames in one gap.
SINK_ARGS="rx_ring=1024"
OUT=$top/results
usage() {
	echo "usage: $0 [--runs N] [--paths \"emu pv vf\"]" \
		"[--cases \"sink sender none\"] [--rate PPS] [--seconds S]" \
		"[--sink-args \"k=v ..\"] [--out DIR]" >&2
	exit 2
}
while (($#)); do
	case $1 in
	--runs) RUNS=$2; shift ;;
	--paths) PATHS=$2; shift ;;
	--cases) CASES=$2; shift ;;
	--rate) RATE=$2; shift ;;
	--seconds) SECS=$2; shift ;;
	--sink-args) SINK_ARGS=$2; shift ;;
	--out) OUT=$2; shift ;;
	*) usage ;;
	esac
	shift
done
[[ $SINK_ARGS =~ ^[a-z0-9_=\ .-]*$ && $RUNS =~ ^[1-9][0-9]*$ &&
   $RATE =~ ^[1-9][0-9]*$ && $SECS =~ ^[1-9][0-9]*$ && $SECS -ge 4 ]] || usage
for p in $PATHS; do [[ $p == emu || $p == pv || $p == vf ]] || usage; done
for c in $CASES; do
	[[ $c == sink || $c == sender || $c == none ]] || usage
done
export IOPATH_BIN=${IOPATH_BIN:-$top/build/bin}
[[ -x $IOPATH_BIN/iopath ]] || "$top/scripts/setup"
source "$top/tests/system/lib.sh"
sys_require_root
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not usable here"
mkdir -p "$OUT"
LAB=${T}ms
RUN=/run/iopath/lab-$LAB	# root's labs (cli/lab_rundir.c)
sys_on_cleanup '"$BIN/iopath" lab down --lab "$LAB"; rm -rf "$RUN"'

# nic PATH MAC: a topology NIC; a VF is teamed with a pv standby of its
# MAC (the standby design), which is what lets it migrate.
nic() {
	if [[ $1 == vf ]]; then
		echo "[{path: vf, mac: '$2'}," \
			"{path: pv, mac: '$2', standby: true}]"
	else
		echo "[{path: $1, mac: '$2'}]"
	fi
}

# one_run PATH CASE K: one lab, one migration; appends a JSON record to
# $WORK/runs.jsonl ({"path","case","migration":{..},"sink":{..},
# "pktgen":{..}}), or a record with "error" when something failed.
one_run() {
	local path=$1 case=$2 k=$3 vm to sink_con gen_con mig sink gen
	lab_two_hosts "$LAB" >"$WORK/lab.yaml"
	cat >>"$WORK/lab.yaml" <<YAML
vms:
  - name: k
    host: h0
    memory: 64M
    nics: $(nic "$path" 02:00:00:78:00:01)
    cmdline: "app=sink ip=10.78.0.1/24 idle_ms=5000 wait_ms=600000 $SINK_ARGS"
  - name: g
    host: h1
    memory: 64M
    nics: $(nic "$path" 02:00:00:78:00:02)
    cmdline: "app=pktgen dst=10.78.0.1 ip=10.78.0.2/24 arp_ms=60000
      rate=$RATE seconds=$SECS size=64"
fabric: {}
YAML
	case $case in
	sink) vm=k to=h1 ;;
	sender) vm=g to=h0 ;;
	none) vm= to= ;;
	esac
	"$BIN/iopath" lab up "$WORK/lab.yaml" --detach >"$WORK/up.txt" 2>&1 || {
		run_error "$path" "$case" "lab up: $(tail -3 "$WORK/up.txt")"
		return
	}
	gen_con=$RUN/vm-g.console
	# pktgen prints its start once ARP has answered; the stream runs
	if ! wait_for_line "$gen_con" '"event":"init"' 60; then
		run_error "$path" "$case" "pktgen did not start"
		return
	fi
	sleep 2
	if [[ -z $vm ]]; then
		echo '{}' >"$WORK/mig.json"
	elif ! "$BIN/iopath" migrate --lab "$LAB" "$vm" --to "$to" --json \
		>"$WORK/mig.json" 2>"$WORK/mig.err"; then
		run_error "$path" "$case" "migrate: $(tail -2 "$WORK/mig.err")"
		return
	fi
	sink_con=$RUN/vm-k.console
	[[ $case == sink ]] && sink_con=$RUN/vm-k@$to.console
	[[ $case == sender ]] && gen_con=$RUN/vm-g@$to.console
	if ! wait_for_line "$sink_con" '"event":"sink"' $((SECS + 30)); then
		run_error "$path" "$case" "the sink did not finish"
		return
	fi
	wait_for_line "$gen_con" '"event":"pktgen"' 30 || true
	# the switches' port counters (drops) beside the records
	"$BIN/iopath" lab status --lab "$LAB" \
		>"$OUT/migrate-stream-$path-$case-$k.status" 2>&1 || true
	mig=$(jq -c '.migration // {}' "$WORK/mig.json")
	sink=$(grep -h '"event":"sink"' "$sink_con" | tail -1 |
		jq -c '{received, expected, lost, max_gap, max_gap_us,
			lost_in_gap, lost_outside_gap, gaps, max_idle_us,
			max_idle_end_ms, reordered, duplicated, drv}')
	gen=$({ grep -h '"event":"pktgen"' "$gen_con" "$RUN/vm-g.console" \
		2>/dev/null || true; } | tail -1 |
		jq -c '{tx_packets, pps, skipped, skips, max_late_us}' \
		2>/dev/null || echo '{}')
	[[ -n $gen ]] || gen='{}'
	jq -cn --arg p "$path" --arg c "$case" --argjson k "$k" \
		--argjson m "$mig" --argjson s "$sink" --argjson g "$gen" \
		'{path: $p, case: $c, run: $k, migration: $m, sink: $s,
		  pktgen: $g}' >>"$WORK/runs.jsonl"
	"$BIN/iopath" lab down --lab "$LAB" >/dev/null 2>&1 || true
}

# run_error PATH CASE WHY: a failed run's record; its lab's logs and
# consoles are kept in DIR/migrate-stream-failed-PATH-CASE/
run_error() {
	local keep=$OUT/migrate-stream-failed-$1-$2
	echo "  $1 $2: $3 (logs: $keep)" >&2
	jq -cn --arg p "$1" --arg c "$2" --arg e "$3" \
		'{path: $p, case: $c, error: $e}' >>"$WORK/runs.jsonl"
	"$BIN/iopath" lab down --lab "$LAB" >/dev/null 2>&1 || true
	rm -rf "$keep"
	mkdir -p "$keep"
	cp "$RUN"/*.log "$RUN"/*.console "$WORK"/mig.* "$keep"/ 2>/dev/null ||
		true
}

: >"$WORK/runs.jsonl"
for ((k = 1; k <= RUNS; k++)); do
	for path in $PATHS; do
		for case in $CASES; do
			echo "run $k/$RUNS: $path, case $case" >&2
			one_run "$path" "$case" "$k"
		done
	done
done

# col PATH CASE JQ: the values of a figure over the runs that worked
col() {
	jq -r --arg p "$1" --arg c "$2" "select(.path == \$p and .case == \$c
		and (.error | not)) | $3 // empty" "$WORK/runs.jsonl"
}
fig() {	# fig PATH CASE JQ: "median (min..max)", or "-"
	local v
	mapfile -t v < <(col "$1" "$2" "$3")
	if ((${#v[@]} == 0)); then echo "-"; return; fi
	if ((${#v[@]} == 1)); then echo "${v[0]}"; return; fi
	echo "$(median "${v[@]}") ($(spread "${v[@]}"))"
}
row() {	# row LABEL JQ: one figure of $path and $case
	printf '  %-26s %s\n' "$1" "$(fig "$path" "$case" "$2")"
}

echo "Live migration of a 64 MiB VM under a $RATE pps stream of 64 B frames"
echo "(pktgen on h1 -> sink on h0; median of $RUNS runs, range in brackets)"
for path in $PATHS; do
	for case in $CASES; do
		n=$(col "$path" "$case" .run | wc -l)
		errs=$(jq -r --arg p "$path" --arg c "$case" 'select(.path ==
			$p and .case == $c and .error) | .error' \
			"$WORK/runs.jsonl" | wc -l)
		echo
		((errs)) && errs=", $errs failed" || errs=
		what="migrating the $case"
		[[ $case == none ]] && what="no migration"
		echo "$path, $what: $n runs$errs"
		row "downtime (VMM) ms" .migration.downtime_ms
		row "gap in sequence, frames" .sink.max_gap
		row "gap in sequence, ms" \
			'(.sink.max_gap_us / 100 | floor / 10)'
		row "sink's longest silence ms" \
			'(.sink.max_idle_us / 100 | floor / 10)'
		row "lost in the gap" .sink.lost_in_gap
		row "lost outside the gap" .sink.lost_outside_gap
		row "lost in all" .sink.lost
		row "separate gaps" .sink.gaps
		row "late (reordered)" .sink.reordered
		row "total ms" .migration.total_ms
		row "rounds" .migration.rounds
		row "pages sent" .migration.pages
		[[ $path == vf ]] && row "VF unplug ms" .migration.vf_unplug_ms
		row "pktgen kpps" '(.pktgen.pps / 1000 | floor)'
		row "pktgen skipped frames" .pktgen.skipped
		row "pktgen longest stall ms" \
			'(.pktgen.max_late_us / 100 | floor / 10)'
	done
done
jq -s --argjson rate "$RATE" --argjson secs "$SECS" \
	'{rate: $rate, seconds: $secs, size: 64, memory_mib: 64, runs: .}' \
	"$WORK/runs.jsonl" >"$OUT/migrate-stream.json"
echo
echo "records: $OUT/migrate-stream.json"
