#!/usr/bin/env bash
# size.sh - prints the stripped size of quiver (ReleaseSmall, static, with TLS) per
# target, given pairs (triple, binary) by build.zig.  Budget (DESIGN §6): 300 KiB on x86_64.
set -euo pipefail

budget=$((300 * 1024))
printf '%-22s %10s %8s\n' target bytes KiB
while [ $# -ge 2 ]; do
	size=$(stat -c %s "$2")
	note=""
	if [ "$1" = x86_64-linux-musl ] && [ "$size" -gt $budget ]; then note="  over the 300 KiB budget"; fi
	printf '%-22s %10d %8.1f%s\n' "$1" "$size" "$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1024 }')" "$note"
	shift 2
done
