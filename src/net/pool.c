/* pool.c - a small array of parked keep-alive connections, oldest first. */
#include "net/pool.h"

#include <string.h>

void conn_pool_init(struct conn_pool *p, size_t max, uint32_t idle_ms)
{
	memset(p, 0, sizeof *p);
	p->max = max > CONN_POOL_MAX ? CONN_POOL_MAX : max;
	p->idle_ms = idle_ms != 0 ? idle_ms : CONN_POOL_IDLE_MS;
}

/* Remove items[i], keeping the rest in parking order. */
static struct conn *pool_remove(struct conn_pool *p, size_t i)
{
	struct conn *c = p->items[i];

	memmove(&p->items[i], &p->items[i + 1], (p->count - i - 1) * sizeof p->items[0]);
	p->count--;
	p->items[p->count] = NULL;
	return c;
}

static int pool_expired(const struct conn_pool *p, const struct conn *c, int64_t now_ms)
{
	return now_ms - c->idle_since_ms >= (int64_t)p->idle_ms;
}

void conn_pool_expire(struct conn_pool *p, int64_t now_ms)
{
	size_t i = 0;

	while (i < p->count) {
		if (pool_expired(p, p->items[i], now_ms))
			conn_free(pool_remove(p, i));
		else
			i++;
	}
}

struct conn *conn_pool_take(struct conn_pool *p, const struct route *r, int64_t now_ms)
{
	size_t i;

	conn_pool_expire(p, now_ms);
	/* Newest first: the most recently used socket is the least likely to
	 * have been closed by the server. */
	for (i = p->count; i > 0; i--) {
		struct conn *c = p->items[i - 1];

		if (!conn_matches(c, r))
			continue;
		c = pool_remove(p, i - 1);
		if (conn_idle_ok(c)) {
			p->reused++;
			return c;
		}
		conn_free(c);
	}
	return NULL;
}

void conn_pool_put(struct conn_pool *p, struct conn *c, int64_t now_ms)
{
	if (c == NULL)
		return;
	if (p->max == 0) {
		conn_free(c);
		return;
	}
	if (p->count >= p->max)
		conn_free(pool_remove(p, 0));
	c->idle_since_ms = now_ms;
	p->items[p->count++] = c;
}

void conn_pool_clear(struct conn_pool *p)
{
	if (p == NULL)
		return;
	while (p->count > 0)
		conn_free(pool_remove(p, p->count - 1));
}
