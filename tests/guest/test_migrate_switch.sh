#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Live migration of a VM whose NIC is on a switch, while pktgen in another
# VM sends to it at a fixed rate, on both VM paths (vmm/vmm_migrate.h):
# source and destination VMMs on one switch, the same MAC and port name.
#   - the source's port leaves the switch at the switch-over and the
#     destination's joins at resume (the switch never has both);
#   - the sink finishes on the destination; the frames lost are those of
#     the downtime (bounded here generously: the host is shared), none is
#     duplicated, reordered or damaged;
#   - emu: the destination announces the MAC, RARP and gratuitous ARP, 5
#     rounds, as QEMU's announce-self does (seen in a capture of the
#     sender's port); pv: the backend restarts on the indices in guest
#     memory, and the destination's switch announces for the VM (the
#     port attached with ATTACH_F_ANNOUNCE): 5 RARPs in the same capture;
#   - pv: the switch logged its writes to guest RAM (DIRTY_LOG), so the
#     source did not send all of RAM again at the switch-over.
# Uses the system tests' helpers (tests/system/lib.sh): root for the
# switch, and /dev/kvm.
source "$(dirname "$0")/../system/lib.sh"
sys_require_root
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not usable here"
command -v jq >/dev/null || skip "jq is not installed"
command -v tcpdump >/dev/null || skip "tcpdump is not installed"

switch_start m
RATE=10000
COUNT=60000
# A frame per 100 us: 3000 lost is a 300 ms gap.
MAX_LOST=3000
n=0

# migrate_sink PATH: pktgen -> sink, the sink migrated half way.
migrate_sink() {
	local path=$1 port sink res lost st
	n=$((n + 1))
	port=$((20000 + (RANDOM % 20000)))
	sink=(--name sink$n --mem 64M --nic "$path,mac=02:10:00:66:00:$n,switch=$SW_SOCK,port=mig$n.0")
	start_bg src$n "$BIN/iopath-vmm" "${sink[@]}" --ctl "$WORK/src$n.ctl" \
		--stats "$WORK/src$n.stats" \
		--append "app=sink ip=10.66.$n.2/24 idle_ms=3000 wait_ms=60000" "$IMG/net.elf"
	start_bg dst$n "$BIN/iopath-vmm" "${sink[@]}" --ctl "$WORK/dst$n.ctl" \
		--stats "$WORK/dst$n.stats" --incoming "tcp:127.0.0.1:$port"
	wait_for_line "$WORK/src$n.out" '"event":"init"' 30 || fail "$path: the sink did not start"
	wait_for_line "$WORK/dst$n.log" 'waiting for a migration' 30 || fail "$path: no destination"
	vm_bg gen$n "$path,mac=02:10:00:66:01:$n" net \
		"app=pktgen dst=10.66.$n.2 ip=10.66.$n.1/24 rate=$RATE count=$COUNT size=64"
	wait_for_line "$WORK/gen$n.out" '"event":"init"' 30 || fail "$path: pktgen did not start"
	sleep 1
	ctl "$SW_CTL" capture-start port=gen$n.0 file="$WORK/gen$n.pcap" dir=both >/dev/null
	sleep 1
	res=$(ctl "$WORK/src$n.ctl" migrate to=tcp:127.0.0.1:$port)
	[[ $(jget "$res" .ok) == true ]] || fail "$path: migrate: $res"
	wait_for_line "$WORK/dst$n.out" '"event":"done"' 60 ||
		fail "$path: the sink did not finish on the destination"
	ctl "$SW_CTL" capture-stop port=gen$n.0 >/dev/null || true
	st=$(jq -r .reason "$WORK/src$n.stats")
	[[ $st == "migrated to tcp:127.0.0.1:$port" ]] || fail "$path: the source says: $st"
	grep -q '"event":"done"' "$WORK/src$n.out" && fail "$path: the sink finished on the source too"
	res=$(vm_record dst$n sink)
	lost=$(jget "$res" .lost)
	[[ $(jget "$res" .reordered) -eq 0 && $(jget "$res" .duplicated) -eq 0 &&
	   $(jget "$res" .csum_errors) -eq 0 && $lost -le $MAX_LOST &&
	   $(jget "$res" .received) -ge $((COUNT - MAX_LOST)) ]] ||
		fail "$path: sink after the migration: $res"
	# The switch dropped the source's port before the destination's came.
	grep -q "port [0-9]* mig$n.0 removed" "$WORK/switch-m.log" ||
		fail "$path: the source's port was not removed"
	local rarp
	rarp=$(tcpdump -nr "$WORK/gen$n.pcap" "ether proto 0x8035 and ether src 02:10:00:66:00:$n" 2>/dev/null | wc -l)
	[[ $rarp -eq 5 ]] || fail "$path: $rarp RARP announcements, want 5"
	if [[ $path == pv ]]; then
		grep -q "mig$n.0: announcing " "$WORK/switch-m.log" ||
			fail "pv: the switch did not announce for the VM"
		grep -q "mig$n.0: logging writes to guest RAM" "$WORK/switch-m.log" ||
			fail "pv: the switch did not log its writes to guest RAM"
		grep -q "does not log its writes to guest RAM" "$WORK/src$n.log" &&
			fail "pv: the source resent all of RAM: $(grep 'does not log' "$WORK/src$n.log")"
		# The last round: what was dirty, not the 16384 pages of RAM.
		local last
		last=$(grep -o 'switch-over: [0-9]* pages' "$WORK/src$n.log" | grep -o '[0-9]*')
		[[ -n $last && $last -lt 16384 ]] || fail "pv: the last round sent ${last:-?} pages"
	fi
	pass "$path: sink migrated under $RATE pps: $(jget "$res" .received)/$COUNT received, $lost lost; $(grep -o 'downtime [0-9.]* ms' "$WORK/src$n.log")"
}

migrate_sink emu
migrate_sink pv
echo "2 passed, 0 failed"
