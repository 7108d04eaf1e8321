#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# NIC teaming. Two hosts (switches a and b) with uplinks into a fabric
# namespace whose Linux bridge stands in for the top-of-rack switch; a's
# two uplinks form a team:
#
#   peer A -- switch a ==team(a0,a1)==\
#                                       fabric bridge -- b0 -- switch b -- peer B
#
# 1. active-backup: B streams sequenced frames to A; A's active member goes
#    down mid-stream; the stream goes on over the backup. Reports lost
#    frames and the outage (longest gap) in ms.
# 2. balance-xor (L34 hash): A sends several flows; both members carry some
#    of them. A Linux bridge is no LAG (it would flood the team's broadcasts
#    back into the other member) and this kernel has no bond device to make
#    one, so here the members leave the bridge and only egress is checked.
# 3. 802.3ad: LACP forms between switch a's team and a second DPDK bond:
#    another iopath-switch inside the fabric namespace, teamed over the
#    fabric ends of the same links. (testpmd's io mode cannot be the
#    partner: it only transmits when it receives, and a mode 4 bond must
#    send LACPDUs on its own.)
source "$(dirname "$0")/lib.sh"
sys_require_root

F=${T}fab

# fabric: veth pairs from the root namespace into F, joined by a bridge.
fabric_up() {
	netns_add "$F"
	ip -n "$F" link add br0 type bridge
	ip -n "$F" link set br0 up
	local i
	for i in a0 a1 b0; do
		veth_add "${T}$i" "${T}f$i" "$F"
		ip -n "$F" link set "${T}f$i" master br0
	done
}

peer() {	# peer NAME SWITCH_SOCK ARGS...: start an endpoint, wait for it
	local name=$1 sock=$2
	shift 2
	start_bg "$name" "$BIN/iopath-peer" --sock "$sock" --port "$name" "$@"
	wait_for_line "$WORK/$name.out" '"event":"ready"' 10 ||
		fail "peer $name did not attach"
}

member_tx() {	# member_tx CTL TEAM MEMBER: tx packets of a team member
	ctl "$1" show-team team="$2" |
		jq -r --arg m "$3" '.team.members[] | select(.name == $m) | .tx_packets'
}

fabric_up
switch_start b --uplink "b0=net_af_packet2,iface=${T}b0,framecnt=4096"
SW_B_SOCK=$SW_SOCK SW_B_CTL=$SW_CTL
peer pb "$SW_B_SOCK" --mac 02:00:00:99:00:02 --ip 10.99.0.2/24 --mode responder

# --- 1. active-backup failover under a stream ---
switch_start a --uplink "a0=net_af_packet0,iface=${T}a0,framecnt=4096" \
	--uplink "a1=net_af_packet1,iface=${T}a1,framecnt=4096" \
	--team "t0:mode=active-backup,members=a0+a1"
SW_A_SOCK=$SW_SOCK SW_A_CTL=$SW_CTL
peer pa "$SW_A_SOCK" --mac 02:00:00:99:00:01 --ip 10.99.0.1/24 --mode sink \
	--seconds 8
sink_pid=$LAST_PID
start_bg src "$BIN/iopath-peer" --sock "$SW_B_SOCK" --port src \
	--mac 02:00:00:99:00:03 --ip 10.99.0.3/24 --mode send \
	--dst-ip 10.99.0.1 --rate 2000 --seconds 6
sleep 2
active=$(ctl "$SW_A_CTL" show-team team=t0 | jq -r '.team.active')
[[ $active == a0 || $active == a1 ]] || fail "no active member: $active"
# Cut the active link on the fabric side: the switch sees carrier loss.
ip -n "$F" link set "${T}f$active" down
wait "$sink_pid" || true
res=$(grep '"event":"peer"' "$WORK/pa.out") || fail "sink reported nothing"
team=$(ctl "$SW_A_CTL" show-team team=t0)
now=$(jq -r '.team.active' <<<"$team")
[[ $now != "$active" && $now != null ]] || fail "team did not fail over: $team"
received=$(jget "$res" .received)
lost=$(jget "$res" .lost)
outage=$(jget "$res" .outage_ms)
last_ms=$(jget "$res" .last_ms)
# The stream must go on after the failover (it ran 6 s; the cut was at 2 s).
[[ $received -gt 6000 ]] || fail "only $received of ~12000 frames arrived: $res"
[[ ${last_ms%.*} -gt 4000 ]] || fail "traffic stopped at ${last_ms} ms: $res"
pass "active-backup failover $active -> $now: $received received, $lost lost, outage ${outage} ms"
echo "failover: lost=$lost outage_ms=$outage" >"$WORK/failover.result"
ip -n "$F" link set "${T}f$active" up
ctl "$SW_A_CTL" quit >/dev/null

# --- 2. balance-xor spreads flows over both members ---
ip -n "$F" link set "${T}fa0" nomaster
ip -n "$F" link set "${T}fa1" nomaster
switch_start a2 --uplink "a0=net_af_packet0,iface=${T}a0" \
	--uplink "a1=net_af_packet1,iface=${T}a1" \
	--team "t0:mode=balance-xor,hash=l34,members=a0+a1"
A2_SOCK=$SW_SOCK A2_CTL=$SW_CTL
tx0_before=$(member_tx "$A2_CTL" t0 a0)
tx1_before=$(member_tx "$A2_CTL" t0 a1)
"$BIN/iopath-peer" --sock "$A2_SOCK" --port xa --mac 02:00:00:99:00:11 \
	--ip 10.99.0.11/24 --mode send --dst-ip 10.99.0.2 \
	--dst-mac 02:00:00:99:00:02 --rate 4000 \
	--count 4000 --flows 16 >"$WORK/xa.out" 2>"$WORK/xa.log" ||
	fail "balance-xor sender failed: $(cat "$WORK/xa.log")"
tx0=$(( $(member_tx "$A2_CTL" t0 a0) - tx0_before ))
tx1=$(( $(member_tx "$A2_CTL" t0 a1) - tx1_before ))
[[ $tx0 -gt 400 && $tx1 -gt 400 ]] ||
	fail "balance-xor did not spread 16 flows: a0 sent $tx0, a1 sent $tx1"
pass "balance-xor l34: 16 flows spread as a0=$tx0, a1=$tx1 frames"
ctl "$A2_CTL" quit >/dev/null

# --- 3. LACP with a second DPDK bond in the fabric namespace ---
start_bg lacp-peer ip netns exec "$F" "$BIN/iopath-switch" --name "${T}lp" \
	--sock "$WORK/lp.sock" --ctl "$WORK/lp.ctl" \
	--uplink "f0=net_af_packet0,iface=${T}fa0" \
	--uplink "f1=net_af_packet1,iface=${T}fa1" \
	--team "t0:mode=802.3ad,members=f0+f1"
wait_for_file "$WORK/lp.ctl" 30 || fail "the LACP partner switch did not start"
switch_start a3 --uplink "a0=net_af_packet0,iface=${T}a0" \
	--uplink "a1=net_af_packet1,iface=${T}a1" \
	--team "t0:mode=802.3ad,members=a0+a1"
A3_CTL=$SW_CTL
# LACP needs a few PDU exchanges (fast rate: 1 s) to select and distribute.
for _ in $(seq 30); do
	team=$(ctl "$A3_CTL" show-team team=t0)
	n=$(jq '[.team.members[] | select(.lacp.distributing == true)] | length' <<<"$team")
	[[ $n -eq 2 ]] && break
	sleep 1
done
[[ $n -eq 2 ]] || fail "LACP did not form with the partner bond: $team"
partner=$(jq -r '.team.members[0].lacp.partner_system' <<<"$team")
[[ $partner != 00:00:00:00:00:00 ]] || fail "no LACP partner: $team"
pass "802.3ad: both members distributing, partner system $partner"
echo "3 passed, 0 failed"
