#!/usr/bin/env bash
# engines.sh - quiver's three engines against the book's Python programs
# (bench/py: flags.py, flags_threadpool.py, flags_asyncio.py with httpx) on a
# latency-bound load: `quiver serve --delay 0.1`, POP20 and all 194 flags.
#
# Each time is printed as a ratio to the physical limit ceil(n/c) x delay:
# no client can beat one server delay per round of c requests, so 1.00 is
# perfect and the ratio is what the client itself costs.
#
#   bench/engines.sh                 c = 20, seq programs on both lists
#   bench/engines.sh -c 50           another concurrency
#   bench/engines.sh --quick         skip the sequential programs on 194 flags
#                                    (about a minute of waiting)
#   QUIVER=path bench/engines.sh     use that binary (default: build ReleaseFast)
#
# Not a test: nothing asserts a time.  Scratch in bench/results/tmp/engines/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
tmp="$here/results/tmp/engines"
conc=20 delay=0.1 quick=0
while [ $# -gt 0 ]; do
	case $1 in
	-c) conc=$2; shift 2 ;;
	--delay) delay=$2; shift 2 ;;
	--quick) quick=1; shift ;;
	-h | --help) sed -n '2,17p' "$0"; exit 0 ;;
	*) echo "engines.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
mkdir -p "$tmp"

# The binary: ReleaseFast, the build a user who wants speed makes.
quiver=${QUIVER:-}
if [ -z "$quiver" ]; then
	(cd "$root" && ./zigw build -Doptimize=ReleaseFast -p "$here/results/tmp/zig-out") >&2
	quiver="$here/results/tmp/zig-out/bin/quiver"
fi

# Python: the venv with httpx (shared with bench/run.sh); the stdlib
# stand-ins in bench/py when pip cannot install it.
py="$here/.venv/bin/python"
if [ ! -x "$py" ] || ! "$py" -c 'import httpx' 2>/dev/null; then
	{ python3 -m venv "$here/.venv" && "$here/.venv/bin/python" -m pip install -q httpx; } >&2 ||
		echo "engines.sh: no httpx (pip failed); the Python rows use the stdlib stand-ins" >&2
fi
[ -x "$py" ] || py=python3
pylabel=$("$py" -c 'import httpx; print("httpx " + httpx.__version__)' 2>/dev/null || echo "stdlib stand-in")

ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
"$quiver" serve --port 0 --delay "$delay" >"$tmp/serve.out" 2>"$tmp/serve.err" &
server_pid=$!
for _ in $(seq 100); do
	site=$(head -n 1 "$tmp/serve.out" 2>/dev/null || true)
	[ -n "$site" ] && break
	sleep 0.05
done
[ -n "${site:-}" ] || { echo "engines.sh: quiver serve did not start" >&2; cat "$tmp/serve.err" >&2; exit 1; }

pop20="CN IN US ID BR PK NG BD RU KR MX PH VN ET EG DE IR TR CD FR"
codes_file="${QV_SHARED:-$root/../shared}/flags/country_codes.txt"
all=$(cat "$codes_file" 2>/dev/null || true)
if [ -z "$all" ]; then
	echo "engines.sh: $codes_file not found (set QV_SHARED)" >&2
	exit 1
fi

# measure LABEL N C CMD...: run CMD in a fresh directory; print one row.
# "seconds" is the time the program reports ("N downloads in S s", as the
# book compares them); "wall" adds process start-up (Python imports httpx).
measure() {
	local label=$1 n=$2 c=$3 dir="$tmp/run" t0 t1 got secs wall limit rounds
	shift 3
	rm -rf "$dir"
	mkdir -p "$dir"
	t0=$(date +%s%N)
	if ! (cd "$dir" && "$@" >"$tmp/out" 2>"$tmp/err"); then :; fi
	t1=$(date +%s%N)
	got=$(find "$dir" -name '*.gif' | wc -l)
	rounds=$(((n + c - 1) / c))
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
	secs=$(sed -nE 's/^[0-9]+ downloads in ([0-9.]+)s$/\1/p' "$tmp/out" | tail -n 1)
	limit=$(awk -v r="$rounds" -v d="$delay" 'BEGIN { printf "%.2f", r * d }')
	if [ "$got" -ne "$n" ] || [ -z "$secs" ]; then
		printf "  %-24s %5s %8s %8s %8s %7s   FAILED: %s of %s files (%s)\n" "$label" "$c" \
			"${secs:--}" "$wall" "$limit" "-" "$got" "$n" "$(head -c 120 "$tmp/err" | tr '\n' ' ')"
		return
	fi
	printf "  %-24s %5s %8s %8s %8s %7s\n" "$label" "$c" "$secs" "$wall" "$limit" \
		"$(awk -v s="$secs" -v l="$limit" 'BEGIN { printf "%.2f", s / l }')"
}

run_case() {
	local title=$1 codes=$2 seq=$3 n
	n=$(wc -w <<<"$codes")
	echo
	echo "$title: $n flags, server delay ${delay}s, c = $conc"
	printf "  %-24s %5s %8s %8s %8s %7s\n" "program" "c" "seconds" "wall" "limit" "ratio"
	# shellcheck disable=SC2086
	{
		if [ "$seq" = 1 ]; then
			measure "quiver seq" "$n" 1 "$quiver" flags --engine seq -o . --site "$site" $codes
			measure "py flags.py" "$n" 1 "$py" "$here/py/flags.py" --site "$site" -o . $codes
		fi
		measure "quiver threads" "$n" "$conc" "$quiver" flags --engine threads -w "$conc" -o . --site "$site" $codes
		measure "quiver poll" "$n" "$conc" "$quiver" flags --engine poll -w "$conc" -o . --site "$site" $codes
		measure "py flags_threadpool.py" "$n" "$conc" "$py" "$here/py/flags_threadpool.py" -w "$conc" --site "$site" -o . $codes
		measure "py flags_asyncio.py" "$n" "$conc" "$py" "$here/py/flags_asyncio.py" -w "$conc" --site "$site" -o . $codes
	}
}

echo "quiver engines vs the book's Python programs ($pylabel, $("$py" -V 2>&1))"
echo "$("$quiver" --version); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "ratio = seconds / limit, limit = ceil(n / c) x delay: 1.00 is the physical limit"
run_case "POP20" "$pop20" 1
run_case "all 194" "$all" $((1 - quick))
