/* profile.h - the TLS profile quiver's client and server engines run with:
 * what BearSSL's br_ssl_*_init_full do, cut down to what today's servers
 * and clients negotiate, so the static binary links only that code.
 *
 *  - TLS 1.2 only (BearSSL has no TLS 1.3; 1.0 and 1.1 are deprecated by
 *    RFC 8996 and would pull in MD5, SHA-1 and the CBC record layer);
 *  - ECDHE key exchange only, signed with ECDSA or RSA (forward secrecy;
 *    no static RSA or static ECDH);
 *  - AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305 (the AEADs that OpenSSL,
 *    nginx and every browser offer first); no CBC, CCM or 3DES;
 *  - curves x25519 (m31 code), P-256, P-384, P-521 (i31 code), see profile.c;
 *  - hashes SHA-224/256/384/512 for signatures and the PRF; no SHA-1, see
 *    profile.c. */
#ifndef QV_TLS_PROFILE_H
#define QV_TLS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "tls/br.h"

/* The elliptic-curve code of both engines (and of a server key's check). */
extern const br_ec_impl tls_profile_ec;

/* Set up cc for a client connection: suites, crypto implementations.  Like
 * br_ssl_client_init_full, which it replaces, but without a certificate
 * checker: the caller sets one (tls/x509.h). */
void tls_profile_client(br_ssl_client_context *cc);

/* Set up xc, BearSSL's chain validator, with trust anchors ta[0..n) (ta may
 * be NULL when n is 0) and the signature code and hashes of the client
 * engine eng (set up by tls_profile_client). */
void tls_profile_x509(br_x509_minimal_context *xc, br_ssl_engine_context *eng,
		      const br_x509_trust_anchor *ta, size_t n);

/* Set up sc for a server connection with an RSA key (rsa non-NULL) or an EC
 * key (ec, whose certificate was signed by a key of type issuer_key_type).
 * The chain and the key must outlive sc.  Like br_ssl_server_init_full_rsa
 * and _ec, which it replaces. */
void tls_profile_server(br_ssl_server_context *sc, const br_x509_certificate *chain,
			size_t chain_len, const br_rsa_private_key *rsa,
			const br_ec_private_key *ec, unsigned issuer_key_type);

#endif
