/* test_tls_skey.c - the private key reader of `quiver serve --tls`
 * (tls/skey.h): the fixture keys (PKCS#8) and the PKCS#1 / RFC 5915 keys
 * inside them read as BearSSL's decoder reads them, an EC key without a
 * curve or with two different ones refused, every truncation refused,
 * each before a guard page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_tls_fixture.h"
#include "tls/br.h"
#include "tls/pem.h"
#include "tls/skey.h"
#include "tq.h"

void suite_tls_skey(struct tq *t);

#define KEY_MAX 2048

struct key {
	uint8_t b[KEY_MAX];
	size_t len;
};

static enum qv_err keep(void *ctx, const char *name, const uint8_t *der, size_t len,
			struct qv_error *err)
{
	struct key *k = ctx;

	(void)name;
	(void)err;
	if (len <= sizeof k->b) {
		memcpy(k->b, der, len);
		k->len = len;
	}
	return QV_OK;
}

static bool fixture_key(struct tq *t, const char *name, struct key *k)
{
	char path[1024];
	uint8_t *data = NULL;
	size_t len = 0;
	struct qv_error e;
	bool ok;

	k->len = 0;
	if (!TQ_INT(t, file_read_all(tls_fixture(path, sizeof path, name), TLS_PEM_FILE_MAX,
				     QV_E_TLS_PEM, &data, &len, &e),
		    QV_OK))
		return false;
	ok = TQ_INT(t, tls_pem_each(data, len, keep, k, NULL, &e), QV_OK) && k->len > 0;
	free(data);
	return ok;
}

/* The key inside a PKCS#8 PrivateKeyInfo (its OCTET STRING's contents). */
static bool inner_key(const struct key *p8, struct key *out)
{
	struct der in = {p8->b, p8->len};
	struct der_tlv e;

	if (!der_expect(&in, DER_SEQUENCE, &e))
		return false;
	in = e.val;
	if (!der_expect(&in, DER_INTEGER, &e) || !der_expect(&in, DER_SEQUENCE, &e) ||
	    !der_expect(&in, DER_OCTET_STRING, &e) || e.val.len > sizeof out->b)
		return false;
	memcpy(out->b, e.val.p, e.val.len);
	out->len = e.val.len;
	return true;
}

static bool same(const struct der *v, const unsigned char *p, size_t len)
{
	return v->len == len && memcmp(v->p, p, len) == 0;
}

/* Parse k before a guard page; compare with BearSSL's decoder.  Returns
 * whether skey.c read it. */
static bool parse_and_compare(struct tq *t, const struct key *k)
{
	uint8_t *g = tq_guard_dup(k->b, k->len);
	br_skey_decoder_context *kd = malloc(sizeof *kd);
	const br_rsa_private_key *rk;
	const br_ec_private_key *ek;
	struct tls_skey s;
	bool ok = false;

	if (g == NULL || kd == NULL)
		goto out;
	ok = tls_skey_parse(g, k->len, &s);
	br_skey_decoder_init(kd);
	br_skey_decoder_push(kd, k->b, k->len);
	rk = br_skey_decoder_last_error(kd) == 0 ? br_skey_decoder_get_rsa(kd) : NULL;
	ek = br_skey_decoder_last_error(kd) == 0 ? br_skey_decoder_get_ec(kd) : NULL;
	TQ_INT(t, ok, rk != NULL || ek != NULL);
	if (ok && rk != NULL) {
		TQ_INT(t, s.key_type, BR_KEYTYPE_RSA);
		TQ_INT(t, s.n_bitlen, rk->n_bitlen);
		TQ_TRUE(t, same(&s.p, rk->p, rk->plen) && same(&s.q, rk->q, rk->qlen) &&
				   same(&s.dp, rk->dp, rk->dplen) && same(&s.dq, rk->dq, rk->dqlen) &&
				   same(&s.iq, rk->iq, rk->iqlen));
	}
	if (ok && ek != NULL) {
		TQ_INT(t, s.key_type, BR_KEYTYPE_EC);
		TQ_INT(t, s.curve, ek->curve);
		TQ_TRUE(t, same(&s.x, ek->x, ek->xlen));
	}
out:
	free(kd);
	tq_guard_free(g, k->len);
	return ok;
}

static void test_rsa(struct tq *t)
{
	struct key p8, p1;
	struct tls_skey s;

	if (!fixture_key(t, "rsa.key", &p8) || !TQ_TRUE(t, inner_key(&p8, &p1)))
		return;
	TQ_TRUE(t, parse_and_compare(t, &p8));
	TQ_TRUE(t, parse_and_compare(t, &p1));
	if (TQ_TRUE(t, tls_skey_parse(p8.b, p8.len, &s)))
		TQ_INT(t, s.n_bitlen, 2048);
}

static void test_ec(struct tq *t)
{
	static const uint8_t p256[] = {0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
				       0xce, 0x3d, 0x03, 0x01, 0x07};
	struct key p8, sec1, named;
	struct tls_skey s;
	size_t at;

	if (!fixture_key(t, "ec.key", &p8) || !TQ_TRUE(t, inner_key(&p8, &sec1)))
		return;
	TQ_TRUE(t, parse_and_compare(t, &p8));
	if (TQ_TRUE(t, tls_skey_parse(p8.b, p8.len, &s))) {
		TQ_INT(t, s.curve, BR_EC_secp256r1);
		TQ_INT(t, s.x.len, 32);
	}
	/* openssl leaves the curve to PKCS#8: alone, the key names none */
	TQ_TRUE(t, !parse_and_compare(t, &sec1));
	/* with [0] prime256v1 after the private key (version 3 + key 34 bytes) */
	at = 2 + 3 + 34;
	memcpy(named.b, sec1.b, at);
	memcpy(named.b + at, p256, sizeof p256);
	memcpy(named.b + at + sizeof p256, sec1.b + at, sec1.len - at);
	named.len = sec1.len + sizeof p256;
	named.b[1] = (uint8_t)(named.len - 2);
	TQ_TRUE(t, parse_and_compare(t, &named));
	named.b[at + sizeof p256 - 1] = 0x08; /* another curve OID: none of ours */
	TQ_TRUE(t, !parse_and_compare(t, &named));
}

static void test_truncated(struct tq *t)
{
	static const char *const files[] = {"rsa.key", "ec.key"};
	struct key k, cut;
	struct tls_skey s;
	size_t i, n;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		if (!fixture_key(t, files[i], &k))
			return;
		for (n = 0; n < k.len; n += n < 64 ? 1 : 17) {
			uint8_t *g = tq_guard_dup(k.b, n);

			if (g == NULL)
				return;
			TQ_TRUE(t, !tls_skey_parse(g, n, &s));
			tq_guard_free(g, n);
		}
		memcpy(cut.b, k.b, k.len);
		cut.b[k.len] = 0; /* one byte too many */
		cut.len = k.len + 1;
		TQ_TRUE(t, !tls_skey_parse(cut.b, cut.len, &s));
	}
}

void suite_tls_skey(struct tq *t)
{
	tq_run(t, "RSA: PKCS#8 and PKCS#1", test_rsa);
	tq_run(t, "EC: PKCS#8 and RFC 5915", test_ec);
	tq_run(t, "truncated", test_truncated);
}
