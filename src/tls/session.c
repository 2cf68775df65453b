/* session.c - a small LRU of TLS sessions behind one mutex. */
#include "tls/session.h"

#include <stdio.h>
#include <string.h>

void tls_session_key_make(struct tls_session_key *k, const char *host, uint16_t port,
			  bool insecure, uint64_t trust_id)
{
	memset(k, 0, sizeof *k);
	(void)snprintf(k->host, sizeof k->host, "%s", host);
	k->port = port;
	k->insecure = insecure;
	k->trust_id = insecure ? 0 : trust_id;
}

static bool key_eq(const struct tls_session_key *a, const struct tls_session_key *b)
{
	return a->port == b->port && a->insecure == b->insecure && a->trust_id == b->trust_id &&
	       strcmp(a->host, b->host) == 0;
}

enum qv_err tls_session_cache_init(struct tls_session_cache *c)
{
	memset(c->e, 0, sizeof c->e);
	c->tick = 0;
	return pthread_mutex_init(&c->mu, NULL) == 0 ? QV_OK : QV_E_NOMEM;
}

void tls_session_cache_clear(struct tls_session_cache *c)
{
	(void)pthread_mutex_destroy(&c->mu);
}

/* Entry for k, or NULL.  Caller holds the mutex. */
static struct tls_session_entry *cache_find(struct tls_session_cache *c,
					    const struct tls_session_key *k)
{
	size_t i;

	for (i = 0; i < TLS_SESSION_MAX; i++)
		if (c->e[i].valid && key_eq(&c->e[i].key, k))
			return &c->e[i];
	return NULL;
}

bool tls_session_get(struct tls_session_cache *c, const struct tls_session_key *k,
		     br_ssl_session_parameters *out)
{
	struct tls_session_entry *e;

	(void)pthread_mutex_lock(&c->mu);
	e = cache_find(c, k);
	if (e != NULL) {
		e->used = ++c->tick;
		*out = e->params;
	}
	(void)pthread_mutex_unlock(&c->mu);
	return e != NULL;
}

/* A free entry, else the least recently used one.  Caller holds the mutex. */
static struct tls_session_entry *cache_victim(struct tls_session_cache *c)
{
	struct tls_session_entry *v = &c->e[0];
	size_t i;

	for (i = 0; i < TLS_SESSION_MAX; i++) {
		if (!c->e[i].valid)
			return &c->e[i];
		if (c->e[i].used < v->used)
			v = &c->e[i];
	}
	return v;
}

void tls_session_put(struct tls_session_cache *c, const struct tls_session_key *k,
		     const br_ssl_session_parameters *p)
{
	struct tls_session_entry *e;

	if (p->session_id_len == 0)
		return;
	(void)pthread_mutex_lock(&c->mu);
	e = cache_find(c, k);
	if (e == NULL)
		e = cache_victim(c);
	e->key = *k;
	e->params = *p;
	e->used = ++c->tick;
	e->valid = true;
	(void)pthread_mutex_unlock(&c->mu);
}

void tls_session_drop(struct tls_session_cache *c, const struct tls_session_key *k)
{
	struct tls_session_entry *e;

	(void)pthread_mutex_lock(&c->mu);
	e = cache_find(c, k);
	if (e != NULL) {
		memset(&e->params, 0, sizeof e->params);
		e->valid = false;
	}
	(void)pthread_mutex_unlock(&c->mu);
}
