#!/usr/bin/env bash
# run.sh - runs every test suite given by build.zig and prints one closing line
# `N passed, N failed[, N skipped]` over all of them (exit 1 on any failure).
#
#   --unit=LABEL BIN       a unit-test binary (tq harness)
#   --unit=LABEL:F BIN     the same, running only the cases whose "suite/case"
#                          contains F (e.g. tsan:engine/: TSan for the engines)
#   --skip-unit=F|TEXT     a unit pass that cannot run here (TEXT says why and
#                          what enables it); its cases (those of the first
#                          unit binary matching F, or the command-line filter)
#                          count as skipped
#   --skip-integration=TEXT  an integration pass that cannot run here; it
#                          counts the release pass's cases as skipped
#   --quiver BIN           the quiver binary: runs tests/integration/run.py
#   --commands=LIST        the commands BIN was built with (-Dcommands)
#   --server BIN           the full build, which serves the lean pass
#   --quiver-lean=LIST BIN the lean build (commands LIST): the integration
#                          modules of what it contains (LEAN_MODULES), again;
#                          cases that run a command it lacks are skipped
#   --quiver-asan BIN      quiver built with ASan+UBSan: run.py runs the whole
#                          integration suite a second time with it (ctx.asan in all)
#   --cross=TRIPLE=QEMU BIN  a big-endian quiver for test_bigendian (release pass)
#   --cross-missing=TRIPLE=WHY  why that one cannot run here
#   anything else          passed through as a filter to every suite (one test by name)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# The modules that test what the lean build contains (get, the wget mode,
# its TLS client).
LEAN_MODULES=test_cli,test_get,test_tls,test_wget
# Modules that run in the release pass only (qemu is slow; the other passes
# test the native binary).
RELEASE_ONLY=test_bigendian
passed=0 failed=0 skipped=0
filter=()
units=()
skip_units=()
skip_integration=()
summary=() # one line per suite, repeated above the closing line
quiver="" quiver_asan="" quiver_lean="" lean_commands="" server="" commands=""
cross=()

while [ $# -gt 0 ]; do
	case "$1" in
	--unit=*) units+=("${1#--unit=}" "$2"); shift 2 ;;
	--skip-unit=*) skip_units+=("${1#--skip-unit=}"); shift ;;
	--skip-integration=*) skip_integration+=("${1#--skip-integration=}"); shift ;;
	--quiver) quiver=$2; shift 2 ;;
	--commands=*) commands=${1#--commands=}; shift ;;
	--server) server=$2; shift 2 ;;
	--quiver-lean=*) lean_commands=${1#--quiver-lean=} quiver_lean=$2; shift 2 ;;
	--quiver-asan) quiver_asan=$2; shift 2 ;;
	--cross=*) cross+=(--cross "${1#--cross=}:$2"); shift 2 ;;
	--cross-missing=*) cross+=(--cross-missing "${1#--cross-missing=}"); shift ;;
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
	# run.py's one line per distinct skip reason (what enables it)
	while IFS= read -r why; do
		summary+=("   $why")
	done < <(grep -E '^  skipped [0-9]+: ' "$2" | sed 's/^  //')
}

# sum: the sum of the numbers on stdin (no bc on a fresh machine)
sum() {
	local n t=0
	while read -r n; do t=$((t + n)); done
	echo $t
}

# skip_pass COUNT TEXT: a pass that cannot run here, one line.
skip_pass() {
	echo "== skipped: $2 ($1 cases)"
	summary+=("== skipped: $2 ($1 cases)")
	skipped=$((skipped + $1))
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

i=0
first_unit=""
while [ $i -lt ${#units[@]} ]; do
	label=${units[$i]} bin=${units[$((i + 1))]}
	[ -n "$first_unit" ] || first_unit=$bin
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
for s in "${skip_units[@]}"; do
	f=${s%%|*} text=${s#*|}
	ufilter=("${filter[@]}")
	[ ${#filter[@]} -eq 0 ] && [ -n "$f" ] && ufilter=("$f")
	n=$("$first_unit" --count "${ufilter[@]}" 2>/dev/null | grep -oE '^[0-9]+' || echo 1)
	skip_pass "$n" "$text"
done

# integration LABEL BIN [run.py options...]: the integration suite with BIN.
release_cases=0
integration() {
	local label=$1 bin=$2 asan=() only=()
	shift 2
	[ -n "$quiver_asan" ] && asan=(--quiver-asan "$quiver_asan")
	[ "$label" = lean ] && only=(--modules "$LEAN_MODULES")
	[ "$label" = release ] || only+=(--exclude "$RELEASE_ONLY")
	echo "== integration tests ($label)"
	python3 "$here/integration/run.py" --quiver "$bin" "${asan[@]}" "${only[@]}" "$@" "${filter[@]}" 2>&1 | tee "$tmp/out"
	tally "integration ($label)" "$tmp/out" "${PIPESTATUS[0]}"
	# the hostile suite's own count (issue 7: it passes with every engine, in both passes)
	local hostile line
	hostile=$(grep -E '^  test_hostile: ' "$tmp/out" | sed 's/^  test_hostile: //')
	[ -n "$hostile" ] && summary+=("== integration ($label): hostile suite (all engines) $hostile")
	if [ "$label" = release ]; then
		line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/out" | tail -n 1)
		release_cases=$(grep -oE '[0-9]+' <<<"$line" | sum)
	fi
}

if [ -n "$quiver" ] && ! command -v python3 >/dev/null 2>&1; then
	n=$(grep -hcE '^def test_' "$here"/integration/test_*.py | sum)
	skip_pass "$n" "integration tests: python3 not found; enable: apt-get install python3"
	quiver="" quiver_asan="" quiver_lean=""
	skip_integration=()
fi
[ -n "$quiver" ] && integration release "$quiver" ${commands:+--commands "$commands"} "${cross[@]}"
[ -n "$quiver_lean" ] && integration lean "$quiver_lean" --commands "$lean_commands" --server "$server"
[ -n "$quiver_asan" ] && integration asan+ubsan "$quiver_asan"
for s in "${skip_integration[@]}"; do
	skip_pass "$release_cases" "$s"
done

echo
printf '%s\n' "${summary[@]}"
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
