#!/usr/bin/env bash
# run.sh - build the libFuzzer targets of tests/fuzz/ with clang and run each
# for a bounded time; any crash, invariant failure, leak, timeout or OOM fails.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     (default: 30 s, every target)
#   ./zigw build fuzz -Dseconds=N               (the same through build.zig)
# Seeds come from tests/fuzz/corpus/TARGET/ (committed, small); the working
# corpus grows in tests/fuzz/out/corpus/TARGET/ across runs, and crash inputs
# are saved in tests/fuzz/out/crashes/TARGET/ (tests/fuzz/out/ is git-ignored).
# Replay one: tests/fuzz/out/bin/fuzz_TARGET FILE
set -uo pipefail
# The whole script is one block so bash parses it before running: editing
# the file during a long run cannot change the running script.
{
cd "$(dirname "$0")/../.."
seconds=${1:-30}
shift $(($# > 0 ? 1 : 0))
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
	echo "usage: tests/fuzz/run.sh [SECONDS] [TARGET...]" >&2
	exit 2
fi

# target -> the src/ files it links (util/err.c is always added)
declare -A srcs=(
	[url]="src/http/url.c src/http/uri.c src/http/view.c"
	[resp]="src/http/resp.c src/http/fields.c src/http/syntax.c src/http/date.c"
	[body]="src/http/body.c src/http/fields.c src/http/syntax.c"
	[pem]="src/tls/trust.c src/tls/pem.c src/util/file.c src/tls/cert.c src/tls/der.c src/tls/pkey.c src/tls/certdir.c src/tls/sha1.c src/util/hash.c"
	[cert]="src/tls/cert.c src/tls/der.c src/tls/pkey.c src/tls/certdir.c src/tls/sha1.c src/tls/pem.c src/util/file.c"
	[skey]="src/tls/skey.c src/tls/der.c"
	[flags2]="@all" # engine_available() and the rest pull in most of src/
	[netrc]="src/cli/netrc.c"
	[proxy]="src/transfer/proxy.c src/transfer/noproxy.c src/http/auth.c src/http/url.c src/http/uri.c src/http/view.c src/util/base64.c"
	[get]="@all"
	[sumfile]="src/cli/get/sumfile.c src/util/digest.c"
	[list]="src/cli/get/listparse.c src/cli/fname.c src/cli/utf8.c src/util/digest.c src/http/url.c src/http/uri.c src/http/view.c"
)
# targets that also link BearSSL (built here with clang, cached in out/)
declare -A with_bearssl=([pem]=1 [cert]=1 [skey]=1 [flags2]=1 [get]=1)
all=(url resp body netrc proxy sumfile list)
# newer than this script: fuzzed once they are there
[ -f src/tls/trust.c ] && all+=(pem)
[ -f src/tls/cert.c ] && all+=(cert)
[ -f src/tls/skey.c ] && all+=(skey)
[ -f src/cli/flags/flags2_args.c ] && all+=(flags2)
[ -f src/cli/get/get_args.c ] && all+=(get)
targets=("${@:-${all[@]}}")

cflags=(-std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla
	-Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith -Wundef -Wwrite-strings
	-Wimplicit-fallthrough -Wcast-qual
	-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all)
out=tests/fuzz/out

# QV_CLANG (build.zig's -Dclang): the compiler and any flags of its own
if [ -n "${QV_CLANG:-}" ]; then
	read -ra clang_cmd <<<"$QV_CLANG"
else
	clang_cmd=("$(command -v clang || command -v clang-14 || true)")
fi
clang=${clang_cmd[0]}
if [ -z "$clang" ]; then
	echo "fuzz: cannot run: clang not found; enable: apt-get install clang libclang-rt-dev" >&2
	exit 1
fi
# Probe: clang without its runtimes (Debian's clang without libclang-rt-N-dev)
# compiles nothing with -fsanitize=fuzzer; say so in one line.
probe_dir=$(mktemp -d)
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$probe_dir/p.c"
if ! "${clang_cmd[@]}" -fsanitize=fuzzer,address,undefined "$probe_dir/p.c" -o "$probe_dir/p" 2>"$probe_dir/err"; then
	major=$("$clang" -dumpversion 2>/dev/null | cut -d. -f1)
	echo "fuzz: cannot run: $(basename "$clang") cannot build -fsanitize=fuzzer ($( (grep -m1 -E 'cannot find|not found' "$probe_dir/err" || grep -m1 error "$probe_dir/err") | sed 's/^ *//')); enable: apt-get install libclang-rt-${major:+$major-}dev" >&2
	rm -rf "$probe_dir"
	exit 1
fi
rm -rf "$probe_dir"
echo "== fuzz: ${targets[*]}, ${seconds}s each ($("$clang" --version | head -n 1))"

# BearSSL with coverage (so the fuzzer is guided through its PEM and X.509
# decoders) and ASan, but not UBSan: it is constant-time code with intended
# wraparound, as in build.zig.  Rebuilt when its version or flags change.
bearssl_flags=(-std=c99 -g -O1 -fsanitize=fuzzer-no-link,address -DBR_USE_URANDOM=1
	-DBR_USE_GETENTROPY=0 -Ithird_party/bearssl/inc -Ithird_party/bearssl/src)
bearssl() {
	local dir="$out/bearssl" stamp jobs f o
	if [ ! -d third_party/bearssl/src ]; then
		echo "fuzz: BearSSL source is missing: run ./zigw once (it fetches it)" >&2
		return 1
	fi
	stamp="$(cat third_party/bearssl/VERSION 2>/dev/null) ${bearssl_flags[*]} $("$clang" --version | head -n 1)"
	if [ -f "$dir/libbearssl.a" ] && [ "$(cat "$dir/stamp" 2>/dev/null)" = "$stamp" ]; then
		return 0
	fi
	echo "building BearSSL for fuzzing (once)"
	rm -rf "$dir" && mkdir -p "$dir/obj" || return 1
	jobs=$(nproc 2>/dev/null || echo 2)
	for f in $(find third_party/bearssl/src -name '*.c' | sort); do
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
		o="$dir/obj/$(tr / _ <<<"${f#third_party/bearssl/src/}").o"
		"${clang_cmd[@]}" "${bearssl_flags[@]}" -c "$f" -o "$o" &
	done
	wait
	[ "$(find "$dir/obj" -name '*.o' | wc -l)" -eq "$(find third_party/bearssl/src -name '*.c' | wc -l)" ] ||
		{ echo "fuzz: BearSSL build failed" >&2; return 1; }
	ar rcs "$dir/libbearssl.a" "$dir"/obj/*.o && echo "$stamp" >"$dir/stamp"
}

build() { # target
	local t=$1 files extra=()
	mkdir -p "$out/bin"
	files=${srcs[$t]}
	# src/libc/ replaces musl's printf in the Zig build only (build.zig)
	[ "$files" = @all ] && files=$(find src -name '*.c' ! -path src/main.c ! -path src/util/err.c ! -path 'src/libc/*' | sort)
	if [ -n "${with_bearssl[$t]:-}" ]; then
		bearssl || return 1
		extra=("$out/bearssl/libbearssl.a" -lpthread)
	fi
	# shellcheck disable=SC2086 # file lists are word lists on purpose
	"${clang_cmd[@]}" "${cflags[@]}" -DQV_TARGET=\"fuzz\" -DQV_BEARSSL_VERSION=\"fuzz\" -Isrc -Itests/fuzz \
		-isystem third_party/bearssl/inc src/util/err.c $files "tests/fuzz/fuzz_$t.c" "${extra[@]}" \
		-o "$out/bin/fuzz_$t"
}

# Writes "execs/s corpus-files corpus-bytes" for the summary.
stats() { # log
	local eps corp
	eps=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$1" | grep -o '[0-9]*$' | tail -n 1)
	corp=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$1" | tail -n 1 | cut -d' ' -f2)
	[ -n "$corp" ] || corp=-/-
	echo "${eps:--} ${corp%%/*} ${corp#*/}"
}

failed=0
summary=()
for t in "${targets[@]}"; do
	if [ -z "${srcs[$t]+x}" ]; then
		echo "fuzz: unknown target '$t' (have: ${all[*]})" >&2
		exit 2
	fi
	echo "-- $t"
	if ! build "$t"; then
		echo "fuzz: $t: build failed"
		failed=1
		summary+=("$t build-failed - - -")
		continue
	fi
	work="$out/corpus/$t" crashes="$out/crashes/$t" log="$out/logs/$t.log"
	mkdir -p "$work" "$crashes" "$out/logs"
	dict=()
	[ -f "tests/fuzz/dict/$t.dict" ] && dict=("-dict=tests/fuzz/dict/$t.dict")
	marker=$(mktemp)
	# First corpus dir receives new inputs; the committed seeds are read-only.
	"$out/bin/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$crashes/" "${dict[@]}" \
		"$work" "tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	new=$(find "$crashes" -type f -newer "$marker" | sort)
	rm -f "$marker"
	read -r eps files bytes < <(stats "$log")
	n=$(grep -c . <<<"$new")
	summary+=("$t $eps $files $bytes $n")
	if [ $rc -ne 0 ] || [ -n "$new" ]; then
		failed=1
		echo "fuzz: $t FAILED (exit $rc); the report:"
		grep -E -A 40 'ERROR: |runtime error|invariant failed|deadly signal' "$log" | head -n 60
		echo "crash input(s):"
		echo "${new:-  (none saved; see $log)}"
	else
		echo "ok: $t: $eps execs/s, corpus $files files ($bytes)"
	fi
done

echo "== fuzz summary (${seconds}s per target)"
printf '%-8s %10s %8s %10s %8s\n' target execs/s corpus bytes crashes
for row in "${summary[@]}"; do
	# shellcheck disable=SC2086
	printf '%-8s %10s %8s %10s %8s\n' $row
done
[ $failed -eq 0 ]
exit
}
