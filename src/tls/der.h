/* der.h - a bounded reader of DER elements (ASN.1 tag, length, value), for
 * the few certificate fields quiver reads itself (cert.h).
 *
 * A struct der is a view (pointer + length) into the caller's bytes; reading
 * an element takes it off the front of the view.  Nothing is copied or
 * allocated and no read goes past a view's end: a truncated element, an
 * indefinite length (BER, never DER), a length of 2^24 or more (no TLS 1.2
 * certificate is that long) or a multi-byte tag number (no certificate
 * field has one) make der_next fail instead. */
#ifndef QV_TLS_DER_H
#define QV_TLS_DER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct der {
	const uint8_t *p;
	size_t len;
};

struct der_tlv {
	unsigned tag;   /* the identifier byte: class, constructed bit, number */
	struct der val; /* the contents */
	struct der all; /* identifier, length and contents */
};

/* DER identifier bytes of the elements quiver reads. */
#define DER_BOOLEAN 0x01u
#define DER_INTEGER 0x02u
#define DER_OCTET_STRING 0x04u
#define DER_OID 0x06u
#define DER_SEQUENCE 0x30u
#define DER_CTX_CONS(n) (0xa0u | (n)) /* [n] EXPLICIT, or constructed IMPLICIT */
#define DER_CTX_PRIM(n) (0x80u | (n)) /* [n] IMPLICIT over a primitive type */

/* Take the next element off the front of *in into *out.  False (in
 * unchanged) when in is empty or the element is malformed or truncated. */
bool der_next(struct der *in, struct der_tlv *out);

/* der_next, and the element's identifier must be tag. */
bool der_expect(struct der *in, unsigned tag, struct der_tlv *out);

/* True when d holds exactly the n bytes of p. */
bool der_eq(const struct der *d, const void *p, size_t n);

#endif
