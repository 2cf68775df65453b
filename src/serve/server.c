/* server.c - the flag server's listener: bind and listen, accept batches of
 * connections, cap their number, keep closed connection structs for reuse,
 * and the seeded random draws for --delay/--jitter and --error-rate. */
#include "serve/internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* Connections accepted per wake-up, so a connect storm does not starve the
 * connections already being served. */
#define ACCEPT_BATCH 64
/* After EMFILE/ENFILE, wait this long before accepting again (sooner if a
 * connection closes). */
#define ACCEPT_PAUSE_MS 100
/* Fds kept free for the listener, stdio and --dir file reads. */
#define FD_RESERVE 64

static const char refuse_close[] = "Connection: close\r\n\r\n";

void serve_config_init(struct serve_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->bind = "127.0.0.1";
	cfg->port = 8000;
}

/* ---- random draws: splitmix64, deterministic per seed ---- */

static uint64_t serve_rand(struct serve *srv)
{
	uint64_t z = (srv->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double serve_rand_unit(struct serve *srv)
{
	return (double)(serve_rand(srv) >> 11) * (1.0 / 9007199254740992.0);
}

uint32_t serve_draw_delay(struct serve *srv)
{
	uint32_t d = srv->cfg.delay_ms;

	if (srv->cfg.jitter_ms > 0)
		d += (uint32_t)(serve_rand_unit(srv) * srv->cfg.jitter_ms);
	return d;
}

bool serve_draw_error(struct serve *srv)
{
	return srv->cfg.error_rate > 0 && serve_rand_unit(srv) < srv->cfg.error_rate;
}

/* ---- the connection pool ---- */

struct serve_conn *serve_conn_get(struct serve *srv)
{
	struct serve_conn *c = srv->spare;

	if (c != NULL) {
		srv->spare = c->next;
	} else {
		c = calloc(1, sizeof *c);
		if (c == NULL)
			return NULL;
		c->in = malloc(SERVE_CONN_IN_INIT);
		if (c->in == NULL) {
			free(c);
			return NULL;
		}
		c->in_cap = SERVE_CONN_IN_INIT;
	}
	c->srv = srv;
	c->prev = NULL;
	c->next = srv->live;
	if (srv->live != NULL)
		srv->live->prev = c;
	srv->live = c;
	srv->nlive++;
	srv->stats.open = srv->nlive;
	return c;
}

static void serve_accept_resume(struct serve *srv)
{
	if (!srv->accept_paused)
		return;
	(void)evloop_timer_cancel(srv->loop, srv->resume_timer);
	srv->resume_timer = 0;
	srv->accept_paused = false;
	evloop_fd_set(srv->loop, srv->lfd, EVLOOP_READ);
}

void serve_conn_put(struct serve *srv, struct serve_conn *c)
{
	uint8_t *in = c->in;
	size_t cap = c->in_cap;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->live = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	srv->nlive--;
	srv->stats.open = srv->nlive;
	if (cap > SERVE_CONN_IN_INIT) {
		uint8_t *p = realloc(in, SERVE_CONN_IN_INIT);   /* a big head was a one-off */

		if (p != NULL) {
			in = p;
			cap = SERVE_CONN_IN_INIT;
		}
	}
	memset(c, 0, sizeof *c);
	c->in = in;
	c->in_cap = cap;
	c->next = srv->spare;
	srv->spare = c;
	serve_accept_resume(srv);
}

/* ---- accepting ---- */

static void serve_on_resume(struct evloop *loop, void *arg)
{
	struct serve *srv = arg;

	(void)loop;
	srv->resume_timer = 0;
	serve_accept_resume(srv);
}

/* Out of fds: stop polling the listener for a moment instead of spinning. */
static void serve_accept_pause(struct serve *srv)
{
	if (srv->accept_paused)
		return;
	srv->accept_paused = true;
	evloop_fd_set(srv->loop, srv->lfd, 0);
	if (evloop_timer_add(srv->loop, ACCEPT_PAUSE_MS, serve_on_resume, srv, &srv->resume_timer,
			     NULL) != QV_OK)
		serve_accept_resume(srv);
}

/* Over the cap: a best-effort 503 and close (plain TCP only: a TLS client
 * could not read it before a handshake). */
static void serve_refuse(struct serve *srv, int fd)
{
	struct serve_resp r;
	struct iovec iov[3];
	struct msghdr msg;

	srv->stats.refused++;
	if (srv->cfg.io == NULL) {
		serve_content_status(srv->content, 503, &r);
		iov[0].iov_base = (void *)(uintptr_t)r.head;
		iov[0].iov_len = r.head_len;
		iov[1].iov_base = (void *)(uintptr_t)refuse_close;
		iov[1].iov_len = sizeof refuse_close - 1;
		iov[2].iov_base = (void *)(uintptr_t)r.body;
		iov[2].iov_len = r.body_len;
		memset(&msg, 0, sizeof msg);
		msg.msg_iov = iov;
		msg.msg_iovlen = 3;
		(void)sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	(void)close(fd);
}

static void serve_on_accept(struct evloop *loop, int lfd, unsigned events, void *arg)
{
	struct serve *srv = arg;
	int i, one = 1;

	(void)loop;
	(void)events;
	for (i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				serve_accept_pause(srv);
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
				continue;
			return;   /* EAGAIN: all taken */
		}
		if (srv->nlive >= srv->max_conns) {
			serve_refuse(srv, fd);
			continue;
		}
		/* each answer goes out in one send: Nagle could only delay it */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		srv->stats.accepted++;
		(void)serve_conn_start(srv, fd, NULL);   /* on error only this one is lost */
	}
}

/* ---- listening ---- */

static enum qv_err serve_addr(const char *bind, uint16_t port, struct sockaddr_storage *ss,
			      socklen_t *len, struct qv_error *err)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN];
	size_t n;

	memset(ss, 0, sizeof *ss);
	if (strcmp(bind, "localhost") == 0)
		bind = "127.0.0.1";
	n = strlen(bind);
	/* accept [::1] as well as ::1 */
	if (n >= 2 && bind[0] == '[' && bind[n - 1] == ']' && n - 2 < sizeof host) {
		memcpy(host, bind + 1, n - 2);
		host[n - 2] = '\0';
		bind = host;
	}
	if (inet_pton(AF_INET, bind, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof *a4;
		return QV_OK;
	}
	if (inet_pton(AF_INET6, bind, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof *a6;
		return QV_OK;
	}
	return qv_error_set(err, QV_E_USAGE, "--bind wants an IP address, not '%s'", bind);
}

static enum qv_err serve_listen(struct serve *srv, struct qv_error *err)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	int one = 1;
	enum qv_err rc = serve_addr(srv->bind, srv->cfg.port, &ss, &len, err);

	if (rc != QV_OK)
		return rc;
	srv->family = ss.ss_family;
	srv->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->lfd < 0)
		return qv_error_sys(err, QV_E_IO, errno, "cannot create a socket");
	/* restart at once on the same port, whatever TIME_WAITs are left */
	(void)setsockopt(srv->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(srv->lfd, (struct sockaddr *)&ss, len) != 0 ||
	    listen(srv->lfd, SERVE_BACKLOG) != 0)
		return qv_error_sys(err, QV_E_IO, errno, "cannot listen on %s port %u", srv->bind,
				    (unsigned)srv->cfg.port);
	len = sizeof ss;
	if (getsockname(srv->lfd, (struct sockaddr *)&ss, &len) != 0)
		return qv_error_sys(err, QV_E_IO, errno, "cannot read the listening address");
	srv->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						 : ((struct sockaddr_in6 *)&ss)->sin6_port);
	return evloop_fd_add(srv->loop, srv->lfd, EVLOOP_READ, serve_on_accept, srv, err);
}

/* The cap: the configured one, lowered so every connection gets an fd. */
static unsigned serve_conn_cap(unsigned want)
{
	struct rlimit rl;

	if (want == 0)
		want = SERVE_CONNS_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < (rlim_t)want + FD_RESERVE)
		want = rl.rlim_cur > 2 * FD_RESERVE ? (unsigned)(rl.rlim_cur - FD_RESERVE) : FD_RESERVE;
	return want;
}

static enum qv_err serve_copy_strings(struct serve *srv, const struct serve_config *cfg,
				      struct qv_error *err)
{
	srv->bind = strdup(cfg->bind != NULL ? cfg->bind : "127.0.0.1");
	srv->dir = cfg->dir != NULL ? strdup(cfg->dir) : NULL;
	if (srv->bind == NULL || (cfg->dir != NULL && srv->dir == NULL))
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	srv->cfg.bind = srv->bind;
	srv->cfg.dir = srv->dir;
	return QV_OK;
}

enum qv_err serve_new(struct serve **out, struct evloop *loop, const struct serve_config *cfg,
		      struct qv_error *err)
{
	struct serve *srv = calloc(1, sizeof *srv);
	enum qv_err rc;

	*out = NULL;
	if (srv == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory");
	srv->loop = loop;
	srv->cfg = *cfg;
	srv->lfd = -1;
	srv->rng = cfg->seed;
	srv->max_conns = serve_conn_cap(cfg->max_conns);
	rc = serve_copy_strings(srv, cfg, err);
	if (rc == QV_OK)
		rc = serve_content_new(&srv->content, srv->dir, err);
	if (rc == QV_OK)
		rc = serve_listen(srv, err);
	if (rc != QV_OK) {
		serve_free(srv);
		return rc;
	}
	*out = srv;
	return QV_OK;
}

void serve_free(struct serve *srv)
{
	struct serve_conn *c;

	if (srv == NULL)
		return;
	while (srv->live != NULL)
		serve_conn_close(srv->live);   /* moves it to spare */
	while ((c = srv->spare) != NULL) {
		srv->spare = c->next;
		serve_conn_free(c);
	}
	(void)evloop_timer_cancel(srv->loop, srv->resume_timer);
	if (srv->lfd >= 0) {
		evloop_fd_del(srv->loop, srv->lfd);
		(void)close(srv->lfd);
	}
	serve_content_free(srv->content);
	free(srv->bind);
	free(srv->dir);
	free(srv);
}

uint16_t serve_port(const struct serve *srv)
{
	return srv->port;
}

size_t serve_origin(const struct serve *srv, const char *scheme, char *out, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char host[INET6_ADDRSTRLEN];
	const void *a;
	int n;

	if (serve_addr(srv->bind, srv->port, &ss, &len, NULL) != QV_OK)
		return 0;
	a = ss.ss_family == AF_INET ? (const void *)&((struct sockaddr_in *)&ss)->sin_addr
				    : (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
	if (inet_ntop(ss.ss_family, a, host, sizeof host) == NULL)
		return 0;
	n = snprintf(out, cap, ss.ss_family == AF_INET6 ? "%s://[%s]:%u" : "%s://%s:%u", scheme,
		     host, (unsigned)srv->port);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

const struct serve_stats *serve_stats(const struct serve *srv)
{
	return &srv->stats;
}
