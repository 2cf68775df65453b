/* test_net.c - the net layer against loopback listeners made in the test:
 * resolution of loopback names, connect (ok, refused, timeout), read/write
 * statuses, idle timeouts with their exact messages, and the keep-alive pool. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "emu.h"
#include "net/addr.h"
#include "net/conn.h"
#include "net/pool.h"
#include "net/wait.h"
#include "tq.h"
#include "util/clock.h"

void suite_net(struct tq *t);

/* A listening socket on 127.0.0.1 with a kernel-chosen port. */
static int listen_local(int backlog, uint16_t *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(fd, backlog) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
		(void)close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

/* A direct route to scheme://host:port. */
static void origin_set(struct route *r, enum url_scheme scheme, const char *host, uint16_t port)
{
	memset(r, 0, sizeof *r);
	r->via = ROUTE_DIRECT;
	r->origin.scheme = scheme;
	(void)snprintf(r->origin.host, sizeof r->origin.host, "%s", host);
	r->origin.port = port;
	r->peer = r->origin;
}

static const struct net_wait wait_short = {300, 300, 0, 0, 0, NULL};

/* Connect a conn to 127.0.0.1:port and accept the server side into *srv. */
static struct conn *connect_local(struct tq *t, int lfd, uint16_t port, int *srv)
{
	struct route u;
	struct net_addrs addrs;
	struct conn *c = NULL;
	struct qv_error e;

	origin_set(&u, URL_HTTP, "127.0.0.1", port);
	if (!TQ_INT(t, net_addr_resolve("127.0.0.1", port, &addrs, &e), QV_OK))
		return NULL;
	if (!TQ_INT(t, conn_new(&c, &u, NULL, &e), QV_OK))
		return NULL;
	if (!TQ_INT(t, net_connect_blocking(c, &addrs, NET_ANY, &wait_short, &e), QV_OK)) {
		conn_free(c);
		return NULL;
	}
	*srv = accept(lfd, NULL, NULL);
	TQ_TRUE(t, *srv >= 0);
	return c;
}

/* One loopback connection under test: the conn and the accepted server
 * side srv (-1 once a test closed it itself). */
struct net_pair {
	int lfd;
	int srv;
	uint16_t port;
	struct conn *c;
};

static void pair_close(struct net_pair *p)
{
	conn_free(p->c);
	if (p->srv >= 0)
		(void)close(p->srv);
	if (p->lfd >= 0)
		(void)close(p->lfd);
}

/* Listen, connect and accept; false after recording the failure, with
 * everything already closed. */
static bool pair_open(struct tq *t, struct net_pair *p)
{
	p->port = 0;
	p->srv = -1;
	p->c = NULL;
	p->lfd = listen_local(4, &p->port);
	if (!TQ_TRUE(t, p->lfd >= 0))
		return false;
	p->c = connect_local(t, p->lfd, p->port, &p->srv);
	if (p->c == NULL) {
		pair_close(p);
		return false;
	}
	return true;
}

static void test_resolve_loopback(struct tq *t)
{
	struct net_addrs a;
	struct qv_error e;
	char s[NET_ADDR_STR_MAX];

	TQ_INT(t, net_addr_resolve("127.0.0.1", 8001, &a, &e), QV_OK);
	TQ_INT(t, a.count, 1);
	TQ_INT(t, net_addr_format(&a.a[0], s, sizeof s), strlen("127.0.0.1:8001"));
	TQ_STR(t, s, "127.0.0.1:8001");
	TQ_INT(t, net_addr_resolve("::1", 443, &a, &e), QV_OK);
	TQ_INT(t, a.count, 1);
	(void)net_addr_format(&a.a[0], s, sizeof s);
	TQ_STR(t, s, "[::1]:443");
	/* localhost works even where only loopback is up (no AI_ADDRCONFIG) */
	TQ_INT(t, net_addr_resolve("localhost", 80, &a, &e), QV_OK);
	TQ_TRUE(t, a.count >= 1);
}

static void test_resolve_fail(struct tq *t)
{
	struct net_addrs a;
	struct qv_error e;

	qv_error_clear(&e);
	TQ_INT(t, net_addr_resolve("no-such-host.invalid", 80, &a, &e), QV_E_DNS);
	TQ_INT(t, e.code, QV_E_DNS);
	TQ_TRUE(t, strncmp(e.msg, "could not resolve host: no-such-host.invalid", 44) == 0);
	TQ_INT(t, a.count, 0);
}

static void test_format_small(struct tq *t)
{
	struct net_addrs a;
	struct qv_error e;
	char s[8];

	TQ_INT(t, net_addr_resolve("127.0.0.1", 8001, &a, &e), QV_OK);
	TQ_INT(t, net_addr_format(&a.a[0], s, sizeof s), 0);
	TQ_STR(t, s, "");
}

static void test_connect_refused(struct tq *t)
{
	uint16_t port = 0;
	int lfd = listen_local(1, &port);
	struct route u;
	struct net_addrs a;
	struct conn *c = NULL;
	struct qv_error e;
	char want[96];

	if (!TQ_TRUE(t, lfd >= 0))
		return;
	(void)close(lfd); /* nobody listens there now */
	origin_set(&u, URL_HTTP, "127.0.0.1", port);
	TQ_INT(t, net_addr_resolve("127.0.0.1", port, &a, &e), QV_OK);
	TQ_INT(t, conn_new(&c, &u, NULL, &e), QV_OK);
	TQ_INT(t, net_connect_blocking(c, &a, NET_ANY, &wait_short, &e), QV_E_CONNECT);
	conn_free(c);
	if (emu_so_error_untranslated()) {
		tq_skip(t, EMU_SO_ERROR_WHY);
		return;
	}
	(void)snprintf(want, sizeof want, "could not connect to 127.0.0.1:%u: Connection refused",
		       (unsigned)port);
	TQ_STR(t, e.msg, want);
}

static void test_https_refused(struct tq *t)
{
	struct route u;
	struct conn *c = (struct conn *)&u;
	struct qv_error e;

	origin_set(&u, URL_HTTPS, "example.com", 443);
	TQ_INT(t, conn_new(&c, &u, NULL, &e), QV_E_URL_SCHEME);
	TQ_TRUE(t, c == NULL);
	TQ_TRUE(t, strstr(e.msg, "HTTPS is not set up here") != NULL);
}

static void test_read_write(struct tq *t)
{
	struct net_pair p;
	struct qv_error e;
	uint8_t buf[64];
	size_t n = 0;

	if (!pair_open(t, &p))
		return;
	TQ_INT(t, conn_read(p.c, buf, sizeof buf, &n, &e), CONN_WANT_READ);
	TQ_INT(t, conn_write(p.c, (const uint8_t *)"GET", 3, &n, &e), CONN_OK);
	TQ_INT(t, n, 3);
	TQ_INT(t, read(p.srv, buf, sizeof buf), 3);
	TQ_INT(t, write(p.srv, "hello", 5), 5);
	TQ_INT(t, net_read_blocking(p.c, buf, sizeof buf, &n, &wait_short, &e), QV_OK);
	TQ_MEM(t, buf, n, "hello", 5);
	TQ_TRUE(t, conn_idle_ok(p.c));
	(void)close(p.srv);
	p.srv = -1;
	TQ_TRUE(t, !conn_idle_ok(p.c));
	TQ_INT(t, net_read_blocking(p.c, buf, sizeof buf, &n, &wait_short, &e), QV_OK);
	TQ_INT(t, n, 0); /* EOF */
	pair_close(&p);
}

static void test_reset(struct tq *t)
{
	struct net_pair p;
	struct qv_error e;
	struct linger lg = {1, 0};
	uint8_t buf[16];
	size_t n = 0;

	if (!pair_open(t, &p))
		return;
	/* SO_LINGER 0 makes close() send RST. */
	(void)setsockopt(p.srv, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	(void)close(p.srv);
	p.srv = -1;
	TQ_INT(t, net_read_blocking(p.c, buf, sizeof buf, &n, &wait_short, &e), QV_E_RESET);
	TQ_TRUE(t, strncmp(e.msg, "connection reset by peer (127.0.0.1:", 36) == 0);
	pair_close(&p);
}

static void test_read_timeout(struct tq *t)
{
	struct net_pair p;
	struct net_wait w = {1000, 200, 0, 0, 0, NULL};
	struct qv_error e;
	uint8_t buf[16];
	size_t n = 0;
	int64_t t0;
	char want[96];

	if (!pair_open(t, &p))
		return;
	t0 = clock_now_ms();
	TQ_INT(t, net_read_blocking(p.c, buf, sizeof buf, &n, &w, &e), QV_E_READ_TIMEOUT);
	TQ_TRUE(t, clock_now_ms() - t0 >= 200);
	(void)snprintf(want, sizeof want, "read timed out after 0.2s (no data from 127.0.0.1:%u)",
		       (unsigned)p.port);
	TQ_STR(t, e.msg, want);
	/* --max-time wins when it comes first */
	w.idle_timeout_ms = 5000;
	w.max_at_ms = clock_now_ms() + 100;
	w.max_time_ms = 60000;
	TQ_INT(t, net_read_blocking(p.c, buf, sizeof buf, &n, &w, &e), QV_E_TOTAL_TIMEOUT);
	TQ_STR(t, e.msg, "transfer took longer than --max-time 60s");
	pair_close(&p);
}

static void test_stop_flag(struct tq *t)
{
	volatile sig_atomic_t stop = 1;
	struct net_wait w = {0, 0, 0, 0, 0, &stop};
	struct qv_error e;

	TQ_INT(t, net_sleep_until(clock_now_ms() + 5000, &w, &e), QV_E_INTERRUPTED);
	stop = 0;
	TQ_INT(t, net_sleep_until(clock_now_ms() + 20, &w, &e), QV_OK);
}

static void test_write_timeout(struct tq *t)
{
	struct net_pair p;
	struct net_wait w = {1000, 150, 0, 0, 0, NULL};
	static const uint8_t junk[65536];
	struct qv_error e;
	size_t n = 0;
	enum qv_err rc = QV_OK;
	int i;

	if (!pair_open(t, &p))
		return;
	/* The server never reads: socket buffers fill, then the wait times out. */
	for (i = 0; i < 4096 && rc == QV_OK; i++)
		rc = net_write_blocking(p.c, junk, sizeof junk, &n, &w, &e);
	TQ_INT(t, rc, QV_E_WRITE_TIMEOUT);
	TQ_TRUE(t, strncmp(e.msg, "write timed out after 0.15s (could not send to 127.0.0.1:",
			   57) == 0);
	pair_close(&p);
}

/* A listener whose accept queue is full drops SYNs, so connect hangs. */
static void test_connect_timeout(struct tq *t)
{
	uint16_t port = 0;
	int lfd = listen_local(0, &port);
	struct conn *fill[8];
	size_t nfill = 0, i;
	struct route u;
	struct net_addrs a;
	struct net_wait w = {250, 250, 0, 0, 0, NULL};
	struct qv_error e;
	enum qv_err rc = QV_OK;
	char want[96];

	if (!TQ_TRUE(t, lfd >= 0))
		return;
	origin_set(&u, URL_HTTP, "127.0.0.1", port);
	TQ_INT(t, net_addr_resolve("127.0.0.1", port, &a, &e), QV_OK);
	/* Fill the backlog with connections never accepted, until one hangs. */
	while (nfill < 8 && rc == QV_OK) {
		if (!TQ_INT(t, conn_new(&fill[nfill], &u, NULL, &e), QV_OK))
			break;
		rc = net_connect_blocking(fill[nfill], &a, NET_ANY, &w, &e);
		nfill++;
	}
	if (rc == QV_OK) {
		tq_skip(t, "the kernel never dropped a SYN");
	} else {
		TQ_INT(t, rc, QV_E_CONNECT_TIMEOUT);
		(void)snprintf(want, sizeof want,
			       "connection timed out after 0.25s (connect to 127.0.0.1:%u)",
			       (unsigned)port);
		TQ_STR(t, e.msg, want);
	}
	for (i = 0; i < nfill; i++)
		conn_free(fill[i]);
	(void)close(lfd);
}

static void test_pool(struct tq *t)
{
	uint16_t port = 0;
	int lfd = listen_local(8, &port), s1 = -1, s2 = -1;
	struct conn_pool p;
	struct conn *c1, *c2, *got;
	struct route u, other;

	if (!TQ_TRUE(t, lfd >= 0))
		return;
	conn_pool_init(&p, 4, 1000);
	c1 = connect_local(t, lfd, port, &s1);
	c2 = connect_local(t, lfd, port, &s2);
	if (c1 == NULL || c2 == NULL) {
		conn_free(c1);
		conn_free(c2);
		goto out;
	}
	origin_set(&u, URL_HTTP, "127.0.0.1", port);
	origin_set(&other, URL_HTTP, "127.0.0.1", (uint16_t)(port + 1));
	conn_pool_put(&p, c1, 100);
	conn_pool_put(&p, c2, 200);
	TQ_INT(t, p.count, 2);
	TQ_TRUE(t, conn_pool_take(&p, &other, 300) == NULL);
	got = conn_pool_take(&p, &u, 300);
	TQ_TRUE(t, got == c2); /* newest first */
	conn_pool_put(&p, got, 400);
	/* the server closes c1's peer: the pool notices and drops it */
	(void)close(s1);
	s1 = -1;
	got = conn_pool_take(&p, &u, 500);
	TQ_TRUE(t, got == c2);
	got = conn_pool_take(&p, &u, 500);
	TQ_TRUE(t, got == NULL); /* c1 was dead and is closed */
	TQ_INT(t, p.count, 0);
	/* idle expiry */
	conn_pool_put(&p, c2, 1000);
	TQ_TRUE(t, conn_pool_take(&p, &u, 2000) == NULL);
	TQ_INT(t, p.count, 0);
	conn_pool_clear(&p);
	conn_pool_clear(NULL);
out:
	if (s1 >= 0)
		(void)close(s1);
	if (s2 >= 0)
		(void)close(s2);
	(void)close(lfd);
}

static void test_pool_bound(struct tq *t)
{
	uint16_t port = 0;
	int lfd = listen_local(8, &port), srv[3] = {-1, -1, -1};
	struct conn_pool p;
	struct conn *c[3] = {NULL, NULL, NULL};
	struct route u;
	size_t i;

	if (!TQ_TRUE(t, lfd >= 0))
		return;
	conn_pool_init(&p, 2, 0);
	TQ_INT(t, p.idle_ms, CONN_POOL_IDLE_MS);
	for (i = 0; i < 3; i++)
		c[i] = connect_local(t, lfd, port, &srv[i]);
	origin_set(&u, URL_HTTP, "127.0.0.1", port);
	for (i = 0; i < 3; i++)
		conn_pool_put(&p, c[i], (int64_t)i);
	TQ_INT(t, p.count, 2); /* c[0], the oldest, was closed */
	TQ_TRUE(t, p.items[0] == c[1] && p.items[1] == c[2]);
	conn_pool_clear(&p);
	TQ_INT(t, p.count, 0);
	for (i = 0; i < 3; i++)
		if (srv[i] >= 0)
			(void)close(srv[i]);
	(void)close(lfd);
}

static void test_clock_format(struct tq *t)
{
	char s[16];

	clock_format_secs(6100, s, sizeof s);
	TQ_STR(t, s, "6.1");
	clock_format_secs(30000, s, sizeof s);
	TQ_STR(t, s, "30");
	clock_format_secs(250, s, sizeof s);
	TQ_STR(t, s, "0.25");
	clock_format_secs(1, s, sizeof s);
	TQ_STR(t, s, "0.001");
	TQ_TRUE(t, clock_now_ms() > 0);
}

void suite_net(struct tq *t)
{
	tq_run(t, "resolve loopback", test_resolve_loopback);
	tq_run(t, "resolve failure message", test_resolve_fail);
	tq_run(t, "address format too small", test_format_small);
	tq_run(t, "connect refused", test_connect_refused);
	tq_run(t, "https refused without a TLS client", test_https_refused);
	tq_run(t, "read and write statuses", test_read_write);
	tq_run(t, "reset maps to QV_E_RESET", test_reset);
	tq_run(t, "read timeout and max-time", test_read_timeout);
	tq_run(t, "write timeout", test_write_timeout);
	tq_run(t, "connect timeout", test_connect_timeout);
	tq_run(t, "stop flag", test_stop_flag);
	tq_run(t, "pool take/put/dead/expiry", test_pool);
	tq_run(t, "pool bound evicts oldest", test_pool_bound);
	tq_run(t, "clock seconds format", test_clock_format);
}
