#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A client that dies or talks garbage loses its own port and nothing else:
# while two endpoints stream through the switch, a third is killed with
# SIGKILL and a fourth connection sends malformed attach messages (short,
# bad magic, bad version, lying lengths, an ATTACH with missing fds, an
# unserved port kind). The stream loses nothing, the dead port is removed,
# every bad message gets an error, and the switch leaks no descriptors.
source "$(dirname "$0")/lib.sh"
sys_require_root
command -v python3 >/dev/null || skip "python3 is needed to send raw messages"

switch_start r
sw_pid=$LAST_PID
fds_before=$(ls /proc/"$sw_pid"/fd | wc -l)

start_bg sink "$BIN/iopath-peer" --sock "$SW_SOCK" --port sink \
	--mac 02:00:00:55:00:02 --ip 10.55.0.2/24 --mode sink --count 6000 \
	--seconds 30
sink_pid=$LAST_PID
wait_for_line "$WORK/sink.out" '"event":"ready"' 10 || fail "sink did not attach"
start_bg victim "$BIN/iopath-peer" --sock "$SW_SOCK" --port victim \
	--mac 02:00:00:55:00:03 --ip 10.55.0.3/24 --mode responder
victim_pid=$LAST_PID
wait_for_line "$WORK/victim.out" '"event":"ready"' 10 || fail "victim did not attach"
start_bg src "$BIN/iopath-peer" --sock "$SW_SOCK" --port src \
	--mac 02:00:00:55:00:01 --ip 10.55.0.1/24 --mode send \
	--dst-ip 10.55.0.2 --rate 2000 --count 6000
sleep 1

# Mid-stream: kill one client outright...
kill -KILL "$victim_pid"
# ...and feed the attach socket garbage from another.
python3 - "$SW_SOCK" >"$WORK/garbage.out" <<'PY'
import socket, struct, sys
path = sys.argv[1]
MAGIC, HELLO, ATTACH = 0x48544150, 1, 3

def hdr(t, length, magic=MAGIC, version=1, seq=1):
    return struct.pack("<IHHII", magic, version, t, length, seq)

hello_body = struct.pack("<HHI32s", 1, 1, 0, b"garbage-test")
attach_body = bytearray(216)
attach_body[0:5] = b"evil\0"
attach_body[64:70] = bytes([2, 0, 0, 0x55, 0, 9])
struct.pack_into("<HHHH", attach_body, 70, 1, 0, 1, 3)  # kind pktchan, 3 fds
pv_body = bytearray(attach_body)
struct.pack_into("<H", pv_body, 70, 2)  # kind pv (not served yet)

cases = {
    "short": b"\x01\x02\x03",
    "bad magic": hdr(HELLO, 56, magic=0xdeadbeef) + hello_body,
    "bad version": hdr(ATTACH, 232, version=99) + bytes(attach_body),
    "length lies": hdr(HELLO, 4000) + hello_body,
    "unknown type": hdr(77, 16),
    "attach without fds": None,
    "unserved kind": None,
}
answers = 0
for name, msg in cases.items():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    if msg is None:
        s.send(hdr(HELLO, 56) + hello_body)
        s.recv(4096)
        body = attach_body if name == "attach without fds" else pv_body
        if name == "unserved kind":
            struct.pack_into("<H", body, 76, 0)   # pv: no fds, no regions
        msg = hdr(ATTACH, 16 + len(body)) + bytes(body)
    s.send(msg)
    try:
        reply = s.recv(4096)
        if len(reply) >= 16 and struct.unpack_from("<H", reply, 6)[0] == 6:
            answers += 1   # an ERROR message
        print(name, "->", "error" if reply else "closed")
    except (socket.timeout, ConnectionResetError):
        print(name, "-> no answer")
    s.close()
print("errors", answers)
PY

wait "$sink_pid" || fail "sink failed"
res=$(grep '"event":"peer"' "$WORK/sink.out")
[[ $(jget "$res" .received) -eq 6000 && $(jget "$res" .lost) -eq 0 ]] ||
	fail "the stream suffered from the others' misbehaviour: $res"
pass "stream of 6000 frames intact while a client was killed and another sent garbage"

errors=$(awk '/^errors/ {print $2}' "$WORK/garbage.out")
[[ $errors -ge 5 ]] || fail "only $errors of 7 bad messages got an ERROR: $(cat "$WORK/garbage.out")"
pass "malformed attach messages answered with errors ($errors of 7; the rest closed)"

ports=$(ctl "$SW_CTL" show-ports | jq -r '[.ports[].name] | join(" ")')
[[ " $ports " != *" victim "* ]] || fail "the killed client's port is still there: $ports"
[[ " $ports " != *" evil "* ]] || fail "a malformed attach created a port: $ports"
pass "the killed client's port is gone; ports now: $ports"

sleep 1	# let the remaining connections close
fds_after=$(ls /proc/"$sw_pid"/fd | wc -l)
[[ $fds_after -le $fds_before ]] ||
	fail "switch descriptors grew from $fds_before to $fds_after"
pass "no descriptor leak ($fds_before before, $fds_after after)"
echo "4 passed, 0 failed"
