#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The switch with real clients: two packet-channel endpoints exchange a
# UDP stream; a Linux namespace on a veth uplink pings an endpoint (the
# kernel's stack as a real client) while a capture records it, and tcpdump
# reads the capture back; VLANs isolate access ports, and a trunk port
# reaches only the VLAN it tags. (This kernel has no 802.1Q link type, so
# the tagging client is an endpoint attached as a trunk, not a namespace.)
source "$(dirname "$0")/lib.sh"
sys_require_root
command -v tcpdump >/dev/null || skip "tcpdump is not installed"

NS=${T}ns
netns_add "$NS"
veth_add "${T}u0" "${T}n0" "$NS"
ip -n "$NS" addr add 10.77.0.100/24 dev "${T}n0"

switch_start a --uplink "up0=net_af_packet0,iface=${T}u0"

peer() {	# peer NAME ARGS...: start an endpoint, wait until attached
	local name=$1
	shift
	start_bg "$name" "$BIN/iopath-peer" --sock "$SW_SOCK" --port "$name" "$@"
	wait_for_line "$WORK/$name.out" '"event":"ready"' 10 ||
		fail "peer $name did not attach"
}

# --- 1. A namespace pings an endpoint through the uplink, captured. ---
peer p1 --mac 02:00:00:77:00:01 --ip 10.77.0.1/24 --mode responder
out=$(ctl "$SW_CTL" capture-start port=p1 file="$WORK/p1.pcap" dir=both)
[[ $(jget "$out" .ok) == true ]] || fail "capture-start: $out"
ip netns exec "$NS" ping -c 5 -i 0.2 -W 2 10.77.0.1 >"$WORK/ping.log" ||
	fail "the namespace cannot ping 10.77.0.1 through the switch"
ctl "$SW_CTL" capture-stop port=p1 >/dev/null
requests=$(tcpdump -nr "$WORK/p1.pcap" 'icmp[icmptype] == icmp-echo' 2>/dev/null | wc -l)
replies=$(tcpdump -nr "$WORK/p1.pcap" 'icmp[icmptype] == icmp-echoreply' 2>/dev/null | wc -l)
[[ $requests -ge 5 && $replies -ge 5 ]] ||
	fail "capture has $requests echo requests and $replies replies, want 5 each"
pass "namespace pings an endpoint; tcpdump reads the capture ($requests requests, $replies replies)"

# --- 2. Two endpoints exchange a sequenced stream, nothing lost. ---
peer sink --mac 02:00:00:77:00:02 --ip 10.77.0.2/24 --mode sink \
	--count 2000 --seconds 30
sink_pid=$LAST_PID
"$BIN/iopath-peer" --sock "$SW_SOCK" --port src --mac 02:00:00:77:00:03 \
	--ip 10.77.0.3/24 --mode send --dst-ip 10.77.0.2 --rate 2000 \
	--count 2000 --flows 4 >"$WORK/send.out" 2>"$WORK/send.log" ||
	fail "sender failed: $(tail -1 "$WORK/send.out")"
wait "$sink_pid" || fail "sink failed"
res=$(grep '"event":"peer"' "$WORK/sink.out")
[[ $(jget "$res" .received) -eq 2000 && $(jget "$res" .lost) -eq 0 &&
   $(jget "$res" .dup) -eq 0 ]] || fail "stream between endpoints: $res"
pass "2000 frames between two endpoints, none lost, reordered $(jget "$res" .reordered)"

# --- 3. VLANs: access ports on 10 and 20; a trunk port tags. ---
peer v10 --mac 02:00:00:78:00:01 --ip 10.78.0.1/24 --access-vlan 10 \
	--mode responder
peer v20 --mac 02:00:00:78:00:02 --ip 10.78.0.2/24 --access-vlan 20 \
	--mode responder
send_to() {	# send_to PORT MAC IP DST VLAN-ARGS...: 10 frames, ARP first
	local port=$1 mac=$2 ip=$3 dst=$4
	shift 4
	"$BIN/iopath-peer" --sock "$SW_SOCK" --port "$port" --mac "$mac" \
		--ip "$ip/24" --mode send --dst-ip "$dst" --count 10 "$@" \
		>"$WORK/$port.out" 2>"$WORK/$port.log"
}
send_to a10 02:00:00:78:00:03 10.78.0.3 10.78.0.1 --access-vlan 10 ||
	fail "two access ports on VLAN 10 cannot talk"
if send_to b10 02:00:00:78:00:04 10.78.0.4 10.78.0.2 --access-vlan 10; then
	fail "an access port on VLAN 10 reached one on VLAN 20"
fi
send_to t10 02:00:00:78:00:05 10.78.0.5 10.78.0.1 --vlan 10 ||
	fail "a trunk tagging VLAN 10 cannot reach the VLAN 10 access port"
if send_to t20 02:00:00:78:00:06 10.78.0.6 10.78.0.1 --vlan 20; then
	fail "a trunk tagging VLAN 20 reached the VLAN 10 access port"
fi
if ip netns exec "$NS" ping -c 2 -i 0.2 -W 1 10.78.0.1 >>"$WORK/ping.log"; then
	fail "the untagged uplink (native VLAN 1) reached VLAN 10"
fi
pass "VLAN 10 and 20 are isolated; trunk tags reach only their VLAN"

# --- 4. Uplinks at run time: admin down/up, add and remove. ---
ctl "$SW_CTL" set-link port=up0 admin=down >/dev/null
if ip netns exec "$NS" ping -c 2 -i 0.2 -W 1 10.77.0.1 >>"$WORK/ping.log"; then
	fail "ping went through an uplink that is administratively down"
fi
ctl "$SW_CTL" set-link port=up0 admin=up >/dev/null
ip netns exec "$NS" ping -c 2 -i 0.2 -W 2 10.77.0.1 >>"$WORK/ping.log" ||
	fail "the uplink did not come back after admin up"
veth_add "${T}u1" "${T}n1" "$NS"
ip -n "$NS" addr add 10.77.0.101/24 dev "${T}n1"
out=$(ctl "$SW_CTL" add-uplink name=up1 vdev="net_af_packet1,iface=${T}u1")
[[ $(jget "$out" .ok) == true ]] || fail "add-uplink: $out"
ip netns exec "$NS" ping -c 2 -i 0.2 -W 2 -I "${T}n1" 10.77.0.1 >>"$WORK/ping.log" 2>&1 ||
	fail "no ping through the uplink added at run time"
rx=$(ctl "$SW_CTL" show-ports port=up1 | jq '.ports[0].stats.rx_packets')
[[ $rx -gt 0 ]] || fail "the uplink added at run time counted nothing"
out=$(ctl "$SW_CTL" del-uplink name=up1)
[[ $(jget "$out" .ok) == true ]] || fail "del-uplink: $out"
[[ $(ctl "$SW_CTL" show-ports | jq '[.ports[] | select(.name == "up1")] | length') -eq 0 ]] ||
	fail "del-uplink left the port"
pass "set-link down/up, add-uplink and del-uplink at run time"

# --- 5. The switch still answers and counted what it dropped. ---
out=$(ctl "$SW_CTL" show-ports)
[[ $(jget "$out" .ok) == true ]] || fail "show-ports: $out"
pass "switch healthy: $(jget "$out" '.ports | length') ports"

# --- 6. --pmd-cpu: a CPU we may not use, or EAL lcores too, is refused. ---
refuse_start() {	# refuse_start WANT ARGS...: exits non-zero saying WANT
	local want=$1
	shift
	if "$BIN/iopath-switch" --name "${T}bad" --sock "$WORK/bad.sock" \
		--ctl "$WORK/bad.ctl" "$@" >"$WORK/bad.out" 2>&1; then
		fail "iopath-switch $* started"
	fi
	grep -q -- "$want" "$WORK/bad.out" || fail "iopath-switch $*: $(cat "$WORK/bad.out")"
}
refuse_start "CPU 1000 is not one this process may use" --pmd-cpu 1000
refuse_start "want CPU numbers" --pmd-cpu x
refuse_start "at most 1 CPU" --pmd-cpu 0,0
refuse_start "give one" --pmd-cpu 0 -- --lcores 0@0
pass "--pmd-cpu refuses a CPU it may not use, a list and EAL lcores beside it"
echo "6 passed, 0 failed"
