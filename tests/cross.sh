#!/usr/bin/env bash
# cross.sh - for each target (triple, qemu, quiver, unit-tests) given by build.zig:
# check the binary's architecture and run the unit tests (under qemu-user when
# not native; without it a target's tests are skipped, one line saying so).
# Prints pass/fail per target; exit 1 if any failed.
set -uo pipefail

fail=0
printf '%-22s %-8s %s\n' target binary "unit tests"
while [ $# -ge 4 ]; do
	triple=$1 qemu=$2 exe=$3 unit=$4
	shift 4
	kind=$(file -b "$exe" 2>/dev/null | cut -d, -f1-2)
	if [ "$qemu" = "-" ]; then
		runner=()
	elif command -v "$qemu" >/dev/null 2>&1; then
		runner=("$qemu")
	else
		# built (that is checked); the tests need qemu-user: one line, no failure
		printf '%-22s %-8s %s\n' "$triple" built "unit tests skipped: $qemu not found; enable: apt-get install qemu-user-static"
		continue
	fi
	out=$("${runner[@]}" "$unit" 2>&1)
	status=$?
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -n 1)
	if [ $status -eq 0 ] && [ -n "$line" ]; then
		printf '%-22s %-8s %s  (%s)\n' "$triple" built "$line" "$kind"
	else
		printf '%-22s %-8s %s\n' "$triple" built "FAILED (exit $status): ${line:-no result line}"
		grep -E '^(FAIL|  )' <<<"$out" | head -n 20
		fail=1
	fi
done
exit $fail
