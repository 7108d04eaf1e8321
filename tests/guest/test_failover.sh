#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The guest's failover netdev (guests/net/failover.h) under KVM, on the
# vf path's standby design: a VM with a VF and a pv NIC of the same MAC,
# the pv NIC built with standby=1 (PV_F_STANDBY).
#   - the probe teams them: the netdev record says driver "failover", the
#     VF active, the pv NIC "standby":true;
#   - while another VM pings it, in irq and in poll mode, the
#     administrator takes the VF's link down (set-vf state=disable) and
#     up again: the echoes go out on the pv NIC meanwhile (its port's
#     counters move), the guest switches twice and announces itself each
#     time (a RARP from its MAC reaches the pinger, with a gratuitous
#     ARP), and the ping loses at most a few requests around the
#     switches; in irq mode the guest never reads the VF's link for it;
#   - a standby pv NIC with no VF, or with a VF the PF gave another MAC,
#     runs alone and says why in its record.
# Uses the system tests' helpers (tests/system/lib.sh): root for the
# switch, and /dev/kvm.
source "$(dirname "$0")/../system/lib.sh"
sys_require_root
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not usable here"
command -v jq >/dev/null || skip "jq is not installed"
command -v tcpdump >/dev/null || skip "tcpdump is not installed"

switch_start f --sriov nic0:vfs=7
MAC=02:00:00:48:00:01
COUNT=150
# Requests lost around the two switches (20 ms apart): the link change
# reaches the guest through a mailbox interrupt, not a period, so a few.
MAX_LOST=10

# team NAME VF VF_MAC CMDLINE: a VM with VF number VF and a standby pv
# NIC of MAC.
team() {
	start_bg "$1" "$BIN/iopath-vmm" --name "$1" --mem 64M \
		--stats "$WORK/$1.stats" \
		--nic "vf,mac=$3,vf=$2,switch=$SW_SOCK,port=$1.vf" \
		--nic "pv,mac=$MAC,standby=1,switch=$SW_SOCK,port=$1.pv" \
		--append "$4" "$IMG/net.elf"
	wait_for_line "$WORK/$1.out" '"event":"\(init\|done\)"' 30 ||
		fail "VM $1 did not come up"
}
pv_tx() {	# pv_tx PORT: frames the switch got from the team's pv port
	ctl "$SW_CTL" show-ports port="$1" | jq -r '.ports[0].stats.rx_packets'
}

# --- 1. teamed; the VF's link goes down and comes back under a ping ---
# flap N MODE: in irq mode the mailbox interrupt tells the guest; in poll
# mode nothing interrupts and the failover netdev reads the VF's link.
flap() {
	local n=$1 mode=$2 vf=$(($1 - 1)) nd res lost pv0 pv1 ech fo rarp garp
	local ip=10.48.$n.1 hexip
	hexip=$(printf '0x0a30%02x01' "$n")
	team t$n $vf "$MAC" "app=echo ip=$ip/24 seconds=9 mode=$mode"
	nd=$(vm_record t$n netdev)
	[[ $(jget "$nd" .driver) == failover &&
	   $(jget "$nd" .drv.active) == primary &&
	   $(jget "$nd" .drv.primary.driver) == igbvf &&
	   $(jget "$nd" .drv.standby.driver) == pvnet &&
	   $(jget "$nd" .drv.standby.drv.standby) == true &&
	   $(jget "$nd" .mode) == "$mode" &&
	   $(jget "$nd" .mac) == "$MAC" ]] || fail "$mode: not teamed: $nd"
	vm_bg p$n pv,mac=02:00:00:48:0$n:02,port=p$n.0 net \
		"app=ping dst=$ip ip=10.48.$n.2/24 count=$COUNT interval_ms=20 mode=irq"
	ctl "$SW_CTL" capture-start port=p$n.0 file="$WORK/p$n.pcap" dir=both \
		>/dev/null || fail "capture refused"
	sleep 1
	pv0=$(pv_tx t$n.pv)
	ctl "$SW_CTL" set-vf sriov=nic0 vf=$vf state=disable >/dev/null ||
		fail "set-vf state=disable refused"
	sleep 1
	pv1=$(pv_tx t$n.pv)
	ctl "$SW_CTL" set-vf sriov=nic0 vf=$vf state=enable >/dev/null ||
		fail "set-vf state=enable refused"
	wait_for_line "$WORK/p$n.out" '"event":"done"' 30 ||
		fail "$mode: the ping did not end"
	wait_for_line "$WORK/t$n.out" '"event":"done"' 30 ||
		fail "$mode: the echo did not end"
	ctl "$SW_CTL" capture-stop port=p$n.0 >/dev/null || true
	res=$(vm_record p$n ping)
	lost=$((COUNT - $(jget "$res" .received)))
	(( lost <= MAX_LOST )) ||
		fail "$mode: ping lost $lost of $COUNT across the switches: $res"
	(( pv1 - pv0 >= 20 )) ||
		fail "$mode: the pv NIC sent $((pv1 - pv0)) frames while the VF was down"
	ech=$(vm_record t$n echo)
	fo=$(jq -c '.drv | {active, switchovers, to_primary, to_standby, announces, announce_fails, link_reads}' <<<"$ech")
	[[ $(jget "$fo" .active) == primary && $(jget "$fo" .switchovers) -eq 2 &&
	   $(jget "$fo" .to_standby) -eq 1 && $(jget "$fo" .to_primary) -eq 1 &&
	   $(jget "$fo" .announces) -eq 4 ]] || fail "$mode: failover counters: $fo"
	# No link reads where the mailbox interrupt keeps the view current.
	[[ $mode == poll || $(jget "$fo" .link_reads) -eq 0 ]] ||
		fail "$mode: the failover netdev read the VF's link: $fo"
	rarp=$(tcpdump -nr "$WORK/p$n.pcap" "ether proto 0x8035 and ether src $MAC" 2>/dev/null | wc -l)
	garp=$(tcpdump -nr "$WORK/p$n.pcap" "arp and ether src $MAC and ether dst ff:ff:ff:ff:ff:ff and arp[14:4] = $hexip and arp[24:4] = $hexip" 2>/dev/null | wc -l)
	[[ $rarp -eq 2 && $garp -ge 2 ]] ||
		fail "$mode: the pinger saw $rarp RARP and $garp gratuitous ARP, want 2 and 2"
	pass "$mode: VF down and up under a ping: $lost/$COUNT lost, pv sent $((pv1 - pv0)) frames meanwhile, $fo, $rarp RARP, $garp gratuitous ARP"
}
flap 1 irq
flap 2 poll

# --- 2. a standby pv NIC alone, and beside a VF with another MAC ---
vm_run s2 "pv,mac=$MAC,standby=1,port=s2.0" net \
	"app=echo ip=10.48.0.3/24 seconds=1" || fail "pv alone: $(cat "$WORK/s2.out")"
nd=$(vm_record s2 netdev)
[[ $(jget "$nd" .driver) == pvnet && $(jget "$nd" .drv.standby) == true &&
   $(jget "$nd" .drv.standby_alone) == "no VF" ]] || fail "pv alone: $nd"
team t3 2 02:00:00:48:00:33 "app=echo ip=10.48.0.4/24 seconds=1"
wait_for_line "$WORK/t3.out" '"event":"done"' 30 || fail "t3 did not end"
nd=$(vm_record t3 netdev)
[[ $(jget "$nd" .driver) == pvnet &&
   $(jget "$nd" .drv.standby_alone) == "no VF with this MAC" ]] ||
	fail "a VF with another MAC was teamed: $nd"
pass "a standby pv NIC runs alone without its VF, and says why"
echo "3 passed, 0 failed"
