#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# DPDK's af_packet PMD joins its sockets to the fanout group
# (pid ^ ifindex) & 0xffff, and the kernel refuses to join a group that
# another socket made on another device of the same network namespace.
# Here the collision is made on purpose: a helper process holds exactly
# the group the switch's pid gives its uplink, on another interface.
#
# 1. Start-up: the helper takes the group for its own pid and the uplink,
#    then execs the switch (same pid). The switch must say why, go on in a
#    child process (the first pid waiting for it), and forward.
# 2. Run time: add-uplink on an interface whose group is held fails with
#    an error that names the cause; once it is free, add-uplink works.
# 3. SIGTERM to the first pid stops the switch; the waiter exits with the
#    switch's status (0) and leaves no child behind.
source "$(dirname "$0")/lib.sh"
sys_require_root
command -v python3 >/dev/null || skip "python3 is not installed"

# hold.py exec PIDFILE HOLD_IF UPLINK_IF CMD...: hold the group that this
# pid gives UPLINK_IF (on HOLD_IF, in a child that writes its pid to
# PIDFILE), then exec CMD. hold.py pid PIDFILE HOLD_IF UPLINK_IF PID: the
# same for PID, in the foreground.
cat >"$WORK/hold.py" <<'EOF'
import os, signal, socket, struct, sys, time
SOL_PACKET, PACKET_FANOUT = 263, 18
TYPE = 0x0000 | 0x8000 | 0x1000	# hash|defrag|rollover, the PMD's
mode, pidfile, hold_if, uplink_if = sys.argv[1:5]
pid = os.getpid() if mode == "exec" else int(sys.argv[5])
gid = (pid ^ socket.if_nametoindex(uplink_if)) & 0xffff
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
s.bind((hold_if, 3))			# ETH_P_ALL
s.setsockopt(SOL_PACKET, PACKET_FANOUT, struct.pack("I", gid | TYPE << 16))
print("holding fanout group %d on %s for pid %d" % (gid, hold_if, pid),
      file=sys.stderr, flush=True)
if mode == "exec":
	parent = os.getpid()
	if os.fork() == 0:	# the holder: lives while the switch does
		with open(pidfile, "w") as f:
			f.write("%d\n" % os.getpid())
		while os.getppid() == parent:
			time.sleep(0.2)
		os._exit(0)
	s.close()			# the holder keeps the group
	os.execv(sys.argv[5], sys.argv[5:])
with open(pidfile, "w") as f:
	f.write("%d\n" % os.getpid())
print("ready", flush=True)
signal.pause()
EOF
sys_on_cleanup 'kill $(cat "$WORK"/holder*.pid)'

NS=${T}ns
netns_add "$NS"
veth_add "${T}u0" "${T}n0" "$NS"
veth_add "${T}u1" "${T}n1" "$NS"
ip -n "$NS" addr add 10.79.0.100/24 dev "${T}n0"
ip -n "$NS" addr add 10.79.0.101/24 dev "${T}n1"
veth_add "${T}x0" "${T}x1"	# where the helper holds the groups
veth_add "${T}x2" "${T}x3"

# --- 1. A taken group at start-up: the switch respawns and forwards. ---
SW_SOCK=$WORK/a.sock
SW_CTL=$WORK/a.ctl
start_bg switch-a python3 "$WORK/hold.py" exec "$WORK/holder0.pid" \
	"${T}x0" "${T}u0" "$BIN/iopath-switch" --name "${T}a" \
	--sock "$SW_SOCK" --ctl "$SW_CTL" \
	--uplink "up0=net_af_packet0,iface=${T}u0"
first=$LAST_PID
wait_for_file "$SW_CTL" 30 || fail "the switch did not start"
wait_for_file "$SW_SOCK" 10 || fail "the switch has no attach socket"
grep -q "holding fanout group" "$WORK/switch-a.log" ||
	fail "the helper did not take the group"
grep -q "fanout group [0-9]* on ${T}u0 is held by another process" \
	"$WORK/switch-a.log" || fail "the switch did not say why it respawned"
[[ $(cat "/proc/$first/comm") == iopath-switch ]] ||
	fail "pid $first is not the switch any more"
child=$(pgrep -P "$first" -x iopath-switch) ||
	fail "no switch process under the first pid $first"
[[ $child != "$first" ]] || fail "the switch kept its pid"

start_bg p1 "$BIN/iopath-peer" --sock "$SW_SOCK" --port p1 \
	--mac 02:00:00:79:00:01 --ip 10.79.0.1/24 --mode responder
wait_for_line "$WORK/p1.out" '"event":"ready"' 10 ||
	fail "peer p1 did not attach"
ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 -I "${T}n0" 10.79.0.1 \
	>"$WORK/ping.log" 2>&1 ||
	fail "no ping through the respawned switch's uplink"
pass "group taken at start-up: pid $first waits," \
	"pid $child switches and forwards"

# --- 2. A taken group at run time: a clear error, then success. ---
start_bg holder1 python3 "$WORK/hold.py" pid "$WORK/holder1.pid" \
	"${T}x2" "${T}u1" "$child"
holder=$LAST_PID
wait_for_line "$WORK/holder1.out" ready 10 ||
	fail "the helper did not take the group"
vdev="net_af_packet1,iface=${T}u1"
out=$(ctl "$SW_CTL" add-uplink name=up1 vdev="$vdev") || true
[[ $(jget "$out" .ok) == false ]] || fail "add-uplink on a taken group: $out"
why=$(jget "$out" .error)
grep -q "fanout group [0-9]* on ${T}u1 is held by another process in this network namespace" \
	<<<"$why" || fail "add-uplink's error does not say why: $out"
kill "$holder"
wait "$holder" 2>/dev/null || true
out=$(ctl "$SW_CTL" add-uplink name=up1 vdev="$vdev")
[[ $(jget "$out" .ok) == true ]] ||
	fail "add-uplink once the group is free: $out"
ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 -I "${T}n1" 10.79.0.1 \
	>>"$WORK/ping.log" 2>&1 ||
	fail "no ping through the uplink added at run time"
pass "group taken at run time: add-uplink says why ($why);" \
	"works once it is free"

# --- 3. The first pid stands for the switch. ---
kill -TERM "$first"
rc=0
wait "$first" || rc=$?
[[ $rc -eq 0 ]] ||
	fail "the waiter exited $rc after SIGTERM, want the switch's 0"
grep -q "bye" "$WORK/switch-a.log" ||
	fail "the switch did not shut down cleanly"
for _ in $(seq 50); do
	kill -0 "$child" 2>/dev/null || break
	sleep 0.1
done
! kill -0 "$child" 2>/dev/null || fail "switch pid $child outlived its waiter"
pass "SIGTERM to pid $first stopped the switch; exit status 0"
echo "3 passed, 0 failed"
