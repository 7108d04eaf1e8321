#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The guest drivers' modes (guests/net/netdev.h) on both VM paths, a switch
# and two VMs per run: pktgen at a fixed rate -> sink.
#   - adaptive (the default: no mode= given) moves every frame, and both
#     VMs sleep: the driver counters show sleeps, device interrupts and
#     time asleep; pktgen sleeps between its paced groups;
#   - mode=poll moves frames and never arms, sleeps or takes an
#     interrupt; mode=irq sleeps as before;
#   - 4096-descriptor rings (rx_ring= tx_ring=) come up with a packet
#     pool sized to match, and carry traffic.
# Uses the system tests' helpers (tests/system/lib.sh): needs root for the
# switch, and /dev/kvm.
source "$(dirname "$0")/../system/lib.sh"
sys_require_root
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not usable here"
command -v jq >/dev/null || skip "jq is not installed"

switch_start a
RATE=5000
COUNT=5000
n=0

# pair PATH NAME "SINK ARGS" "PKTGEN ARGS" [lossy]: pktgen -> sink, COUNT
# frames at RATE; the sink must get them all, or with "lossy" some of them
# (poll mode: two spinning vCPUs and the switch on two cores lose frames
# whenever the host is busy, the very problem adaptive mode solves).
# Records in $WORK/NAME-{sink,gen}.out.
pair() {
	local path=$1 name=$2 lossy=${5:-} res
	n=$((n + 1))
	local net=10.46.$n
	vm_bg "$name-sink" "$path,mac=02:00:00:46:$(printf %02x $n):02" net \
		"app=sink ip=$net.2/24 idle_ms=3000 wait_ms=60000 $3"
	vm_run "$name-gen" "$path,mac=02:00:00:46:$(printf %02x $n):01" net \
		"app=pktgen dst=$net.2 ip=$net.1/24 rate=$RATE count=$COUNT size=64 $4" ||
		fail "$name: pktgen failed: $(vm_record "$name-gen" error)"
	wait_for_line "$WORK/$name-sink.out" '"event":"done"' 30 ||
		fail "$name: the sink did not finish"
	res=$(vm_record "$name-sink" sink)
	if [[ -n $lossy ]]; then
		[[ $(jget "$res" .received) -gt 0 ]] ||
			fail "$name: pktgen -> sink: nothing arrived: $res"
		return 0
	fi
	[[ $(jget "$res" .received) -eq $COUNT && $(jget "$res" .lost) -eq 0 ]] ||
		fail "$name: pktgen -> sink: $res"
}

# drv NAME-ROLE EVENT FIELD: one driver counter from a VM's final record.
drv() {
	jget "$(vm_record "$1" "$2")" ".drv.$3"
}

# mode NAME-ROLE: the mode the driver says it runs in.
mode() {
	jget "$(vm_record "$1" netdev)" .mode
}

for path in pv emu; do
	# --- adaptive, by default ---
	pair $path $path-ad "" ""
	for vm in $path-ad-sink:sink $path-ad-gen:pktgen; do
		v=${vm%%:*} ev=${vm##*:}
		[[ $(mode "$v") == adaptive ]] || fail "$v runs in $(mode "$v"), not adaptive"
		[[ $(drv "$v" "$ev" sleeps) -gt 0 && $(drv "$v" "$ev" sleep_us) -gt 0 ]] ||
			fail "$v never slept: $(vm_record "$v" "$ev" | jq -c .drv)"
	done
	[[ $(drv $path-ad-sink sink irqs) -gt 0 ]] ||
		fail "the $path sink took no interrupt: $(vm_record $path-ad-sink sink)"
	# A paced sender sleeps through its gaps (400 us at this rate): asleep
	# for a good part of the COUNT/RATE seconds, where poll mode spins.
	slept=$(drv $path-ad-gen pktgen sleep_us)
	[[ $slept -gt $((COUNT * 1000000 / RATE / 4)) ]] ||
		fail "the $path pktgen slept only $slept us in a $((COUNT / RATE)) s run"
	pass "$path adaptive: $COUNT/$COUNT frames;" \
		"sink $(drv $path-ad-sink sink sleeps) sleeps," \
		"$(drv $path-ad-sink sink irqs) irqs; pktgen asleep" \
		"$((slept / 1000)) ms, $(drv $path-ad-gen pktgen sleeps) sleeps"

	# --- poll: spins, never sleeps ---
	pair $path $path-poll "mode=poll" "mode=poll" lossy
	for vm in $path-poll-sink:sink $path-poll-gen:pktgen; do
		v=${vm%%:*} ev=${vm##*:}
		[[ $(mode "$v") == poll ]] || fail "$v runs in $(mode "$v"), not poll"
		for c in sleeps arms irqs sleep_us; do
			[[ $(drv "$v" "$ev" $c) -eq 0 ]] ||
				fail "$v in poll mode: $c = $(drv "$v" "$ev" $c)"
		done
	done
	pass "$path poll: $(jget "$(vm_record $path-poll-sink sink)" .received)/$COUNT" \
		"frames, no sleep, no interrupt"

	# --- irq: sleeps as soon as the rings are idle ---
	pair $path $path-irq "mode=irq" "mode=irq"
	[[ $(mode $path-irq-sink) == irq && $(drv $path-irq-sink sink sleeps) -gt 0 &&
		$(drv $path-irq-sink sink irqs) -gt 0 ]] ||
		fail "$path irq: $(vm_record $path-irq-sink sink)"
	pass "$path irq: $COUNT/$COUNT frames, sink $(drv $path-irq-sink sink sleeps) sleeps"

	# --- 4096-slot rings ---
	pair $path $path-big "rx_ring=4096 tx_ring=4096" "rx_ring=4096 tx_ring=4096"
	if [[ $path == pv ]]; then
		ring=$(jget "$(vm_record $path-big-sink netdev)" .drv.ring)
	else
		ring=$(jget "$(vm_record $path-big-sink netdev)" .drv.rx_ring)
	fi
	[[ $ring -eq 4096 ]] || fail "$path: asked for 4096-slot rings, got $ring"
	pass "$path 4096-slot rings: $COUNT/$COUNT frames"
done
echo "8 passed, 0 failed"
