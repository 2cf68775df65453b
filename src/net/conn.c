/* conn.c - non-blocking TCP connections: connect over a list of addresses,
 * read/write with statuses (through tls/client.h for https), liveness check
 * for pooled connections. */
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

enum qv_err conn_new(struct conn **out, const struct url_origin *origin, struct tls_client *tls,
		     struct qv_error *err)
{
	struct conn *c;
	struct tls_conn *t = NULL;

	*out = NULL;
	if (origin->scheme == URL_HTTPS) {
		enum qv_err rc;

		if (tls == NULL)
			return qv_error_set(err, QV_E_URL_SCHEME, "HTTPS is not set up here (%s)",
					    origin->host);
		rc = tls_conn_new(&t, tls, origin->host, origin->port, err);
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
	c->scheme = origin->scheme;
	memcpy(c->host, origin->host, sizeof c->host);
	c->host[sizeof c->host - 1] = '\0';
	c->port = origin->port;
	*out = c;
	return QV_OK;
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
	free(c);
}

static enum conn_status conn_fail_all(struct conn *c, struct qv_error *err)
{
	if (c->failed > 1)
		(void)qv_error_sys(err, QV_E_CONNECT, c->last_errno,
				   "could not connect to %s (%zu addresses tried)", c->peer, c->failed);
	else
		(void)qv_error_sys(err, QV_E_CONNECT, c->last_errno, "could not connect to %s",
				   c->peer);
	return CONN_ERROR;
}

static void conn_set_nodelay(int fd)
{
	int one = 1;

	/* Best effort: without it requests are only slower, not wrong. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Try addresses from c->addr_index on until one connects or is in progress. */
static enum conn_status conn_try_from(struct conn *c, struct qv_error *err)
{
	while (c->addr_index < c->addrs.count) {
		const struct net_addr *a = &c->addrs.a[c->addr_index];
		int fd;

		(void)net_addr_format(a, c->peer, sizeof c->peer);
		fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			(void)qv_error_sys(err, QV_E_IO, errno, "could not create a socket");
			return CONN_ERROR;
		}
		conn_set_nodelay(fd);
		c->fd = fd;
		if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == 0) {
			c->connected = true;
			return CONN_OK;
		}
		if (errno == EINPROGRESS || errno == EINTR)
			return CONN_WANT_WRITE;
		c->last_errno = errno;
		c->failed++;
		conn_close_fd(c);
		c->addr_index++;
	}
	return conn_fail_all(c, err);
}

enum conn_status conn_connect_start(struct conn *c, const struct net_addrs *addrs,
				    struct qv_error *err)
{
	conn_close_fd(c);
	c->addrs = *addrs;
	c->addr_index = 0;
	c->failed = 0;
	c->last_errno = 0;
	c->peer[0] = '\0';
	if (c->addrs.count == 0) {
		(void)qv_error_set(err, QV_E_CONNECT, "could not connect to %s: no address", c->host);
		return CONN_ERROR;
	}
	return conn_try_from(c, err);
}

enum conn_status conn_connect_continue(struct conn *c, struct qv_error *err)
{
	int soerr = 0;
	socklen_t len = sizeof soerr;

	if (c->fd < 0)
		return conn_try_from(c, err);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		soerr = errno;
	if (soerr == 0) {
		c->connected = true;
		return CONN_OK;
	}
	if (soerr == EINPROGRESS || soerr == EALREADY)
		return CONN_WANT_WRITE;
	c->last_errno = soerr;
	c->failed++;
	conn_close_fd(c);
	c->addr_index++;
	return conn_try_from(c, err);
}

enum conn_status conn_connect_skip(struct conn *c, struct qv_error *err)
{
	if (c->addr_index + 1 >= c->addrs.count)
		return CONN_ERROR;
	c->last_errno = ETIMEDOUT;
	c->failed++;
	conn_close_fd(c);
	c->addr_index++;
	return conn_try_from(c, err);
}

size_t conn_connect_remaining(const struct conn *c)
{
	if (c->addr_index + 1 >= c->addrs.count)
		return 0;
	return c->addrs.count - c->addr_index - 1;
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

bool conn_matches(const struct conn *c, const struct url_origin *origin)
{
	return c->scheme == origin->scheme && c->port == origin->port &&
	       strcmp(c->host, origin->host) == 0;
}

enum qv_err conn_timeout_error(const struct conn *c, enum qv_err code, uint32_t timeout_ms,
			       struct qv_error *err)
{
	char secs[32];
	const char *peer = c != NULL && c->peer[0] != '\0' ? c->peer
			   : c != NULL                      ? c->host
							    : "?";

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
