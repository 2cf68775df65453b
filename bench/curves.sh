#!/usr/bin/env bash
# curves.sh - BearSSL's ECDHE cost per curve (X25519, P-256) and one ECDSA P-256
# verification, on x86_64 and, under qemu-user, on arm (bench/lib/curves.c): the
# numbers behind X25519 first in quiver's ClientHello (src/tls/hello.h).
#   bench/curves.sh [N] [RUNS]   N iterations per op (default 200), RUNS runs (default 3)
# qemu times are of emulated code: the ratio between curves is what they say.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
n=${1:-200} runs=${2:-3}
"$root/zigw" version >/dev/null # installs the pinned Zig when missing
zig=$(ls "$root"/.tools/zig-*/ziglang/zig | head -n 1)
b="$root/third_party/bearssl"
out="$here/results/tmp/curves"
mkdir -p "$out"
srcs=("$b"/src/ec/*.c "$b"/src/int/*.c "$b"/src/hash/*.c "$b"/src/codec/*.c "$b"/src/rand/*.c "$b"/src/mac/*.c)
for t in x86_64-linux-musl:- arm-linux-musleabihf:qemu-arm-static; do
	triple=${t%%:*} runner=${t#*:}
	bin="$out/curves-$triple"
	"$zig" cc -O2 -target "$triple" -I"$b/inc" -I"$b/src" -o "$bin" "$here/lib/curves.c" "${srcs[@]}"
	if [ "$runner" != - ] && ! command -v "$runner" >/dev/null; then
		echo "== $triple: skipped ($runner not installed: apt-get install qemu-user-static)"
		continue
	fi
	for r in $(seq "$runs"); do
		echo "== $triple run $r"
		if [ "$runner" = - ]; then "$bin" "$n"; else "$runner" "$bin" "$n"; fi
	done
done
