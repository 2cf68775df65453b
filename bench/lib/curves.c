/* curves.c - what one TLS client handshake's elliptic-curve work costs with
 * BearSSL 0.6's implementations, per curve: ECDHE (a key pair, mulgen, and
 * the shared secret, mul) for X25519 and P-256, and one ECDSA P-256
 * signature verification (the server's key exchange, and each certificate
 * of a chain).  bench/curves.sh builds it per target and runs it (qemu-user
 * for the others); src/tls/hello.h chose X25519 first from its numbers.
 *   curves [N]   N iterations each (default 200); prints microseconds per op */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bearssl.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ECDHE as a client does it: mulgen for its key share, mul for the secret. */
static void ecdhe(const char *name, const br_ec_impl *impl, int curve, int n)
{
	unsigned char k[32], pt[140], peer[140];
	size_t plen;
	double t0;
	int i;

	(void)impl->generator(curve, &plen);
	memset(k, 0x5a, sizeof k);
	k[0] = 0x3f;
	(void)impl->mulgen(peer, k, sizeof k, curve);
	t0 = now();
	for (i = 0; i < n; i++) {
		k[5] = (unsigned char)i;
		(void)impl->mulgen(pt, k, sizeof k, curve);
		memcpy(pt, peer, plen);
		(void)impl->mul(pt, plen, k, sizeof k, curve);
	}
	printf("%-24s ECDHE (mulgen + mul)  %9.1f us\n", name, (now() - t0) / n * 1e6);
}

static void verify(const char *name, const br_ec_impl *impl, br_ecdsa_vrfy vrfy, int n)
{
	unsigned char skx[32], pub[65], sig[80], hash[32];
	br_ec_private_key sk = {BR_EC_secp256r1, skx, sizeof skx};
	br_ec_public_key pk = {BR_EC_secp256r1, pub, sizeof pub};
	size_t sl;
	double t0;
	int i;

	memset(skx, 0x11, sizeof skx);
	memset(hash, 0x22, sizeof hash);
	(void)br_ec_compute_pub(&br_ec_all_m31, NULL, pub, &sk);
	sl = br_ecdsa_i31_sign_asn1(&br_ec_all_m31, &br_sha256_vtable, hash, &sk, sig);
	t0 = now();
	for (i = 0; i < n; i++)
		if (!vrfy(impl, hash, sizeof hash, &pk, sig, sl)) {
			printf("%s: verification failed\n", name);
			return;
		}
	printf("%-24s ECDSA P-256 verify    %9.1f us\n", name, (now() - t0) / n * 1e6);
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;

	if (n < 1)
		n = 1;
	printf("default: %s\n", br_ec_get_default() == &br_ec_all_m31 ? "br_ec_all_m31" : "br_ec_all_m15");
	ecdhe("X25519 (c25519_m31)", &br_ec_c25519_m31, BR_EC_curve25519, n);
	ecdhe("P-256 (p256_m31)", &br_ec_p256_m31, BR_EC_secp256r1, n);
	ecdhe("X25519 (c25519_m15)", &br_ec_c25519_m15, BR_EC_curve25519, n);
	ecdhe("P-256 (p256_m15)", &br_ec_p256_m15, BR_EC_secp256r1, n);
	verify("p256_m31 + ecdsa_i31", &br_ec_p256_m31, br_ecdsa_i31_vrfy_asn1, n);
	return 0;
}
