#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Live migration of a VF VM by the standby design (vmm/vmm_migrate_vf.c,
# sriov/README.md): a VM with --nic vf and --nic pv,standby=1 of the same
# MAC, which the guest teams (guests/net/failover.h), between two switches
# that each host an SR-IOV NIC, their uplinks joined by a bridge in a
# fabric namespace. pktgen in a VM on the first switch sends to a sink on
# the VF VM throughout:
#   1. refusals: a VF VM without a standby pv NIC (none, one without
#      standby=1, a VF without mac=) is refused with an error naming it;
#   2. a migration the destination refuses: the source unplugged the VF
#      (link down, the guest acknowledged by reading STATUS, its team on
#      pv) and replugs it when the migration fails (the guest resets the
#      fresh VF and moves back);
#   3. a migration cancelled while the VF is out: it is replugged too;
#   4. the migration itself: the VF leaves before pre-copy, the VM runs
#      on the second switch with the same MAC, a fresh VF from that
#      switch's NIC, and the team back on it.
# The sink finishes on the destination: frames lost only within what the
# rate and the allowed gaps give, none duplicated or damaged, and the
# guest's failover record shows the switch-overs to pv and back.
# Uses the system tests' helpers (tests/system/lib.sh): root, /dev/kvm.
source "$(dirname "$0")/../system/lib.sh"
sys_require_root
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not usable here"
command -v jq >/dev/null || skip "jq is not installed"

F=${T}fab
netns_add "$F"
ip -n "$F" link add br0 type bridge
ip -n "$F" link set br0 up
for i in a0 b0; do
	veth_add "${T}$i" "${T}f$i" "$F"
	ip -n "$F" link set "${T}f$i" master br0
done
switch_start b --uplink "b0=net_af_packet1,iface=${T}b0" --sriov nic0:vfs=2
B_SOCK=$SW_SOCK B_CTL=$SW_CTL
switch_start a --uplink "a0=net_af_packet0,iface=${T}a0" --sriov nic0:vfs=4
A_SOCK=$SW_SOCK A_CTL=$SW_CTL

MAC=02:00:00:13:00:01
RATE=10000
COUNT=100000
# Where frames may go missing: each move of the guest's team (to pv and
# back, three times: the refused migration, the cancelled one and the
# real one), until the switches have relearned the MAC from its
# announcement, and the switch-over itself. Seven dark windows, each
# allowed 200 ms of frames on this shared host (the guest acknowledges an
# unplug within a millisecond when it is quiet; the gaps are printed).
GAP_MS=200
MAX_LOST=$((7 * RATE * GAP_MS / 1000))
PORT=$((20000 + (RANDOM % 20000)))

# vm_launch NAME IMAGE CMDLINE NIC...: start a VMM with a control socket.
vm_launch() {
	local name=$1 img=$2 cmdline=$3 nics=() n
	shift 3
	for n in "$@"; do nics+=(--nic "$n"); done
	start_bg "$name" "$BIN/iopath-vmm" --name "$name" --mem 64M \
		--ctl "$WORK/$name.ctl" --stats "$WORK/$name.stats" "${nics[@]}" \
		--append "$cmdline" "$IMG/$img.elf"
	VM_PID=$LAST_PID
}

# vm_start NAME IMAGE CMDLINE NIC...: a VMM with a control socket.
vm_start() {
	vm_launch "$@"
	wait_for_line "$WORK/$1.out" '"event":"init"' 30 ||
		fail "VM $1 did not come up: $(tail -3 "$WORK/$1.log")"
}

# refused NAME WANT NIC...: migrating this VM is refused, naming WANT.
refused() {
	local name=$1 want=$2 res
	shift 2
	# A guest that stays up whatever its NICs (the refusal is the VMM's).
	vm_launch "$name" hello "app=hello wait_ms=60000" "$@"
	wait_for_file "$WORK/$name.ctl" 30 || fail "VM $name has no control socket"
	res=$(ctl "$WORK/$name.ctl" migrate to=tcp:127.0.0.1:$PORT || true)
	[[ $(jget "$res" .ok) == false ]] || fail "$name: migrate accepted: $res"
	jget "$res" .error | grep -q -- "$want" ||
		fail "$name: refused without saying '$want': $res"
	echo "  $name: $(jget "$res" .error)"
	res=$(ctl "$WORK/$name.ctl" migrate-status)
	[[ $(jget "$res" .migration.state) == none ]] ||
		fail "$name: a migration runs: $res"
	kill "$VM_PID" 2>/dev/null || true
	wait "$VM_PID" 2>/dev/null || true
}

# --- 1. refusals ---
refused r1 "no standby pv NIC (needs --nic pv,mac=02:00:00:13:09:01,standby=1)" "vf,mac=02:00:00:13:09:01,switch=$A_SOCK"
refused r2 "nic1 (mac 02:00:00:13:09:02) lacks standby=1" "vf,mac=02:00:00:13:09:02,switch=$A_SOCK" \
	"pv,mac=02:00:00:13:09:02,switch=$A_SOCK"
refused r3 "VF without mac=" "vf,switch=$A_SOCK" \
	"pv,mac=02:00:00:13:09:03,standby=1,switch=$A_SOCK"
pass "a VF VM without a standby pv NIC of its MAC is refused, saying what is missing"

# --- the VF VM, its sender, and the stream ---
NICS_A=("vf,mac=$MAC,switch=$A_SOCK" "pv,mac=$MAC,standby=1,switch=$A_SOCK")
NICS_B=("vf,mac=$MAC,switch=$B_SOCK" "pv,mac=$MAC,standby=1,switch=$B_SOCK")
SINK="app=sink ip=10.13.0.2/24 idle_ms=3000 wait_ms=60000"
vm_start fo net "$SINK" "${NICS_A[@]}"
nd=$(vm_record fo netdev)
[[ $(jget "$nd" .driver) == failover && $(jget "$nd" .mac) == "$MAC" ]] ||
	fail "the guest did not team its VF and pv NIC: $nd"
# A destination that refuses the stream (another RAM size), for step 2.
start_bg bad "$BIN/iopath-vmm" --name fo --mem 128M --ctl "$WORK/bad.ctl" \
	--nic "vf,mac=$MAC,switch=$B_SOCK" \
	--nic "pv,mac=$MAC,standby=1,switch=$B_SOCK" \
	--incoming "tcp:127.0.0.1:$PORT"
wait_for_line "$WORK/bad.log" 'waiting for a migration' 30 || fail "no refusing destination"
vm_start gen net "app=pktgen dst=10.13.0.2 ip=10.13.0.1/24 rate=$RATE count=$COUNT size=64" \
	"pv,mac=02:00:00:13:00:02,switch=$A_SOCK"
sleep 1

# mig_wait CTL: until the migration is over; its status on stdout.
mig_wait() {
	local st i
	for ((i = 0; i < 300; i++)); do
		st=$(ctl "$1" migrate-status | jq -c .migration)
		case $(jget "$st" .state) in
		completed | failed | cancelled) echo "$st"; return 0 ;;
		esac
		sleep 0.1
	done
	echo "$st"
}

# --- 2. refused by the destination: the VF comes back on the source ---
res=$(ctl "$WORK/fo.ctl" migrate to=tcp:127.0.0.1:$PORT)
[[ $(jget "$res" .ok) == true ]] || fail "migrate (to be refused): $res"
st=$(mig_wait "$WORK/fo.ctl")
[[ $(jget "$st" .state) == failed ]] || fail "the refused migration: $st"
wait_for_line "$WORK/fo.log" 'nic0: replugged; link up' 10 ||
	fail "the VF was not replugged: $(grep -i 'vf\|nic0' "$WORK/fo.log" | tail -5)"
grep -q 'nic0: unplugged from switch' "$WORK/fo.log" || fail "the VF was not unplugged"
[[ $(jget "$st" .vfs) -eq 1 ]] || fail "migrate-status has no VF: $st"
# The source waits at most 1 s for the guest to look; a guest that took
# longer (a loaded host) is said so and still counted when it does look.
ack="$(grep -o 'nic0: \(VF unplugged, the guest acknowledged after [0-9.]* ms\|the guest did not look.*\)' "$WORK/fo.log" | tail -1)"
[[ -n $ack ]] || fail "the unplug's wait left no record: $(grep nic0 "$WORK/fo.log")"
pass "refused migration: VF unplugged ($ack), replugged; $(jget "$st" .error)"
sleep 1

# --- 3. cancelled: a destination that takes the connection and never
# reads, so round 1 cannot finish; cancelled with the VF unplugged ---
PORTC=$((PORT + 2))
start_bg stall python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
print("listening", flush=True)
c, _ = s.accept()
time.sleep(300)' "$PORTC"
wait_for_line "$WORK/stall.out" listening 10 || fail "no stalling destination"
res=$(ctl "$WORK/fo.ctl" migrate to=tcp:127.0.0.1:$PORTC)
[[ $(jget "$res" .ok) == true ]] || fail "migrate (to be cancelled): $res"
for ((i = 0; i < 300; i++)); do
	st=$(ctl "$WORK/fo.ctl" migrate-status | jq -c .migration)
	[[ $(jget "$st" .state) == active && $(jget "$st" '.vfs // 0') -eq 1 ]] && break
	sleep 0.1
done
[[ $(jget "$st" .state) == active ]] || fail "the migration to be cancelled: $st"
ctl "$WORK/fo.ctl" migrate-cancel >/dev/null || fail "migrate-cancel refused"
st=$(mig_wait "$WORK/fo.ctl")
[[ $(jget "$st" .state) == cancelled ]] || fail "the cancelled migration: $st"
for ((i = 0; i < 100; i++)); do
	(($(grep -c 'nic0: replugged; link up' "$WORK/fo.log") >= 2)) && break
	sleep 0.1
done
(($(grep -c 'nic0: replugged; link up' "$WORK/fo.log") >= 2)) ||
	fail "the VF was not replugged after the cancel: $(grep nic0 "$WORK/fo.log" | tail -4)"
pass "cancelled migration (round $(jget "$st" .rounds), VF unplugged): VF replugged"
sleep 1

# --- 4. the migration ---
PORT2=$((PORT + 1))
start_bg dst "$BIN/iopath-vmm" --name fo --mem 64M --ctl "$WORK/dst.ctl" \
	--stats "$WORK/dst.stats" --nic "${NICS_B[0]}" --nic "${NICS_B[1]}" \
	--incoming "tcp:127.0.0.1:$PORT2"
wait_for_line "$WORK/dst.log" 'waiting for a migration' 30 || fail "no destination"
res=$(ctl "$WORK/fo.ctl" migrate to=tcp:127.0.0.1:$PORT2)
[[ $(jget "$res" .ok) == true ]] || fail "migrate: $res"
wait_for_line "$WORK/dst.out" '"event":"\(sink\|json_overflow\)"' 90 ||
	fail "the sink did not finish on the destination: $(tail -5 "$WORK/dst.log")"
grep -q '"event":"json_overflow"' "$WORK/dst.out" &&
	fail "the guest's sink record did not fit its line (guests/rt/json.h)"
st=$(jq -r .reason "$WORK/fo.stats" 2>/dev/null || true)
[[ $st == "migrated to tcp:127.0.0.1:$PORT2" ]] || fail "the source says: $st"
grep -q '"event":"sink"' "$WORK/fo.out" && fail "the sink finished on the source too"
vfack=$(grep -o 'VF(s) unplugged in .*' "$WORK/fo.log" | tail -1)
[[ -n $vfack ]] || fail "the final record has no VF timings"
# The guest read STATUS after each unplug (its acknowledgements).
acks=$(jq '[.nics[] | select(.path == "vf") | .unplug_acks] | add' "$WORK/fo.stats")
[[ $acks -ge 3 ]] || fail "the guest acknowledged $acks of 3 unplugs"

res=$(vm_record dst sink)
lost=$(jget "$res" .lost)
[[ $(jget "$res" .duplicated) -eq 0 && $(jget "$res" .csum_errors) -eq 0 &&
   $lost -le $MAX_LOST && $(jget "$res" .received) -ge $((COUNT - MAX_LOST)) ]] ||
	fail "sink after the migration (at most $MAX_LOST lost): $(jq -c 'del(.flows,.drv,.stack)' <<<"$res")"
drv=$(jget "$res" .drv)
# The same MAC on both members after the move, and announced there.
[[ $(jget "$drv" .primary.mac) == "$MAC" && $(jget "$drv" .standby.mac) == "$MAC" &&
   $(jget "$drv" .primary_mac_differs) == false ]] ||
	fail "the VM's MAC changed: $(jq -c '{primary: .primary.mac, standby: .standby.mac}' <<<"$drv")"
grep -q "announcing $MAC for the VM that migrated here" "$WORK/switch-b.log" ||
	fail "switch b did not announce $MAC"
[[ $(jget "$drv" .to_standby) -ge 3 && $(jget "$drv" .to_primary) -ge 3 ]] ||
	fail "the guest's failover record: $(jq -c '{switchovers,to_standby,to_primary,active}' <<<"$drv")"
[[ $(jget "$drv" .active) == primary ]] ||
	fail "the guest is not back on a VF: $(jq -c '{active,primary_link}' <<<"$drv")"
# The destination's VF was a fresh one of switch b's NIC (released when
# the VM ended with its sink).
grep -q 'nic0: VF [0-9]* attached for fo' "$WORK/switch-b.log" ||
	fail "no VF of switch b was bound to the VM"
pass "VF VM migrated under $RATE pps: $(jget "$res" .received)/$COUNT received, $lost lost (at most $MAX_LOST) in $(jget "$res" .gaps) gaps, the longest $(jget "$res" .max_gap) frames ($(jget "$res" .max_gap_us) us), $(jget "$res" .reordered) reordered; $vfack; $(grep -o 'downtime [0-9.]* ms' "$WORK/fo.log" | tail -1); failover: $(jq -c '{to_standby,to_primary,active}' <<<"$drv")"
echo "4 passed, 0 failed"
