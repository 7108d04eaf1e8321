#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The system tests' PATH holds the commands of scripts/setup's run
# packages and nothing else: what they run is there (ping was once
# missing from a fresh machine), and a command from a package outside the
# list (the compiler, cmake, git) is not, so a test that needs one fails.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d /tmp/iopath-path-XXXXXX)
trap 'rm -rf "$dir"' EXIT

"$src/scripts/test-path" "$dir/bin"
for cmd in ping ip bridge jq timeout tcpdump xmllint python3 awk sh \
	   pgrep setsid stdbuf dpdk-testpmd qemu-system-x86_64; do
	[[ -x $dir/bin/$cmd ]] || { echo "FAIL: $cmd is not in the tests' PATH"; exit 1; }
done
for cmd in gcc cc cmake git make; do
	if [[ -e $dir/bin/$cmd ]]; then
		echo "FAIL: $cmd (not a run package's) is in the tests' PATH"
		exit 1
	fi
done
# And with that PATH a missing command really fails.
if PATH=$dir/bin bash -c 'cmake --version' >/dev/null 2>&1; then
	echo "FAIL: cmake ran with the tests' PATH"
	exit 1
fi
echo "PASS: $(ls "$dir/bin" | wc -l) commands from scripts/setup's run packages, nothing else"
