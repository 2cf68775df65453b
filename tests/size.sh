#!/usr/bin/env bash
# size.sh - the stripped size of quiver (ReleaseSmall, static, with TLS) per
# target, the full build and the lean one (-Dcommands=lean: get, wget and the
# TLS client), against the budgets of DESIGN §6.  build.zig passes, per target:
#   TRIPLE FULL_BUDGET FULL_CEILING FULL_BINARY LEAN_BUDGET LEAN_CEILING LEAN_BINARY
# (KiB).  A budget of 0 means reported, not gated.  A ceiling (0: none) is
# where a binary over its budget stands today: past it the step fails too, so
# nothing grows while the budget is missed.  Exit 1 when a binary is over its
# budget and has no ceiling, or is past its ceiling.
set -euo pipefail

kib() { awk -v s="$1" 'BEGIN { printf "%.1f", s / 1024 }'; }

# cell SIZE BUDGET CEILING: "299.4/300, 0.6 free", "310.2/300 OVER by 10.2",
# "310.2/300 OVER by 10.2 (ceiling 311)" or "310.2 (reported)"
cell() {
	local size=$1 budget=$2 ceiling=$3
	if [ "$budget" -eq 0 ]; then
		printf '%s' "$(kib "$size") (reported)"
	elif [ "$size" -gt $((budget * 1024)) ]; then
		printf '%s' "$(kib "$size")/$budget OVER by $(kib $((size - budget * 1024)))"
		[ "$ceiling" -ne 0 ] && printf ' (ceiling %s)' "$ceiling"
	else
		printf '%s' "$(kib "$size")/$budget, $(kib $((budget * 1024 - size))) free"
	fi
}

# fails SIZE BUDGET CEILING: over the budget with no ceiling, or past the ceiling
fails() {
	[ "$2" -ne 0 ] && [ "$1" -gt $(($2 * 1024)) ] || return 1
	[ "$3" -eq 0 ] || [ "$1" -gt $(($3 * 1024)) ]
}

# over SIZE BUDGET: over the budget (a ceiling or not)
over() { [ "$2" -ne 0 ] && [ "$1" -gt $(($2 * 1024)) ]; }

failed=0 missed=0
printf '%-23s %-42s %s\n' target "full KiB (budget)" "lean KiB (budget)"
while [ $# -ge 7 ]; do
	triple=$1 fb=$2 fc=$3 full=$(stat -c %s "$4") lb=$5 lc=$6 lean=$(stat -c %s "$7")
	shift 7
	printf '%-23s %-42s %s\n' "$triple" "$(cell "$full" "$fb" "$fc")" "$(cell "$lean" "$lb" "$lc")"
	if fails "$full" "$fb" "$fc" || fails "$lean" "$lb" "$lc"; then failed=1; fi
	if over "$full" "$fb" || over "$lean" "$lb"; then missed=1; fi
done
hint="find the bytes: ./zigw build -Doptimize=ReleaseSmall -Dstrip=false -Dtarget=T, then nm --size-sort -S zig-out/bin/quiver"
if [ $failed -ne 0 ]; then
	echo "size: over budget, or grown past a ceiling (DESIGN §6; ceilings in build.zig); $hint"
	exit 1
fi
if [ $missed -ne 0 ]; then
	echo "size: nothing grew past its ceiling, but some budgets of DESIGN §6 are still missed; $hint"
	exit 0
fi
echo "size: every gated binary within its budget"
