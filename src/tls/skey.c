/* skey.c - PKCS#1, RFC 5915 and PKCS#8 private keys read from DER (skey.h). */
#include "tls/skey.h"

#include <string.h>

#include "tls/br.h"

static const uint8_t OID_RSA[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
static const uint8_t OID_EC[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
static const uint8_t OID_P256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const uint8_t OID_P384[] = {0x2b, 0x81, 0x04, 0x00, 0x22};
static const uint8_t OID_P521[] = {0x2b, 0x81, 0x04, 0x00, 0x23};

/* A non-negative INTEGER: its value without leading zero bytes. */
static bool read_uint(struct der *in, struct der *v)
{
	struct der_tlv e;

	if (!der_expect(in, DER_INTEGER, &e) || e.val.len == 0 || (e.val.p[0] & 0x80u) != 0)
		return false;
	*v = e.val;
	while (v->len > 0 && v->p[0] == 0) {
		v->p++;
		v->len--;
	}
	return true;
}

/* A version INTEGER of at most max. */
static bool read_version(struct der *in, unsigned max)
{
	struct der v;

	return read_uint(in, &v) && (v.len == 0 || (v.len == 1 && v.p[0] <= max));
}

/* A named-curve OID element: its BR_EC_* id, 0 when not one of ours. */
static int read_curve(struct der *in)
{
	struct der_tlv e;

	if (!der_expect(in, DER_OID, &e))
		return 0;
	if (der_eq(&e.val, OID_P256, sizeof OID_P256))
		return BR_EC_secp256r1;
	if (der_eq(&e.val, OID_P384, sizeof OID_P384))
		return BR_EC_secp384r1;
	return der_eq(&e.val, OID_P521, sizeof OID_P521) ? BR_EC_secp521r1 : 0;
}

/* RSAPrivateKey after its version: n, e, d, p, q, dp, dq, iq, nothing else. */
static bool rsa_rest(struct der s, struct tls_skey *k)
{
	struct der n, skip;
	unsigned top;

	if (!read_uint(&s, &n) || n.len == 0 || !read_uint(&s, &skip) || !read_uint(&s, &skip) ||
	    !read_uint(&s, &k->p) || !read_uint(&s, &k->q) || !read_uint(&s, &k->dp) ||
	    !read_uint(&s, &k->dq) || !read_uint(&s, &k->iq) || s.len != 0)
		return false;
	for (top = n.p[0], k->n_bitlen = (uint32_t)(n.len - 1) * 8; top != 0; top >>= 1)
		k->n_bitlen++;
	k->key_type = BR_KEYTYPE_RSA;
	return true;
}

/* ECPrivateKey after its version: privateKey, then [0] the curve (must
 * agree with curve, the one PKCS#8 named, if any) or [1] the public key;
 * what follows that is not looked at, as BearSSL does. */
static bool ec_rest(struct der s, int curve, struct tls_skey *k)
{
	struct der_tlv e, x;
	struct der p;
	int c;

	if (!der_expect(&s, DER_OCTET_STRING, &x))
		return false;
	/* BearSSL reads no further than the next identifier byte for [1] */
	if (s.len > 0 && s.p[0] == DER_CTX_CONS(0u)) {
		if (!der_next(&s, &e))
			return false;
		p = e.val;
		c = read_curve(&p);
		if (c == 0 || p.len != 0 || (curve != 0 && c != curve))
			return false;
		curve = c;
	} else if (s.len > 0 && s.p[0] != DER_CTX_CONS(1u)) {
		return false;
	}
	if (curve == 0)
		return false;
	k->key_type = BR_KEYTYPE_EC;
	k->curve = curve;
	k->x = x.val;
	return true;
}

/* PrivateKeyInfo after its version: AlgorithmIdentifier, then the key in
 * an OCTET STRING; attributes and the public key are not looked at. */
static bool pkcs8_rest(struct der s, struct tls_skey *k)
{
	struct der_tlv alg, oid, key, inner;
	struct der a, in, v;
	int curve = 0;

	if (!der_expect(&s, DER_SEQUENCE, &alg) || !der_expect(&s, DER_OCTET_STRING, &key))
		return false;
	a = alg.val;
	if (!der_expect(&a, DER_OID, &oid))
		return false;
	in = key.val;
	if (!der_expect(&in, DER_SEQUENCE, &inner) || in.len != 0)
		return false;
	in = inner.val;
	if (der_eq(&oid.val, OID_RSA, sizeof OID_RSA))
		return read_version(&in, 0) && rsa_rest(in, k);
	if (!der_eq(&oid.val, OID_EC, sizeof OID_EC) ||
	    (a.len != 0 && ((curve = read_curve(&a)) == 0 || a.len != 0)))
		return false;
	/* RFC 5915: an ECPrivateKey's version is 1 */
	return read_uint(&in, &v) && v.len == 1 && v.p[0] == 1 && ec_rest(in, curve, k);
}

bool tls_skey_parse(const uint8_t *der, size_t len, struct tls_skey *k)
{
	struct der in = {der, len}, s, peek;
	struct der_tlv e;

	memset(k, 0, sizeof *k);
	if (!der_expect(&in, DER_SEQUENCE, &e) || in.len != 0)
		return false;
	s = e.val;
	if (!read_version(&s, 1))
		return false;
	peek = s;
	if (!der_next(&peek, &e))
		return false;
	if (e.tag == DER_INTEGER)
		return rsa_rest(s, k);
	if (e.tag == DER_OCTET_STRING)
		return ec_rest(s, 0, k);
	return e.tag == DER_SEQUENCE && pkcs8_rest(s, k);
}
