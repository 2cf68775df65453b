/* cert.h - the fields of an X.509 certificate that quiver reads from its DER
 * itself, next to BearSSL's validator:
 *
 *  - the issuer and subject names, as BearSSL compares them (the whole
 *    Name element, byte for byte), to find the trust anchors a chain names;
 *  - the iPAddress entries of the subjectAltName extension, to verify a
 *    certificate for an https:// URL whose host is an IP literal (RFC 6125
 *    §6.2.1, RFC 5280 §4.2.1.6): BearSSL's validator matches DNS names only.
 *
 * Parsing is structural (tags and lengths, nothing decoded), so it accepts
 * every certificate BearSSL's decoders accept; no view outlives the DER. */
#ifndef QV_TLS_CERT_H
#define QV_TLS_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/der.h"

/* Bytes of an IPv6 address, the longest iPAddress entry that names a host. */
#define TLS_IP_MAX 16u

struct tls_cert {
	struct der issuer;  /* the issuer Name element (tag and length included) */
	struct der subject; /* the subject Name element */
	struct der ext;     /* the contents of the extensions SEQUENCE; len 0: none */
};

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
