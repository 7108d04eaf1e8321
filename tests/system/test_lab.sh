#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# iopath lab: a two-host topology with a teamed uplink into a fabric
# namespace comes up (switches, VMs, the fabric pings a VM through the
# team), `lab status` shows it, `lab down` leaves nothing behind. Then a
# VMM is killed with SIGKILL: the supervisor notices, tears the lab down,
# and again nothing is left: no namespace, process, socket or veth. The
# same after Ctrl-C (SIGINT to the supervisor). Host a's forwarding
# thread and vm1's vCPU are pinned (pmd_cpu, vcpu_pin) to CPUs this test
# may use: the first and the last.
source "$(dirname "$0")/lib.sh"
sys_require_root
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not usable here"
IMG=${IOPATH_GUESTS:-$BIN/../guests}
LAB=${T}lab
RUN=/run/iopath/lab-$LAB	# root's labs (cli/lab_rundir.c)
ALLOWED=$(awk '/^Cpus_allowed_list:/ {print $2}' /proc/self/status)
CPU_FIRST=$(grep -o '^[0-9]*' <<<"$ALLOWED")
CPU_LAST=$(grep -o '[0-9]*$' <<<"$ALLOWED")

cat >"$WORK/lab.yaml" <<YAML
lab: $LAB
hosts:
  - name: a
    switch:
      uplinks:
        - {name: a0, fabric: true}
        - {name: a1, fabric: true}
      teams:
        - {name: t0, mode: active-backup, members: [a0, a1]}
      pmd_cpu: $CPU_FIRST
  - name: b
    switch:
      uplinks:
        - {name: b0, fabric: true}
vms:
  - name: vm1
    host: a
    vcpu_pin: $CPU_LAST
    image: $IMG/net.elf
    nics: [{path: emu, mac: '02:00:00:55:00:01'}]
    cmdline: "app=echo ip=10.55.0.1/24 seconds=0 mode=irq"
  - name: vm2
    host: b
    image: $IMG/net.elf
    nics: [{path: emu, mac: '02:00:00:55:00:02'}]
    cmdline: "app=echo ip=10.55.0.2/24 seconds=0 mode=irq"
fabric:
  ip: 10.55.0.254/24
YAML

# Whatever happens, never leave a lab behind.
sys_on_cleanup '"$BIN/iopath" lab down --lab "$LAB"'
# lab down keeps the logs for a post-mortem: the test keeps a copy in
# $WORK (kept when it fails) and removes the run directory.
sys_on_cleanup 'cp "$RUN"/*.log "$WORK"/ 2>/dev/null; rm -rf "$RUN"'

leftovers() {	# prints anything of the lab still present
	ip netns list | grep -- "iopath-$LAB-fabric" || true
	pgrep -af -- "--name $LAB-" || true
	pgrep -af -- "$RUN/" || true
	ls "$RUN"/*.sock "$RUN"/*.ctl "$RUN"/state.json 2>/dev/null || true
	ls -d /var/run/dpdk/iopath-sw-"$LAB"-* 2>/dev/null || true
	ip -o link show | grep -o 'ip[0-9a-f]\{4\}h[0-9]u[0-9]' | while read -r l; do
		if grep -q "\"$l\"" "$RUN/state.json.bak" 2>/dev/null; then echo "$l"; fi
	done
	return 0
}

lab_up_bg() {
	start_bg lab "$BIN/iopath" lab up "$WORK/lab.yaml"
	LAB_PID=$LAST_PID
	wait_for_line "$WORK/lab.out" "lab $LAB: up:" 60 || fail "lab did not come up: $(tail -5 "$WORK/lab.out")"
	cp "$RUN/state.json" "$RUN/state.json.bak"
}

# --- 1. up, status, ping through the team, down ---
lab_up_bg
"$BIN/iopath" lab status --lab "$LAB" >"$WORK/status.txt" || fail "lab status failed"
grep -q "vm     vm1 .*running" "$WORK/status.txt" || fail "status: $(cat "$WORK/status.txt")"
grep -q "port vm1.0" "$WORK/status.txt" || fail "status shows no ports: $(cat "$WORK/status.txt")"
sleep 1	# the guests' NICs come up
ip netns exec "iopath-$LAB-fabric" ping -c 3 -i 0.2 -W 2 10.55.0.1 >"$WORK/ping.log" ||
	fail "the fabric cannot ping vm1 through the team"
ip netns exec "iopath-$LAB-fabric" ping -c 3 -i 0.2 -W 2 10.55.0.2 >>"$WORK/ping.log" ||
	fail "the fabric cannot ping vm2"
"$BIN/iopath" top --lab "$LAB" --once --interval 0.5 >"$WORK/top.txt" || fail "top failed"
# The only lab that is up is found without --lab (README's capture example;
# this once failed with "bad lab name ''").
"$BIN/iopath" lab status >"$WORK/status2.txt" 2>&1 ||
	fail "lab status without --lab: $(cat "$WORK/status2.txt")"
"$BIN/iopath" capture vm1.0 "$WORK/vm1.pcap" --seconds 1 >"$WORK/cap.txt" 2>&1 ||
	fail "capture without --lab: $(cat "$WORK/cap.txt")"
grep -q "vm1" "$WORK/top.txt" || fail "top: $(cat "$WORK/top.txt")"
pass "lab up: 2 switches, 2 VMs, the fabric pings both VMs; status and top work"

# The CPUs a thread named $2* of process $1 may run on.
thread_cpus() {
	local t
	for t in /proc/"$1"/task/*; do
		if [[ $(cat "$t/comm" 2>/dev/null) == "$2"* ]]; then
			awk '/^Cpus_allowed_list:/ {print $2}' "$t/status"
			return
		fi
	done
}
swpid=$(jq -r '.processes[] | select(.name == "'"$LAB"'-a") | .pid' "$RUN/state.json")
vmpid=$(jq -r '.processes[] | select(.name == "vm1") | .pid' "$RUN/state.json")
got=$(thread_cpus "$swpid" rte-worker)
[[ $got == "$CPU_FIRST" ]] || fail "switch a's forwarding thread on CPUs '$got', not $CPU_FIRST"
got=$(thread_cpus "$vmpid" vcpu)
[[ $got == "$CPU_LAST" ]] || fail "vm1's vCPU on CPUs '$got', not $CPU_LAST"
got=$(thread_cpus "$(jq -r '.processes[] | select(.name == "vm2") | .pid' "$RUN/state.json")" vcpu)
[[ $got == "$ALLOWED" ]] || fail "vm2's vCPU (no vcpu_pin) on CPUs '$got', not $ALLOWED"
pass "pmd_cpu and vcpu_pin pin the forwarding thread (CPU $CPU_FIRST) and the vCPU (CPU $CPU_LAST)"
"$BIN/iopath" lab down --lab "$LAB" >/dev/null || fail "lab down failed"
wait "$LAB_PID" || true
left=$(leftovers)
[[ -z $left ]] || fail "left behind after lab down: $left"
pass "lab down leaves no namespace, process, socket or DPDK directory"

# --- 2. a VMM killed: the lab notices and tears down ---
lab_up_bg
vmpid=$(jq -r '.processes[] | select(.name == "vm2") | .pid' "$RUN/state.json")
kill -KILL "$vmpid"
for _ in $(seq 100); do kill -0 "$LAB_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$LAB_PID" 2>/dev/null && fail "the supervisor did not end after a VMM was killed"
grep -q "vm vm2 (pid $vmpid) killed by SIGKILL" "$WORK/lab.out" ||
	fail "the death was not reported: $(tail -5 "$WORK/lab.out")"
left=$(leftovers)
[[ -z $left ]] || fail "left behind after a killed VMM: $left"
pass "a killed VMM is reported and the lab tears down, leaving nothing"

# --- 3. Ctrl-C (SIGINT to the supervisor) tears the lab down ---
lab_up_bg
kill -INT "$LAB_PID"
for _ in $(seq 100); do kill -0 "$LAB_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$LAB_PID" 2>/dev/null && fail "the supervisor did not end on SIGINT"
left=$(leftovers)
[[ -z $left ]] || fail "left behind after SIGINT: $left"
pass "SIGINT to lab up tears the lab down, leaving nothing"

# --- 4. bad input is refused with a line number ---
printf 'hosts:\n  - name: a\nvms:\n  - name: v\n    nics: [{path: xyz}]\n' >"$WORK/bad.yaml"
if "$BIN/iopath" lab up "$WORK/bad.yaml" 2>"$WORK/bad.err"; then
	fail "a bad topology was accepted"
fi
grep -q "bad.yaml:5: vm 'v': nic 1: unknown path 'xyz'" "$WORK/bad.err" ||
	fail "bad topology: $(cat "$WORK/bad.err")"
pass "a bad topology is refused: $(cat "$WORK/bad.err")"
rm -rf "$RUN"
echo "5 passed, 0 failed"
