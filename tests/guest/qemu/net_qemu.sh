#!/bin/sh
# SPDX-License-Identifier: MIT
#
# The guest network stack and 21140 driver against QEMU's tulip model (a
# 21143, 1011:0019): a second opinion on the driver, independent of
# iopath's own model. Boots net.mb32 under QEMU TCG through its Multiboot
# stub and checks the apps' JSON records and exit codes.
#
#   net_qemu.sh IMAGE.mb32 [SCENARIO...]
#
# Scenarios (default: all of them):
#   slirp   ping QEMU's user-mode network gateway 10.0.2.2 (slirp answers
#           ICMP to its own addresses; restrict=on keeps every packet
#           inside the QEMU process), once in poll mode with the memory
#           BAR and ring descriptors, once in irq mode (INTx through the
#           IOAPIC: QEMU's tulip has no MSI) with the I/O BAR and chained
#           descriptors
#   pair    two guests joined by a localhost socket netdev (one listens
#           on 127.0.0.1:PORT, the other connects): pktgen -> sink with
#           no loss at 1000 pps over 4 flows in the default (adaptive)
#           mode, both sleeping on interrupts; ping -> echo; pktgen
#           latency=1 -> reflect in irq mode with every frame returned;
#           latency=2 timing only each pacing group's first frame
#
# Environment: QEMU (binary), QEMU_TIMEOUT (seconds per guest, default
# 60), NET_QEMU_PORT (first TCP port for pair, default from the PID),
# NET_QEMU_KEEP=1 keeps the logs (printed path).
# Exits 0 on pass, 1 on failure, 77 when QEMU or its tulip is missing.

set -u

image=${1:?usage: net_qemu.sh IMAGE.mb32 [slirp|pair ...]}
shift
scenarios=${*:-slirp pair}
qemu=${QEMU:-qemu-system-x86_64}
timeout_s=${QEMU_TIMEOUT:-60}
port=${NET_QEMU_PORT:-$((20000 + $$ % 20000))}

if ! command -v "$qemu" >/dev/null 2>&1; then
	echo "SKIP: $qemu not found (apt-get install qemu-system-x86)"
	exit 77
fi
if ! "$qemu" -device help 2>/dev/null | grep -q '^name "tulip"'; then
	echo "SKIP: $qemu has no tulip device"
	exit 77
fi
if [ ! -r "$image" ]; then
	echo "FAIL: no image $image"
	exit 1
fi

dir=$(mktemp -d)
if [ "${NET_QEMU_KEEP:-0}" = 1 ]; then
	echo "logs in $dir"
else
	trap 'rm -rf "$dir"' EXIT INT TERM
fi
failed=0

# guest NAME NETDEV MAC CMDLINE: boots one guest, log in $dir/NAME.log,
# QEMU's exit status in $dir/NAME.status.
guest() {
	timeout "$timeout_s" "$qemu" -machine pc -m 256 -smp 1 \
		-kernel "$image" -append "$4" \
		-nographic -no-reboot -display none -monitor none \
		-serial stdio -vga none -nic none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-netdev "$2" -device "tulip,netdev=n0,mac=$3" \
		</dev/null >"$dir/$1.log" 2>&1
	echo $? >"$dir/$1.status"
}

fail() {
	echo "FAIL: $*"
	failed=1
}

# check NAME PATTERN...: guest exit 0 (QEMU status 1) and every pattern
# (grep -E) found in its log.
check() {
	name=$1
	shift
	status=$(cat "$dir/$name.status")
	sed -n 's/.*\({"event":"\(netdev\|ping\|echo\|pktgen\|sink\|reflect\|error\)".*\)/\1/p' \
		"$dir/$name.log" | cut -c1-400 | sed "s/^/  $name: /"
	if [ "$status" -ne 1 ]; then
		fail "$name: QEMU status $status, want 1 (guest exit 0)"
		return
	fi
	grep -q '{"event":"done",.*"ok":true' "$dir/$name.log" ||
		fail "$name: no done record with ok:true"
	for pat in "$@"; do
		grep -Eq "$pat" "$dir/$name.log" || fail "$name: no match for $pat"
	done
}

# pair NAME CMD_A CMD_B: A listens, B connects; both must finish.
pair() {
	guest "$1-a" "socket,id=n0,listen=127.0.0.1:$port" 02:00:00:00:00:02 \
		"$2" &
	apid=$!
	# QEMU accepts the connection once its listening socket is up
	sleep 1
	guest "$1-b" "socket,id=n0,connect=127.0.0.1:$port" \
		02:00:00:00:00:01 "$3"
	wait "$apid"
	port=$((port + 1))
}

slirp_net="user,id=n0,restrict=on"
netdev_ok='"event":"netdev","driver":"tulip","model":"21143".*"link":true.*"srom_crc_ok":true,"srom_mac":"52:54:00:12:34:56","phy":1'
ping5='"event":"ping",.*"sent":5,"received":5,"dups":0,"loss_pct":0.0'

for s in $scenarios; do
	case $s in
	slirp)
		guest slirp-poll "$slirp_net" 52:54:00:12:34:56 \
			"app=ping dst=10.0.2.2 ip=10.0.2.15/24 count=5 interval_ms=100 mode=poll"
		check slirp-poll "$netdev_ok" "$ping5" '"mode":"poll","irq":"none"' \
			'"bar":"mmio","desc":"ring"' '"event":"ping",.*"irqs":0,"sleeps":0,'

		guest slirp-irq "$slirp_net" 52:54:00:12:34:56 \
			"app=ping dst=10.0.2.2 ip=10.0.2.15/24 count=5 interval_ms=100 mode=irq bar=io desc=chain"
		check slirp-irq "$netdev_ok" "$ping5" '"mode":"irq","irq":"intx"' \
			'"bar":"io","desc":"chain"' '"event":"ping",.*"irqs":[1-9]'
		;;
	pair)
		pair sink "app=sink ip=10.0.0.2/24 idle_ms=5000" \
			"app=pktgen dst=10.0.0.2 ip=10.0.0.1/24 rate=1000 count=1000 flows=4"
		check sink-a '"event":"sink","received":1000,.*"expected":1000,"lost":0,.*"reordered":0,"duplicated":0,"csum_errors":0,"fin":true' \
			'"mode":"adaptive","poll_us":[0-9]+,"irq":"intx"' \
			'"event":"sink",.*"irqs":[1-9][0-9]*,"sleeps":[1-9]'
		check sink-b '"event":"pktgen",.*"tx_packets":1000,' \
			'"event":"pktgen",.*"sleeps":[1-9]'
		pair echo "app=echo ip=10.0.0.2/24 seconds=0 count=5 mode=irq" \
			"app=ping dst=10.0.0.2 ip=10.0.0.1/24 count=5 interval_ms=50"
		check echo-a '"event":"echo",.*"icmp_echoed":5'
		check echo-b "$ping5"
		pair reflect "app=reflect ip=10.0.0.2/24 idle_ms=3000 mode=irq" \
			"app=pktgen dst=10.0.0.2 ip=10.0.0.1/24 rate=500 count=500 flows=2 latency=1 mode=irq"
		check reflect-a '"event":"reflect",.*"reflected":50[0-9],'
		check reflect-b '"event":"pktgen",.*"tx_packets":500,.*"rx_packets":500,"lost":0,"rtt_of":"all","rtt_us":\{"n":500,'
		# latency=2: only each group's first frame is timed; 2000
		# frames in groups of at least 50 make at most 40 samples
		pair probes "app=reflect ip=10.0.0.2/24 idle_ms=3000 mode=irq" \
			"app=pktgen dst=10.0.0.2 ip=10.0.0.1/24 rate=5000 count=2000 pace_us=10000 latency=2 mode=irq"
		check probes-b '"event":"pktgen",.*"tx_packets":2000,.*"rx_packets":2000,"lost":0,"rtt_of":"group_heads","rtt_us":\{"n":([1-9]|[1-3][0-9]|40),'
		;;
	*)
		echo "unknown scenario $s (slirp, pair)"
		exit 1
		;;
	esac
done

if [ "$failed" -ne 0 ]; then
	echo "FAIL: $image [$scenarios]"
	exit 1
fi
echo "PASS: $image [$scenarios]"
exit 0
