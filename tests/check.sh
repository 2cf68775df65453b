#!/usr/bin/env bash
# check.sh - static analysis of src/: cppcheck, clang's static analyzer and
# gcc -fanalyzer.  Zero findings is the bar: any finding fails the step.
#   QV_CHECK_FILES="a.c b.c"   analyse only these files (for trying a change)
# A gcc analyzer false positive is silenced on its own line only, by a comment
# on that line or ending just above it, naming the warning and saying why:
#   /* gcc-analyzer-suppress malloc-leak: <why it cannot happen> */
set -uo pipefail

cd "$(dirname "$0")/.."
files=(${QV_CHECK_FILES:-$(find src -name '*.c' | sort)})
defs=(-D_DEFAULT_SOURCE -D_GNU_SOURCE -DQV_TARGET=\"check\" -DQV_BEARSSL_VERSION=\"0.6\")
incs=(-Isrc -isystem third_party/bearssl/inc)
findings=0

echo "== cppcheck ($(cppcheck --version 2>/dev/null || echo missing))"
if command -v cppcheck >/dev/null 2>&1; then
	out=$(cppcheck --quiet --std=c11 --enable=warning,performance,portability \
		--inline-suppr --error-exitcode=0 --template='{file}:{line}: {severity}: {message} [{id}]' \
		"${defs[@]}" -Isrc --suppress=missingIncludeSystem "${files[@]}" 2>&1)
	if [ -n "$out" ]; then
		echo "$out"
		findings=$((findings + $(grep -c ': ' <<<"$out")))
	fi
else
	echo "cppcheck not installed (apt-get install cppcheck)"
	findings=$((findings + 1))
fi

clang=$(command -v clang || command -v clang-14 || true)
echo "== clang --analyze ($($clang --version 2>/dev/null | head -n 1))"
if [ -n "$clang" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	for f in "${files[@]}"; do
		"$clang" --analyze -std=c11 "${defs[@]}" "${incs[@]}" \
			-Xanalyzer -analyzer-output=text -o "$tmp/out.plist" "$f" >"$tmp/one" 2>&1
		if grep -q 'warning:\|error:' "$tmp/one"; then
			grep -E 'warning:|error:' "$tmp/one"
			findings=$((findings + $(grep -cE 'warning:|error:' "$tmp/one")))
		fi
	done
else
	echo "clang not installed (apt-get install clang)"
	findings=$((findings + 1))
fi

# Prints the -Wanalyzer-NAME warnings of one gcc output that are not
# suppressed by a "gcc-analyzer-suppress NAME" comment on their line or in
# the 3 lines above (room for a comment that says why).
gcc_unsuppressed() { # output-file
	local line file num name
	grep -E '^[^ ]+:[0-9]+:[0-9]+: (warning|error):' "$1" | while IFS= read -r line; do
		file=${line%%:*}
		num=$(cut -d: -f2 <<<"$line")
		name=$(grep -o '\[-Wanalyzer-[a-z0-9-]*\]' <<<"$line" | sed 's/^\[-Wanalyzer-//; s/\]$//')
		if [ -n "$name" ] && [ -f "$file" ] &&
			sed -n "$((num > 3 ? num - 3 : 1)),${num}p" "$file" |
			grep -q "gcc-analyzer-suppress $name\b"; then
			continue
		fi
		echo "$line"
	done
}

gcc=$(command -v gcc-12 || command -v gcc || true)
echo "== gcc -fanalyzer ($($gcc --version 2>/dev/null | head -n 1))"
if [ -n "$gcc" ] && echo 'int main(void){return 0;}' |
	"$gcc" -fanalyzer -x c -c -o /dev/null - >/dev/null 2>&1; then
	gtmp=$(mktemp -d)
	trap 'rm -rf "${tmp:-}" "$gtmp"' EXIT
	# One file per job, as many jobs as CPUs (the analyzer is slow); the
	# outputs are read back in file order.
	analyze_one() {
		local o
		o="$gtmp/$(tr / _ <<<"$1")"
		"$gcc" -fanalyzer -std=c11 "${defs[@]}" "${incs[@]}" -c "$1" -o /dev/null >"$o.out" 2>&1
		echo $? >"$o.rc"
	}
	for f in "${files[@]}"; do
		while [ "$(jobs -rp | wc -l)" -ge "$(nproc 2>/dev/null || echo 2)" ]; do
			wait -n
		done
		analyze_one "$f" &
	done
	wait
	for f in "${files[@]}"; do
		one="$gtmp/$(tr / _ <<<"$f")"
		out=$(gcc_unsuppressed "$one.out")
		# a crash of the compiler, or an error without a file:line, counts too
		if [ -z "$out" ] && [ "$(cat "$one.rc")" != 0 ]; then
			out="$f: gcc -fanalyzer failed (exit $(cat "$one.rc")): $(tail -n 1 "$one.out")"
		fi
		if [ -n "$out" ]; then
			echo "$out"
			findings=$((findings + $(grep -c . <<<"$out")))
		fi
	done
else
	echo "gcc with -fanalyzer (gcc 10 or later) not installed (apt-get install gcc)"
	findings=$((findings + 1))
fi

# The static build prints with util/format.c (src/libc/printf.c), which
# refuses the conversions quiver does not use (util/format.h): a string
# literal outside a comment that holds one is a finding.
echo "== printf conversions util/format.c does not do"
out=$(grep -HnE '"' "${files[@]}" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)' |
	grep -E '%[-+ #0]*([0-9]+|\*)?(\.([0-9]+|\*))?(hh|h|ll|l|j|z|t)?([eEgGaAnm]|L|l[cs])|%[0-9]+\$' || true)
if [ -n "$out" ]; then
	echo "$out"
	findings=$((findings + $(grep -c . <<<"$out")))
fi

echo "check: $findings finding(s) in ${#files[@]} files"
[ $findings -eq 0 ] || echo "check: a false positive? the top of tests/check.sh says how to silence one line"
[ $findings -eq 0 ]
