#!/usr/bin/env bash
# run.sh - runs every test suite given by build.zig and prints one closing line
# `N passed, N failed[, N skipped]` over all of them (exit 1 on any failure).
#
#   --unit=LABEL BIN     a unit-test binary (tq harness)
#   --unit=LABEL:F BIN   the same, running only the cases whose "suite/case"
#                        contains F (e.g. tsan:engine/: TSan for the engines)
#   --skip=TEXT          a suite that could not run here (counted as 1 skipped)
#   --quiver BIN         the quiver binary: runs tests/integration/run.py
#   --quiver-asan BIN    quiver built with ASan+UBSan: run.py runs the whole
#                        integration suite a second time with it (ctx.asan in both)
#   anything else        passed through as a filter to every suite (one test by name)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0 skipped=0
filter=()
units=()
skips=()
summary=() # one line per suite, repeated above the closing line
quiver=""
quiver_asan=""

while [ $# -gt 0 ]; do
	case "$1" in
	--unit=*) units+=("${1#--unit=}" "$2"); shift 2 ;;
	--skip=*) skips+=("${1#--skip=}"); shift ;;
	--quiver) quiver=$2; shift 2 ;;
	--quiver-asan) quiver_asan=$2; shift 2 ;;
	*) filter+=("$1"); shift ;;
	esac
done

# tally LABEL OUTPUT_FILE STATUS: add the suite's closing line to the totals.
tally() {
	local line p f s
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$2" | tail -n 1)
	if [ -z "$line" ]; then
		echo "== $1: no result line (exit $3); counted as 1 failed"
		summary+=("== $1: no result line (exit $3); counted as 1 failed")
		tail -n 20 "$2"
		failed=$((failed + 1))
		return
	fi
	p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")
	s=0
	if grep -q skipped <<<"$line"; then s=$(sed -E 's/.*, ([0-9]+) skipped.*/\1/' <<<"$line"); fi
	if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "== $1: exit status $3 with no failed test; counted as 1 failed"
		summary+=("== $1: exit status $3 with no failed test; counted as 1 failed")
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	echo "== $1: $line"
	summary+=("== $1: $line")
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

i=0
while [ $i -lt ${#units[@]} ]; do
	label=${units[$i]} bin=${units[$((i + 1))]}
	ufilter=("${filter[@]}")
	if [[ $label == *:* ]]; then
		# the unit's own filter; a filter given on the command line wins
		[ ${#filter[@]} -eq 0 ] && ufilter=("${label#*:}")
		label=${label%%:*}
	fi
	echo "== unit tests ($label)"
	"$bin" "${ufilter[@]}" >"$tmp/out" 2>&1
	status=$?
	grep -vE '^[0-9]+ passed, [0-9]+ failed' "$tmp/out"
	tally "unit ($label)" "$tmp/out" $status
	i=$((i + 2))
done

# integration LABEL BIN: the integration suite with quiver binary BIN.
integration() {
	local asan=()
	[ -n "$quiver_asan" ] && asan=(--quiver-asan "$quiver_asan")
	echo "== integration tests ($1)"
	python3 "$here/integration/run.py" --quiver "$2" "${asan[@]}" "${filter[@]}" 2>&1 | tee "$tmp/out"
	tally "integration ($1)" "$tmp/out" "${PIPESTATUS[0]}"
	# the hostile suite's own count (issue 7: it passes with every engine, in both passes)
	local hostile
	hostile=$(grep -E '^  test_hostile: ' "$tmp/out" | sed 's/^  test_hostile: //')
	[ -n "$hostile" ] && summary+=("== integration ($1): hostile suite (all engines) $hostile")
}

[ -n "$quiver" ] && integration release "$quiver"
[ -n "$quiver_asan" ] && integration asan+ubsan "$quiver_asan"

for s in "${skips[@]}"; do
	echo "== skipped: $s"
	summary+=("== skipped: $s")
	skipped=$((skipped + 1))
done

echo
printf '%s\n' "${summary[@]}"
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
