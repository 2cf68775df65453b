/* wait.c - poll()-based blocking waits with deadlines and a stop flag. */
#include "net/wait.h"

#include <errno.h>
#include <poll.h>

#include "util/clock.h"

enum wait_result { WAIT_READY, WAIT_TIMEOUT, WAIT_MAX_TIME, WAIT_STOPPED, WAIT_ERROR };

/* Atomic: the threads engine's workers all poll one flag that another
 * thread (or a signal handler) raises; a plain read is a data race. */
static int stop_raised(const struct net_wait *w)
{
	return w->stop != NULL && __atomic_load_n(w->stop, __ATOMIC_RELAXED) != 0;
}

/* Wait for events on fds[0..n) (n 0: just sleep) until deadline_ms (0:
 * none), the max-time deadline, or the stop flag; the ready ones have
 * revents set. */
static enum wait_result wait_fds(struct pollfd *fds, size_t n, int64_t deadline_ms,
				 const struct net_wait *w, int *sys_err)
{
	for (;;) {
		int64_t now = clock_now_ms(), until = deadline_ms, left;
		int r;

		if (stop_raised(w))
			return WAIT_STOPPED;
		if (w->max_at_ms != 0 && now >= w->max_at_ms)
			return WAIT_MAX_TIME;
		if (deadline_ms != 0 && now >= deadline_ms)
			return WAIT_TIMEOUT;
		if (w->max_at_ms != 0 && (until == 0 || w->max_at_ms < until))
			until = w->max_at_ms;
		left = until == 0 ? -1 : until - now;
		if (w->stop != NULL && (left < 0 || left > NET_STOP_POLL_MS))
			left = NET_STOP_POLL_MS;
		r = poll(fds, n, (int)left);
		if (r > 0)
			return WAIT_READY; /* POLLERR/POLLHUP too: the next call says why */
		if (r < 0 && errno != EINTR) {
			*sys_err = errno;
			return WAIT_ERROR;
		}
	}
}

static enum wait_result wait_fd(int fd, short events, int64_t deadline_ms,
				const struct net_wait *w, int *sys_err)
{
	struct pollfd pfd = {fd, events, 0};

	return wait_fds(&pfd, fd >= 0 ? 1u : 0u, deadline_ms, w, sys_err);
}

/* Turn a non-ready wait result into the error for phase code. */
static enum qv_err wait_error(const struct conn *c, enum wait_result r, enum qv_err phase,
			      uint32_t phase_ms, const struct net_wait *w, int sys_err,
			      struct qv_error *err)
{
	switch (r) {
	case WAIT_TIMEOUT:
		return conn_timeout_error(c, phase, phase_ms, err);
	case WAIT_MAX_TIME:
		return conn_timeout_error(c, QV_E_TOTAL_TIMEOUT, w->max_time_ms, err);
	case WAIT_STOPPED:
		return qv_error_set(err, QV_E_INTERRUPTED, "interrupted");
	case WAIT_ERROR:
		return qv_error_sys(err, QV_E_IO, sys_err, "poll failed");
	case WAIT_READY:
		break;
	}
	return qv_error_set(err, QV_E_INTERNAL, "wait_error called on a ready wait");
}

static int64_t deadline_after(uint32_t ms)
{
	return ms == 0 ? 0 : clock_now_ms() + ms;
}

/* The connect deadline: the caller's (a tunnel shares it), else from now. */
static int64_t connect_deadline(const struct net_wait *w)
{
	return w->connect_at_ms != 0 ? w->connect_at_ms : deadline_after(w->connect_timeout_ms);
}

/* Race the addresses: wait for any attempt's socket, or the time the next
 * attempt is due, or the connect deadline. */
static enum qv_err connect_race(struct conn *c, enum conn_status st, int64_t total,
				const struct net_wait *w, struct qv_error *err)
{
	int sys_err = 0;

	while (st == CONN_WANT_WRITE) {
		struct pollfd p[NET_RACE_MAX];
		int fds[NET_RACE_MAX];
		size_t n = conn_connect_fds(c, fds, NET_RACE_MAX), i;
		int64_t next = conn_connect_next_at(c);
		int64_t until = next != INT64_MAX && (total == 0 || next < total) ? next : total;
		enum wait_result r;

		for (i = 0; i < n; i++)
			p[i] = (struct pollfd){fds[i], POLLOUT, 0};
		r = wait_fds(p, n, until, w, &sys_err);
		if (r == WAIT_TIMEOUT && until != total) {
			st = conn_connect_tick(c, err);
			continue;
		}
		if (r != WAIT_READY)
			return wait_error(c, r, QV_E_CONNECT_TIMEOUT, w->connect_timeout_ms, w,
					  sys_err, err);
		for (i = 0; i < n && st == CONN_WANT_WRITE; i++) {
			if (p[i].revents != 0)
				st = conn_connect_ready(c, p[i].fd, err);
		}
	}
	return st == CONN_OK ? QV_OK : err != NULL ? err->code : QV_E_CONNECT;
}

enum qv_err net_handshake_blocking(struct conn *c, const struct net_wait *w, struct qv_error *err)
{
	int64_t total = connect_deadline(w);
	int sys_err = 0;

	for (;;) {
		enum conn_status st = conn_handshake(c, err);
		enum wait_result r;

		if (st == CONN_OK)
			return QV_OK;
		if (st != CONN_WANT_READ && st != CONN_WANT_WRITE)
			return err != NULL ? err->code : QV_E_TLS_HANDSHAKE;
		r = wait_fd(c->fd, st == CONN_WANT_READ ? POLLIN : POLLOUT, total, w, &sys_err);
		if (r != WAIT_READY)
			return wait_error(c, r, QV_E_CONNECT_TIMEOUT, w->connect_timeout_ms, w,
					  sys_err, err);
	}
}

enum qv_err net_connect_blocking(struct conn *c, const struct net_addrs *addrs,
				 enum net_family f, const struct net_wait *w,
				 struct qv_error *err)
{
	enum qv_err rc = connect_race(c, conn_connect_start(c, addrs, f, err), connect_deadline(w),
				      w, err);

	/* The handshake shares the connect deadline. */
	return rc == QV_OK ? net_handshake_blocking(c, w, err) : rc;
}

/* A read or write waits for the idle timeout, or while the connection is
 * still being set up (a CONNECT exchange) for what is left of the connect
 * timeout. */
static int64_t io_deadline(const struct net_wait *w, enum qv_err *phase, uint32_t *phase_ms)
{
	if (w->connect_at_ms != 0) {
		*phase = QV_E_CONNECT_TIMEOUT;
		*phase_ms = w->connect_timeout_ms;
		return w->connect_at_ms;
	}
	*phase_ms = w->idle_timeout_ms;
	return deadline_after(w->idle_timeout_ms);
}

/* Read into in, or write out (exactly one is not NULL), waiting for the
 * socket within the idle timeout (or the connect deadline, io_deadline). */
static enum qv_err net_io_blocking(struct conn *c, uint8_t *in, const uint8_t *out, size_t len,
				   size_t *n, const struct net_wait *w, struct qv_error *err)
{
	enum qv_err phase = out != NULL ? QV_E_WRITE_TIMEOUT : QV_E_READ_TIMEOUT;
	uint32_t phase_ms;
	int64_t deadline = io_deadline(w, &phase, &phase_ms);
	int sys_err = 0;

	*n = 0;
	for (;;) {
		enum conn_status st;
		enum wait_result r;

		if (stop_raised(w))
			return qv_error_set(err, QV_E_INTERRUPTED, "interrupted");
		st = out != NULL ? conn_write(c, out, len, n, err) : conn_read(c, in, len, n, err);
		if (st == CONN_OK || (st == CONN_EOF && out == NULL))
			return QV_OK;
		if (st == CONN_ERROR || st == CONN_EOF)
			return err != NULL ? err->code : QV_E_IO;
		r = wait_fd(c->fd, st == CONN_WANT_READ ? POLLIN : POLLOUT, deadline, w, &sys_err);
		if (r != WAIT_READY)
			return wait_error(c, r, phase, phase_ms, w, sys_err, err);
	}
}

enum qv_err net_read_blocking(struct conn *c, uint8_t *buf, size_t cap, size_t *n,
			      const struct net_wait *w, struct qv_error *err)
{
	return net_io_blocking(c, buf, NULL, cap, n, w, err);
}

enum qv_err net_write_blocking(struct conn *c, const uint8_t *p, size_t len, size_t *n,
			       const struct net_wait *w, struct qv_error *err)
{
	return net_io_blocking(c, NULL, p, len, n, w, err);
}

enum qv_err net_sleep_until(int64_t at_ms, const struct net_wait *w, struct qv_error *err)
{
	int sys_err = 0;
	enum wait_result r;

	if (at_ms <= 0)
		at_ms = 1; /* 0 would mean "no deadline" */
	r = wait_fd(-1, 0, at_ms, w, &sys_err);
	if (r == WAIT_TIMEOUT)
		return QV_OK;
	return wait_error(NULL, r, QV_E_INTERNAL, 0, w, sys_err, err);
}
