#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The emu path end to end: VMs under KVM with an emulated 21140 on one
# switch. Two VMs ping each other; pktgen -> sink at a moderate rate loses
# nothing; a Linux namespace on a veth uplink pings a VM while its port is
# captured (read back by tcpdump); a hostile VM abuses its own NIC beside
# them, its NIC reports errors, everyone else keeps working. Each VMM's
# exits per frame (TX and RX) are printed.
source "$(dirname "$0")/lib.sh"
sys_require_root
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not usable here"
command -v tcpdump >/dev/null || skip "tcpdump is not installed"

NS=${T}ns
netns_add "$NS"
veth_add "${T}u0" "${T}n0" "$NS"
ip -n "$NS" addr add 10.44.0.100/24 dev "${T}n0"
switch_start e --uplink "up0=net_af_packet0,iface=${T}u0"

exits() {	# exits NAME: the NIC's exits per TX and RX frame
	jq -r '.nics[0] | "tx \((.exits_per_tx_frame // 0) * 100 | round / 100) rx \((.exits_per_rx_frame // 0) * 100 | round / 100)"' \
		"$WORK/$1.stats"
}

# --- 1. VM to VM ping, interrupt mode ---
vm_bg echo1 emu,mac=02:00:00:44:00:01 net "app=echo ip=10.44.0.1/24 seconds=120 mode=irq"
vm_run ping2 emu,mac=02:00:00:44:00:02 net \
	"app=ping dst=10.44.0.1 ip=10.44.0.2/24 count=10 interval_ms=50 mode=irq" ||
	fail "VM ping failed: $(vm_record ping2 ping) $(vm_record ping2 error)"
res=$(vm_record ping2 ping)
[[ $(jget "$res" .received) -eq 10 ]] || fail "VM ping: $res"
pass "VM -> VM ping: 10/10, rtt avg $(jget "$res" .rtt_us.avg) us; ping VM exits/frame: $(exits ping2)"
# 02:00:.. is what Linux's tulip driver would byte-swap (Lite-On quirk):
# the VMM says so (issue 14, item 8).
grep -q "Linux's tulip driver would byte-swap" "$WORK/ping2.log" ||
	fail "no warning for MAC 02:00:..: $(grep tulip "$WORK/ping2.log")"

# --- 2. A namespace pings a VM through the uplink, captured ---
out=$(ctl "$SW_CTL" capture-start port=echo1.0 file="$WORK/echo1.pcap" dir=both)
[[ $(jget "$out" .ok) == true ]] || fail "capture-start: $out"
ip netns exec "$NS" ping -c 5 -i 0.2 -W 2 10.44.0.1 >"$WORK/nsping.log" ||
	fail "the namespace cannot ping the VM"
ctl "$SW_CTL" capture-stop port=echo1.0 >/dev/null
requests=$(tcpdump -nr "$WORK/echo1.pcap" 'icmp[icmptype] == icmp-echo and src 10.44.0.100' 2>/dev/null | wc -l)
replies=$(tcpdump -nr "$WORK/echo1.pcap" 'icmp[icmptype] == icmp-echoreply and src 10.44.0.1' 2>/dev/null | wc -l)
[[ $requests -eq 5 && $replies -eq 5 ]] ||
	fail "capture: $requests requests, $replies replies (want 5, 5)"
pass "namespace -> VM ping 5/5; tcpdump reads the capture ($requests/$replies)"

# --- 3. pktgen -> sink, nothing lost, a hostile VM beside them ---
vm_bg sink3 emu,mac=02:00:00:44:00:03 net \
	"app=sink ip=10.44.0.3/24 idle_ms=3000 wait_ms=60000 mode=irq"
vm_bg hostile5 emu,mac=02:00:00:44:00:05 hostile "app=hostile count=3000 storm=3000"
vm_run gen4 emu,mac=02:00:00:44:00:04 net \
	"app=pktgen dst=10.44.0.3 ip=10.44.0.4/24 rate=1000 count=3000 size=64 mode=irq" ||
	fail "pktgen failed: $(vm_record gen4 error)"
wait_for_line "$WORK/sink3.out" '"event":"done"' 30 || fail "sink did not finish"
res=$(vm_record sink3 sink)
[[ $(jget "$res" .received) -eq 3000 && $(jget "$res" .lost) -eq 0 ]] ||
	fail "pktgen -> sink: $res"
pass "pktgen -> sink: 3000 frames, 0 lost; exits/frame pktgen: $(exits gen4), sink: $(exits sink3)"

# The hostile VM ran beside all that; its own NIC took the errors.
wait_for_line "$WORK/hostile5.out" '"event":"done"' 60 || fail "hostile VM did not finish"
bad=$(grep -c '"fbe":true' "$WORK/hostile5.out" || true)
[[ $bad -ge 2 ]] || fail "the hostile VM's NIC reported no fatal bus errors"
errs=$(jq '.nics[0].errors | to_entries | map(.value) | add' "$WORK/hostile5.stats")
[[ $errs -gt 0 ]] || fail "the hostile VM's NIC counted no errors"
# ...and the others still work: the namespace and a VM ping again.
ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 10.44.0.1 >>"$WORK/nsping.log" ||
	fail "the namespace lost the VM after the hostile run"
vm_run ping6 emu,mac=02:00:00:44:00:06 net \
	"app=ping dst=10.44.0.1 ip=10.44.0.6/24 count=5 interval_ms=50 mode=irq" ||
	fail "VM ping after the hostile run failed"
kill -0 "$(pgrep -f "iopath-switch --name ${T}e")" ||
	fail "the switch died"
pass "hostile VM: $bad fatal bus errors, $errs errors counted by its NIC; switch and VMs fine"
echo "4 passed, 0 failed"
