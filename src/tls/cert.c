/* cert.c - certificate names and subjectAltName IP entries from DER (cert.h). */
#include "tls/cert.h"

#include <string.h>

/* id-ce-subjectAltName, 2.5.29.17, as the contents of its OID element. */
static const uint8_t OID_SUBJECT_ALT_NAME[] = {0x55, 0x1d, 0x11};
/* GeneralName iPAddress: [7] IMPLICIT OCTET STRING. */
#define GN_IP_ADDRESS DER_CTX_PRIM(7u)

bool tls_cert_parse(const uint8_t *der, size_t len, struct tls_cert *c)
{
	struct der in = {der, len}, tbs, x;
	struct der_tlv e;

	memset(c, 0, sizeof *c);
	/* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature } */
	if (!der_expect(&in, DER_SEQUENCE, &e))
		return false;
	in = e.val;
	if (!der_expect(&in, DER_SEQUENCE, &e))
		return false;
	tbs = e.val;
	/* [0] version (optional), serialNumber, signature, issuer, validity,
	 * subject, subjectPublicKeyInfo, [1] and [2] unique IDs, [3] extensions */
	if (!der_next(&tbs, &e) ||
	    (e.tag == DER_CTX_CONS(0u) && !der_next(&tbs, &e)) || e.tag != DER_INTEGER ||
	    !der_expect(&tbs, DER_SEQUENCE, &e) || !der_expect(&tbs, DER_SEQUENCE, &e))
		return false;
	c->issuer = e.all;
	if (!der_expect(&tbs, DER_SEQUENCE, &e) || !der_expect(&tbs, DER_SEQUENCE, &e))
		return false;
	c->subject = e.all;
	if (!der_expect(&tbs, DER_SEQUENCE, &e))
		return false;
	while (der_next(&tbs, &e)) {
		if (e.tag != DER_CTX_CONS(3u))
			continue;
		x = e.val;
		if (!der_expect(&x, DER_SEQUENCE, &e))
			return false;
		c->ext = e.val;
	}
	return tbs.len == 0;
}

/* The GeneralNames of SAN extension contents v: an entry equal to ip? */
static bool san_has_ip(struct der v, const uint8_t *ip, size_t ip_len)
{
	struct der_tlv e;
	struct der names;

	if (!der_expect(&v, DER_SEQUENCE, &e))
		return false;
	names = e.val;
	while (der_next(&names, &e))
		if (e.tag == GN_IP_ADDRESS && der_eq(&e.val, ip, ip_len))
			return true;
	return false;
}

bool tls_cert_ip_match(const struct tls_cert *c, const uint8_t *ip, size_t ip_len)
{
	struct der exts = c->ext, f;
	struct der_tlv e, oid, v;

	if (ip_len != 4 && ip_len != TLS_IP_MAX)
		return false;
	/* Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE,
	 *                          extnValue OCTET STRING } */
	while (der_expect(&exts, DER_SEQUENCE, &e)) {
		f = e.val;
		if (!der_expect(&f, DER_OID, &oid) || !der_next(&f, &v) ||
		    (v.tag == DER_BOOLEAN && !der_next(&f, &v)) || v.tag != DER_OCTET_STRING)
			return false;
		if (der_eq(&oid.val, OID_SUBJECT_ALT_NAME, sizeof OID_SUBJECT_ALT_NAME) &&
		    san_has_ip(v.val, ip, ip_len))
			return true;
	}
	return false;
}
