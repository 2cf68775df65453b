/* chaincache.h - certificate chains already validated in this run (DESIGN §4).
 *
 * A full validation costs a signature check per certificate (P-256 or RSA
 * arithmetic, most of a handshake's CPU); a run of many connections to one
 * host gets the same chain every time.  An entry says: this chain (its DER
 * bytes, in order), for this host name, against this set of trust anchors,
 * passed BearSSL's full validation and the host check; its leaf's public
 * key and key usages were these; and every certificate of it is valid from
 * `not_before` to `not_after`.  The key is a SHA-256 of the trust set's id,
 * the host and the chain bytes (tls/x509.c makes it), so a different byte,
 * host or CA set is a different key and gets a full validation; an entry
 * outside its validity window is never returned.  The server's signature of
 * the key exchange is still verified on every handshake, with the key from
 * here: that is what proves the server holds the key.  -k never uses it.
 *
 * One cache per run (in struct tls_client), shared by every connection and
 * thread, read far more than written, behind one mutex: a lookup holds it
 * for a scan of TLS_CHAIN_CACHE_MAX digests (about a microsecond) against
 * the milliseconds of the handshake it saves, and a read-write lock would
 * add musl's 600 bytes of rwlock code to a binary with a size budget. */
#ifndef QV_TLS_CHAINCACHE_H
#define QV_TLS_CHAINCACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls/pkey.h"

/* Chains kept: one per host a run talks to, like the session cache; 64 at
 * ~600 bytes each.  When full, the oldest entry makes room. */
#define TLS_CHAIN_CACHE_MAX 64u
/* Bytes of the key (SHA-256). */
#define TLS_CHAIN_DIGEST 32u

struct tls_chain_entry {
	uint8_t digest[TLS_CHAIN_DIGEST];
	struct tls_time not_before, not_after; /* the latest and the earliest of the chain */
	unsigned usages;                       /* BR_KEYTYPE_KEYX / _SIGN of the leaf */
	struct tls_pkey key;
	bool valid;
};

struct tls_chain_cache {
	pthread_mutex_t lock;
	unsigned next; /* the slot the next new entry takes */
	struct tls_chain_entry e[TLS_CHAIN_CACHE_MAX];
};

/* An empty cache.  False if the lock cannot be created. */
bool tls_chain_cache_init(struct tls_chain_cache *c);
void tls_chain_cache_clear(struct tls_chain_cache *c);

/* The entry for digest, if there is one and now is inside its window: its
 * key into *key and its usages into *usages.  False otherwise. */
bool tls_chain_cache_get(struct tls_chain_cache *c, const uint8_t *digest, struct tls_time now,
			 struct tls_pkey *key, unsigned *usages);

/* Entries held. */
size_t tls_chain_cache_count(struct tls_chain_cache *c);

/* Remember that the chain of digest validated, with the leaf's key pk (not
 * kept if tls_pkey_copy refuses it), its usages and the chain's window. */
void tls_chain_cache_put(struct tls_chain_cache *c, const uint8_t *digest, struct tls_time not_before,
			 struct tls_time not_after, const br_x509_pkey *pk, unsigned usages);

#endif
