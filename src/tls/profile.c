/* profile.c - quiver's cut-down TLS profile for BearSSL engines (profile.h). */
#include "tls/profile.h"

/* The suites per key type, in the client's order of preference.  With AES
 * in hardware AES-GCM costs about half the CPU per byte of ChaCha20, so it
 * goes first; without, ChaCha20-Poly1305 is faster and constant-time. */
static const uint16_t suites_aes_first[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};

static const uint16_t suites_chacha_first[] = {
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

/* A server offers the suites its key can sign; the client's order wins
 * (BearSSL's default), as with the full profiles. */
static const uint16_t suites_server_rsa[] = {
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

static const uint16_t suites_server_ec[] = {
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
};

/* SHA-1 is left out: TLS 1.2 peers sign the handshake with SHA-256 or
 * better, the CA/Browser Forum banned SHA-1 certificate signatures in 2016
 * (every such chain has expired since), and BearSSL never checks the
 * signature of a trust anchor itself, where old SHA-1 roots still live.
 * A chain that does need it fails as BR_ERR_X509_UNSUPPORTED. */
static const br_hash_class *const hashes[] = {
	&br_sha224_vtable,
	&br_sha256_vtable,
	&br_sha384_vtable,
	&br_sha512_vtable,
};

static bool aes_in_hardware(void)
{
	return br_aes_x86ni_ctr_get_vtable() != NULL || br_aes_pwr8_ctr_get_vtable() != NULL;
}

/* Curves: x25519 with BearSSL's m31 code (the key exchange of nearly every
 * handshake), P-256, P-384 and P-521 with its generic constant-time i31
 * code, which P-384 needs anyway.  br_ec_all_m31 adds p256_m31 for a faster
 * P-256: 7.8 KiB of the x86_64 build, 10.8 of the MIPS one, for ~1 ms less
 * per P-256 ECDSA verification on x86_64 (2.0 -> 0.95 ms; a chain validated
 * once per run is not validated again, tls/chaincache.h) and ~0.3 ms per
 * P-256 key exchange, which servers pick only without x25519. */
static const br_ec_impl *ec_of(int curve)
{
	return curve == BR_EC_curve25519 ? &br_ec_c25519_m31 : &br_ec_prime_i31;
}

static const unsigned char *ec_generator(int curve, size_t *len)
{
	return ec_of(curve)->generator(curve, len);
}

static const unsigned char *ec_order(int curve, size_t *len)
{
	return ec_of(curve)->order(curve, len);
}

static size_t ec_xoff(int curve, size_t *len)
{
	return ec_of(curve)->xoff(curve, len);
}

static uint32_t ec_mul(unsigned char *g, size_t glen, const unsigned char *x, size_t xlen, int curve)
{
	return ec_of(curve)->mul(g, glen, x, xlen, curve);
}

static size_t ec_mulgen(unsigned char *r, const unsigned char *x, size_t xlen, int curve)
{
	return ec_of(curve)->mulgen(r, x, xlen, curve);
}

static uint32_t ec_muladd(unsigned char *a, const unsigned char *b, size_t len,
			  const unsigned char *x, size_t xlen, const unsigned char *y, size_t ylen,
			  int curve)
{
	return ec_of(curve)->muladd(a, b, len, x, xlen, y, ylen, curve);
}

const br_ec_impl tls_profile_ec = {
	(uint32_t)1 << BR_EC_secp256r1 | (uint32_t)1 << BR_EC_secp384r1 |
		(uint32_t)1 << BR_EC_secp521r1 | (uint32_t)1 << BR_EC_curve25519,
	ec_generator, ec_order, ec_xoff, ec_mul, ec_mulgen, ec_muladd,
};

/* What client and server share: version, hashes, PRFs, record ciphers. */
static void profile_common(br_ssl_engine_context *eng)
{
	size_t i;

	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	for (i = 0; i < sizeof hashes / sizeof hashes[0]; i++)
		br_ssl_engine_set_hash(eng, br_sha224_ID + (int)i, hashes[i]);
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
	/* AES: x86ni or POWER8 when the CPU has it, else the constant-time
	 * bitsliced code; GHASH likewise (pclmul, else ctmul). */
	br_ssl_engine_set_default_aes_gcm(eng);
	br_ssl_engine_set_default_chapol(eng);
	br_ssl_engine_set_ec(eng, &tls_profile_ec);
}

void tls_profile_client(br_ssl_client_context *cc)
{
	br_ssl_engine_context *eng = &cc->eng;

	br_ssl_client_zero(cc);
	profile_common(eng);
	if (aes_in_hardware())
		br_ssl_engine_set_suites(eng, suites_aes_first,
					 sizeof suites_aes_first / sizeof suites_aes_first[0]);
	else
		br_ssl_engine_set_suites(eng, suites_chacha_first,
					 sizeof suites_chacha_first / sizeof suites_chacha_first[0]);
	/* ECDHE only: no RSA key exchange, so no br_ssl_client_set_rsapub.
	 * RSA with the i31 code, not the default i62 (on 64-bit): 1.2 KiB
	 * less, and a verification (e = 65537) costs microseconds either way. */
	br_ssl_engine_set_rsavrfy(eng, &br_rsa_i31_pkcs1_vrfy);
	/* br_ssl_engine_set_default_ecdsa would also set br_ec_all_m31 */
	br_ssl_engine_set_ecdsa(eng, &br_ecdsa_i31_vrfy_asn1);
}

void tls_profile_x509(br_x509_minimal_context *xc, br_ssl_engine_context *eng,
		      const br_x509_trust_anchor *ta, size_t n)
{
	size_t i;

	/* The validator hashes names with SHA-256 and checks RSA and ECDSA
	 * signatures with the same code and hashes as the engine. */
	br_x509_minimal_init(xc, &br_sha256_vtable, ta, n);
	br_x509_minimal_set_rsa(xc, br_ssl_engine_get_rsavrfy(eng));
	br_x509_minimal_set_ecdsa(xc, br_ssl_engine_get_ec(eng), br_ssl_engine_get_ecdsa(eng));
	for (i = 0; i < sizeof hashes / sizeof hashes[0]; i++)
		br_x509_minimal_set_hash(xc, br_sha224_ID + (int)i, hashes[i]);
}

void tls_profile_server(br_ssl_server_context *sc, const br_x509_certificate *chain,
			size_t chain_len, const br_rsa_private_key *rsa,
			const br_ec_private_key *ec, unsigned issuer_key_type)
{
	br_ssl_engine_context *eng = &sc->eng;

	br_ssl_server_zero(sc);
	profile_common(eng);
	/* BR_KEYTYPE_SIGN alone: the key signs the ECDHE parameters and never
	 * decrypts (no RSA or ECDH key exchange).  RSA signs with i31 as the
	 * client verifies: i62 would only add code for ~2x faster signing. */
	if (rsa != NULL) {
		br_ssl_engine_set_suites(eng, suites_server_rsa,
					 sizeof suites_server_rsa / sizeof suites_server_rsa[0]);
		br_ssl_server_set_single_rsa(sc, chain, chain_len, rsa, BR_KEYTYPE_SIGN,
					     &br_rsa_i31_private, &br_rsa_i31_pkcs1_sign);
	} else {
		br_ssl_engine_set_suites(eng, suites_server_ec,
					 sizeof suites_server_ec / sizeof suites_server_ec[0]);
		br_ssl_server_set_single_ec(sc, chain, chain_len, ec, BR_KEYTYPE_SIGN,
					    issuer_key_type, br_ssl_engine_get_ec(eng),
					    &br_ecdsa_i31_sign_asn1);
	}
}
