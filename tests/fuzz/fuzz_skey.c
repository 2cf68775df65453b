/* fuzz_skey.c - libFuzzer target for the private key reader of `quiver
 * serve --tls` (src/tls/skey.c over src/tls/der.c).
 *
 * The input is one DER private key.  Besides memory safety it checks that
 * the reader agrees with BearSSL's br_skey_decoder, whose rules it follows:
 * a key BearSSL decodes is read, with the same type, curve and numbers;
 * a key read here BearSSL decodes too (skey.c may only be stricter where
 * BearSSL skips bytes unread: after an EC key's first optional field, and
 * inside a PKCS#8 RSA AlgorithmIdentifier's parameters). */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "tls/br.h"
#include "tls/skey.h"

static bool same(const struct der *v, const unsigned char *p, size_t len)
{
	return v->len == len && memcmp(v->p, p, len) == 0;
}

/* BearSSL 0.6's decoder writes past its key buffer for some malformed RSA
 * keys (read-integer-off does not bound off + length; fuzz_skey found it):
 * the context sits at the start of a larger object so the reference's own
 * bug does not stop the comparison.  skey.c has no such buffer. */
static struct {
	br_skey_decoder_context kd;
	unsigned char spill[1 << 17];
} ref;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	br_skey_decoder_context *const kd = &ref.kd;
	struct tls_skey k;
	bool ok = tls_skey_parse(data, size, &k);
	const br_rsa_private_key *rk;
	const br_ec_private_key *ek;

	if (ok) {
		const struct der *v[] = {&k.p, &k.q, &k.dp, &k.dq, &k.iq, &k.x};
		size_t i;

		for (i = 0; i < sizeof v / sizeof v[0]; i++)
			if (v[i]->len > 0)
				FUZZ_CHECK(v[i]->p >= data && v[i]->p + v[i]->len <= data + size);
	}
	br_skey_decoder_init(kd);
	br_skey_decoder_push(kd, data, size);
	rk = br_skey_decoder_last_error(kd) == 0 ? br_skey_decoder_get_rsa(kd) : NULL;
	ek = br_skey_decoder_last_error(kd) == 0 ? br_skey_decoder_get_ec(kd) : NULL;
	if (rk != NULL) {
		FUZZ_CHECK(ok && k.key_type == BR_KEYTYPE_RSA && k.n_bitlen == rk->n_bitlen);
		FUZZ_CHECK(same(&k.p, rk->p, rk->plen) && same(&k.q, rk->q, rk->qlen) &&
			   same(&k.dp, rk->dp, rk->dplen) && same(&k.dq, rk->dq, rk->dqlen) &&
			   same(&k.iq, rk->iq, rk->iqlen));
	} else if (ek != NULL) {
		FUZZ_CHECK(ok && k.key_type == BR_KEYTYPE_EC && k.curve == ek->curve);
		FUZZ_CHECK(same(&k.x, ek->x, ek->xlen));
	} else {
		FUZZ_CHECK(!ok);
	}
	return 0;
}
