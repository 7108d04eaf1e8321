#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The switch's control and attach sockets are its owner's (base/usock.h):
#  1. both are made mode 0600;
#  2. another user is refused on both (SO_PEERCRED), even when the files'
#     modes are opened up by hand: an error, then the hang-up;
#  3. a second switch pointed at a live switch's sockets, at a regular
#     file or at a symlink refuses to start and removes nothing; a stale
#     socket of ours (a switch killed with SIGKILL) is replaced;
#  4. 80 connections that never say a word do not keep a VM out: it
#     attaches while they sit there, and they are closed after 2 s.
source "$(dirname "$0")/lib.sh"
sys_require_root
command -v python3 >/dev/null || skip "python3 is needed to make raw connections"
command -v setpriv >/dev/null || skip "setpriv (util-linux) is needed to become another user"
NOBODY=65534

switch_start s
sw_pid=$LAST_PID
SOCK=$SW_SOCK CTL=$SW_CTL

# --- 1. modes ---
for f in "$SOCK" "$CTL"; do
	[[ $(stat -c %a "$f") == 600 ]] || fail "$f has mode $(stat -c %a "$f"), not 600"
done
pass "the attach and control sockets are made 0600"

# --- 2. another user is refused ---
chmod 711 "$WORK"
chmod 666 "$SOCK" "$CTL"
setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups \
	python3 - "$CTL" "$SOCK" >"$WORK/other.out" 2>&1 <<'PY' || true
import socket, struct, sys
ctl, sock = sys.argv[1], sys.argv[2]

def refused(kind, path, request):
    """Connect as we are, send @request, read until the hang-up: the
    chunks (stream) or messages (seqpacket) that came back."""
    s = socket.socket(socket.AF_UNIX, kind)
    s.settimeout(5)
    s.connect(path)
    try:
        s.send(request)
    except BrokenPipeError:
        pass
    got = []
    for _ in range(64):
        try:
            b = s.recv(4096)
        except ConnectionResetError:
            continue    # reported once; what was sent before stays readable
        if not b:
            break
        got.append(b)
    return got

answer = b"".join(refused(socket.SOCK_STREAM, ctl, b'{"cmd":"show-ports"}\n'))
print("ctl:", answer.decode(errors="replace").strip())
hello = struct.pack("<IHHII", 0x48544150, 1, 1, 56, 1) + \
    struct.pack("<HHI32s", 1, 1, 0, b"intruder")
msgs = refused(socket.SOCK_SEQPACKET, sock, hello)
for m in msgs:
    mtype = struct.unpack_from("<H", m, 6)[0]
    err = struct.unpack_from("<i", m, 16)[0] if len(m) >= 20 else 0
    text = m[20:].split(b"\0")[0].decode(errors="replace")
    print("attach: type %d err %d %s" % (mtype, err, text))
print("attach: closed")
PY
cat "$WORK/other.out"
grep -q '^ctl: {"ok":false,"error":"permission denied' "$WORK/other.out" ||
	fail "another user was not refused on the control socket"
grep -q '^attach: type 6 err 13 permission denied' "$WORK/other.out" ||
	fail "another user was not refused on the attach socket"
[[ $(grep -c '^attach: type' "$WORK/other.out") -eq 1 ]] ||
	fail "the attach socket said more than its refusal"
ctl "$CTL" show-ports >/dev/null || fail "the owner lost the control socket"
denied=$(ctl "$CTL" stats | jq .attach.denied)
[[ $denied -eq 1 ]] || fail "attach denied counter: $denied"
chmod 700 "$WORK"
pass "another user is refused on both sockets (SO_PEERCRED), even at mode 666"

# --- 3. what a socket path may replace ---
# try_switch NAME SOCK CTL: a switch that must refuse to start.
try_switch() {
	if timeout 60 "$BIN/iopath-switch" --name "$T$1" --sock "$2" --ctl "$3" \
		>"$WORK/try-$1.out" 2>"$WORK/try-$1.log"; then
		fail "switch $1 started on $2 / $3"
	fi
}
try_switch live "$SOCK" "$WORK/live.ctl"
grep -q "a server is listening there" "$WORK/try-live.log" ||
	fail "no clear error for a live attach socket: $(tail -3 "$WORK/try-live.log")"
try_switch livectl "$WORK/livectl.sock" "$CTL"
grep -q "a server is listening there" "$WORK/try-livectl.log" ||
	fail "no clear error for a live control socket: $(tail -3 "$WORK/try-livectl.log")"
[[ -S $SOCK && -S $CTL ]] || fail "a live switch's socket was removed"
ctl "$CTL" show-ports >/dev/null || fail "the live switch lost its control socket"
echo precious >"$WORK/file"
try_switch file "$WORK/file" "$WORK/file.ctl"
grep -q "is not a socket" "$WORK/try-file.log" ||
	fail "no clear error for a regular file: $(tail -3 "$WORK/try-file.log")"
[[ $(cat "$WORK/file") == precious ]] || fail "the regular file was touched"
ln -s "$WORK/file" "$WORK/link.sock"
try_switch link "$WORK/link.sock" "$WORK/link.ctl"
[[ -L $WORK/link.sock && $(cat "$WORK/file") == precious ]] ||
	fail "the symlink or its target was touched"
# A switch killed outright leaves stale sockets: the next one takes them.
kill -KILL "$sw_pid"
wait "$sw_pid" 2>/dev/null || true
[[ -S $SOCK && -S $CTL ]] || fail "no stale sockets to test with"
start_bg switch-s2 "$BIN/iopath-switch" --name "${T}s2" --sock "$SOCK" \
	--ctl "$CTL"
for _ in $(seq 300); do
	ctl "$CTL" show-ports >/dev/null 2>&1 && break
	kill -0 "$LAST_PID" 2>/dev/null ||
		fail "the switch did not take the stale sockets: $(tail -3 "$WORK/switch-s2.log")"
	sleep 0.1
done
ctl "$CTL" show-ports >/dev/null || fail "the restarted switch does not answer"
pass "a live switch's sockets, a file and a symlink are refused with a reason; stale sockets of ours are replaced"

# --- 4. silent connections do not keep a VM out ---
python3 - "$SOCK" "$WORK/silent.ready" >"$WORK/silent.out" 2>&1 <<'PY' &
import socket, sys, time
conns = []
for i in range(80):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    s.settimeout(6)
    conns.append(s)
open(sys.argv[2], "w").close()
time.sleep(0.5)
start = time.time()
closed = 0
for s in conns:
    try:
        while s.recv(4096):
            pass
        closed += 1
    except ConnectionResetError:
        closed += 1
    except socket.timeout:
        pass
print("closed %d of %d within %.1f s" % (closed, len(conns), time.time() - start))
PY
silent_pid=$!
SYS_PIDS+=("$silent_pid")
wait_for_file "$WORK/silent.ready" 10 || fail "could not open 80 connections"
t0=$(date +%s%N)
start_bg good "$BIN/iopath-peer" --sock "$SOCK" --port good \
	--mac 02:00:00:56:00:01 --ip 10.56.0.1/24 --mode sink --seconds 5
wait_for_line "$WORK/good.out" '"event":"ready"' 5 ||
	fail "a VM could not attach past 80 silent connections: $(tail -3 "$WORK/good.log")"
ms=$((($(date +%s%N) - t0) / 1000000))
wait "$silent_pid" || true
cat "$WORK/silent.out"
grep -q "closed 80 of 80" "$WORK/silent.out" ||
	fail "the silent connections were not all closed: $(cat "$WORK/silent.out")"
st=$(ctl "$CTL" stats)
echo "attach: $(jget "$st" '.attach | tojson')"
[[ $(jget "$st" '.attach.waiting') -eq 0 ]] || fail "connections still waiting"
pass "a peer attached in $ms ms past 80 silent connections; all 80 were closed (made room for newer ones, or no ATTACH in 2 s)"
echo "4 passed, 0 failed"
