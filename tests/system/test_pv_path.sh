#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The pv path end to end: VMs under KVM with the pv NIC (rings in guest
# RAM, backend in the switch). Two pv VMs ping each other; a pv VM and an
# emu VM ping each other; a Linux namespace on a veth uplink pings a pv
# VM; pktgen -> sink between pv VMs at a moderate rate loses nothing while
# a hostile pv guest abuses its own NIC beside them (bad config, notify
# storm, requests outside its RAM, oversized lengths, a producer index far
# ahead): its device reports errors, everyone else keeps forwarding. Each
# pv VMM's userspace exits (set-up only) are printed.
source "$(dirname "$0")/lib.sh"
sys_require_root
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not usable here"
[[ -f $IMG/pv_hostile.elf ]] || fail "no $IMG/pv_hostile.elf: build guest_images"

NS=${T}ns
netns_add "$NS"
veth_add "${T}u0" "${T}n0" "$NS"
ip -n "$NS" addr add 10.45.0.100/24 dev "${T}n0"
switch_start p --uplink "up0=net_af_packet0,iface=${T}u0"

exits() {	# exits NAME: the pv NIC's userspace exits and the guest's kicks
	local s=$WORK/$1.stats
	echo "$(jq '.nics[0].setup_exits' "$s") userspace (set-up), $(jq '.kvm.exits' "$s") in-KVM exits in all"
}

# --- 1. pv VM to pv VM ping, interrupt mode ---
vm_bg echo1 pv,mac=02:00:00:45:00:01 net "app=echo ip=10.45.0.1/24 seconds=150 mode=irq"
vm_run ping2 pv,mac=02:00:00:45:00:02 net \
	"app=ping dst=10.45.0.1 ip=10.45.0.2/24 count=10 interval_ms=50 mode=irq" ||
	fail "pv VM ping failed: $(vm_record ping2 ping) $(vm_record ping2 error)"
res=$(vm_record ping2 ping)
[[ $(jget "$res" .received) -eq 10 ]] || fail "pv VM ping: $res"
[[ $(jq '.nics[0].path' -r "$WORK/ping2.stats") == pv ]] || fail "ping2 has no pv NIC"
pass "pv VM -> pv VM ping: 10/10, rtt avg $(jget "$res" .rtt_us.avg) us; ping VM: $(exits ping2)"

# --- 2. A namespace pings a pv VM through the uplink ---
ip netns exec "$NS" ping -c 5 -i 0.2 -W 2 10.45.0.1 >"$WORK/nsping.log" ||
	fail "the namespace cannot ping the pv VM"
pass "namespace -> pv VM ping 5/5"

# --- 3. pv and emu VMs talk to each other, both ways ---
vm_run emu3 emu,mac=02:00:00:45:00:03 net \
	"app=ping dst=10.45.0.1 ip=10.45.0.3/24 count=5 interval_ms=50 mode=irq" ||
	fail "emu VM -> pv VM ping failed: $(vm_record emu3 ping)"
vm_bg echo4 emu,mac=02:00:00:45:00:04 net "app=echo ip=10.45.0.4/24 seconds=60 mode=irq"
vm_run ping5 pv,mac=02:00:00:45:00:05 net \
	"app=ping dst=10.45.0.4 ip=10.45.0.5/24 count=5 interval_ms=50 mode=poll" ||
	fail "pv VM (poll mode) -> emu VM ping failed: $(vm_record ping5 ping)"
pass "emu VM -> pv VM ping $(jget "$(vm_record emu3 ping)" .received)/5; pv VM (poll) -> emu VM ping $(jget "$(vm_record ping5 ping)" .received)/5"

# --- 4. pktgen -> sink between pv VMs, a hostile pv VM beside them ---
vm_bg sink6 pv,mac=02:00:00:45:00:06 net \
	"app=sink ip=10.45.0.6/24 idle_ms=3000 wait_ms=60000 mode=irq"
vm_bg hostile8 pv,mac=02:00:00:45:00:08 pv_hostile "app=pv_hostile storm=20000"
vm_run gen7 pv,mac=02:00:00:45:00:07 net \
	"app=pktgen dst=10.45.0.6 ip=10.45.0.7/24 rate=2000 count=6000 size=64 mode=irq" ||
	fail "pktgen failed: $(vm_record gen7 error)"
wait_for_line "$WORK/sink6.out" '"event":"done"' 30 || fail "sink did not finish"
res=$(vm_record sink6 sink)
[[ $(jget "$res" .received) -eq 6000 && $(jget "$res" .lost) -eq 0 ]] ||
	fail "pktgen -> sink: $res"
pass "pv pktgen -> pv sink: 6000 frames at 2000 pps, 0 lost; pktgen VM: $(exits gen7); sink VM: $(exits sink6)"

# The hostile VM ran beside all that; its own device took the errors.
wait_for_line "$WORK/hostile8.out" '"event":"done"' 60 || fail "hostile VM did not finish"
steps=$(grep -c '"event":"hostile","step":"[a-z_]*","status"' "$WORK/hostile8.out" || true)
[[ $steps -eq 6 ]] || fail "the hostile VM ran $steps of 6 steps"
for s in bad_config bad_gpa bad_len overrun; do
	r=$(grep "\"step\":\"$s\"" "$WORK/hostile8.out")
	[[ $(jget "$r" .refused) == true ]] || fail "hostile step $s was not refused: $r"
done
kill -TERM "$(pgrep -f -- "--name hostile8 ")" 2>/dev/null || true
wait_for_file "$WORK/hostile8.stats" 10 || fail "the hostile VMM wrote no stats"
hs=$(jq -c '.nics[0] | {bad_config, backend_errors, notify_bad, resets}' "$WORK/hostile8.stats")
[[ $(jget "$hs" .bad_config) -ge 1 && $(jget "$hs" .backend_errors) -ge 3 ]] ||
	fail "the hostile VM's device did not count its errors: $hs"
# ...and the others still work: the namespace and a VM ping again.
ip netns exec "$NS" ping -c 3 -i 0.2 -W 2 10.45.0.1 >>"$WORK/nsping.log" ||
	fail "the namespace lost the pv VM after the hostile run"
vm_run ping9 pv,mac=02:00:00:45:00:09 net \
	"app=ping dst=10.45.0.1 ip=10.45.0.9/24 count=5 interval_ms=50 mode=irq" ||
	fail "pv VM ping after the hostile run failed"
kill -0 "$(pgrep -f "iopath-switch --name ${T}p")" || fail "the switch died"
pass "hostile pv VM: 6 steps, refused ones $(grep -c '"refused":true' "$WORK/hostile8.out"), device counters $hs; switch and VMs fine"
echo "5 passed, 0 failed"
