/* pkey.h - a public key that owns its bytes, and BearSSL's time.
 *
 * BearSSL's br_x509_pkey points into the buffer of whoever decoded it (a
 * validator or decoder context that lives for one handshake); the chain
 * cache keeps keys across handshakes and the checker copies them out, so
 * they need a copy with its own storage. */
#ifndef QV_TLS_PKEY_H
#define QV_TLS_PKEY_H

#include <stdbool.h>
#include <stdint.h>

#include "tls/br.h"

struct tls_pkey {
	br_x509_pkey pk;                         /* points into buf */
	unsigned char buf[BR_X509_BUFSIZE_KEY];  /* as large as BearSSL's own */
};

/* BearSSL time: days since 0000-01-01 and seconds in the day. */
struct tls_time {
	uint32_t days, secs;
};

/* Copy src into dst (pointers to dst->buf).  False when the key is not RSA
 * or EC, or larger than BearSSL's own key buffer. */
bool tls_pkey_copy(struct tls_pkey *dst, const br_x509_pkey *src);

/* -1, 0, 1 as a is before, at or after b. */
int tls_time_cmp(struct tls_time a, struct tls_time b);

#endif
