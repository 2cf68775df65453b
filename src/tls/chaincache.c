/* chaincache.c - validated certificate chains behind one mutex (chaincache.h). */
#include "tls/chaincache.h"

#include <string.h>

bool tls_chain_cache_init(struct tls_chain_cache *c)
{
	memset(c->e, 0, sizeof c->e);
	c->next = 0;
	return pthread_mutex_init(&c->lock, NULL) == 0;
}

void tls_chain_cache_clear(struct tls_chain_cache *c)
{
	(void)pthread_mutex_destroy(&c->lock);
}

/* The entry for digest, or NULL.  Caller holds the lock. */
static struct tls_chain_entry *cache_find(struct tls_chain_cache *c, const uint8_t *digest)
{
	size_t i;

	for (i = 0; i < TLS_CHAIN_CACHE_MAX; i++)
		if (c->e[i].valid && memcmp(c->e[i].digest, digest, TLS_CHAIN_DIGEST) == 0)
			return &c->e[i];
	return NULL;
}

bool tls_chain_cache_get(struct tls_chain_cache *c, const uint8_t *digest, struct tls_time now,
			 struct tls_pkey *key, unsigned *usages)
{
	const struct tls_chain_entry *e;
	bool hit = false;

	(void)pthread_mutex_lock(&c->lock);
	e = cache_find(c, digest);
	if (e != NULL && tls_time_cmp(now, e->not_before) >= 0 &&
	    tls_time_cmp(now, e->not_after) <= 0)
		hit = tls_pkey_copy(key, &e->key.pk);
	if (hit)
		*usages = e->usages;
	(void)pthread_mutex_unlock(&c->lock);
	return hit;
}

void tls_chain_cache_put(struct tls_chain_cache *c, const uint8_t *digest, struct tls_time not_before,
			 struct tls_time not_after, const br_x509_pkey *pk, unsigned usages)
{
	struct tls_chain_entry *e;

	(void)pthread_mutex_lock(&c->lock);
	e = cache_find(c, digest);
	if (e == NULL) {
		e = &c->e[c->next];
		c->next = (c->next + 1) % TLS_CHAIN_CACHE_MAX;
	}
	e->valid = tls_pkey_copy(&e->key, pk);
	if (e->valid) {
		memcpy(e->digest, digest, TLS_CHAIN_DIGEST);
		e->not_before = not_before;
		e->not_after = not_after;
		e->usages = usages;
	}
	(void)pthread_mutex_unlock(&c->lock);
}

size_t tls_chain_cache_count(struct tls_chain_cache *c)
{
	size_t i, n = 0;

	(void)pthread_mutex_lock(&c->lock);
	for (i = 0; i < TLS_CHAIN_CACHE_MAX; i++)
		n += c->e[i].valid ? 1 : 0;
	(void)pthread_mutex_unlock(&c->lock);
	return n;
}
