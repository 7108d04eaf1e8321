# SPDX-License-Identifier: MIT
# Shared by the system tests (bash). Sourcing it gives a test:
#   - a private work directory and a short unique name prefix ($T) for
#     namespaces and interfaces (interface names have 15 characters);
#   - helpers to make namespaces and veth pairs, start the switch and test
#     peers, and call control sockets;
#   - a cleanup trap that kills what the test started and deletes what it
#     made, on success, failure or interrupt.
# Traffic only ever goes to the test's own namespaces.

set -euo pipefail

BIN=${IOPATH_BIN:?IOPATH_BIN must point at the bin directory of a build}
T=${IOPATH_TEST_PREFIX:-io$$}
WORK=$(mktemp -d /tmp/iopath-sys-XXXXXX)
# The commands of the packages scripts/setup installs, and no others: a
# test (or a program it starts) that needs anything else fails here, as
# it would on a fresh machine.
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if ! "$SRC/scripts/test-path" "$WORK/path"; then
	echo "FAIL: cannot make the tests' PATH (scripts/test-path)"
	rm -rf "$WORK"
	exit 1
fi
export PATH=$WORK/path
SYS_PIDS=()
SYS_NETNS=()
SYS_LINKS=()
SYS_HOOKS=()

# sys_on_cleanup 'COMMAND': run COMMAND (eval'd, output dropped) first
# thing at cleanup. Tests use this instead of a trap of their own: a trap
# that ran anything before sys_cleanup would hide the test's exit status.
sys_on_cleanup() {
	SYS_HOOKS+=("$1")
}

sys_cleanup() {
	local rc=$? pid ns link hook
	set +e
	for hook in "${SYS_HOOKS[@]}"; do
		eval "$hook" >/dev/null 2>&1
	done
	for pid in "${SYS_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${SYS_PIDS[@]}"; do
		# Give each process 5 s to exit cleanly, then kill it.
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for ns in "${SYS_NETNS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	for link in "${SYS_LINKS[@]}"; do
		ip link del "$link" 2>/dev/null
	done
	# DPDK run directories of the switches this test started.
	rm -rf /var/run/dpdk/iopath-sw-"$T"* 2>/dev/null
	if [[ $rc -ne 0 && $rc -ne 77 ]]; then
		echo "--- logs of the failed test ($WORK):"
		for f in "$WORK"/*.log "$WORK"/*.out; do
			[[ -f $f ]] || continue
			echo "--- $f"
			tail -n 40 "$f"
		done
	fi
	rm -rf "$WORK"
	exit "$rc"
}
trap sys_cleanup EXIT
trap 'exit 130' INT TERM

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*"
	exit 1
}

pass() {
	echo "PASS: $*"
}

sys_require_root() {
	[[ $(id -u) -eq 0 ]] || skip "system tests need root (namespaces, veth)"
	command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
	ip netns list >/dev/null 2>&1 || skip "network namespaces unavailable"
}

# netns_add NAME: a namespace with loopback up.
netns_add() {
	ip netns add "$1"
	SYS_NETNS+=("$1")
	ip -n "$1" link set lo up
}

# veth_add ROOT_END PEER_END [NS]: a veth pair, PEER_END moved into NS.
veth_add() {
	ip link add "$1" type veth peer name "$2"
	SYS_LINKS+=("$1")
	ip link set "$1" up
	if [[ -n ${3:-} ]]; then
		ip link set "$2" netns "$3"
		ip -n "$3" link set "$2" up
	else
		ip link set "$2" up
	fi
	# No IPv6 chatter (router solicitations, DAD) on test links.
	sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1" 2>/dev/null || true
}

# wait_for_file PATH [SECONDS]
wait_for_file() {
	local i
	for ((i = 0; i < ${2:-20} * 10; i++)); do
		[[ -e $1 ]] && return 0
		sleep 0.1
	done
	return 1
}

# wait_for_line FILE PATTERN [SECONDS]
wait_for_line() {
	local i
	for ((i = 0; i < ${3:-20} * 10; i++)); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# start_bg NAME CMD...: run CMD in the background, logging to $WORK/NAME.log
# (stdout to NAME.out). Sets LAST_PID.
start_bg() {
	local name=$1
	shift
	"$@" >"$WORK/$name.out" 2>"$WORK/$name.log" &
	LAST_PID=$!
	SYS_PIDS+=("$LAST_PID")
}

# switch_start NAME ARGS...: an iopath-switch with sockets in $WORK.
# Sets SW_SOCK (attach) and SW_CTL (control) for NAME's switch.
switch_start() {
	local name=$1
	shift
	SW_SOCK=$WORK/$name.sock
	SW_CTL=$WORK/$name.ctl
	start_bg "switch-$name" "$BIN/iopath-switch" --name "$T$name" \
		--sock "$SW_SOCK" --ctl "$SW_CTL" "$@"
	wait_for_file "$SW_CTL" 30 || fail "switch $name did not start"
	wait_for_file "$SW_SOCK" 10 || fail "switch $name has no attach socket"
}

# ctl SOCKET CMD [key=value...]: one control call, JSON answer on stdout.
ctl() {
	"$BIN/iopath-ctl" --raw "$@"
}

# jget JSON FILTER: a jq filter on a JSON text, raw output.
jget() {
	jq -r "$2" <<<"$1"
}

# --- VMs (tests that boot guests; IMG: the guest images) ---
IMG=${IOPATH_GUESTS:-$BIN/../guests}

# vm_cmd NAME NIC IMAGE CMDLINE: iopath-vmm's argv into VM_CMD, its NIC
# ("emu,mac=..", "pv,mac=..") on the switch last started (SW_SOCK).
vm_cmd() {
	VM_CMD=("$BIN/iopath-vmm" --name "$1" --mem 64M
		--stats "$WORK/$1.stats" --nic "$2,switch=$SW_SOCK"
		--append "$4" "$IMG/$3.elf")
}

# vm_bg NAME NIC IMAGE CMDLINE: start a VM, wait until it runs (net apps
# print "init" once the NIC is up; the hostile programs start at once).
vm_bg() {
	vm_cmd "$@"
	start_bg "$1" "${VM_CMD[@]}"
	wait_for_line "$WORK/$1.out" '"event":"\(init\|hostile\)"' 30 ||
		fail "VM $1 did not come up"
}

# vm_run NAME NIC IMAGE CMDLINE: run a VM to its end.
vm_run() {
	vm_cmd "$@"
	timeout 120 "${VM_CMD[@]}" >"$WORK/$1.out" 2>"$WORK/$1.log"
}

# vm_record NAME EVENT: the last JSON line of that event on a VM's console.
vm_record() {
	grep "\"event\":\"$2\"" "$WORK/$1.out" | tail -1
}

# lab_two_hosts LAB: the head of a topology for migrations: hosts h0 and
# h1, each a switch with one uplink (u0, u1) into the lab's fabric; the
# caller appends "vms:" and the rest.
lab_two_hosts() {
	cat <<YAML
lab: $1
on_exit: keep
hosts:
  - name: h0
    switch:
      uplinks: [{name: u0, fabric: true}]
  - name: h1
    switch:
      uplinks: [{name: u1, fabric: true}]
YAML
}

# --- numbers, for benchmarks ---

# median N...: the median of the arguments.
median() {
	printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {
		if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'
}

# spread N...: "min..max" of the arguments.
spread() {
	printf '%s\n' "$@" | sort -g | awk 'NR==1{lo=$1} {hi=$1} END {print lo ".." hi}'
}
