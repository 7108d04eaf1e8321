#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every topology in examples/ comes up as a user would bring it up and
# stays up (no VM exits early, e.g. on a guest argument out of range),
# then goes down leaving nothing behind. Each runs under a lab name of
# the test's own, with the guest image of this build.
source "$(dirname "$0")/lib.sh"
sys_require_root
[[ -r /dev/kvm && -w /dev/kvm ]] || skip "/dev/kvm is not usable here"
command -v jq >/dev/null || skip "jq is not installed"
IMG=${IOPATH_GUESTS:-$BIN/../guests}
EXAMPLES=$(cd "$(dirname "$0")/../../examples" && pwd)

n=0
for ex in "$EXAMPLES"/*.yaml; do
	n=$((n + 1))
	lab=${T}ex$n
	sys_on_cleanup "\"\$BIN/iopath\" lab down --lab $lab"
	sed -e "s|^lab: .*|lab: $lab|" -e "s|image: build/guests/|image: $IMG/|" \
		"$ex" >"$WORK/ex$n.yaml"
	grep -q "^lab: $lab" "$WORK/ex$n.yaml" || fail "$(basename "$ex") has no 'lab:' line"
	"$BIN/iopath" --bin "$BIN" lab up "$WORK/ex$n.yaml" --detach >"$WORK/ex$n.out" 2>&1 ||
		fail "$(basename "$ex"): lab up failed: $(tail -3 "$WORK/ex$n.out")"
	# Long enough for every guest to boot and start its app.
	sleep 5
	st=$("$BIN/iopath" lab status --lab "$lab" --json) ||
		fail "$(basename "$ex"): the lab did not stay up: $(tail -5 /run/iopath/lab-"$lab"/supervisor.log)"
	echo "$st" | jq -e '.state == "running" and ([.processes[] | select(.exited)] | length == 0)' \
		>/dev/null || fail "$(basename "$ex"): a process ended: $(echo "$st" | jq -c '[.processes[] | select(.exited)]')"
	nproc=$(echo "$st" | jq '.processes | length')
	"$BIN/iopath" lab down --lab "$lab" >/dev/null || fail "$(basename "$ex"): lab down failed"
	left=$(pgrep -af -- "/run/iopath/lab-$lab/" || true)
	[[ -z $left ]] || fail "$(basename "$ex"): left running: $left"
	ip netns list | grep -q -- "iopath-$lab-" && fail "$(basename "$ex"): namespace left behind"
	rm -rf /run/iopath/lab-"$lab"
	pass "$(basename "$ex"): $nproc processes up for 5 s, down with nothing left"
done
[[ $n -gt 0 ]] || fail "no examples found in $EXAMPLES"
echo "$n passed, 0 failed"
