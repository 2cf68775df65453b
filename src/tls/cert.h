/* cert.h - the fields of an X.509 certificate that quiver reads from its DER
 * itself, next to BearSSL's validator:
 *
 *  - the issuer and subject names, as BearSSL compares them (the whole
 *    Name element, byte for byte), to find the trust anchors a chain names;
 *  - the iPAddress entries of the subjectAltName extension, to verify a
 *    certificate for an https:// URL whose host is an IP literal (RFC 6125
 *    §6.2.1, RFC 5280 §4.2.1.6): BearSSL's validator matches DNS names only;
 *  - the public key, CA flag and validity dates (tls_cert_decode).
 *
 * Parsing is structural (tags and lengths, nothing decoded), so it accepts
 * every certificate BearSSL's decoders accept; no view outlives the DER. */
#ifndef QV_TLS_CERT_H
#define QV_TLS_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/br.h"
#include "tls/der.h"
#include "tls/pkey.h"

/* Bytes of an IPv6 address, the longest iPAddress entry that names a host. */
#define TLS_IP_MAX 16u

struct tls_cert {
	struct der issuer;  /* the issuer Name element (tag and length included) */
	struct der subject; /* the subject Name element */
	struct der ext;     /* the contents of the extensions SEQUENCE; len 0: none */
};

/* What BearSSL's certificate decoder (br_x509_decoder) gives, read by
 * tls_cert_decode with the same rules: it accepts exactly the certificates
 * that decoder accepts (tests/fuzz/fuzz_cert.c checks both ways), so a
 * trust anchor, a server's key under -k or a chain's validity dates are
 * what they were with it, without its 3.6 KiB interpreter. */
struct tls_cert_info {
	br_x509_pkey pkey;            /* RSA or EC; points into the DER */
	bool is_ca;                   /* basicConstraints cA */
	struct tls_time not_before, not_after;
	int signer_key_type;          /* BR_KEYTYPE_RSA / _EC of the signature, 0: other */
};

/* Decode the certificate der[0..len), nothing after it.  False when
 * BearSSL's decoder would fail:
 * malformed DER, a version above 3, a bad date, a key neither RSA nor EC
 * on P-256, P-384 or P-521, a key larger than BR_X509_BUFSIZE_KEY... */
bool tls_cert_decode(uint8_t *der, size_t len, struct tls_cert_info *ci);

/* Find the fields of the certificate der[0..len).  False when its structure
 * up to the extensions is not that of a certificate. */
bool tls_cert_parse(const uint8_t *der, size_t len, struct tls_cert *c);

/* True when a subjectAltName iPAddress entry of c is exactly the address
 * ip[0..ip_len) (4 bytes for IPv4, 16 for IPv6).  A DNS name spelling the
 * address, the subject's common name or an entry of another length never
 * matches (RFC 6125 §6.2.1: no fallback for IP addresses); a malformed
 * extension matches nothing. */
bool tls_cert_ip_match(const struct tls_cert *c, const uint8_t *ip, size_t ip_len);

#endif
