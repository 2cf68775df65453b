/* conn.c - non-blocking TCP connections: connect by racing a host's
 * addresses (net/race.c), read/write with statuses (through tls/client.h for
 * https), liveness check for pooled connections. */
#include "net/conn.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tls/client.h"
#include "util/clock.h"

/* The TLS state for origin o, from the run's client. */
static enum qv_err conn_tls_new(struct tls_conn **t, const struct url_origin *o,
				struct tls_client *tls, struct qv_error *err)
{
	*t = NULL;
	if (tls == NULL)
		return qv_error_set(err, QV_E_URL_SCHEME, "HTTPS is not set up here (%s)", o->host);
	return tls_conn_new(t, tls, o->host, o->port, err);
}

enum qv_err conn_new(struct conn **out, const struct route *r, struct tls_client *tls,
		     struct qv_error *err)
{
	struct conn *c;
	struct tls_conn *t = NULL;

	*out = NULL;
	if (r->via == ROUTE_DIRECT && r->origin.scheme == URL_HTTPS) {
		enum qv_err rc = conn_tls_new(&t, &r->origin, tls, err);

		if (rc != QV_OK)
			return rc;
	}
	c = calloc(1, sizeof *c);
	if (c == NULL) {
		tls_conn_free(t);
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	}
	c->fd = -1;
	c->tls = t;
	c->route = *r;
	net_race_init(&c->race);
	*out = c;
	return QV_OK;
}

enum qv_err conn_start_tls(struct conn *c, struct tls_client *tls, struct qv_error *err)
{
	if (c->tls != NULL)
		return QV_OK;
	return conn_tls_new(&c->tls, &c->route.origin, tls, err);
}

static void conn_close_fd(struct conn *c)
{
	if (c->fd >= 0)
		(void)close(c->fd);
	c->fd = -1;
	c->connected = false;
}

void conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	tls_conn_free(c->tls); /* may send close_notify: before the close */
	conn_close_fd(c);
	net_race_clear(&c->race);
	free(c);
}

/* What a race step means for the connection. */
static enum conn_status conn_race_status(struct conn *c, enum net_race_status st)
{
	switch (st) {
	case RACE_WON:
		c->fd = net_race_take(&c->race);
		c->connected = true;
		memcpy(c->peer, c->race.peer, sizeof c->peer);
		return CONN_OK;
	case RACE_WAIT:
		return CONN_WANT_WRITE;
	default:
		return CONN_ERROR;
	}
}

enum conn_status conn_connect_start(struct conn *c, const struct net_addrs *addrs,
				    enum net_family f, struct qv_error *err)
{
	enum net_race_status st;

	conn_close_fd(c);
	c->peer[0] = '\0';
	if (addrs->count == 0) {
		(void)qv_error_set(err, QV_E_CONNECT, "could not connect to %s: no address",
				   c->route.peer.host);
		return CONN_ERROR;
	}
	st = net_race_start(&c->race, addrs, f, clock_now_ms(), err);
	if (st == RACE_FAILED && c->race.addrs.count == 0)
		(void)qv_error_set(err, QV_E_CONNECT, "could not connect to %s: it has no %s address",
				   c->route.peer.host, f == NET_IPV4 ? "IPv4" : "IPv6");
	return conn_race_status(c, st);
}

enum conn_status conn_connect_ready(struct conn *c, int fd, struct qv_error *err)
{
	return conn_race_status(c, net_race_ready(&c->race, fd, clock_now_ms(), err));
}

enum conn_status conn_connect_tick(struct conn *c, struct qv_error *err)
{
	return conn_race_status(c, net_race_tick(&c->race, clock_now_ms(), err));
}

size_t conn_connect_fds(const struct conn *c, int *out, size_t cap)
{
	return c->connected ? 0 : net_race_fds(&c->race, out, cap);
}

int64_t conn_connect_next_at(const struct conn *c)
{
	return c->connected ? INT64_MAX : net_race_next_at(&c->race);
}

static enum conn_status conn_from_tls(enum tls_status st)
{
	switch (st) {
	case TLS_OK:
		return CONN_OK;
	case TLS_WANT_READ:
		return CONN_WANT_READ;
	case TLS_WANT_WRITE:
		return CONN_WANT_WRITE;
	case TLS_EOF:
		return CONN_EOF;
	case TLS_ERROR:
		break;
	}
	return CONN_ERROR;
}

enum conn_status conn_handshake(struct conn *c, struct qv_error *err)
{
	if (!c->connected)
		return CONN_WANT_WRITE;
	if (c->tls == NULL)
		return CONN_OK;
	return conn_from_tls(tls_conn_handshake(c->tls, c->fd, err));
}

static enum conn_status conn_sys_error(const struct conn *c, int e, const char *what,
				       struct qv_error *err)
{
	if (e == ECONNRESET || e == EPIPE) {
		(void)qv_error_set(err, QV_E_RESET, "connection reset by peer (%s)", c->peer);
		if (err != NULL)
			err->sys_errno = e;
		return CONN_ERROR;
	}
	(void)qv_error_sys(err, QV_E_IO, e, "%s %s failed", what, c->peer);
	return CONN_ERROR;
}

enum conn_status conn_read(struct conn *c, uint8_t *buf, size_t cap, size_t *n,
			   struct qv_error *err)
{
	ssize_t r;

	*n = 0;
	if (c->tls != NULL)
		return conn_from_tls(tls_conn_read(c->tls, buf, cap, n, err));
	for (;;) {
		r = recv(c->fd, buf, cap, 0);
		if (r > 0) {
			*n = (size_t)r;
			return CONN_OK;
		}
		if (r == 0)
			return CONN_EOF;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return CONN_WANT_READ;
		return conn_sys_error(c, errno, "read from", err);
	}
}

enum conn_status conn_write(struct conn *c, const uint8_t *buf, size_t len, size_t *n,
			    struct qv_error *err)
{
	ssize_t r;

	*n = 0;
	if (c->tls != NULL)
		return conn_from_tls(tls_conn_write(c->tls, buf, len, n, err));
	for (;;) {
		r = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (r >= 0) {
			*n = (size_t)r;
			return r > 0 ? CONN_OK : CONN_WANT_WRITE;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return CONN_WANT_WRITE;
		return conn_sys_error(c, errno, "write to", err);
	}
}

bool conn_idle_ok(const struct conn *c)
{
	uint8_t b;
	ssize_t r;

	if (c->fd < 0 || !c->connected || (c->tls != NULL && !tls_conn_idle_ok(c->tls)))
		return false;
	r = recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	/* EOF, stray bytes or an error: the server is done with it. */
	return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

static bool conn_origin_same(const struct url_origin *a, const struct url_origin *b)
{
	return a->scheme == b->scheme && a->port == b->port && strcmp(a->host, b->host) == 0;
}

bool conn_matches(const struct conn *c, const struct route *r)
{
	return c->route.via == r->via && conn_origin_same(&c->route.peer, &r->peer) &&
	       (r->via == ROUTE_PROXY || conn_origin_same(&c->route.origin, &r->origin));
}

enum qv_err conn_timeout_error(const struct conn *c, enum qv_err code, uint32_t timeout_ms,
			       struct qv_error *err)
{
	char secs[32];
	const char *peer = c == NULL                  ? "?"
			   : c->peer[0] != '\0'        ? c->peer
			   : c->race.peer[0] != '\0'   ? c->race.peer
							: c->route.peer.host;

	clock_format_secs(timeout_ms, secs, sizeof secs);
	switch (code) {
	case QV_E_CONNECT_TIMEOUT:
		return qv_error_set(err, code, "connection timed out after %ss (connect to %s)",
				    secs, peer);
	case QV_E_READ_TIMEOUT:
		return qv_error_set(err, code, "read timed out after %ss (no data from %s)", secs,
				    peer);
	case QV_E_WRITE_TIMEOUT:
		return qv_error_set(err, code, "write timed out after %ss (could not send to %s)",
				    secs, peer);
	case QV_E_TOTAL_TIMEOUT:
		return qv_error_set(err, code, "transfer took longer than --max-time %ss", secs);
	default:
		return qv_error_set(err, code, "%s after %ss (%s)", qv_err_text(code), secs, peer);
	}
}
