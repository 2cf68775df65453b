#!/usr/bin/env bash
# check.sh - static analysis of src/: cppcheck and clang's static analyzer.
# Zero findings is the bar: any finding fails the step.
#   QV_CHECK_FILES="a.c b.c"   analyse only these files (for trying a change)
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

echo "check: $findings finding(s) in ${#files[@]} files"
[ $findings -eq 0 ]
