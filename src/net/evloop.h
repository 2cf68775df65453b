/* evloop.h - a small single-threaded event loop in the style of redis ae.c:
 * file descriptors with read/write interest and a callback, one-shot timers,
 * and a run loop over poll().
 *
 * Used by `quiver serve` and by the poll engine.  There is no global state:
 * a program may run one loop per thread.  A loop is not thread-safe; only the
 * thread running it may call into it.
 *
 *   evloop_new -> evloop_fd_add / evloop_timer_add ... -> evloop_run
 *              -> (a callback calls evloop_stop) -> evloop_free
 *
 * Callbacks may add, change and delete any fd or timer, including their own,
 * at any time.  An fd deleted (or deleted and re-added: a new registration)
 * during a round gets no stale event from that round.
 *
 * poll() rather than epoll: it is portable to every target, has no kernel
 * object to leak, and the loop scales to the few thousand fds quiver uses.
 * Never select(): it cannot watch fds >= FD_SETSIZE (aria2 #678). */
#ifndef QV_NET_EVLOOP_H
#define QV_NET_EVLOOP_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Interest bits for evloop_fd_add / evloop_fd_set, also reported to the
 * callback.  A hang-up is reported as EVLOOP_READ (the read then sees EOF). */
#define EVLOOP_READ 1u
#define EVLOOP_WRITE 2u
/* Reported only, never requested: POLLERR or POLLNVAL.  The callback should
 * try its I/O to learn the error (or just close the fd). */
#define EVLOOP_ERROR 4u

struct evloop;

/* events is the subset of the fd's interest that is ready, plus EVLOOP_ERROR. */
typedef void (*evloop_io_fn)(struct evloop *loop, int fd, unsigned events, void *arg);
/* A timer fires once; it is no longer pending when its callback runs. */
typedef void (*evloop_timer_fn)(struct evloop *loop, void *arg);

/* Allocate an empty loop.  Errors: QV_E_NOMEM.  *out is NULL on error. */
enum qv_err evloop_new(struct evloop **out, struct qv_error *err);

/* Free the loop and its tables.  Registered fds are NOT closed (the loop never
 * owns them); pending timers are dropped without running.  Accepts NULL. */
void evloop_free(struct evloop *loop);

/* Watch fd (>= 0, not yet registered) for mask (EVLOOP_READ|EVLOOP_WRITE, or
 * 0 to register it idle).  fn(loop, fd, events, arg) runs when it is ready.
 * Errors: QV_E_INTERNAL (bad fd, already registered), QV_E_NOMEM. */
enum qv_err evloop_fd_add(struct evloop *loop, int fd, unsigned mask, evloop_io_fn fn, void *arg,
			  struct qv_error *err);

/* Change the interest of a registered fd (0 = idle: poll() ignores it, so
 * not even a hang-up wakes the loop).  Unregistered fds are ignored. */
void evloop_fd_set(struct evloop *loop, int fd, unsigned mask);

/* The current interest of fd, 0 when idle or not registered. */
unsigned evloop_fd_get(const struct evloop *loop, int fd);

/* Stop watching fd (call it before close(fd)).  Unregistered fds are ignored. */
void evloop_fd_del(struct evloop *loop, int fd);

/* Run fn(loop, arg) once, delay_ms from now (0 = in the next round, after
 * the I/O of that round).  *id gets a handle for evloop_timer_cancel; ids are
 * never 0, so callers can use 0 for "no timer".  Timers with the same due
 * time fire in the order they were added.  O(log n).
 * Errors: QV_E_NOMEM (*id is then 0). */
enum qv_err evloop_timer_add(struct evloop *loop, int64_t delay_ms, evloop_timer_fn fn, void *arg,
			     uint64_t *id, struct qv_error *err);

/* Cancel a pending timer.  Returns 1 if it was pending, 0 if it already fired,
 * was cancelled, or id is 0 / stale.  O(log n). */
int evloop_timer_cancel(struct evloop *loop, uint64_t id);

/* Milliseconds on the monotonic clock, as read at the start of the current
 * round (cheap; good enough for deadlines). */
int64_t evloop_now_ms(const struct evloop *loop);

/* Wait for I/O or the next timer, at most max_wait_ms (-1 = no limit), then
 * run the ready callbacks and the due timers.  Errors: QV_E_IO when poll()
 * fails (EINTR is not a failure: the round just ends early). */
enum qv_err evloop_run_once(struct evloop *loop, int max_wait_ms, struct qv_error *err);

/* Run rounds until evloop_stop is called, or until there is nothing left to
 * wait for (no fd with interest and no timer).  Errors as evloop_run_once. */
enum qv_err evloop_run(struct evloop *loop, struct qv_error *err);

/* Make evloop_run return after the current round.  Safe from callbacks. */
void evloop_stop(struct evloop *loop);

/* Registered fds (idle or not) and pending timers, for tests and stats. */
size_t evloop_fd_count(const struct evloop *loop);
size_t evloop_timer_count(const struct evloop *loop);

#endif
