#!/usr/bin/env bash
# run.sh - the one entry point of quiver's benchmark suite (DESIGN §7): installs the peers
# when missing, builds quiver ReleaseFast into bench/results/tmp/, then runs every case of
# bench/lib/suite.py and writes bench/results/latest.{json,md,png}.
#
#   bench/run.sh            every case, 3 repetitions each (median and spread)
#   bench/run.sh --quick    1 repetition
#   bench/run.sh --reps N   N repetitions;  --only 1,4,9  a subset of the cases
#   bench/run.sh --no-install --no-build   use what is there
#   bench/run.sh --profile  callgrind over small quiver and curl runs -> bench/results/profile.md
#   bench/curves.sh         BearSSL's ECDHE cost per curve, x86_64 and arm (qemu)
#
# Not a test: nothing here asserts a time.  Scratch lives in bench/results/tmp/ (git-ignored).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
tmp="$here/results/tmp"
install=1 build=1 profile=0 args=()
for a in "$@"; do
	case $a in
	--no-install) install=0 ;;
	--no-build) build=0 ;;
	--profile) profile=1 ;;
	*) args+=("$a") ;;
	esac
done
mkdir -p "$tmp"

# Peers from Debian.  gnuplot draws the plot; python3-matplotlib would pull ~100 MB more.
if [ $install = 1 ]; then
	need=()
	for pair in curl:curl wget2:wget2 aria2c:aria2 nginx:nginx-light openssl:openssl \
		gnuplot:gnuplot-nox valgrind:valgrind; do
		command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || need+=("${pair#*:}")
	done
	[ -x /usr/bin/time ] || need+=(time)
	if [ ${#need[@]} -gt 0 ]; then
		echo "run.sh: installing ${need[*]}" >&2
		sudo_=""
		[ "$(id -u)" = 0 ] || sudo_=sudo
		$sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2 ||
			{ $sudo_ apt-get update -q >&2 && $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2; }
	fi
	# The book's Python programs use httpx; one venv shared with bench/engines.sh.
	if [ ! -x "$here/.venv/bin/python" ]; then
		python3 -m venv "$here/.venv"
	fi
	"$here/.venv/bin/python" -c 'import httpx' 2>/dev/null ||
		"$here/.venv/bin/python" -m pip install -q httpx >&2
fi

# ReleaseFast: the speed a user who builds for speed gets; debug symbols stay in this copy
# (not stripped) so callgrind can name functions.  The size case uses `zig build size`.
# The tree is shared with engineers mid-edit: when it does not build, the previous build is
# used (if any) and the results say so.
if [ $build = 1 ]; then
	if ! (cd "$root" && ./zigw build -Doptimize=ReleaseFast -p "$tmp/zig-out") >&2; then
		[ -x "$tmp/zig-out/bin/quiver" ] || { echo "run.sh: quiver does not build" >&2; exit 1; }
		echo "run.sh: build failed; using the previous build in $tmp/zig-out" >&2
		export QV_BENCH_STALE_BUILD=1
	fi
fi

# Case 11c also runs an arm build under qemu-user (the bundle load on a small CPU, emulated).
arm="$tmp/zig-out-arm/bin/quiver"
if [ $build = 1 ] && command -v qemu-arm-static >/dev/null 2>&1; then
	(cd "$root" && ./zigw build -Dtarget=arm-linux-musleabihf -Doptimize=ReleaseFast -p "$tmp/zig-out-arm") >&2 ||
		echo "run.sh: the arm build failed; case 11c runs x86_64 only" >&2
fi
[ -x "$arm" ] || arm=""

# Thousands of sockets at once need more than the usual soft limit of 1024 descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

if [ $profile = 1 ]; then
	exec python3 "$here/lib/profile.py" "$root" "$tmp/zig-out/bin/quiver"
fi
exec python3 "$here/lib/suite.py" --root "$root" --quiver "$tmp/zig-out/bin/quiver" \
	--quiver-arm "$arm" --venv "$here/.venv" ${args[@]+"${args[@]}"}
