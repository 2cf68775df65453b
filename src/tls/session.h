/* session.h - the TLS client session cache (resumption, DESIGN §4).
 *
 * One cache per run, shared by every connection and thread (a mutex guards
 * it).  Entries are keyed on host + port + the settings that decided whether
 * the server was trusted: the -k flag and the identity of the CA set.  A
 * session made under -k, or under another CA set, is never offered to a
 * verified connection (curl CVE-2016-5419). */
#ifndef QV_TLS_SESSION_H
#define QV_TLS_SESSION_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "tls/br.h"
#include "util/err.h"
#include "util/origin.h"

/* Sessions kept: one per origin a run talks to; 64 covers a list of many
 * hosts with redirects, at ~400 bytes each.  The least recently used entry
 * makes room. */
#define TLS_SESSION_MAX 64u

struct tls_session_key {
	char host[URL_HOST_MAX];
	uint16_t port;
	bool insecure;
	uint64_t trust_id;            /* tls_trust.id, 0 under -k */
};

struct tls_session_entry {
	struct tls_session_key key;
	br_ssl_session_parameters params;
	uint64_t used;                /* tick of the last use (LRU) */
	bool valid;
};

struct tls_session_cache {
	pthread_mutex_t mu;
	uint64_t tick;
	struct tls_session_entry e[TLS_SESSION_MAX];
};

/* Fill k (host is truncated to fit, which only makes a cache miss). */
void tls_session_key_make(struct tls_session_key *k, const char *host, uint16_t port,
			  bool insecure, uint64_t trust_id);

/* Set up c (caller storage, no allocation).  Returns QV_E_NOMEM when its
 * lock cannot be made (the caller says so: it has more to tell). */
enum qv_err tls_session_cache_init(struct tls_session_cache *c);
/* Tear down what tls_session_cache_init set up. */
void tls_session_cache_clear(struct tls_session_cache *c);

/* Copy the session stored for k into *out; false when there is none. */
bool tls_session_get(struct tls_session_cache *c, const struct tls_session_key *k,
		     br_ssl_session_parameters *out);

/* Store (or replace) the session for k.  Sessions without an ID (the
 * server does not do resumption) are not stored. */
void tls_session_put(struct tls_session_cache *c, const struct tls_session_key *k,
		     const br_ssl_session_parameters *p);

/* Forget the session for k (after it failed). */
void tls_session_drop(struct tls_session_cache *c, const struct tls_session_key *k);

#endif
