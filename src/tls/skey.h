/* skey.h - a server's private key from DER, for `quiver serve --tls`:
 * PKCS#1 RSAPrivateKey (two primes), RFC 5915 ECPrivateKey on a named
 * curve (P-256, P-384, P-521), or either inside unencrypted PKCS#8 -- what
 * BearSSL's br_skey_decoder reads, with its rules, read with the DER
 * reader (der.h) instead of its 2.8 KiB interpreter: the binary has a size
 * budget and quiver's own server is the only user.  The result points into
 * the DER; nothing is copied or allocated. */
#ifndef QV_TLS_SKEY_H
#define QV_TLS_SKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/der.h"

struct tls_skey {
	int key_type;            /* BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
	uint32_t n_bitlen;       /* RSA: bits of the modulus */
	struct der p, q, dp, dq, iq; /* RSA: unsigned big-endian, no leading zeros */
	int curve;               /* EC: BR_EC_secp256r1 ... */
	struct der x;            /* EC: the private scalar */
};

/* Read the private key der[0..len) into *k.  False when it is not one of
 * the forms above (RSA with more than two primes, an EC key without a
 * named curve or on another curve, trailing bytes...). */
bool tls_skey_parse(const uint8_t *der, size_t len, struct tls_skey *k);

#endif
