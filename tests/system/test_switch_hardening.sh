#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The switch against hostile input at its edges (issue 14):
#  1. VLAN hopping from an af_packet uplink: a namespace sends 802.1ad and
#     double-tagged frames; endpoints on access VLANs 1 and 200 must not
#     see them, and the uplink counts them as vlan_qinq drops. Frames of
#     14 and 20 bytes arrive padded to 60 and are counted.
#  2. Control commands misused (the same member twice in a team, members
#     that overlap, bad names, vdevs and types, unknown arguments, ...):
#     each gets an error and the switch's ports are as before.
#  3. A capture reports the frames and frame bytes it holds, and the
#     file's size separately.
source "$(dirname "$0")/lib.sh"
sys_require_root
command -v python3 >/dev/null || skip "python3 is needed to craft frames"

NS=${T}ns
netns_add "$NS"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip netns exec "$NS" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
veth_add "${T}u0" "${T}n0" "$NS"
veth_add "${T}u1" "${T}n1" "$NS"

switch_start h --uplink "up0=net_af_packet0,iface=${T}u0"
sw_pid=$LAST_PID

peer() {	# peer NAME ARGS...: start an endpoint, wait until attached
	local name=$1
	shift
	start_bg "$name" "$BIN/iopath-peer" --sock "$SW_SOCK" --port "$name" \
		"$@"
	wait_for_line "$WORK/$name.out" '"event":"ready"' 10 ||
		fail "peer $name did not attach"
}

# send_frames IFACE HEX...: put raw frames on IFACE inside the namespace.
send_frames() {
	local ifc=$1
	shift
	ip netns exec "$NS" python3 - "$ifc" "$@" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for h in sys.argv[2:]:
    s.send(bytes.fromhex(h))
    time.sleep(0.01)
PY
}

# frame SRC_LAST_BYTE TYPE_AND_TAGS_HEX PAYLOAD_LEN: a broadcast frame from
# 02:00:00:99:00:SRC with the given type/tag bytes and a zero payload.
frame() {
	printf 'ffffffffffff02000099%04x%s%s' "$1" "$2" \
		"$(head -c "$3" /dev/zero | od -An -v -tx1 | tr -d ' \n')"
}

port_stat() {	# port_stat PORT JQ: one value of a port's show-ports entry
	ctl "$SW_CTL" show-ports port="$1" | jq -r ".ports[0]$2"
}

# ---- 1. VLAN hopping and short frames from the af_packet uplink ----
peer v1 --mac 02:00:00:99:01:01 --ip 10.99.1.1/24 --access-vlan 1 \
	--mode raw-recv --dump --seconds 60
peer v200 --mac 02:00:00:99:02:00 --ip 10.99.2.1/24 --access-vlan 200 \
	--mode raw-recv --dump --seconds 60

ipv4=080045000014000000004011
send_frames "${T}n0" \
	"$(frame 0x0a 88a80001810000c8"$ipv4" 40)" \
	"$(frame 0x0b 88a800c8"$ipv4" 40)" \
	"$(frame 0x0c 81000001810000c8"$ipv4" 40)" \
	"$(frame 0x0d 8100000188a800c8"$ipv4" 40)" \
	"$(frame 0x0e 81000000910000c8"$ipv4" 40)" \
	"$(frame 0x14 88b5 0)" \
	"$(frame 0x15 88b5 6)" \
	"$(frame 0x1f 0800 46)"
sleep 1

# What reached the endpoints, by the last byte of the source MAC.
arrived() {	# arrived PEER: "src:len" of each frame from the namespace
	{ grep '"event":"frame"' "$WORK/$1.out" || true; } |
		jq -r 'select(.hex[12:22] == "0200009900") |
			"\(.hex[22:24]):\(.len)"' | sort | tr '\n' ' '
}
got1=$(arrived v1)
got200=$(arrived v200)
[[ " $got1 " == *" 1f:60 "* ]] ||
	fail "the control frame did not reach the VLAN 1 endpoint (got: $got1)"
for src in 0a 0b 0c 0d 0e; do
	[[ " $got1 $got200 " != *" $src:"* ]] ||
		fail "stacked-tag frame $src reached an endpoint" \
			"(VLAN 1: $got1; VLAN 200: $got200)"
done
pass "802.1ad and double-tagged frames from the uplink reach no VLAN" \
	"(VLAN 1 got: $got1)"

qinq=$(port_stat up0 .stats.drops.vlan_qinq)
[[ $qinq -ge 5 ]] ||
	fail "up0 counted $qinq vlan_qinq drops, want 5:" \
		"$(port_stat up0 .stats)"
pass "the uplink counts them as vlan_qinq drops ($qinq)"

[[ " $got1 " == *" 14:60 "* && " $got1 " == *" 15:60 "* ]] ||
	fail "14- and 20-byte frames did not arrive padded to 60 (got: $got1)"
padded=$(port_stat up0 .stats.rx_padded)
[[ $padded -ge 2 ]] || fail "up0 counted $padded padded frames, want 2"
pass "14- and 20-byte frames arrive padded to 60 bytes, counted ($padded)"

# ---- 2. Control commands misused: an error each, nothing changed ----
state() {	# what a refused command must leave as it was
	{
		ctl "$SW_CTL" show-ports |
			jq -c '[.ports[] | [.id, .name, .kind, .admin, .vlan,
				.capture.active]]'
		ctl "$SW_CTL" show-team | jq -c '[.teams[].name]'
	} | tr -d '\n'
}
before=$(state)
refused=0
refuse() {	# refuse WHY COMMAND [ARGS...]: must fail with an error
	local why=$1 out rc=0
	shift
	out=$(ctl "$SW_CTL" "$@" 2>&1) || rc=$?
	kill -0 "$sw_pid" 2>/dev/null || fail "the switch died on: $why ($*)"
	[[ $rc -eq 1 && $(jget "$out" .ok) == false &&
	   -n $(jget "$out" '.error // empty') ]] ||
		fail "not refused: $why ($*): rc $rc, $out"
	[[ $(state) == "$before" ]] ||
		fail "refused but changed the switch: $why ($*): $(state)"
	refused=$((refused + 1))
}
m9=$(printf '"m%d=net_null%d",' 1 1 2 2 3 3 4 4 5 5 6 6 7 7 8 8 9 9)
refuse "the same member twice" add-team name=t0 members=up0+up0
refuse "the same member twice, as objects" add-team name=t0 \
	members:='[{"name":"m","vdev":"net_null1"},
		{"name":"m","vdev":"net_null2"}]'
refuse "no members" add-team name=t0 members:='[]'
refuse "members not an array" add-team name=t0 members:='"up0"'
refuse "nine members" add-team name=t0 members:="[${m9%,}]"
refuse "a member that does not exist" add-team name=t0 members=nosuch
refuse "a member that is a VM port" add-team name=t0 members=v1
refuse "two members on one interface" add-team name=t0 \
	members:="[\"a=net_af_packet5,iface=${T}u1\",
		\"b=net_af_packet6,iface=${T}u1\"]"
refuse "a member on an uplink's interface" add-team name=t0 \
	members:="[\"a=net_af_packet5,iface=${T}u0\"]"
refuse "a member on an uplink's vdev" add-team name=t0 \
	members:='["a=net_af_packet0,iface=lo"]'
refuse "a member named like a port" add-team name=t0 \
	members:='["v1=net_null1"]'
refuse "a team named like a port" add-team name=v1 members:='["m=net_null1"]'
refuse "a team named like its member" add-team name=m members:='["m=net_null1"]'
refuse "a bonding vdev" add-team name=t0 \
	members:='["m=net_bonding0,mode=1,slave=net_af_packet0"]'
refuse "a bad member name" add-team name=t0 members:='["a b=net_null1"]'
refuse "a bad team name" add-team name='t,mode=4' members:='["m=net_null1"]'
refuse "a bad mode" add-team name=t0 members:='["m=net_null1"]' mode=fast
refuse "a mode of the wrong type" add-team name=t0 \
	members:='["m=net_null1"]' mode:=4
refuse "an unknown member" add-team name=t0 members:='["m=net_null1"]' \
	hsah=l34
refuse "an uplink on up0's interface" add-uplink name=upx \
	vdev="net_af_packet5,iface=${T}u0"
refuse "an uplink on up0's vdev" add-uplink name=upx \
	vdev="net_af_packet0,iface=${T}u1"
refuse "an uplink named like a port" add-uplink name=v1 vdev=net_null1
refuse "a name with a space" add-uplink name='a b' vdev=net_null1
refuse "a number for a name" add-uplink name=12 vdev=net_null1
refuse "a name too long" add-uplink name=$(printf 'x%.0s' {1..40}) \
	vdev=net_null1
refuse "a name with a slash" add-uplink name=../x vdev=net_null1
refuse "no vdev" add-uplink name=upx
refuse "a vdev that is not a NIC" add-uplink name=upx vdev=crypto_null0
refuse "a bonding vdev" add-uplink name=upx \
	vdev=net_bonding5,mode=1,slave=net_af_packet0
refuse "a misspelt member" add-uplink name=upx vdev=net_null1 \
	vlna=access:5
refuse "a VLAN out of range" add-uplink name=upx vdev=net_null1 \
	vlan=access:5000
refuse "a VLAN of the wrong type" add-uplink name=upx vdev=net_null1 \
	vlan:=5
refuse "del-uplink of a VM port" del-uplink name=v1
refuse "del-uplink of nothing" del-uplink name=nosuch
refuse "del-uplink of an id out of range" del-uplink name:=64
refuse "del-team of an uplink" del-team name=up0
refuse "set-link sideways" set-link port=up0 admin=sideways
refuse "set-link of a number" set-link port=up0 admin:=1
refuse "set-link of no port" set-link port:=63 admin=down
refuse "set-link of a negative id" set-link port:=-1 admin=down
refuse "capture with a numeric dir" capture-start port=v1 \
	file="$WORK/c.pcap" dir:=1
refuse "capture with a negative limit" capture-start port=v1 \
	file="$WORK/c.pcap" max_bytes:=-1
refuse "capture with a tiny limit" capture-start port=v1 \
	file="$WORK/c.pcap" max_bytes=10
refuse "capture with a bad filter" capture-start port=v1 \
	file="$WORK/c.pcap" filter='ether hots 1'
refuse "capture into a device" capture-start port=v1 file=/dev/null
mkfifo "$WORK/fifo"
refuse "capture into a FIFO (would block)" capture-start port=v1 \
	file="$WORK/fifo"
refuse "capture with an empty file" capture-start port=v1 file=
refuse "capture-stop without a capture" capture-stop port=v1
refuse "show-fdb of VLAN 5000" show-fdb vlan=5000
refuse "show-fdb of a string VLAN" show-fdb vlan=ten
refuse "show-team of nothing" show-team team=nosuch
refuse "stats with an argument" stats all=1
refuse "quit with an argument" quit now=1
pass "$refused misused commands refused with an error, the switch unchanged"

# One capture per file and per port, checked before the file is opened.
out=$(ctl "$SW_CTL" capture-start port=v1 file="$WORK/v1.pcap")
[[ $(jget "$out" .ok) == true ]] || fail "capture-start: $out"
before=$(state)
refuse "the same port twice" capture-start port=v1 file="$WORK/other.pcap"
refuse "another capture's file" capture-start port=v200 file="$WORK/v1.pcap"
ctl "$SW_CTL" capture-stop port=v1 >/dev/null
pass "a second capture of a port or into a live capture's file is refused"

# Repeated add and delete; a team DPDK refuses gives its uplinks back.
ok() {	# ok COMMAND [ARGS...]: must succeed
	local out
	out=$(ctl "$SW_CTL" "$@") || fail "$* failed: $out"
}
ok add-uplink name=up1 vdev="net_af_packet1,iface=${T}u1" vlan=access:7
ok set-link port=up1 admin=down
before=$(state)
refuse "add-uplink twice" add-uplink name=up1 vdev="net_af_packet1,iface=${T}u1"
out=$(ctl "$SW_CTL" add-team name=t1 \
	members:='["up1","m=net_null4,no_such_arg=1"]' || true)
[[ $(jget "$out" .ok) == false ]] || fail "a team with a bad vdev: $out"
[[ $(state) == "$before" ]] ||
	fail "the failed team did not give up1 back as it was: $(state)"
pass "a team that DPDK refuses puts its member uplink back" \
	"($(jget "$out" .error))"
ok add-team name=t1 members=up1
# A team's af_packet members are guarded too.
send_frames "${T}n1" "$(frame 0x0b 88a800c8"$ipv4" 40)"
sleep 0.3
[[ $(port_stat t1 .stats.drops.vlan_qinq) -ge 1 ]] ||
	fail "team t1 did not count an S-tagged frame: $(port_stat t1 .stats)"
ok del-team name=t1
before=$(state)
refuse "del-team twice" del-team name=t1
refuse "del-uplink of a team's old member" del-uplink name=up1
pass "add and delete, twice each: the second is refused"

# ---- 3. A capture counts frames and their bytes, and the file apart ----
out=$(ctl "$SW_CTL" capture-start port=v1 file="$WORK/cap.pcap" dir=tx \
	filter='ether src 02:00:00:99:00:30')
[[ $(jget "$out" .ok) == true ]] || fail "capture-start: $out"
f100=$(frame 0x30 0800 86)
send_frames "${T}n0" "$f100" "$f100" "$f100" "$f100" "$f100"
sleep 0.5
cap=$(ctl "$SW_CTL" capture-stop port=v1 | jq -c .capture)
size=$(stat -c %s "$WORK/cap.pcap")
[[ $(jget "$cap" '.packets // -1') -eq 5 &&
   $(jget "$cap" '.frame_bytes // -1') -eq 500 &&
   $(jget "$cap" '.file_bytes // -1') -eq $size &&
   $size -eq $((24 + 5 * 116)) ]] ||
	fail "capture of 5 frames of 100 bytes ($size-byte file): $cap"
pass "capture-stop reports 5 frames, 500 frame bytes, a $size-byte file"

kill -0 "$sw_pid" || fail "the switch died"
echo "all passed"
