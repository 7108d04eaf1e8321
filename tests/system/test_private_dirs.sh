#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run directories are private to their user, and `lab down` acts on a
# state file only if it is ours (cli/lab_rundir.c, cli/lab_state.c):
#  1. a /tmp/iopath-lab-NAME directory and state file planted by another
#     user (where labs used to live) are not looked at: the file it names
#     stays, the pids it names live on;
#  2. `lab up` makes BASE/lab-NAME (root: /run/iopath) fresh, mode 0700,
#     sockets 0600; the next `lab up` starts from an empty one;
#  3. in our base, a run directory or state file that is not ours, or a
#     state file that names anything but the lab's own files, namespace
#     and links, is refused with the reason; nothing it names is touched;
#     pids are signalled only when they run our program with our socket;
#  4. a user without root gets $XDG_RUNTIME_DIR/iopath, checked the same;
#  5. `iopath bench --switch-peers` sweeps only stale scratch trees that
#     are ours.
source "$(dirname "$0")/lib.sh"
sys_require_root
command -v jq >/dev/null || skip "jq is not installed"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is needed to become another user"
NOBODY=65534
LAB=${T}pd
BASE=/run/iopath
RUN=$BASE/lab-$LAB
OLD=/tmp/iopath-lab-$LAB

printf 'lab: %s\nhosts:\n  - name: a\n' "$LAB" >"$WORK/lab.yaml"
sys_on_cleanup '"$BIN/iopath" lab down --lab "$LAB"'
sys_on_cleanup 'rm -rf "$OLD" "$RUN"'

# Processes a state file may name: one looks like a VMM, one like a
# supervisor, but neither was started by a lab of ours.
start_bg decoy-vm bash -c 'exec -a iopath-vmm sleep 300'
DECOY_VM=$LAST_PID
start_bg decoy-sup bash -c 'exec -a iopath sleep 300'
DECOY_SUP=$LAST_PID
echo precious >"$WORK/canary"

# state_json RUNDIR CTL NETNS LINK: a state file in the lab's format
# naming the decoys, CTL as a VM's control socket, NETNS and LINK.
state_json() {
	jq -n --arg lab "$LAB" --arg rundir "$1" --arg ctl "$2" \
		--arg netns "$3" --arg link "$4" --argjson sup "$DECOY_SUP" \
		--argjson vm "$DECOY_VM" '{lab: $lab, state: "running",
		supervisor: $sup, rundir: $rundir, bindir: "/nonexistent",
		netns: $netns, processes: [{kind: "vm", name: "vm1", pid: $vm,
		exited: false, status: 0, ctl: $ctl, sock: "", log: ""}],
		links: (if $link == "" then [] else [$link] end)}'
}

# untouched: the canary and the decoys are as they were.
untouched() {
	[[ $(cat "$WORK/canary" 2>/dev/null) == precious ]] ||
		fail "$1: the file the state named was removed"
	kill -0 "$DECOY_VM" 2>/dev/null || fail "$1: the pid named as a VM was killed"
	kill -0 "$DECOY_SUP" 2>/dev/null || fail "$1: the pid named as supervisor was killed"
}

# refused CASE PATTERN VERB...: `iopath lab VERB --lab LAB` fails saying
# PATTERN and touches nothing.
refused() {
	local what=$1 pat=$2
	shift 2
	if "$BIN/iopath" lab "$@" >"$WORK/refused.out" 2>&1; then
		fail "$what: lab $* was not refused: $(cat "$WORK/refused.out")"
	fi
	grep -q -- "$pat" "$WORK/refused.out" ||
		fail "$what: lab $*: no clear reason: $(cat "$WORK/refused.out")"
	untouched "$what"
	echo "  $what: $(head -1 "$WORK/refused.out")"
}

# --- 1. a directory planted in /tmp by another user ---
rm -rf "$OLD"
mkdir -m 777 "$OLD"
state_json "$OLD" "$WORK/canary" "" "" >"$OLD/state.json"
chown -R $NOBODY:$NOBODY "$OLD"
"$BIN/iopath" lab down --lab "$LAB" >"$WORK/down1.out" 2>&1 || true
untouched "a state file planted in /tmp"
"$BIN/iopath" lab up "$WORK/lab.yaml" --detach >"$WORK/up1.out" 2>&1 ||
	fail "lab up: $(cat "$WORK/up1.out")"
st=$("$BIN/iopath" lab status --lab "$LAB" --json) || fail "lab status failed"
[[ $(jget "$st" .rundir) == "$RUN" ]] || fail "the lab runs in $(jget "$st" .rundir), not $RUN"
[[ $(ls -A "$OLD") == state.json ]] ||
	fail "the lab wrote into the planted directory: $(ls -A "$OLD")"
untouched "lab up next to a planted directory"
pass "a run directory and state file planted in /tmp are ignored: nothing they name is touched"

# --- 2. the run directory is private and fresh ---
for d in "$BASE" "$RUN"; do
	[[ $(stat -c '%u %a %F' "$d") == "0 700 directory" ]] ||
		fail "$d: $(stat -c '%u %a %F' "$d"), not a 0700 directory of root"
done
for s in "$RUN"/*.ctl "$RUN"/*.sock; do
	[[ $(stat -c %a "$s") == 600 ]] || fail "$s has mode $(stat -c %a "$s")"
done
"$BIN/iopath" lab down --lab "$LAB" >/dev/null || fail "lab down failed"
[[ -f $RUN/supervisor.log ]] || fail "lab down did not keep the logs"
touch "$RUN/marker"
"$BIN/iopath" lab up "$WORK/lab.yaml" --detach >"$WORK/up2.out" 2>&1 ||
	fail "lab up again: $(cat "$WORK/up2.out")"
[[ -e $RUN/marker ]] && fail "the second lab up reused the old run directory"
"$BIN/iopath" lab down --lab "$LAB" >/dev/null || fail "lab down failed"
pass "$RUN is made fresh, 0700, sockets 0600; logs stay until the next lab up"

# --- 3. in our base: what is not ours is refused ---
# fresh_run [MODE]: an empty run directory of ours.
fresh_run() {
	rm -rf "$RUN"
	mkdir -m "${1:-700}" "$RUN"
}
fresh_run
state_json "$RUN" "$RUN/vm1.ctl" "" "" >"$RUN/state.json"
chmod 600 "$RUN/state.json"
chown -R $NOBODY "$RUN"
refused "another user's run directory" "belongs to uid $NOBODY" down --lab "$LAB"
refused "another user's run directory" "belongs to uid $NOBODY" status --lab "$LAB"
refused "another user's run directory" "belongs to uid $NOBODY" up "$WORK/lab.yaml"
[[ $(stat -c %u "$RUN") == $NOBODY && -f $RUN/state.json ]] ||
	fail "lab up removed or took another user's run directory"

rm -rf "$RUN" "$WORK/evil"
mkdir -m 700 "$WORK/evil"
state_json "$RUN" "$WORK/canary" "" "" >"$WORK/evil/state.json"
ln -s "$WORK/evil" "$RUN"
refused "a symlinked run directory" "is not a directory (a symlink)" down --lab "$LAB"
rm -f "$RUN"

fresh_run
state_json "$RUN" "$RUN/vm1.ctl" "" "" >"$RUN/state.json"
chown $NOBODY "$RUN/state.json"
refused "another user's state file" "not a state file of ours (uid $NOBODY" down --lab "$LAB"

fresh_run
state_json "$RUN" "$RUN/vm1.ctl" "" "" >"$RUN/state.json"
chmod 666 "$RUN/state.json"
refused "a state file others may write" "not a state file of ours (uid 0, mode 0666)" down --lab "$LAB"

fresh_run 755
state_json "$RUN" "$RUN/vm1.ctl" "" "" >"$RUN/state.json"
chmod 600 "$RUN/state.json"
refused "a run directory others may read" "has mode 0755" down --lab "$LAB"

fresh_run
state_json "$RUN" "$RUN/vm1.ctl" "" "" >"$WORK/real.json"
ln -s "$WORK/real.json" "$RUN/state.json"
refused "a symlinked state file" "a symlink: refusing it" down --lab "$LAB"

for bad in "$WORK/canary||" "$RUN/../canary||" "$RUN/vm1.ctl|evil|" \
	"$RUN/vm1.ctl||eth0"; do
	IFS='|' read -r ctl netns link <<<"$bad"
	fresh_run
	state_json "$RUN" "$ctl" "$netns" "$link" >"$RUN/state.json"
	chmod 600 "$RUN/state.json"
	refused "a state file naming '$ctl' '$netns' '$link'" \
		"names .*, not its own lab's: refusing" down --lab "$LAB"
done

# A state file of ours that is sane: lab down cleans up, but the pids it
# names are not our lab's processes (a reboot or a reuse): left alone.
fresh_run
state_json "$RUN" "$RUN/vm1.ctl" "" "" >"$RUN/state.json"
chmod 600 "$RUN/state.json"
"$BIN/iopath" lab down --lab "$LAB" >"$WORK/down3.out" 2>&1 ||
	fail "lab down of a dead lab failed: $(cat "$WORK/down3.out")"
untouched "a dead lab's state file with reused pids"
[[ -e $RUN/state.json ]] && fail "lab down left the dead lab's state file"
rm -rf "$RUN"
pass "run directories and state files that are not ours, or name what is not the lab's, are refused; reused pids are left alone"

# --- 4. without root: $XDG_RUNTIME_DIR/iopath ---
chmod 711 "$WORK"
mkdir -m 700 "$WORK/xdg"
chown $NOBODY "$WORK/xdg"
# as_nobody CMD...: run CMD as nobody with our XDG_RUNTIME_DIR.
as_nobody() {
	setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
		env XDG_RUNTIME_DIR="$WORK/xdg" "$@"
}
mkdir -m 700 "$WORK/xdg/iopath"		# made by root: not nobody's
as_nobody "$BIN/iopath" lab status >"$WORK/xdg1.out" 2>&1 && fail "nobody used root's directory"
grep -q "xdg/iopath belongs to uid 0" "$WORK/xdg1.out" || fail "xdg: $(cat "$WORK/xdg1.out")"
chown $NOBODY "$WORK/xdg/iopath"
chmod 777 "$WORK/xdg/iopath"
as_nobody "$BIN/iopath" lab status >"$WORK/xdg2.out" 2>&1 && fail "nobody used a 0777 directory"
grep -q "has mode 0777" "$WORK/xdg2.out" || fail "xdg: $(cat "$WORK/xdg2.out")"
chmod 700 "$WORK/xdg/iopath"
as_nobody "$BIN/iopath" lab status >"$WORK/xdg3.out" 2>&1 && fail "a lab is up in an empty directory?"
grep -q "no lab is up" "$WORK/xdg3.out" || fail "xdg: $(cat "$WORK/xdg3.out")"
chmod 700 "$WORK"
pass "without root, labs live in \$XDG_RUNTIME_DIR/iopath, checked the same way"

# --- 5. --switch-peers sweeps only stale trees of ours ---
if [[ -x /usr/bin/dpdk-testpmd ]]; then
	# pids above pid_max: gone for sure
	THEIRS=/tmp/iopath-peers-2147483000
	LINKED=/tmp/iopath-peers-2147483001
	OURS=/tmp/iopath-peers-2147483002
	sys_on_cleanup 'rm -rf "$THEIRS" "$LINKED" "$OURS"'
	rm -rf "$THEIRS" "$LINKED" "$OURS"
	mkdir -m 777 "$THEIRS" "$WORK/victim"
	touch "$THEIRS/file" "$WORK/victim/file"
	chown -R $NOBODY "$THEIRS"
	ln -s "$WORK/victim" "$LINKED"
	mkdir -m 700 "$OURS"
	touch "$OURS/file"
	"$BIN/iopath" bench --switch-peers --quick --out "$WORK/res" \
		>"$WORK/peers.out" 2>"$WORK/peers.log" &
	bench=$!
	SYS_PIDS+=("$bench")
	wait_for_file "/tmp/iopath-peers-$bench" 30 ||
		fail "the bench did not start: $(tail -3 "$WORK/peers.log")"
	kill -INT "$bench"
	wait "$bench" || true
	[[ -f $THEIRS/file ]] || fail "--switch-peers removed another user's tree"
	[[ -L $LINKED && -f $WORK/victim/file ]] ||
		fail "--switch-peers removed a symlink or what it points at"
	[[ -e $OURS ]] && fail "--switch-peers left a stale tree of ours"
	pass "--switch-peers sweeps stale trees of ours only"
else
	echo "(dpdk-testpmd is not installed: the --switch-peers sweep is not tried)"
fi
echo "passed"
