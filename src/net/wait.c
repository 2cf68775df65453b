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

/* Wait for events on fd (fd < 0: just sleep) until deadline_ms (0: none),
 * the max-time deadline, or the stop flag. */
static enum wait_result wait_fd(int fd, short events, int64_t deadline_ms,
				const struct net_wait *w, int *sys_err)
{
	for (;;) {
		int64_t now = clock_now_ms(), until = deadline_ms, left;
		struct pollfd pfd;
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
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, fd >= 0 ? 1u : 0u, (int)left);
		if (r > 0)
			return WAIT_READY; /* POLLERR/POLLHUP too: the next call says why */
		if (r < 0 && errno != EINTR) {
			*sys_err = errno;
			return WAIT_ERROR;
		}
	}
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

/* Deadline of the current address attempt: an even share of the time left
 * when other addresses remain. */
static int64_t attempt_deadline(const struct conn *c, int64_t total_deadline)
{
	size_t rest = conn_connect_remaining(c);
	int64_t now = clock_now_ms();

	if (total_deadline == 0 || rest == 0 || total_deadline <= now)
		return total_deadline;
	return now + (total_deadline - now) / (int64_t)(rest + 1);
}

enum qv_err net_connect_blocking(struct conn *c, const struct net_addrs *addrs,
				 const struct net_wait *w, struct qv_error *err)
{
	int64_t total = deadline_after(w->connect_timeout_ms);
	enum conn_status st = conn_connect_start(c, addrs, err);
	int sys_err = 0;

	while (st == CONN_WANT_WRITE) {
		enum wait_result r = wait_fd(c->fd, POLLOUT, attempt_deadline(c, total), w, &sys_err);

		if (r == WAIT_READY) {
			st = conn_connect_continue(c, err);
		} else if (r == WAIT_TIMEOUT && conn_connect_remaining(c) > 0) {
			st = conn_connect_skip(c, err);
		} else {
			return wait_error(c, r, QV_E_CONNECT_TIMEOUT, w->connect_timeout_ms, w,
					  sys_err, err);
		}
	}
	if (st == CONN_ERROR)
		return err != NULL ? err->code : QV_E_CONNECT;
	/* The handshake shares the connect deadline. */
	for (;;) {
		enum wait_result r;

		st = conn_handshake(c, err);
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

/* Read into in, or write out (exactly one is not NULL), waiting for the
 * socket within the idle timeout. */
static enum qv_err net_io_blocking(struct conn *c, uint8_t *in, const uint8_t *out, size_t len,
				   size_t *n, const struct net_wait *w, struct qv_error *err)
{
	int64_t deadline = deadline_after(w->idle_timeout_ms);
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
			return wait_error(c, r, out != NULL ? QV_E_WRITE_TIMEOUT : QV_E_READ_TIMEOUT,
					  w->idle_timeout_ms, w, sys_err, err);
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
