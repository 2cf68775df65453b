/* x509.h - the certificate checker a TLS client connection plugs into its
 * BearSSL engine: br_x509_minimal (full chain validation and host name)
 * wrapped to add what quiver needs.
 *
 *  - verify mode: the chain is kept as it arrives (up to TLS_X509_CHAIN_MAX
 *    bytes) and checked when it is complete.  A chain this run already
 *    validated for this host, against the same trust anchors, inside every
 *    certificate's validity period, is taken from the chain cache
 *    (chaincache.h) with its leaf's key; any other is replayed through
 *    br_x509_minimal, then stored there.  Each certificate's validity dates
 *    are decoded on the side (tls_cert_decode), for the cache's window and
 *    so an expiry error can say "certificate expired on 2020-01-01" or
 *    "not yet valid".
 *  - IP-literal hosts: BearSSL matches DNS names only, so the validator is
 *    given no name and the leaf must hold the address as a subjectAltName
 *    iPAddress entry (cert.h); otherwise BR_ERR_X509_BAD_SERVER_NAME.
 *  - insecure mode (-k): any chain is accepted, but the server's public key
 *    is still decoded from its certificate (tls_cert_decode), since the
 *    handshake needs it; the cache is never used.
 *
 * The checker lives inside the connection only for the handshake. */
#ifndef QV_TLS_X509_H
#define QV_TLS_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/br.h"
#include "tls/cert.h"
#include "tls/chaincache.h"
#include "tls/pkey.h"
#include "tls/trust.h"

/* Largest chain kept: OpenSSL's default limit on a Certificate message
 * (SSL_CTX_set_max_cert_list, 100 KiB), so a chain refused here is refused
 * by curl and wget too; real chains are 2 to 10 KiB. */
#define TLS_X509_CHAIN_MAX (100u * 1024u)

/* Most trust anchors given to the validator for one chain: those named as
 * the issuer of one of its certificates, or as the subject of the server's
 * (tls_trust_find).  One or two in practice (a root, and a cross-signed
 * twin); more share a name only in a store of many renewals of one CA. */
#define TLS_X509_ANCHORS_MAX 8u

/* What the checker is told about its connection; everything pointed at
 * outlives the handshake. */
struct tls_x509_opts {
	const struct tls_trust *trust;  /* the anchors (NULL under -k) */
	struct tls_chain_cache *cache;  /* NULL: no cache */
	const char *host;               /* the URL's host, no brackets */
	const uint8_t *ip;              /* host as an address (4 or 16 bytes), or NULL */
	size_t ip_len;
	bool insecure;
	int64_t now_unix;               /* seconds since 1970; 0: the clock now */
};

/* Why a chain was refused before validation. */
enum tls_x509_hold {
	TLS_X509_HOLD_NONE = 0,
	TLS_X509_HOLD_TOO_BIG, /* over TLS_X509_CHAIN_MAX */
	TLS_X509_HOLD_NOMEM    /* no memory to keep it */
};

struct tls_x509 {
	const br_x509_class *vtable;      /* first: BearSSL calls through it */
	br_x509_minimal_context minimal;  /* the real verifier (verify mode) */
	br_ssl_engine_context *eng;       /* for its signature code (profile.h) */
	struct tls_x509_opts o;
	uint8_t ip[TLS_IP_MAX];           /* o.ip points here */
	struct tls_time now;
	const char *server_name;          /* what the engine checks (NULL for an IP) */
	/* The chain as received: per certificate a 3-byte length and its DER,
	 * as in TLS's Certificate message. */
	uint8_t *chain;
	size_t chain_len, chain_cap, cert_end;
	enum tls_x509_hold hold;
	/* The chain came from the cache (or -k): the leaf's key and usages. */
	bool cached;
	unsigned usages;
	struct tls_pkey key;
	/* the validity window of the chain (full validation) */
	struct tls_time not_before, not_after;
	bool window_ok;
	/* the first certificate of the chain whose dates exclude now */
	bool date_bad;
	bool not_yet;                     /* true: before notBefore; false: expired */
	unsigned bad_index;
	uint32_t bad_days;                /* its notBefore or notAfter day */
};

/* Set up x (caller storage, nothing allocated) and plug it into engine eng
 * in place of any checker set there.  o->ip is copied. */
void tls_x509_init(struct tls_x509 *x, br_ssl_engine_context *eng, const struct tls_x509_opts *o);

/* Free the kept chain.  x stays usable for another handshake. */
void tls_x509_clear(struct tls_x509 *x);

/* After BR_ERR_X509_EXPIRED: "certificate expired on 2020-01-01" or
 * "certificate not yet valid (valid from 2031-01-01)"; after
 * BR_ERR_X509_LIMIT_EXCEEDED for a chain over TLS_X509_CHAIN_MAX:
 * "the server's certificate chain is larger than 102400 bytes"; after
 * BR_ERR_X509_BAD_SERVER_NAME for an IP host: "certificate does not match
 * IP address 192.0.2.1".  Into out; false (out untouched) otherwise. */
bool tls_x509_detail(const struct tls_x509 *x, int br_err, char *out, size_t cap);

/* "2020-01-01" for a BearSSL day number (days since 0000-01-01). */
void tls_x509_format_day(uint32_t days, char *out, size_t cap);

#endif
