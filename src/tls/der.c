/* der.c - one DER element at a time, bounds-checked (der.h). */
#include "tls/der.h"

#include <string.h>

/* Largest length: a TLS 1.2 certificate (and so every element of one) is
 * shorter than 2^24 bytes.  Leading zero length bytes are allowed, as
 * BearSSL's decoders allow them. */
#define DER_LEN_MAX 0xffffffu
/* Low five bits of an identifier byte: the tag number, 31 = "more bytes". */
#define DER_TAG_NUMBER_MASK 0x1fu

bool der_next(struct der *in, struct der_tlv *out)
{
	const uint8_t *p = in->p;
	size_t left = in->len, n, len;

	if (left < 2 || (p[0] & DER_TAG_NUMBER_MASK) == DER_TAG_NUMBER_MASK)
		return false;
	out->tag = p[0];
	len = p[1];
	p += 2;
	left -= 2;
	if (len & 0x80u) {
		n = len & 0x7fu;
		if (n == 0 || n > left)
			return false; /* indefinite (BER), or truncated */
		for (len = 0; n > 0; n--, left--) {
			len = len << 8 | *p++;
			if (len > DER_LEN_MAX)
				return false;
		}
	}
	if (len > left)
		return false;
	out->val.p = p;
	out->val.len = len;
	out->all.p = in->p;
	out->all.len = (size_t)(p - in->p) + len;
	in->p = p + len;
	in->len = left - len;
	return true;
}

bool der_expect(struct der *in, unsigned tag, struct der_tlv *out)
{
	struct der rest = *in;

	if (!der_next(&rest, out) || out->tag != tag)
		return false;
	*in = rest;
	return true;
}

bool der_eq(const struct der *d, const void *p, size_t n)
{
	return d->len == n && memcmp(d->p, p, n) == 0;
}
