#!/bin/sh
# make.sh - regenerates the TLS unit-test certificates in this directory with
# openssl (they are committed so the unit tests need no openssl).
#
# Fixed validity 2020-01-01 .. 2120-01-01, so a test can put its clock before
# or after that window (tls_client_opts.now_unix) to get "not yet valid" and
# "expired" without generating anything at test time.
#   ca.pem        test CA (RSA 2048)
#   rsa.pem/.key  localhost, RSA 2048, signed by ca
#   ec.pem/.key   localhost, EC P-256, signed by ca
#   other-ca.pem  an unrelated CA (RSA 2048) -> "unknown issuer"
#   self.pem/.key self-signed localhost (RSA 2048)
set -eu
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

start=20200101000000Z
end=21200101000000Z

cat >"$work/ca.cnf" <<CNF
[ca]
default_ca = test
[test]
dir = $work
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
[v3_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

# mkca NAME CN: a self-signed CA with fixed dates.
mkca() {
	: >"$work/index.txt"
	echo 1000 >"$work/serial"
	openssl genrsa -out "$work/$1.key" 2048 2>/dev/null
	openssl req -new -key "$work/$1.key" -subj "/CN=$2" -out "$work/$1.csr"
	openssl ca -batch -config "$work/ca.cnf" -selfsign -keyfile "$work/$1.key" \
		-startdate $start -enddate $end -extensions v3_ca -notext \
		-in "$work/$1.csr" -out "$1.pem" 2>/dev/null
}

# mkleaf NAME KEYARGS...: a localhost server certificate signed by ca.
mkleaf() {
	name=$1
	shift
	openssl genpkey "$@" -out "$name.key" 2>/dev/null
	openssl req -new -key "$name.key" -subj "/CN=localhost" -out "$work/$name.csr"
	openssl ca -batch -config "$work/ca.cnf" -cert ca.pem -keyfile "$work/ca.key" \
		-startdate $start -enddate $end -extensions server -notext \
		-in "$work/$name.csr" -out "$name.pem" 2>/dev/null
}

mkca other-ca "quiver other test CA"
mkca ca "quiver test CA"
mkleaf rsa -algorithm RSA -pkeyopt rsa_keygen_bits:2048
mkleaf ec -algorithm EC -pkeyopt ec_paramgen_curve:P-256
openssl req -x509 -newkey rsa:2048 -nodes -keyout self.key -subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost" -days 36500 -out self.pem 2>/dev/null
echo "made: $(ls *.pem *.key | tr '\n' ' ')"
