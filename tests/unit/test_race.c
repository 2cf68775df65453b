/* test_race.c - Happy Eyeballs (net/race.c) on real loopback sockets: a
 * stalled address (a listener whose backlog is full drops further SYNs, so
 * a connect to it hangs as to a dead route) costs NET_RACE_DELAY_MS before
 * the next starts, a refused one nothing; families filter; bounded in
 * flight.  Time is the test's own: the race takes `now` as an argument. */
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/race.h"
#include "tq.h"

void suite_race(struct tq *t);

/* A listener on 127.0.0.1 (or ::1); backlog 0 and one connection left
 * pending fills it: further connects stall. */
struct lsn {
	int fd, filler;
	uint16_t port;
};

static bool lsn_open(struct lsn *l, int family, bool stalled)
{
	struct sockaddr_storage ss;
	socklen_t len;

	memset(&ss, 0, sizeof ss);
	l->filler = -1;
	l->fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return false;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof *a;
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		len = sizeof *a;
	}
	if (bind(l->fd, (struct sockaddr *)&ss, len) != 0 || listen(l->fd, stalled ? 0 : 16) != 0 ||
	    getsockname(l->fd, (struct sockaddr *)&ss, &len) != 0)
		return false;
	l->port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					  : ((struct sockaddr_in6 *)&ss)->sin6_port);
	if (stalled) {
		l->filler = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (l->filler < 0 || connect(l->filler, (struct sockaddr *)&ss, len) != 0)
			return false;
	}
	return true;
}

static void lsn_close(struct lsn *l)
{
	if (l->filler >= 0)
		(void)close(l->filler);
	if (l->fd >= 0)
		(void)close(l->fd);
}

/* A closed port: connects are refused. */
static uint16_t refused_port(void)
{
	struct lsn l;
	uint16_t p = 0;

	if (lsn_open(&l, AF_INET, false))
		p = l.port;
	lsn_close(&l);
	return p;
}

static void add(struct tq *t, struct net_addrs *a, const char *host, uint16_t port)
{
	struct net_addrs one;
	struct qv_error e;

	if (TQ_INT(t, net_addr_resolve(host, port, &one, &e), QV_OK))
		a->a[a->count++] = one.a[0];
}

/* Wait up to ms for an attempt's socket; feed it to the race. */
static enum net_race_status wait_ready(struct net_race *r, int ms, int64_t now,
				       struct qv_error *e)
{
	struct pollfd p[NET_RACE_MAX];
	int fds[NET_RACE_MAX];
	size_t n = net_race_fds(r, fds, NET_RACE_MAX), i;

	for (i = 0; i < n; i++) {
		p[i].fd = fds[i];
		p[i].events = POLLOUT;
		p[i].revents = 0;
	}
	if (poll(p, n, ms) <= 0)
		return RACE_WAIT;
	for (i = 0; i < n; i++) {
		if (p[i].revents != 0) {
			enum net_race_status st = net_race_ready(r, p[i].fd, now, e);

			if (st != RACE_WAIT)
				return st;
		}
	}
	return RACE_WAIT;
}

static void t_stalled_then_good(struct tq *t)
{
	struct lsn dead, good;
	struct net_addrs a = {.count = 0};
	struct net_race r;
	struct qv_error e;
	int fds[NET_RACE_MAX], fd;

	if (!TQ_TRUE(t, lsn_open(&dead, AF_INET, true) && lsn_open(&good, AF_INET, false)))
		return;
	add(t, &a, "127.0.0.1", dead.port);
	add(t, &a, "127.0.0.1", good.port);
	net_race_init(&r);
	TQ_INT(t, net_race_start(&r, &a, NET_ANY, 1000, &e), RACE_WAIT);
	TQ_INT(t, net_race_fds(&r, fds, NET_RACE_MAX), 1);
	TQ_INT(t, net_race_next_at(&r), 1000 + NET_RACE_DELAY_MS);
	TQ_INT(t, wait_ready(&r, 100, 1100, &e), RACE_WAIT); /* the dead one hangs */
	TQ_INT(t, net_race_tick(&r, 1249, &e), RACE_WAIT);
	TQ_INT(t, net_race_fds(&r, fds, NET_RACE_MAX), 1);
	TQ_INT(t, net_race_tick(&r, 1250, &e), RACE_WAIT);   /* the second starts */
	TQ_INT(t, net_race_fds(&r, fds, NET_RACE_MAX), 2);
	TQ_INT(t, net_race_next_at(&r), INT64_MAX);          /* nothing left to start */
	TQ_INT(t, wait_ready(&r, 2000, 1260, &e), RACE_WON);
	fd = net_race_take(&r);
	TQ_TRUE(t, fd >= 0);
	TQ_INT(t, net_race_fds(&r, fds, NET_RACE_MAX), 0);   /* the loser is closed */
	{
		char want[32];

		(void)snprintf(want, sizeof want, "127.0.0.1:%u", good.port);
		TQ_STR(t, r.peer, want);
	}
	if (fd >= 0)
		(void)close(fd);
	net_race_clear(&r);
	lsn_close(&dead);
	lsn_close(&good);
}

static void t_refused_moves_on(struct tq *t)
{
	struct lsn good;
	struct net_addrs a = {.count = 0};
	struct net_race r;
	struct qv_error e;
	enum net_race_status st;
	int guard;

	if (!TQ_TRUE(t, lsn_open(&good, AF_INET, false)))
		return;
	add(t, &a, "127.0.0.1", refused_port());
	add(t, &a, "127.0.0.1", good.port);
	net_race_init(&r);
	/* the clock stands still at 0: had the refusal not moved the race on,
	 * the good address would wait for next_at (250) forever */
	st = net_race_start(&r, &a, NET_ANY, 0, &e);
	for (guard = 0; st == RACE_WAIT && guard < 20; guard++)
		st = wait_ready(&r, 200, 0, &e);
	TQ_INT(t, st, RACE_WON);
	TQ_INT(t, r.failed, 1);
	net_race_clear(&r);
	lsn_close(&good);
}

static void t_all_refused(struct tq *t)
{
	struct net_addrs a = {.count = 0};
	struct net_race r;
	struct qv_error e;
	enum net_race_status st;
	uint16_t p = refused_port();
	char want[96];
	int guard;

	add(t, &a, "127.0.0.1", p);
	add(t, &a, "127.0.0.1", p);
	net_race_init(&r);
	st = net_race_start(&r, &a, NET_ANY, 0, &e);
	for (guard = 0; st == RACE_WAIT && guard < 10; guard++)
		st = wait_ready(&r, 1000, 0, &e);
	TQ_INT(t, st, RACE_FAILED);
	TQ_INT(t, e.code, QV_E_CONNECT);
	(void)snprintf(want, sizeof want, "could not connect to 127.0.0.1:%u (2 addresses tried)", p);
	TQ_TRUE(t, strncmp(e.msg, want, strlen(want)) == 0);
	net_race_clear(&r);
}

static void t_families(struct tq *t)
{
	struct net_addrs a = {.count = 0};
	struct net_race r;
	struct qv_error e;
	int fds[NET_RACE_MAX];

	add(t, &a, "127.0.0.1", 9);
	net_race_init(&r);
	TQ_INT(t, net_race_start(&r, &a, NET_IPV6, 0, &e), RACE_FAILED);
	TQ_STR(t, e.msg, "no IPv6 address to connect to");
	add(t, &a, "::1", 9);
	(void)net_race_start(&r, &a, NET_IPV6, 0, &e);
	TQ_INT(t, r.addrs.count, 1);
	TQ_INT(t, r.addrs.a[0].ss.ss_family, AF_INET6);
	(void)net_race_start(&r, &a, NET_IPV4, 0, &e);
	TQ_INT(t, r.addrs.count, 1);
	TQ_INT(t, r.addrs.a[0].ss.ss_family, AF_INET);
	(void)net_race_fds(&r, fds, NET_RACE_MAX);
	net_race_clear(&r);
}

static void t_bounded(struct tq *t)
{
	struct lsn dead[NET_ADDRS_MAX];
	struct net_addrs a = {.count = 0};
	struct net_race r;
	struct qv_error e;
	int fds[NET_RACE_MAX];
	size_t i;
	int64_t now = 0;

	for (i = 0; i < NET_ADDRS_MAX; i++) {
		if (!TQ_TRUE(t, lsn_open(&dead[i], AF_INET, true)))
			return;
		add(t, &a, "127.0.0.1", dead[i].port);
	}
	net_race_init(&r);
	TQ_INT(t, net_race_start(&r, &a, NET_ANY, now, &e), RACE_WAIT);
	for (i = 0; i < NET_ADDRS_MAX; i++) {
		now += NET_RACE_DELAY_MS;
		TQ_INT(t, net_race_tick(&r, now, &e), RACE_WAIT);
	}
	TQ_INT(t, net_race_fds(&r, fds, NET_RACE_MAX), NET_RACE_MAX);
	TQ_INT(t, r.live, NET_RACE_MAX);
	net_race_clear(&r);
	TQ_INT(t, net_race_fds(&r, fds, NET_RACE_MAX), 0);
	for (i = 0; i < NET_ADDRS_MAX; i++)
		lsn_close(&dead[i]);
}

void suite_race(struct tq *t)
{
	tq_run(t, "a stalled address costs 250 ms", t_stalled_then_good);
	tq_run(t, "a refused address costs nothing", t_refused_moves_on);
	tq_run(t, "every address refused", t_all_refused);
	tq_run(t, "-4 and -6", t_families);
	tq_run(t, "attempts in flight are bounded", t_bounded);
}
