/* pkey.c - public keys with their own bytes, and time comparison (pkey.h). */
#include "tls/pkey.h"

#include <string.h>

bool tls_pkey_copy(struct tls_pkey *dst, const br_x509_pkey *src)
{
	dst->pk = *src;
	if (src->key_type == BR_KEYTYPE_RSA) {
		const br_rsa_public_key *r = &src->key.rsa;

		if (r->nlen > sizeof dst->buf || r->elen > sizeof dst->buf - r->nlen)
			return false;
		memcpy(dst->buf, r->n, r->nlen);
		memcpy(dst->buf + r->nlen, r->e, r->elen);
		dst->pk.key.rsa.n = dst->buf;
		dst->pk.key.rsa.e = dst->buf + r->nlen;
		return true;
	}
	if (src->key_type != BR_KEYTYPE_EC || src->key.ec.qlen > sizeof dst->buf)
		return false;
	memcpy(dst->buf, src->key.ec.q, src->key.ec.qlen);
	dst->pk.key.ec.q = dst->buf;
	return true;
}

int tls_time_cmp(struct tls_time a, struct tls_time b)
{
	if (a.days != b.days)
		return a.days < b.days ? -1 : 1;
	return a.secs < b.secs ? -1 : a.secs > b.secs;
}
