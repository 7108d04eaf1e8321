#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The vf path end to end: VMs under KVM on VFs of the SR-IOV NIC the
# switch hosts (--sriov), with the guest igbvf driver. Two VF VMs ping
# each other through the NIC's embedded switch, and the vswitch never
# sees those frames (its PF port's counters stay put while the VFs'
# representors count them); a VF VM talks to a pv VM and to a namespace on
# an uplink through the PF; a port VLAN keeps a VF in its VLAN (a pv VM in
# that VLAN reaches it, an untagged VF does not); the administrator's MAC
# makes the guest's SET_MAC_ADDR NACK (the guest reports it) unless the VF
# is trusted; spoof check drops a guest's spoofed frames, and lets them
# through once off; the hostile VF guest (vf_hostile) runs beside two good
# VF VMs streaming to each other, which lose nothing while it ends up in
# its error state; attach refusals; and at load a VF costs no userspace
# exit per packet (KVM's binary stats in the VMMs' stats files), with the
# VF-to-VF rate printed.
source "$(dirname "$0")/lib.sh"
sys_require_root
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not usable here"
[[ -f $IMG/vf_hostile.elf ]] || fail "no $IMG/vf_hostile.elf: build guest_images"
command -v jq >/dev/null || skip "jq is not installed"

NS=${T}ns
netns_add "$NS"
veth_add "${T}u0" "${T}n0" "$NS"
ip -n "$NS" addr add 10.46.0.100/24 dev "${T}n0"
switch_start v --uplink "up0=net_af_packet0,iface=${T}u0" --sriov nic0:vfs=7

sriov() {	# sriov JQ: a filter on the NIC's show-sriov object
	ctl "$SW_CTL" show-sriov sriov=nic0 | jq -c ".sriov[0] | $1"
}
port() {	# port NAME JQ: a filter on a port's show-ports object
	ctl "$SW_CTL" show-ports port="$1" | jq -c ".ports[0] | $2"
}
pf_frames() {	# frames the vswitch moved through the PF, both ways
	port nic0 '.stats.rx_packets + .stats.tx_packets'
}
pf_up() {	# frames the NIC sent up into the vswitch
	port nic0 '.stats.rx_packets'
}
setvf() {
	ctl "$SW_CTL" set-vf sriov=nic0 "$@" >/dev/null || fail "set-vf $*"
}
drv() {		# drv NAME: the guest driver's counters, from its netdev line
	vm_record "$1" netdev | jq -c .drv
}

# --- 1. VF to VF: the embedded switch, not the vswitch ---
vm_bg echo1 vf,mac=02:00:00:46:00:01,vf=0 net \
	"app=echo ip=10.46.0.1/24 seconds=250 mode=irq"
ctl "$SW_CTL" capture-start port=nic0.vf0 file="$WORK/vf0.pcap" >/dev/null ||
	fail "capture on a representor refused"
pf0=$(pf_up)
vm_run ping2 vf,mac=02:00:00:46:00:02,vf=1 net \
	"app=ping dst=10.46.0.1 ip=10.46.0.2/24 count=20 interval_ms=20 mode=irq" ||
	fail "VF VM -> VF VM ping failed: $(vm_record ping2 error)"
res=$(vm_record ping2 ping)
[[ $(jget "$res" .received) -eq 20 ]] || fail "VF VM ping: $res"
[[ $(jq -r '.nics[0].path' "$WORK/ping2.stats") == vf ]] || fail "ping2 has no vf NIC"
up=$(( $(pf_up) - pf0 ))
# The ARP request is a broadcast: the NIC gives the PF a copy (and the
# vswitch floods it). Echo requests and replies never leave the NIC.
(( up <= 4 )) || fail "the vswitch saw VF-to-VF frames: $up came up the PF"
v0=$(sriov '.vf[0] | {tx_to_vf, rx_packets, vm}')
[[ $(jget "$v0" .tx_to_vf) -ge 20 && $(jget "$v0" .rx_packets) -ge 20 &&
   $(jget "$v0" .vm) == echo1 ]] || fail "VF 0 counters: $v0"
cap=$(ctl "$SW_CTL" capture-stop port=nic0.vf0 | jq -c '.capture.packets')
(( cap >= 40 )) || fail "the representor's capture has $cap frames"
r0=$(port nic0.vf0 '{kind, rx: .stats.rx_packets, tx: .stats.tx_packets, vm}')
[[ $(jget "$r0" .kind) == vf-rep && $(jget "$r0" .rx) -ge 20 &&
   $(jget "$r0" .tx) -ge 20 ]] || fail "representor nic0.vf0: $r0"
pass "VF -> VF ping 20/20, rtt avg $(jget "$res" .rtt_us.avg) us; $up frame(s) up the PF; representor $r0, its capture $cap frames"

# Interrupt moderation: with EITR at 5 ms the NIC holds the VF's RX
# interrupts and the switch sends each when its time comes (a timerfd
# while the switch sleeps, whose longest sleep is 1 s): every echo is
# back within a few intervals.
vm_run ping2b vf,mac=02:00:00:46:00:22,vf=1 net \
	"app=ping dst=10.46.0.1 ip=10.46.0.22/24 count=100 interval_ms=1 mode=irq itr_us=5000" ||
	fail "moderated VF ping failed: $(vm_record ping2b error)"
res=$(vm_record ping2b ping)
mod=$(sriov '.vf[1].irqs.moderated')
[[ $(jget "$res" .received) -eq 100 && $mod -gt 0 ]] &&
	awk -v m="$(jget "$res" .rtt_us.max)" 'BEGIN { exit !(m < 200000) }' ||
	fail "EITR 5 ms: $res; $mod interrupts held"
pass "EITR 5 ms: 100/100, rtt p50 $(jget "$res" .rtt_us.p50) us, max $(jget "$res" .rtt_us.max) us; $mod interrupts held, then sent"

# --- 2. Through the PF: a pv VM and a namespace on the uplink ---
pf1=$(pf_frames)
vm_run ping3 pv,mac=02:00:00:46:00:03 net \
	"app=ping dst=10.46.0.1 ip=10.46.0.3/24 count=5 interval_ms=50 mode=irq" ||
	fail "pv VM -> VF VM ping failed: $(vm_record ping3 error)"
ip netns exec "$NS" ping -c 5 -i 0.2 -W 2 10.46.0.1 >"$WORK/nsping.log" ||
	fail "the namespace cannot ping the VF VM"
vm_bg echo4 pv,mac=02:00:00:46:00:04 net \
	"app=echo ip=10.46.0.4/24 seconds=200 mode=irq"
vm_run ping5 vf,mac=02:00:00:46:00:05 net \
	"app=ping dst=10.46.0.4 ip=10.46.0.5/24 count=5 interval_ms=50 mode=poll" ||
	fail "VF VM (poll) -> pv VM ping failed: $(vm_record ping5 error)"
pf2=$(pf_frames)
(( pf2 - pf1 >= 30 )) || fail "the PF moved only $((pf2 - pf1)) frames"
pass "pv VM -> VF VM 5/5, namespace -> VF VM 5/5, VF VM (poll) -> pv VM 5/5, all through the PF ($((pf2 - pf1)) frames)"

# --- 3. Port VLAN: the VF is in VLAN 100 and nowhere else ---
vm_bg echo6 vf,mac=02:00:00:46:00:06,vlan=100,vf=2 net \
	"app=echo ip=10.46.0.6/24 seconds=200 mode=irq"
[[ $(sriov '.vf[2].vlan') -eq 100 ]] || fail "VF 2 has no port VLAN"
vm_run ping7 pv,mac=02:00:00:46:00:07,vlan=100 net \
	"app=ping dst=10.46.0.6 ip=10.46.0.7/24 count=5 interval_ms=50 mode=irq" ||
	fail "pv VM in VLAN 100 -> VF VM in VLAN 100 failed: $(vm_record ping7 error)"
if vm_run ping8 vf,mac=02:00:00:46:00:08 net \
	"app=ping dst=10.46.0.6 ip=10.46.0.8/24 count=3 interval_ms=50 mode=irq"; then
	fail "an untagged VF reached the VF on port VLAN 100"
fi
if vm_run ping9 pv,mac=02:00:00:46:00:09 net \
	"app=ping dst=10.46.0.6 ip=10.46.0.9/24 count=3 interval_ms=50 mode=irq"; then
	fail "a pv VM in VLAN 1 reached the VF on port VLAN 100"
fi
[[ $(drv echo6 | jq .rx_vlan) -eq 0 ]] || fail "the guest on a port VLAN saw tags"
pass "port VLAN 100: a pv VM in VLAN 100 reaches the VF; an untagged VF and a pv VM in VLAN 1 do not"

# --- 4. The administrator's MAC: SET_MAC_ADDR refused, unless trusted ---
vm_run mac10 vf,mac=02:00:00:46:00:10,vf=3 net \
	"app=ping dst=10.46.0.1 ip=10.46.0.10/24 count=2 interval_ms=50 mode=irq mac=02:00:00:46:99:10" ||
	fail "the VF VM with a refused MAC could not ping: $(vm_record mac10 error)"
d=$(drv mac10)
[[ $(jget "$d" .mac_refused) == true && $(jget "$d" .mbx_nacks) -ge 1 &&
   $(vm_record mac10 netdev | jq -r .mac) == 02:00:00:46:00:10 ]] ||
	fail "SET_MAC_ADDR was not refused: $(vm_record mac10 netdev)"
setvf vf=3 trust=on
vm_run mac11 vf,mac=02:00:00:46:00:11,vf=3 net \
	"app=ping dst=10.46.0.1 ip=10.46.0.11/24 count=2 interval_ms=50 mode=irq mac=02:00:00:46:99:11" ||
	fail "the trusted VF VM could not ping: $(vm_record mac11 error)"
[[ $(drv mac11 | jq -r .mac_refused) == false &&
   $(vm_record mac11 netdev | jq -r .mac) == 02:00:00:46:99:11 ]] ||
	fail "a trusted VF could not set its MAC: $(vm_record mac11 netdev)"
setvf vf=3 trust=off
pass "administrator's MAC: SET_MAC_ADDR NACKed (guest: mac_refused, runs on 02:00:00:46:00:10); trusted: accepted"

# --- 5. Spoof check on, then off ---
spoof() {	# spoof NAME: vf_hostile's spoof step on VF 4, its record
	vm_run "$1" vf,mac=02:00:00:46:00:12,vf=4 vf_hostile \
		"app=vf_hostile steps=spoof count=16" ||
		fail "vf_hostile (spoof) failed: $(tail -3 "$WORK/$1.out")"
	grep '"step":"spoof"' "$WORK/$1.out" | tail -1
}
d0=$(port nic0.vf4 '.stats.drops.bad_src')
s=$(spoof spoof12)
[[ $(jget "$s" .refused) == true ]] || fail "spoof check on: not refused: $s"
d1=$(port nic0.vf4 '.stats.drops.bad_src')
(( d1 - d0 >= 16 )) || fail "spoof check on: $((d1 - d0)) drops counted"
setvf vf=4 spoofchk=off
s=$(spoof spoof13)
[[ $(jget "$s" .refused) == false ]] || fail "spoof check off: still refused: $s"
(( $(port nic0.vf4 '.stats.drops.bad_src') == d1 )) || fail "spoof check off: dropped"
setvf vf=4 spoofchk=on
pass "spoof check on: 16 spoofed frames dropped (representor bad_src $((d1 - d0))); off: sent"

# --- 6. A hostile VF beside two good VF VMs streaming ---
vm_bg sink14 vf,mac=02:00:00:46:00:14,vf=5 net \
	"app=sink ip=10.46.0.14/24 idle_ms=3000 wait_ms=60000 mode=irq"
vm_bg hostile15 vf,mac=02:00:00:46:00:15,vf=6 vf_hostile "app=vf_hostile"
vm_run gen16 vf,mac=02:00:00:46:00:16,vf=4 net \
	"app=pktgen dst=10.46.0.14 ip=10.46.0.16/24 rate=2000 count=6000 size=64 mode=irq" ||
	fail "pktgen failed: $(vm_record gen16 error)"
wait_for_line "$WORK/sink14.out" '"event":"done"' 30 || fail "sink did not finish"
res=$(vm_record sink14 sink)
[[ $(jget "$res" .received) -eq 6000 && $(jget "$res" .lost) -eq 0 ]] ||
	fail "VF pktgen -> VF sink beside the hostile VF: $res"
# The sink slept on its interrupt between frames and re-enabled it each
# time (EIMS <- the RX vector): an ioeventfd, not an exit (VF_UNMASK).
wait_for_file "$WORK/sink14.stats" 10 || fail "the sink VMM wrote no stats"
rearms=$(jget "$res" .drv.rearms)
rw=$(jq '.nics[0].reg_writes' "$WORK/sink14.stats")
[[ $(jq -r '.nics[0].unmask' "$WORK/sink14.stats") == ioeventfd ]] &&
	(( rearms >= 1000 && rw < 100 )) ||
	fail "interrupt re-arms trapped: $rw register writes for $rearms re-arms"
wait_for_line "$WORK/hostile15.out" '"event":"done"' 90 || fail "the hostile VM did not finish"
steps=$(grep -c '"event":"hostile","step":"[a-z_]*",' "$WORK/hostile15.out" || true)
[[ $steps -ge 14 ]] || fail "the hostile VM ran $steps of 14 steps"
for st in tail ring_oob desc_oob desc_ring legacy overlong chain set_mac promisc spoof vlan_hop; do
	r=$(grep "\"step\":\"$st\"" "$WORK/hostile15.out" | tail -1)
	[[ $(jget "$r" .refused) == true ]] || fail "hostile step $st was not refused: $r"
done
h=$(sriov '.vf[6] | {errors, resets, drops: .drops | {tx_spoof, tx_vlan}, mailbox: .mailbox | {nacks, not_cts}}')
[[ $(jget "$h" .errors) -ge 7 && $(jget "$h" .drops.tx_spoof) -ge 1 &&
   $(jget "$h" .drops.tx_vlan) -ge 1 ]] || fail "the hostile VF's counters: $h"
kill -0 "$(pgrep -f "iopath-switch --name ${T}v ")" || fail "the switch died"
vm_run ping17 vf,mac=02:00:00:46:00:17 net \
	"app=ping dst=10.46.0.1 ip=10.46.0.17/24 count=5 interval_ms=50 mode=irq" ||
	fail "VF ping after the hostile run failed"
ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 10.46.0.1 >>"$WORK/nsping.log" ||
	fail "the namespace lost the VF VM after the hostile run"
pass "hostile VF: $steps steps, its VF $h; beside it 6000/6000 frames VF -> VF ($rearms interrupt re-arms, $rw trapped writes in all), and pings after"

# --- 7. Attach refusals: each leaves the switch and the others alone ---
refused() {	# refused WHAT NIC WANT: the VMM exits, its log says WANT
	vm_cmd "r$1" "$2" net "app=echo ip=10.46.0.99/24 seconds=1"
	if timeout 30 "${VM_CMD[@]}" >"$WORK/r$1.out" 2>"$WORK/r$1.log"; then
		fail "attach ($1) was not refused"
	fi
	grep -q -- "$3" "$WORK/r$1.log" || fail "attach ($1): $(grep -i attach "$WORK/r$1.log")"
}
refused nonic vf,sriov=nic9 'no SR-IOV NIC "nic9"'
refused taken vf,vf=0 'VF 0 of nic0 is taken by echo1'
refused trunk vf,trunk 'a vf port is no trunk'
kill -0 "$(pgrep -f "iopath-switch --name ${T}v ")" || fail "the switch died"
pass "attach refused: no such NIC, a taken VF, a trunk VF"

# --- 8. Exits per packet at load, and the VF-to-VF rate ---
# A sink and a pktgen at a rate they keep, both adaptive (the default):
# they poll while frames come and sleep on their interrupt (the sink) or
# a timer (pktgen, between its groups of frames) when idle, and the
# switch polls both VFs while frames flow. Nothing traps per frame: the
# doorbells and the sink's interrupt re-arms are ioeventfds, the tails
# shared memory.
vm_bg sink18 vf,mac=02:00:00:46:00:18,vf=5 net \
	"app=sink ip=10.46.0.18/24 idle_ms=2000 wait_ms=60000 max_loss_pct=100"
vm_run gen19 vf,mac=02:00:00:46:00:19,vf=4 net \
	"app=pktgen dst=10.46.0.18 ip=10.46.0.19/24 rate=100000 count=300000 size=64" ||
	fail "pktgen at load failed: $(vm_record gen19 error)"
wait_for_line "$WORK/sink18.out" '"event":"done"' 30 || fail "sink did not finish"
kill -TERM "$(pgrep -f -- "--name sink18 ")" 2>/dev/null || true
wait_for_file "$WORK/sink18.stats" 10 || fail "the sink VMM wrote no stats"
res=$(vm_record sink18 sink)
got=$(jget "$res" .received)
(( got >= 100000 )) || fail "at load: only $got frames: $res"
for vm in gen19 sink18; do
	s=$WORK/$vm.stats
	# Every userspace exit of the VM's whole life (boot, console, NIC
	# set-up) over the frames: none is per packet.
	ue=$(jq '.userspace.io + .userspace.mmio' "$s")
	nic=$(jq '.nics[0].setup_exits' "$s")
	ke=$(jq '.kvm.exits' "$s")
	per=$(awk -v e="$ue" -v n="$got" 'BEGIN { printf "%.5f", e / n }')
	kper=$(awk -v e="$ke" -v n="$got" 'BEGIN { printf "%.4f", e / n }')
	awk -v p="$per" 'BEGIN { exit !(p < 0.01) }' ||
		fail "$vm: $ue userspace exits for $got frames ($per a frame)"
	# The VF's own: set-up, and an interrupt re-arm (EIMS, trapped)
	# when a ring ran dry or full: not per frame either.
	awk -v e="$nic" -v n="$got" 'BEGIN { exit !(e / n < 0.01) }' ||
		fail "$vm: its VF made $nic userspace exits for $got frames"
	echo "    $vm: $ue userspace exits in all ($nic by the VF: $(jq -c '.nics[0] | {reg_reads, reg_writes, doorbell_exits, shared_exits}' "$s")), $per a frame; $ke in KVM, $kper a frame"
done
pass "at load: VF -> VF $got frames at $(jget "$res" '.pps / 1000 | floor') kpps, lost $(jget "$res" .lost), no userspace exit per frame"
echo "9 passed, 0 failed"
