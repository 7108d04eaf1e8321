# SPDX-License-Identifier: MIT
# Sourced (with the script's arguments) by the exit benchmarks,
# emu_exits.sh and pv_exits.sh: their options, set-up and checks.
#   --runs N (default 3)  --count FRAMES (default 20000)  --out DIR
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RUNS=3
COUNT=20000
OUT=$top/results
while (($#)); do
	case $1 in
	--runs) RUNS=$2; shift ;;
	--count) COUNT=$2; shift ;;
	--out) OUT=$2; shift ;;
	*) echo "usage: $0 [--runs N] [--count FRAMES] [--out DIR]" >&2; exit 2 ;;
	esac
	shift
done
export IOPATH_BIN=${IOPATH_BIN:-$top/build/bin}
[[ -x $IOPATH_BIN/iopath-vmm ]] || "$top/scripts/setup"
source "$top/tests/system/lib.sh"
sys_require_root
[[ -r /dev/kvm ]] || skip "/dev/kvm is not usable here"
mkdir -p "$OUT"
