/* race.c - Happy Eyeballs connects (see race.h). */
#include "net/race.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void net_race_init(struct net_race *r)
{
	unsigned i;

	memset(r, 0, sizeof *r);
	for (i = 0; i < NET_RACE_MAX; i++)
		r->fd[i] = -1;
	r->won = -1;
	r->next_at = INT64_MAX;
}

void net_race_clear(struct net_race *r)
{
	unsigned i;

	for (i = 0; i < NET_RACE_MAX; i++) {
		if (r->fd[i] >= 0)
			(void)close(r->fd[i]);
		r->fd[i] = -1;
	}
	if (r->won >= 0)
		(void)close(r->won);
	r->won = -1;
	r->live = 0;
}

static bool race_family_ok(const struct net_addr *a, enum net_family f)
{
	return f == NET_ANY || (f == NET_IPV4 && a->ss.ss_family == AF_INET) ||
	       (f == NET_IPV6 && a->ss.ss_family == AF_INET6);
}

static void race_close(struct net_race *r, unsigned slot)
{
	(void)close(r->fd[slot]);
	r->fd[slot] = -1;
	r->live--;
}

/* Every other attempt is closed; the winner is kept apart. */
static enum net_race_status race_win(struct net_race *r, unsigned slot)
{
	unsigned i;

	r->won = r->fd[slot];
	r->won_idx = r->idx[slot];
	r->fd[slot] = -1;
	r->live--;
	for (i = 0; i < NET_RACE_MAX; i++) {
		if (r->fd[i] >= 0)
			race_close(r, i);
	}
	(void)net_addr_format(&r->addrs.a[r->won_idx], r->peer, sizeof r->peer);
	r->next_at = INT64_MAX;
	return RACE_WON;
}

static enum net_race_status race_failed(struct net_race *r, struct qv_error *err)
{
	if (r->failed > 1)
		(void)qv_error_sys(err, QV_E_CONNECT, r->last_errno,
				   "could not connect to %s (%zu addresses tried)", r->peer, r->failed);
	else
		(void)qv_error_sys(err, QV_E_CONNECT, r->last_errno, "could not connect to %s",
				   r->peer);
	return RACE_FAILED;
}

/* One attempt at address r->next.  False on a socket() failure. */
static bool race_attempt(struct net_race *r, int64_t now, struct qv_error *err)
{
	const struct net_addr *a = &r->addrs.a[r->next];
	int one = 1, fd;
	unsigned slot;

	for (slot = 0; slot < NET_RACE_MAX && r->fd[slot] >= 0; slot++)
		;
	if (slot == NET_RACE_MAX)
		return true; /* no room: the next tick or failure makes some */
	(void)net_addr_format(a, r->peer, sizeof r->peer);
	fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		(void)qv_error_sys(err, QV_E_IO, errno, "could not create a socket");
		return false;
	}
	/* Best effort: without it requests are only slower, not wrong (a head
	 * goes out in one write; Nagle would only delay it). */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	r->fd[slot] = fd;
	r->idx[slot] = r->next++;
	r->live++;
	r->next_at = r->next < r->addrs.count ? now + NET_RACE_DELAY_MS : INT64_MAX;
	if (connect(fd, (const struct sockaddr *)&a->ss, a->len) == 0) {
		(void)race_win(r, slot);
		return true;
	}
	if (errno != EINPROGRESS && errno != EINTR) {
		r->last_errno = errno;
		r->failed++;
		race_close(r, slot);
		/* refused or unreachable: the next address right away */
		r->next_at = now;
	}
	return true;
}

/* Start what is due; the outcome of the race so far. */
static enum net_race_status race_run(struct net_race *r, int64_t now, struct qv_error *err)
{
	while (r->won < 0 && r->next < r->addrs.count && now >= r->next_at &&
	       r->live < NET_RACE_MAX) {
		if (!race_attempt(r, now, err)) {
			net_race_clear(r);
			return RACE_FAILED;
		}
	}
	if (r->won >= 0)
		return RACE_WON;
	if (r->live == 0 && r->next >= r->addrs.count)
		return race_failed(r, err);
	return RACE_WAIT;
}

enum net_race_status net_race_start(struct net_race *r, const struct net_addrs *addrs,
				    enum net_family f, int64_t now, struct qv_error *err)
{
	size_t i;

	net_race_clear(r);
	net_race_init(r);
	for (i = 0; i < addrs->count; i++) {
		if (race_family_ok(&addrs->a[i], f))
			r->addrs.a[r->addrs.count++] = addrs->a[i];
	}
	if (r->addrs.count == 0) {
		(void)qv_error_set(err, QV_E_CONNECT, "no %saddress to connect to",
				   f == NET_IPV4 ? "IPv4 " : f == NET_IPV6 ? "IPv6 " : "");
		return RACE_FAILED;
	}
	r->next_at = now;
	return race_run(r, now, err);
}

enum net_race_status net_race_ready(struct net_race *r, int fd, int64_t now,
				    struct qv_error *err)
{
	int soerr = 0;
	socklen_t len = sizeof soerr;
	unsigned slot;

	for (slot = 0; slot < NET_RACE_MAX && (r->fd[slot] != fd || fd < 0); slot++)
		;
	if (slot == NET_RACE_MAX)
		return race_run(r, now, err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
		soerr = errno;
	if (soerr == 0)
		return race_win(r, slot);
	if (soerr == EINPROGRESS || soerr == EALREADY)
		return RACE_WAIT;
	(void)net_addr_format(&r->addrs.a[r->idx[slot]], r->peer, sizeof r->peer);
	r->last_errno = soerr;
	r->failed++;
	race_close(r, slot);
	r->next_at = now; /* moves on at once */
	return race_run(r, now, err);
}

enum net_race_status net_race_tick(struct net_race *r, int64_t now, struct qv_error *err)
{
	return race_run(r, now, err);
}

size_t net_race_fds(const struct net_race *r, int *out, size_t cap)
{
	size_t n = 0;
	unsigned i;

	for (i = 0; i < NET_RACE_MAX && n < cap; i++) {
		if (r->fd[i] >= 0)
			out[n++] = r->fd[i];
	}
	return n;
}

int64_t net_race_next_at(const struct net_race *r)
{
	return r->won < 0 && r->next < r->addrs.count ? r->next_at : INT64_MAX;
}

int net_race_take(struct net_race *r)
{
	int fd = r->won;

	r->won = -1;
	return fd;
}
