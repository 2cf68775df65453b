/* x509.h - the certificate checker a TLS client connection plugs into its
 * BearSSL engine: br_x509_minimal (full chain validation and host name)
 * wrapped to add what quiver needs.
 *
 *  - verify mode: every call goes to br_x509_minimal; each certificate's
 *    validity dates are decoded on the side, so an expiry error can say
 *    "certificate expired on 2020-01-01" or "not yet valid".
 *  - insecure mode (-k): any chain is accepted, but the server's public key
 *    is still decoded from its certificate, since the handshake needs it.
 *
 * The wrapper lives inside the connection and is set up after
 * tls_profile_client (which initialises the minimal context). */
#ifndef QV_TLS_X509_H
#define QV_TLS_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/br.h"

struct tls_x509 {
	const br_x509_class *vtable;      /* first: BearSSL calls through it */
	br_x509_minimal_context minimal;  /* the real verifier (verify mode) */
	br_x509_decoder_context dec;      /* dates of the current certificate */
	bool insecure;
	bool decoding;                    /* dec is fed the current certificate */
	unsigned index;                   /* of the current certificate, 0 = server's */
	uint32_t now_days, now_secs;      /* BearSSL time: days since 0000-01-01 */
	/* the first certificate of the chain whose dates exclude now */
	bool date_bad;
	bool not_yet;                     /* true: before notBefore; false: expired */
	unsigned bad_index;
	uint32_t bad_days;                /* its notBefore or notAfter day */
};

/* Plug x into engine eng (whose minimal context is x->minimal, already set up
 * by tls_profile_client).  now_unix: the validation time in seconds
 * since 1970 (0: the clock at handshake time; tests pass a fixed one). */
void tls_x509_setup(struct tls_x509 *x, br_ssl_engine_context *eng, bool insecure,
		    int64_t now_unix);

/* After BR_ERR_X509_EXPIRED: "certificate expired on 2020-01-01" or
 * "certificate not yet valid (valid from 2031-01-01)" into out; false (out
 * untouched) when the dates did not show which. */
bool tls_x509_date_detail(const struct tls_x509 *x, char *out, size_t cap);

/* "2020-01-01" for a BearSSL day number (days since 0000-01-01). */
void tls_x509_format_day(uint32_t days, char *out, size_t cap);

#endif
