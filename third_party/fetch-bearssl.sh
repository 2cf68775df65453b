#!/bin/sh
# fetch-bearssl.sh - put BearSSL 0.6 source into third_party/bearssl/ (git-ignored).
#
# Sources, tried in order:
#   1. $BEARSSL_SRC: a directory holding BearSSL 0.6 (inc/bearssl.h, src/), or a tarball;
#   2. the upstream release tarball bearssl-0.6.tar.gz;
#   3. Debian's source package (`apt-get source bearssl`), through a private sources list
#      and state directory under third_party/.cache: the machine's apt setup is not edited.
# Every tarball must match its pinned sha256; a mismatch is a hard error, never a fallback.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
dest="$here/bearssl"
cache="$here/.cache"
UPSTREAM_URL="https://www.bearssl.org/bearssl-0.6.tar.gz"
UPSTREAM_SHA256="6705bba1714961b41a728dfc5debbe348d2966c117649392f8c8139efc83ff14"
DEBIAN_ORIG="bearssl_0.6+dfsg.1.orig.tar.xz"
DEBIAN_SHA256="102a625bd8f6155260867a50c508df8d8c3f796985dd744df1a68e5cd1a79004"

say() { printf 'fetch-bearssl: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

sha256_of() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | cut -d' ' -f1
	else
		shasum -a 256 "$1" | cut -d' ' -f1
	fi
}

# check_sha FILE: exits on a mismatch; tarballs other than the two pinned ones are refused.
check_sha() {
	got=$(sha256_of "$1")
	case "$got" in
	"$UPSTREAM_SHA256" | "$DEBIAN_SHA256") return 0 ;;
	esac
	die "sha256 mismatch for $1: got $got, want $UPSTREAM_SHA256 (upstream) or $DEBIAN_SHA256 (Debian orig)"
}

# install_tree DIR LABEL: copy a BearSSL tree into place and stamp it.
install_tree() {
	[ -f "$1/inc/bearssl.h" ] && [ -d "$1/src" ] || die "$1 does not look like BearSSL (no inc/bearssl.h or src/)"
	grep -q 'br_ssl_client_init_full' "$1/inc/bearssl_ssl.h" || die "$1: not BearSSL 0.6"
	rm -rf "$dest.tmp"
	mkdir -p "$dest.tmp"
	cp -R "$1/inc" "$1/src" "$dest.tmp/"
	[ -f "$1/LICENSE.txt" ] && cp "$1/LICENSE.txt" "$dest.tmp/"
	echo "0.6" >"$dest.tmp/VERSION"
	echo "$2" >"$dest.tmp/.quiver-ok"
	rm -rf "$dest"
	mv "$dest.tmp" "$dest"
	say "BearSSL 0.6 ready in third_party/bearssl ($2)"
}

# install_tarball FILE LABEL
install_tarball() {
	check_sha "$1"
	work="$cache/unpack"
	rm -rf "$work"
	mkdir -p "$work"
	case "$1" in
	*.xz) xz -dc "$1" | tar -xf - -C "$work" ;;
	*) gzip -dc "$1" | tar -xf - -C "$work" ;;
	esac
	top=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	[ -n "$top" ] || die "empty tarball $1"
	install_tree "$top" "$2"
	rm -rf "$work"
}

try_user_path() {
	[ -n "${BEARSSL_SRC:-}" ] || return 1
	if [ -d "$BEARSSL_SRC" ]; then
		install_tree "$BEARSSL_SRC" "directory $BEARSSL_SRC"
	elif [ -f "$BEARSSL_SRC" ]; then
		install_tarball "$BEARSSL_SRC" "tarball $BEARSSL_SRC"
	else
		die "BEARSSL_SRC=$BEARSSL_SRC is neither a directory nor a file"
	fi
}

try_upstream() {
	out="$cache/bearssl-0.6.tar.gz"
	if command -v curl >/dev/null 2>&1; then
		curl -fsSL --connect-timeout 10 -m 120 -o "$out" "$UPSTREAM_URL" 2>/dev/null || return 1
	elif command -v wget >/dev/null 2>&1; then
		wget -q -T 10 -O "$out" "$UPSTREAM_URL" 2>/dev/null || return 1
	else
		return 1
	fi
	install_tarball "$out" "upstream $UPSTREAM_URL"
}

# The Debian mirror is taken from the machine's own apt sources (a local mirror keeps working).
debian_mirror() {
	{
		cat /etc/apt/sources.list 2>/dev/null
		cat /etc/apt/sources.list.d/*.list 2>/dev/null
	} | awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\//) { print $i; exit } }' |
		grep -v security | head -n 1 >"$cache/mirror" || true
	if [ ! -s "$cache/mirror" ]; then
		cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
			awk '/^URIs:/ { print $2 }' | grep -v security | grep -i debian | head -n 1 >"$cache/mirror" || true
	fi
	cat "$cache/mirror"
}

try_debian() {
	command -v apt-get >/dev/null 2>&1 || return 1
	mirror=$(debian_mirror)
	[ -n "$mirror" ] || { say "no Debian mirror found in /etc/apt"; return 1; }
	suite=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")
	[ -n "$suite" ] || suite=bookworm
	apt="$cache/apt"
	mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/src"
	opts=""
	[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] &&
		opts="[signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] "
	echo "deb-src $opts$mirror $suite main" >"$apt/sources.list"
	set -- -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt" -o Debug::NoLocking=1 \
		-o APT::Sandbox::User="$(id -un)"
	say "trying Debian's source package (apt-get source bearssl, $suite)"
	apt-get -qq "$@" update >"$apt/log" 2>&1 || { cat "$apt/log" >&2; return 1; }
	(cd "$apt/src" && apt-get -qq "$@" source --download-only bearssl) >>"$apt/log" 2>&1 ||
		{ cat "$apt/log" >&2; return 1; }
	[ -f "$apt/src/$DEBIAN_ORIG" ] || { say "apt-get source did not give $DEBIAN_ORIG"; return 1; }
	install_tarball "$apt/src/$DEBIAN_ORIG" "Debian source package $DEBIAN_ORIG"
}

mkdir -p "$cache"
try_user_path && exit 0
try_upstream && exit 0
say "upstream tarball not reachable; falling back to Debian"
try_debian && exit 0
die "no BearSSL source: set BEARSSL_SRC=/path/to/bearssl-0.6 (directory or tarball, sha256 $UPSTREAM_SHA256)"
