#!/usr/bin/env bash
# size.sh - the stripped size of quiver (ReleaseSmall, static, with TLS) per
# target, the full build and the lean one (-Dcommands=lean: get and the TLS
# client), against the budgets of DESIGN §6.  build.zig passes, per target:
#   TRIPLE FULL_BUDGET_KIB FULL_BINARY LEAN_BUDGET_KIB LEAN_BINARY
# A budget of 0 means reported, not gated.  Exit 1 when any binary is over.
set -euo pipefail

kib() { awk -v s="$1" 'BEGIN { printf "%.1f", s / 1024 }'; }

# cell SIZE BUDGET: "299.4/300, 0.6 free", "310.2/300 OVER by 10.2" or
# "310.2 (reported)"
cell() {
	local size=$1 budget=$2
	if [ "$budget" -eq 0 ]; then
		printf '%s' "$(kib "$size") (reported)"
	elif [ "$size" -gt $((budget * 1024)) ]; then
		printf '%s' "$(kib "$size")/$budget OVER by $(kib $((size - budget * 1024)))"
	else
		printf '%s' "$(kib "$size")/$budget, $(kib $((budget * 1024 - size))) free"
	fi
}

# is_over SIZE BUDGET
is_over() { [ "$2" -ne 0 ] && [ "$1" -gt $(($2 * 1024)) ]; }

over=0
printf '%-23s %-34s %s\n' target "full KiB (budget)" "lean KiB (budget)"
while [ $# -ge 5 ]; do
	triple=$1 full_budget=$2 full=$(stat -c %s "$3") lean_budget=$4 lean=$(stat -c %s "$5")
	shift 5
	printf '%-23s %-34s %s\n' "$triple" "$(cell "$full" "$full_budget")" "$(cell "$lean" "$lean_budget")"
	if is_over "$full" "$full_budget" || is_over "$lean" "$lean_budget"; then over=1; fi
done
if [ $over -ne 0 ]; then
	echo "size: over budget (DESIGN §6); find the bytes: ./zigw build -Doptimize=ReleaseSmall -Dstrip=false -Dtarget=T, then nm --size-sort -S zig-out/bin/quiver"
	exit 1
fi
echo "size: every gated binary within its budget"
