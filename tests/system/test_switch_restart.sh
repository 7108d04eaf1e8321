#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# VMs survive a switch restart (vhost-user reconnect, for all three
# paths): an emu VM answers ping, a pv VM and a vf VM ping it; the switch
# is killed with SIGKILL and started again on the same sockets. Every VMM
# keeps running (same pid), every guest reports its link down and then up
# (link_ms= link events), no guest resets its NIC by itself for the pv
# path, and the pings resume on both pingers. Then a lab whose host says
# `switch: {restart: true}` gets its killed switch back from the
# supervisor, with the VMs on it reattached.
source "$(dirname "$0")/lib.sh"
sys_require_root
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not usable here"
[[ -f $IMG/net.elf ]] || fail "no $IMG/net.elf: build guest_images"
command -v jq >/dev/null || skip "jq is not installed"

SWARGS=(--sriov nic0:vfs=2)
switch_start r "${SWARGS[@]}"
SW_PID=$LAST_PID

# link_ms: each look at the 21140 link reads the PHY over MII (~190
# trapped CSR9 accesses), so not too often.
LINK="link_ms=250 mode=irq"
vm_bg echo1 emu,mac=02:00:00:47:00:01 net \
	"app=echo ip=10.47.0.1/24 seconds=0 $LINK"
vm_bg ping2 pv,mac=02:00:00:47:00:02 net \
	"app=ping dst=10.47.0.1 ip=10.47.0.2/24 count=60000 interval_ms=50 arp_ms=20000 verbose=1 max_loss_pct=100 $LINK"
vm_bg ping3 vf,mac=02:00:00:47:00:03,vf=0 net \
	"app=ping dst=10.47.0.1 ip=10.47.0.3/24 count=60000 interval_ms=50 arp_ms=20000 verbose=1 max_loss_pct=100 $LINK"
declare -A PID=([echo1]=${SYS_PIDS[-3]} [ping2]=${SYS_PIDS[-2]} [ping3]=${SYS_PIDS[-1]})
VMS=(echo1 ping2 ping3)

replies() {	# replies CONSOLE: ping replies on a VM's console so far
	grep -c '"event":"ping_reply"' "$1" || true
}
# wait_replies CONSOLE N: until the VM has more than N replies (60 s)
wait_replies() {
	local i
	for ((i = 0; i < 600; i++)); do
		(( $(replies "$1") > $2 )) && return 0
		sleep 0.1
	done
	return 1
}
for vm in ping2 ping3; do
	wait_replies "$WORK/$vm.out" 5 || fail "$vm gets no replies before the restart"
done
pass "before: pv and vf VMs ping the emu VM ($(replies "$WORK/ping2.out"), $(replies "$WORK/ping3.out") replies)"

# --- kill -9 the switch: links go down, the VMMs stay ---
kill -KILL "$SW_PID"
wait "$SW_PID" 2>/dev/null || true
for vm in "${VMS[@]}"; do
	wait_for_line "$WORK/$vm.out" '"event":"link","up":false' 20 ||
		fail "$vm's guest never saw its link go down"
	kill -0 "${PID[$vm]}" 2>/dev/null || fail "VMM $vm died with the switch"
done
# Down for a while: several reconnect tries, none of them logged.
sleep 2
before2=$(replies "$WORK/ping2.out") before3=$(replies "$WORK/ping3.out")
pass "switch killed: every guest saw link down; the VMMs run on"

# --- the same switch again, on the same sockets ---
rm -f "$SW_SOCK" "$SW_CTL"	# so that switch_start waits for the new ones
switch_start r "${SWARGS[@]}"
for vm in "${VMS[@]}"; do
	wait_for_line "$WORK/$vm.out" '"event":"link","up":true' 30 ||
		fail "$vm's guest never saw its link come back"
done
wait_replies "$WORK/ping2.out" $((before2 + 10)) || fail "pv VM: pings did not resume"
wait_replies "$WORK/ping3.out" $((before3 + 10)) || fail "vf VM: pings did not resume"
for vm in "${VMS[@]}"; do
	kill -0 "${PID[$vm]}" 2>/dev/null || fail "VMM $vm is gone"
	grep -q "reattached to switch" "$WORK/$vm.log" ||
		fail "VMM $vm did not log its reattach"
	tries=$(grep -c "not back" "$WORK/$vm.log" || true)
	(( tries <= 1 )) || fail "VMM $vm logged $tries failed tries (once)"
done
# The pv guest carried on without resetting its device (no error).
grep -q "device error until the guest resets" "$WORK/ping2.log" &&
	fail "the pv device went into its error state"
ports=$(ctl "$SW_CTL" show-ports | jq -r '[.ports[].name] | sort | join(" ")')
for p in echo1.0 ping2.0; do
	[[ " $ports " == *" $p "* ]] || fail "port $p not on the new switch: $ports"
done
pass "switch back: links up, pings resume (pv $before2 -> $(replies "$WORK/ping2.out"), vf $before3 -> $(replies "$WORK/ping3.out")); VMM pids unchanged; $(grep -h 'reattached' "$WORK/ping2.log" | sed 's/.*reattached/reattached/' | head -1)"

# --- the lab supervisor restarts a switch that asks for it ---
LAB=${T}rs
cat >"$WORK/lab.yaml" <<EOF
lab: $LAB
on_exit: down-on-failure
hosts:
  - name: h1
    switch: {restart: true}
vms:
  - name: v1
    host: h1
    memory: 64M
    nics:
      - path: emu
        mac: 02:00:00:47:01:01
    cmdline: "app=echo ip=10.47.1.1/24 seconds=0 $LINK"
  - name: v2
    host: h1
    memory: 64M
    nics:
      - path: pv
        mac: 02:00:00:47:01:02
    cmdline: "app=ping dst=10.47.1.1 ip=10.47.1.2/24 count=60000 interval_ms=50 arp_ms=20000 verbose=1 max_loss_pct=100 $LINK"
EOF
RUN=/run/iopath/lab-$LAB	# root's labs (cli/lab_rundir.c)
sys_on_cleanup '"$BIN/iopath" lab down --lab "$LAB"'
# After lab down: the lab's logs go to $WORK (printed on failure), the
# run directory goes.
sys_on_cleanup 'for f in "$RUN"/*.log; do cp "$f" "$WORK/lab-${f##*/}"; done; rm -rf "$RUN"'
start_bg lab "$BIN/iopath" lab up "$WORK/lab.yaml"
wait_for_line "$WORK/lab.out" "lab $LAB: up:" 60 ||
	fail "lab did not come up: $(tail -5 "$WORK/lab.out")"
proc_pid() {	# proc_pid JQ-SELECT: a pid from the lab's state file
	jq -r ".processes[] | select($1) | .pid" "$RUN/state.json"
}
swpid=$(proc_pid '.kind == "switch"')
v2pid=$(proc_pid '.name == "v2"')
[[ -n $swpid && -n $v2pid ]] || fail "lab state: $(cat "$RUN/state.json")"
wait_for_line "$RUN/vm-v2.console" '"event":"ping_reply"' 30 ||
	fail "lab VM v2 gets no replies"
kill -KILL "$swpid"
wait_for_line "$WORK/lab.out" "switch .* restarted" 60 ||
	fail "the supervisor did not restart the switch: $(tail -5 "$WORK/lab.out")"
wait_for_line "$RUN/vm-v2.console" '"event":"link","up":true' 30 ||
	fail "lab VM v2 never saw its link come back"
wait_replies "$RUN/vm-v2.console" $(($(replies "$RUN/vm-v2.console") + 5)) ||
	fail "lab VM v2: pings did not resume after the restart"
new=$(proc_pid '.kind == "switch"')
[[ $new != "$swpid" && $(proc_pid '.name == "v2"') == "$v2pid" ]] ||
	fail "lab state after the restart: $(cat "$RUN/state.json")"
"$BIN/iopath" lab down --lab "$LAB" >/dev/null || fail "lab down failed"
pass "lab: switch pid $swpid killed, the supervisor started pid $new; VM v2 (pid $v2pid) pings on"
