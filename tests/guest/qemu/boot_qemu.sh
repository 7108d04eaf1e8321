#!/bin/sh
# SPDX-License-Identifier: MIT
#
# SeaBIOS prints before the guest without a newline, so records are matched
# anywhere in a line.
#
# Boots a guest image under QEMU TCG through its Multiboot stub and checks
# its JSON records and exit code.
#
#   boot_qemu.sh IMAGE.mb32 [CMDLINE [GUEST_EXIT]]
#
# CMDLINE defaults to "app=hello", GUEST_EXIT (the code the guest writes to
# port 0xF4) to 0. QEMU's isa-debug-exit turns guest code c into process
# status (c << 1) | 1. Always required: a {"event":"boot"} record. For
# GUEST_EXIT 0 also {"event":"done",...,"ok":true}; for KERNEL_EXIT_FAULT
# (3) a {"event":"fault"} record. Environment: QEMU (binary), QEMU_TIMEOUT
# (seconds, default 60), QEMU_MACHINE (default pc), QEMU_EXTRA (more args).
# Exits 0 on pass, 1 on failure, 77 when QEMU is missing.

set -u

image=${1:?usage: boot_qemu.sh IMAGE.mb32 [CMDLINE [GUEST_EXIT]]}
cmdline=${2:-app=hello}
want_guest=${3:-0}
qemu=${QEMU:-qemu-system-x86_64}
timeout_s=${QEMU_TIMEOUT:-60}
machine=${QEMU_MACHINE:-pc}

if ! command -v "$qemu" >/dev/null 2>&1; then
	echo "SKIP: $qemu not found (apt-get install qemu-system-x86)"
	exit 77
fi
if [ ! -r "$image" ]; then
	echo "FAIL: no image $image"
	exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM

# -nic none and -vga none keep the PCI bus small and boot fast.
# shellcheck disable=SC2086
timeout "$timeout_s" "$qemu" -machine "$machine" -m 256 -smp 1 \
	-kernel "$image" -append "$cmdline" \
	-nographic -no-reboot -display none -monitor none -serial stdio \
	-vga none -nic none \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	${QEMU_EXTRA:-} </dev/null >"$log" 2>&1
status=$?
cat "$log"

fail() {
	echo "FAIL: $image [$cmdline]: $*"
	exit 1
}

if [ "$status" -eq 124 ]; then
	fail "timed out after ${timeout_s}s"
fi
want_status=$(( (want_guest << 1) | 1 ))
if [ "$status" -ne "$want_status" ]; then
	fail "QEMU exit status $status, want $want_status (guest exit $want_guest)"
fi
grep -q '{"event":"boot",' "$log" || fail "no boot record"
if [ "$want_guest" -eq 0 ]; then
	grep -q '{"event":"done",.*"ok":true' "$log" ||
		fail "no done record with ok:true"
	if grep -q '"ok":false' "$log"; then
		fail "a record says ok:false"
	fi
fi
if [ "$want_guest" -eq 3 ]; then
	grep -q '{"event":"fault",' "$log" || fail "no fault record"
fi
echo "PASS: $image [$cmdline]: guest exit $want_guest"
exit 0
