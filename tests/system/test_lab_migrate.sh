#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `iopath migrate VM --to HOST` in a running lab (cli/lab_migrate.c): two
# hosts, each its own switch with an uplink into the fabric namespace,
# and VMs on each path: emu, pv, and vf with a standby pv NIC of the
# VF's MAC (the standby design: the guest teams the two, the VMM unplugs
# the VF before pre-copy and a fresh VF joins on the destination). For
# each path:
#   (a) a ping from the fabric runs across the migration and goes on
#       after it (the replies lost are bounded generously: the host is
#       shared); the fabric's ARP entry keeps the MAC and the destination
#       switch's FDB has it on the VM's port; `lab status` says where the
#       VM runs, and `lab down` stops the moved VM;
#   (b) a pktgen stream from a VM on the destination host to a sink in
#       the lab runs across the migration: nothing duplicated, reordered
#       or damaged, the loss bounded; vf: the guest's failover netdev
#       went to its standby and back to a VF (its record's switch-overs);
#   (c) the destination killed mid-migration (a slow relay on the way
#       gives the time): the command fails and says so, the VM runs on
#       where it was and answers, the lab's state is unchanged;
#   (d) emu, pv: a corrupt stream (a relay that damages the first bytes)
#       is refused by the destination with a clear error, which starts
#       no VM.
# Also: a VF VM without a standby is refused before anything starts.
source "$(dirname "$0")/lib.sh"
sys_require_root
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not usable here"
command -v jq >/dev/null || skip "jq is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"
LAB=${T}m
RUN=/run/iopath/lab-$LAB	# root's labs (cli/lab_rundir.c)
NS=iopath-$LAB-fabric
# Ping every 10 ms: 300 lost is a 3 s gap, far more than a migration's.
PING_IV=0.01
MAX_PING_LOST=300
RATE=5000
COUNT=30000
MAX_LOST=10000	# 2 s of the stream
PASSED=0

# Per path: the echo VM, the sink, their addresses and MACs.
PATHS=(emu pv vf)
declare -A ECHO=([emu]=e1 [pv]=p1 [vf]=v1) SINK=([emu]=se [pv]=sp [vf]=sv)
declare -A NUM=([emu]=1 [pv]=2 [vf]=3)
ip_echo() { echo "10.77.0.${NUM[$1]}"; }
ip_sink() { echo "10.77.0.$((10 + NUM[$1]))"; }
mac_echo() { echo "02:00:00:77:00:0${NUM[$1]}"; }
mac_sink() { echo "02:00:00:77:00:1${NUM[$1]}"; }
# nics PATH MAC: the topology's NIC list; a VF has its standby beside it
nics() {
	if [[ $1 == vf ]]; then
		echo "[{path: vf, mac: '$2'}, {path: pv, standby: true}]"
	else
		echo "[{path: $1, mac: '$2'}]"
	fi
}

{
	lab_two_hosts "$LAB"
	echo "vms:"
	for p in "${PATHS[@]}"; do
		cat <<YAML
  - name: ${ECHO[$p]}
    host: h0
    image: $IMG/net.elf
    nics: $(nics "$p" "$(mac_echo "$p")")
    cmdline: "app=echo ip=$(ip_echo "$p")/24 seconds=0 mode=irq"
  - name: ${SINK[$p]}
    host: h0
    image: $IMG/net.elf
    nics: $(nics "$p" "$(mac_sink "$p")")
    cmdline: "app=sink ip=$(ip_sink "$p")/24 idle_ms=3000 wait_ms=600000"
YAML
	done
	cat <<YAML
  - name: nosb
    host: h0
    image: $IMG/net.elf
    nics: [{path: vf, mac: '02:00:00:77:00:21'}]
    cmdline: "app=echo ip=10.77.0.21/24 seconds=0 mode=irq"
fabric:
  ip: 10.77.0.254/24
YAML
} >"$WORK/lab.yaml"

# A TCP relay for (c) and (d): listens on PORT, forwards to DPORT;
# "slow" passes the source's bytes at ~1 MB/s, "corrupt" replaces the
# first 64 with garbage. Says "connected" once the source is in.
cat >"$WORK/relay.py" <<'PY'
import socket, sys, threading, time
mode, port, dport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if mode == "slow":
    # a slow link holds little: megabytes queued here would read as
    # delivered to the source, which would switch over at once
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
ls.bind(("127.0.0.1", port))
ls.listen(1)
print("listening", flush=True)
src, _ = ls.accept()
dst = socket.create_connection(("127.0.0.1", dport))
print("connected", flush=True)
def back():
    try:
        while True:
            b = dst.recv(65536)
            if not b:
                break
            src.sendall(b)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
threading.Thread(target=back, daemon=True).start()
first = True
try:
    while True:
        b = src.recv(16384)
        if not b:
            break
        if mode == "corrupt" and first:
            b = bytes(0xa5 for _ in b[:64]) + b[64:]
        first = False
        dst.sendall(b)
        if mode == "slow":
            time.sleep(0.016)
except OSError:
    pass
for s in (src, dst):
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
time.sleep(1)
PY

# Never leave a lab behind; its logs go to $WORK (shown if we fail).
sys_on_cleanup '"$BIN/iopath" lab down --lab "$LAB"; cp "$RUN"/*.log "$RUN"/*.console "$WORK"/ 2>/dev/null; rm -rf "$RUN"'
start_bg lab "$BIN/iopath" lab up "$WORK/lab.yaml"
wait_for_line "$WORK/lab.out" "lab $LAB: up:" 90 ||
	fail "lab did not come up: $(tail -5 "$WORK/lab.out")"
sleep 1

# where VM: the host `lab status` says it is on
where() {
	"$BIN/iopath" lab status --lab "$LAB" | awk -v vm="$1" \
		'$1 == "vm" && $2 == vm && $5 == "running" { print $7 }'
}
# fdb_port SWITCH MAC: the port the switch learnt MAC on
fdb_port() {
	ctl "$RUN/$1.ctl" show-fdb | jq -r --arg m "$2" \
		'.entries[]? | select(.mac == $m) | .port' | head -1
}
# ok MESSAGE: a check passed (counted for the last line)
ok() {
	pass "$@"
	PASSED=$((PASSED + 1))
}
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# (a) ping across the migration, MAC kept
ping_migrate() {
	local path=$1 vm=$2 ip=$3 mac=$4 sent got lost fp
	ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 "$ip" >/dev/null ||
		fail "$path: the fabric cannot ping $vm before"
	[[ $(where "$vm") == h0 ]] || fail "$path: $vm is not on h0: $(where "$vm")"
	start_bg "ping-$vm" ip netns exec "$NS" ping -n -i "$PING_IV" -W 1 "$ip"
	local ping_pid=$LAST_PID
	sleep 1
	"$BIN/iopath" migrate --lab "$LAB" "$vm" --to h1 >"$WORK/mig-$vm.txt" 2>&1 ||
		fail "$path: iopath migrate $vm failed: $(cat "$WORK/mig-$vm.txt")"
	sleep 2
	kill -INT "$ping_pid"
	wait "$ping_pid" || true
	sent=$(grep -o '[0-9]* packets transmitted' "$WORK/ping-$vm.out" | grep -o '^[0-9]*')
	got=$(grep -o '[0-9]* received' "$WORK/ping-$vm.out" | grep -o '^[0-9]*')
	lost=$((sent - got))
	((lost <= MAX_PING_LOST)) ||
		fail "$path: $lost of $sent pings lost across the migration"
	# still answering, from h1 now
	ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 "$ip" >/dev/null ||
		fail "$path: the fabric cannot ping $vm after the migration"
	grep -q "migrated from h0 to h1" "$WORK/mig-$vm.txt" ||
		fail "$path: no summary: $(cat "$WORK/mig-$vm.txt")"
	[[ $(where "$vm") == h1 ]] || fail "$path: lab status: $vm on '$(where "$vm")'"
	ip netns exec "$NS" ip neigh show "$ip" | grep -qi "$mac" ||
		fail "$path: fabric ARP: $(ip netns exec "$NS" ip neigh show "$ip")"
	fp=$(fdb_port h1 "$mac")
	# vf: behind the SR-IOV NIC's PF (the VF's frames come through
	# it), or on the standby's port until the guest is back on a VF
	if [[ $path == vf ]]; then
		[[ $fp == sriov0 || $fp == "$vm.1" ]] ||
			fail "vf: h1's FDB has $mac on '$fp', want sriov0 or $vm.1"
	else
		[[ $fp == "$vm.0" ]] ||
			fail "$path: h1's FDB has $mac on '$fp', want $vm.0"
	fi
	ok "$path: $vm pinged across its migration to h1: $lost/$sent lost; $(grep -o 'downtime [0-9.]* ms' "$WORK/mig-$vm.txt")"
}

# (b) a pktgen stream to a sink migrated to the generator's host
stream_migrate() {
	local path=$1 vm=$2 ip=$3 n=$4 res lost
	SW_SOCK=$RUN/h1.sock
	vm_bg gen$n "pv,mac=02:00:00:77:01:$n" net \
		"app=pktgen dst=$ip ip=10.77.0.$((100 + n))/24 rate=$RATE count=$COUNT size=64"
	sleep 2
	"$BIN/iopath" migrate --lab "$LAB" "$vm" --to h1 >"$WORK/mig-$vm.txt" 2>&1 ||
		fail "$path: iopath migrate $vm failed: $(cat "$WORK/mig-$vm.txt")"
	wait_for_line "$RUN/vm-$vm@h1.console" '"event":"done"' 60 ||
		fail "$path: the sink did not finish on h1"
	res=$(grep '"event":"sink"' "$RUN/vm-$vm@h1.console" | tail -1) ||
		fail "$path: no sink record: $(tail -c 300 "$RUN/vm-$vm@h1.console")"
	lost=$(jget "$res" .lost)
	# vf: frames in flight on the VF and on its standby when the guest
	# switches between them arrive interleaved (both are read): late,
	# not lost or doubled
	local late
	late=$(jget "$res" .reordered)
	[[ $path == vf ]] && late=0
	[[ $late -eq 0 && $(jget "$res" .duplicated) -eq 0 &&
	   $(jget "$res" .csum_errors) -eq 0 && $lost -le $MAX_LOST &&
	   $(jget "$res" .received) -ge $((COUNT - MAX_LOST)) ]] ||
		fail "$path: sink after the migration: $res"
	local fo=
	if [[ $path == vf ]]; then
		# the failover netdev (guests/net/failover.h) went to its
		# standby when the VF left and back to the fresh VF
		[[ $(jget "$res" .drv.to_standby) -ge 1 &&
		   $(jget "$res" .drv.to_primary) -ge 1 ]] ||
			fail "vf: the guest did not switch over: $(jget "$res" .drv)"
		fo="; failover: $(jget "$res" .drv.to_standby) to the standby, $(jget "$res" .drv.to_primary) back to a VF, $(jget "$res" .reordered) late"
	fi
	ok "$path: $vm migrated under a $RATE pps stream: $(jget "$res" .received)/$COUNT received, $lost lost, longest gap $(jget "$res" .max_gap) frames$fo"
}

# (c) the destination killed mid-migration: back to h0, through a slow relay
kill_destination() {
	local path=$1 vm=$2 ip=$3 rport dport dpid i
	rport=$(free_port)
	dport=$(free_port)
	start_bg "relay-$vm" python3 "$WORK/relay.py" slow "$rport" "$dport"
	wait_for_line "$WORK/relay-$vm.out" listening 10 || fail "relay did not start"
	start_bg "migc-$vm" "$BIN/iopath" migrate --lab "$LAB" "$vm" --to h0 \
		--port "$dport" --via "tcp:127.0.0.1:$rport"
	local mig_pid=$LAST_PID
	wait_for_line "$WORK/relay-$vm.out" connected 30 ||
		fail "$path: the migration did not start: $(cat "$WORK/migc-$vm.log")"
	dpid=$(grep -o 'destination on h0: pid [0-9]*' "$WORK/migc-$vm.out" | grep -o '[0-9]*$')
	[[ -n $dpid ]] || fail "$path: no destination pid: $(cat "$WORK/migc-$vm.out")"
	sleep 0.5
	kill -KILL "$dpid"
	wait "$mig_pid" && fail "$path: migrate succeeded with its destination killed"
	grep -q "failed.*runs on on h1" "$WORK/migc-$vm.log" ||
		fail "$path: migrate said: $(cat "$WORK/migc-$vm.log")"
	for ((i = 0; i < 50; i++)); do
		[[ $(where "$vm") == h1 ]] && break
		sleep 0.1
	done
	[[ $(where "$vm") == h1 ]] || fail "$path: lab status: $vm on '$(where "$vm")'"
	ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 "$ip" >/dev/null ||
		fail "$path: $vm does not answer after the failed migration"
	ok "$path: destination killed mid-migration: '$(grep -o 'failed: [^;]*' "$WORK/migc-$vm.log")', $vm runs on on h1 and answers"
}

# (d) a corrupt stream: refused, no VM started
corrupt_stream() {
	local path=$1 vm=$2 ip=$3 rport dport
	rport=$(free_port)
	dport=$(free_port)
	start_bg "relayd-$vm" python3 "$WORK/relay.py" corrupt "$rport" "$dport"
	wait_for_line "$WORK/relayd-$vm.out" listening 10 || fail "relay did not start"
	"$BIN/iopath" migrate --lab "$LAB" "$vm" --to h0 --port "$dport" \
		--via "tcp:127.0.0.1:$rport" >"$WORK/migd-$vm.txt" 2>&1 &&
		fail "$path: a corrupt stream was accepted: $(cat "$WORK/migd-$vm.txt")"
	grep -q "refused" "$WORK/migd-$vm.txt" ||
		fail "$path: migrate said: $(cat "$WORK/migd-$vm.txt")"
	grep -q "incoming migration refused" "$RUN/vm-$vm@h0.log" ||
		fail "$path: the destination's log: $(tail -3 "$RUN/vm-$vm@h0.log")"
	ctl "$RUN/h0.ctl" show-ports | grep -q "\"$vm.0\"" &&
		fail "$path: the refused destination has a port on h0"
	pgrep -f -- "$RUN/$vm@h0.ctl" >/dev/null &&
		fail "$path: the refused destination still runs"
	ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 "$ip" >/dev/null ||
		fail "$path: $vm does not answer after the refused migration"
	[[ $(where "$vm") == h1 ]] || fail "$path: lab status: $vm on '$(where "$vm")'"
	ok "$path: corrupt stream refused: $(grep -o 'failed: .*; it' "$WORK/migd-$vm.txt" | head -c 160)"
}

for p in "${PATHS[@]}"; do
	ping_migrate "$p" "${ECHO[$p]}" "$(ip_echo "$p")" "$(mac_echo "$p")"
done
for p in "${PATHS[@]}"; do
	stream_migrate "$p" "${SINK[$p]}" "$(ip_sink "$p")" "${NUM[$p]}"
done
for p in "${PATHS[@]}"; do
	kill_destination "$p" "${ECHO[$p]}" "$(ip_echo "$p")"
done
# The stream's checks are the same whatever the path carries.
for p in emu pv; do
	corrupt_stream "$p" "${ECHO[$p]}" "$(ip_echo "$p")"
done

# A VF without a standby cannot migrate: refused before any destination
"$BIN/iopath" migrate --lab "$LAB" nosb --to h1 >"$WORK/mig-nosb.txt" 2>&1 &&
	fail "vf: a VF VM without a standby migrated"
grep -q "with no standby" "$WORK/mig-nosb.txt" ||
	fail "vf: migrate said: $(cat "$WORK/mig-nosb.txt")"
[[ -e $RUN/vm-nosb@h1.log ]] && fail "vf: a destination was started for nosb"
[[ $(where nosb) == h0 ]] || fail "vf: lab status: nosb on '$(where nosb)'"
ok "vf: no standby, refused: $(head -c 120 "$WORK/mig-nosb.txt")"

# lab down stops the moved VMs (not the supervisor's children)
pids=$(jq -r '.processes[] | select(.kind == "vm") | .pid' "$RUN/state.json")
"$BIN/iopath" lab down --lab "$LAB" >/dev/null || fail "lab down failed"
for p in $pids; do
	kill -0 "$p" 2>/dev/null && fail "lab down left VM pid $p running"
done
ok "lab down stopped every VM, moved or not"
echo "$PASSED passed, 0 failed"
