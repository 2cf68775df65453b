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

/* ---- tls_cert_decode: br_x509_decoder's rules (x509_decoder.t0, asn1.t0) ---- */

static const uint8_t OID_RSA_ENC[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
static const uint8_t OID_EC_PUB[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
static const uint8_t OID_P256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const uint8_t OID_P384[] = {0x2b, 0x81, 0x04, 0x00, 0x22};
static const uint8_t OID_P521[] = {0x2b, 0x81, 0x04, 0x00, 0x23};
static const uint8_t OID_BASIC_CONSTRAINTS[] = {0x55, 0x1d, 0x13};
/* The stems of sha*WithRSAEncryption (last byte 5, 11..14) and of
 * ecdsa-with-SHA1 / -SHA2xx (2A8648CE3D0401, 2A8648CE3D0403 01..04). */
static const uint8_t OID_RSA_SIG[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01};
static const uint8_t OID_ECDSA_SIG[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04};
/* BearSSL keeps an OID of up to 255 bytes; a longer one matches nothing. */
#define OID_MAX 255u
#define DER_UTC_TIME 0x17u
#define DER_GENERALIZED_TIME 0x18u
#define DER_BIT_STRING 0x03u

/* der_next, and the class must be universal or context, as BearSSL's
 * read-tag wants. */
static bool snext(struct der *in, struct der_tlv *e)
{
	return der_next(in, e) && (e->tag & 0x40u) == 0;
}

static bool sexpect(struct der *in, unsigned tag, struct der_tlv *e)
{
	return snext(in, e) && e->tag == tag;
}

/* BearSSL's read-small-int-value: a non-empty INTEGER, sign bit clear. */
static bool small_int(const struct der *v, uint32_t *x)
{
	size_t i;

	if (v->len == 0 || v->p[0] >= 0x80)
		return false;
	for (*x = v->p[0], i = 1; i < v->len; i++) {
		if (*x >= 0xffffffu)
			return false;
		*x = *x << 8 | v->p[i];
	}
	return true;
}

/* BearSSL's read-integer: sign bit clear, leading zeros dropped, at most
 * room bytes; the value stays in the DER. */
static bool big_int(struct der *in, unsigned char **val, size_t *len, size_t room)
{
	struct der_tlv e;

	if (!sexpect(in, DER_INTEGER, &e) || e.val.len == 0 || e.val.p[0] >= 0x80)
		return false;
	while (e.val.len > 0 && e.val.p[0] == 0) {
		e.val.p++;
		e.val.len--;
	}
	*val = (unsigned char *)(uintptr_t)e.val.p; /* the caller's writable DER */
	*len = e.val.len;
	return e.val.len <= room;
}

static int dec2(const uint8_t *p)
{
	return p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' ? (p[0] - '0') * 10 + p[1] - '0'
									: -1;
}

/* A UTCTime or GeneralizedTime into BearSSL's days and seconds. */
static bool read_date(struct der *in, struct tls_time *t)
{
	static const uint16_t before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
	static const uint8_t mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	struct der_tlv e;
	const uint8_t *p, *end;
	int v[7], n, i, y;
	bool leap;

	if (!snext(in, &e) || (e.tag != DER_UTC_TIME && e.tag != DER_GENERALIZED_TIME))
		return false;
	p = e.val.p;
	end = p + e.val.len;
	n = e.tag == DER_GENERALIZED_TIME ? 7 : 6; /* two-digit fields */
	if ((size_t)(end - p) < 2u * (size_t)n + 1)
		return false;
	for (i = 0; i < n; i++, p += 2)
		if ((v[i] = dec2(p)) < 0)
			return false;
	i = n == 7;
	y = n == 7 ? v[0] * 100 + v[1] : v[0] + (v[0] < 50 ? 2000 : 1900);
	leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
	if (v[i + 1] < 1 || v[i + 1] > 12 || v[i + 2] < 1 ||
	    v[i + 2] > mdays[v[i + 1] - 1] + (leap && v[i + 1] == 2) || v[i + 3] > 23 ||
	    v[i + 4] > 59 || v[i + 5] > 60)
		return false;
	if (*p == '.')
		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
			;
	if (p >= end || *p != 'Z' || p + 1 != end)
		return false;
	t->days = (uint32_t)(y * 365 + (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400 +
			     before[v[i + 1] - 1] + (leap && v[i + 1] > 2) + v[i + 2] - 1);
	t->secs = (uint32_t)(v[i + 3] * 3600 + v[i + 4] * 60 + v[i + 5]);
	return true;
}

/* subjectPublicKeyInfo: an RSA key, or an EC key on a named curve. */
static bool read_key(struct der spki, br_x509_pkey *pk)
{
	struct der_tlv alg, oid, bits;
	struct der a;

	if (!sexpect(&spki, DER_SEQUENCE, &alg))
		return false;
	a = alg.val;
	if (!sexpect(&a, DER_OID, &oid) || oid.val.len > OID_MAX)
		return false;
	if (der_eq(&oid.val, OID_RSA_ENC, sizeof OID_RSA_ENC)) {
		struct der_tlv seq;
		struct der k;

		if (!sexpect(&spki, DER_BIT_STRING, &bits) || bits.val.len == 0 || bits.val.p[0] != 0)
			return false;
		k.p = bits.val.p + 1;
		k.len = bits.val.len - 1;
		if (!sexpect(&k, DER_SEQUENCE, &seq) || k.len != 0)
			return false;
		k = seq.val;
		pk->key_type = BR_KEYTYPE_RSA;
		return big_int(&k, &pk->key.rsa.n, &pk->key.rsa.nlen, BR_X509_BUFSIZE_KEY) &&
		       big_int(&k, &pk->key.rsa.e, &pk->key.rsa.elen,
			       BR_X509_BUFSIZE_KEY - pk->key.rsa.nlen) &&
		       k.len == 0 && spki.len == 0;
	}
	if (!der_eq(&oid.val, OID_EC_PUB, sizeof OID_EC_PUB) || !sexpect(&a, DER_OID, &oid) ||
	    a.len != 0)
		return false;
	pk->key_type = BR_KEYTYPE_EC;
	pk->key.ec.curve = der_eq(&oid.val, OID_P256, sizeof OID_P256)   ? BR_EC_secp256r1
			   : der_eq(&oid.val, OID_P384, sizeof OID_P384) ? BR_EC_secp384r1
			   : der_eq(&oid.val, OID_P521, sizeof OID_P521) ? BR_EC_secp521r1
									  : 0;
	if (pk->key.ec.curve == 0 || !sexpect(&spki, DER_BIT_STRING, &bits) || bits.val.len == 0 ||
	    bits.val.p[0] != 0 || bits.val.len - 1 > BR_X509_BUFSIZE_KEY || spki.len != 0)
		return false;
	pk->key.ec.q = (unsigned char *)(uintptr_t)(bits.val.p + 1);
	pk->key.ec.qlen = bits.val.len - 1;
	return true;
}

/* An identifier byte BearSSL's read-tag accepts: universal or context
 * class, one-byte tag number. */
static bool tag_ok(unsigned t)
{
	return (t & 0x40u) == 0 && (t & 0x1fu) != 0x1fu;
}

/* basicConstraints contents: its cA flag into *is_ca when present.  As
 * BearSSL, only the first element's identifier is read unless it is the
 * BOOLEAN. */
static bool read_basic_constraints(struct der in, bool *is_ca)
{
	struct der_tlv bc, b;
	struct der c;

	if (!sexpect(&in, DER_SEQUENCE, &bc) || in.len != 0)
		return false;
	c = bc.val;
	if (c.len == 0)
		return true;
	if (!tag_ok(c.p[0]))
		return false;
	if ((c.p[0] & 0xdfu) != DER_BOOLEAN)
		return true;
	if (!snext(&c, &b) || b.tag != DER_BOOLEAN || b.val.len != 1)
		return false;
	*is_ca = b.val.p[0] != 0;
	return true;
}

/* The extensions SEQUENCE: each well formed; basicConstraints sets is_ca
 * (the last one wins, as in BearSSL). */
static bool read_extensions(struct der x, bool *is_ca)
{
	struct der_tlv seq, ext, oid, v;
	struct der list, f;

	if (!sexpect(&x, DER_SEQUENCE, &seq) || x.len != 0)
		return false;
	list = seq.val;
	while (list.len > 0) {
		if (!sexpect(&list, DER_SEQUENCE, &ext))
			return false;
		f = ext.val;
		if (!sexpect(&f, DER_OID, &oid) || !snext(&f, &v))
			return false;
		if ((v.tag & 0xdfu) == DER_BOOLEAN &&
		    (v.tag != DER_BOOLEAN || v.val.len != 1 || !snext(&f, &v)))
			return false;
		if (v.tag != DER_OCTET_STRING || f.len != 0)
			return false;
		if (der_eq(&oid.val, OID_BASIC_CONSTRAINTS, sizeof OID_BASIC_CONSTRAINTS) &&
		    !read_basic_constraints(v.val, is_ca))
			return false;
	}
	return true;
}

/* signatureAlgorithm: the signer's key type from the OID, 0 if unknown. */
static int signer_type(const struct der *oid)
{
	uint8_t last;

	if (oid->len == sizeof OID_RSA_SIG + 1 &&
	    memcmp(oid->p, OID_RSA_SIG, sizeof OID_RSA_SIG) == 0) {
		last = oid->p[sizeof OID_RSA_SIG];
		return last == 5 || (last >= 11 && last <= 14) ? BR_KEYTYPE_RSA : 0;
	}
	if (oid->len == sizeof OID_ECDSA_SIG + 1 && memcmp(oid->p, OID_ECDSA_SIG, sizeof OID_ECDSA_SIG) == 0)
		return oid->p[sizeof OID_ECDSA_SIG] == 1 ? BR_KEYTYPE_EC : 0;
	if (oid->len == sizeof OID_ECDSA_SIG + 2 && memcmp(oid->p, OID_ECDSA_SIG, sizeof OID_ECDSA_SIG) == 0 &&
	    oid->p[sizeof OID_ECDSA_SIG] == 3)
		return oid->p[sizeof OID_ECDSA_SIG + 1] >= 1 && oid->p[sizeof OID_ECDSA_SIG + 1] <= 4
			       ? BR_KEYTYPE_EC
			       : 0;
	return 0;
}

bool tls_cert_decode(uint8_t *der, size_t len, struct tls_cert_info *ci)
{
	struct der in = {der, len}, cert, tbs, x;
	struct der_tlv e, v;
	uint32_t version;
	unsigned next;

	memset(ci, 0, sizeof *ci);
	if (!sexpect(&in, DER_SEQUENCE, &e) || in.len != 0)
		return false;
	cert = e.val;
	if (!sexpect(&cert, DER_SEQUENCE, &e))
		return false;
	tbs = e.val;
	if (!snext(&tbs, &e))
		return false;
	if (e.tag == DER_CTX_CONS(0u)) {
		x = e.val;
		if (!sexpect(&x, DER_INTEGER, &v) || x.len != 0 || !small_int(&v.val, &version) ||
		    version > 2 || !snext(&tbs, &e))
			return false;
	}
	/* serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo */
	if (e.tag != DER_INTEGER || !sexpect(&tbs, DER_SEQUENCE, &e) ||
	    !sexpect(&tbs, DER_SEQUENCE, &e) || !sexpect(&tbs, DER_SEQUENCE, &e))
		return false;
	x = e.val;
	if (!read_date(&x, &ci->not_before) || !read_date(&x, &ci->not_after) || x.len != 0 ||
	    !sexpect(&tbs, DER_SEQUENCE, &e) || !sexpect(&tbs, DER_SEQUENCE, &e) ||
	    !read_key(e.val, &ci->pkey))
		return false;
	/* [1] issuerUniqueID, [2] subjectUniqueID, [3] extensions: each at
	 * most once, in that order; [3] constructed */
	for (next = 1; tbs.len > 0; next = (e.tag & 0x1fu) + 1) {
		if (!snext(&tbs, &e) || (e.tag & 0xc0u) != 0x80u || (e.tag & 0x1fu) < next ||
		    (e.tag & 0x1fu) > 3)
			return false;
		if ((e.tag & 0x1fu) == 3 &&
		    (e.tag != DER_CTX_CONS(3u) || !read_extensions(e.val, &ci->is_ca)))
			return false;
	}
	/* signatureAlgorithm (an OID, parameters not read), signatureValue */
	if (!sexpect(&cert, DER_SEQUENCE, &e))
		return false;
	x = e.val;
	if (!sexpect(&x, DER_OID, &v))
		return false;
	ci->signer_key_type = signer_type(&v.val);
	return sexpect(&cert, DER_BIT_STRING, &e) && e.val.len > 0 && e.val.p[0] == 0 && cert.len == 0;
}
