/* evloop.c - the poll() event loop of evloop.h.
 *
 * fds: a table indexed by fd number holds each registration (callback, arg,
 * interest, generation, slot), and a dense pollfd array is what poll() sees;
 * deleting swaps the last pollfd into the hole, so add/set/del are O(1).
 * An idle fd stays in the array with a negated fd number, which poll()
 * skips.  After poll() the ready entries are copied to a `fired` list with
 * their generation, so callbacks can change the tables freely while the
 * list is dispatched (ae.c does the same).
 *
 * Timers: a slot table (stable index, generation for stale-id detection,
 * free list) plus a binary min-heap of slot indices ordered by (due, seq). */
#include "net/evloop.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"

/* First table sizes; both double on demand. */
#define EV_FDS_INIT 64
#define EV_TIMERS_INIT 64
/* Marks a timer slot that is not in the heap (free). */
#define EV_TIMER_FREE UINT32_MAX

struct ev_fd {
	evloop_io_fn fn;
	void *arg;
	uint32_t gen;   /* registration number, to spot a reused fd number */
	int32_t slot;   /* index in pfds, -1 when not registered */
	unsigned mask;
};

struct ev_fired {
	int fd;
	short revents;
	uint32_t gen;
};

struct ev_timer {
	int64_t due;
	uint64_t seq;      /* creation order: ties fire first-in, first-out */
	evloop_timer_fn fn;
	void *arg;
	uint32_t gen;      /* bumped when the slot is freed: old ids go stale */
	uint32_t pos;      /* index in heap, EV_TIMER_FREE when free */
	uint32_t next_free;
};

struct evloop {
	struct ev_fd *fds;
	size_t fds_cap;
	struct pollfd *pfds;
	struct ev_fired *fired;  /* same capacity as pfds */
	size_t npfds, pfds_cap;
	size_t nactive;          /* registered fds with a non-zero mask */
	uint32_t fd_gen;

	struct ev_timer *timers;
	uint32_t *heap;          /* same capacity as timers */
	size_t ntimers_cap, nheap;
	uint32_t free_timer;     /* head of the free slot list */
	uint64_t timer_seq;

	int64_t now;
	int stop;
};

enum qv_err evloop_new(struct evloop **out, struct qv_error *err)
{
	struct evloop *loop = calloc(1, sizeof *loop);

	*out = NULL;
	if (loop == NULL)
		return qv_error_set(err, QV_E_NOMEM, "out of memory for the event loop");
	loop->free_timer = EV_TIMER_FREE;
	loop->now = clock_now_ms();
	*out = loop;
	return QV_OK;
}

void evloop_free(struct evloop *loop)
{
	if (loop == NULL)
		return;
	free(loop->fds);
	free(loop->pfds);
	free(loop->fired);
	free(loop->timers);
	free(loop->heap);
	free(loop);
}

/* ---- file descriptors ---- */

static short ev_poll_events(unsigned mask)
{
	short ev = 0;

	if (mask & EVLOOP_READ)
		ev |= POLLIN;
	if (mask & EVLOOP_WRITE)
		ev |= POLLOUT;
	return ev;
}

static int ev_real_fd(const struct pollfd *p)
{
	return p->fd < 0 ? ~p->fd : p->fd;
}

static int ev_fds_reserve(struct evloop *loop, int fd)
{
	size_t need = (size_t)fd + 1, cap = loop->fds_cap ? loop->fds_cap : EV_FDS_INIT;
	struct ev_fd *n;
	size_t i;

	if (need <= loop->fds_cap)
		return 0;
	while (cap < need)
		cap *= 2;
	n = realloc(loop->fds, cap * sizeof *n);
	if (n == NULL)
		return -1;
	for (i = loop->fds_cap; i < cap; i++) {
		memset(&n[i], 0, sizeof n[i]);
		n[i].slot = -1;
	}
	loop->fds = n;
	loop->fds_cap = cap;
	return 0;
}

static int ev_pfds_reserve(struct evloop *loop)
{
	size_t cap = loop->pfds_cap ? loop->pfds_cap * 2 : EV_FDS_INIT;
	struct pollfd *p;
	struct ev_fired *f;

	if (loop->npfds < loop->pfds_cap)
		return 0;
	p = realloc(loop->pfds, cap * sizeof *p);
	if (p == NULL)
		return -1;
	loop->pfds = p;
	f = realloc(loop->fired, cap * sizeof *f);
	if (f == NULL)
		return -1;   /* pfds grew but keeps its old cap: still consistent */
	loop->fired = f;
	loop->pfds_cap = cap;
	return 0;
}

enum qv_err evloop_fd_add(struct evloop *loop, int fd, unsigned mask, evloop_io_fn fn, void *arg,
			  struct qv_error *err)
{
	struct ev_fd *e;
	struct pollfd *p;

	if (fd < 0 || fn == NULL)
		return qv_error_set(err, QV_E_INTERNAL, "event loop: invalid fd %d", fd);
	if ((size_t)fd < loop->fds_cap && loop->fds[fd].slot >= 0)
		return qv_error_set(err, QV_E_INTERNAL, "event loop: fd %d already registered", fd);
	if (ev_fds_reserve(loop, fd) != 0 || ev_pfds_reserve(loop) != 0)
		return qv_error_set(err, QV_E_NOMEM, "out of memory in the event loop");
	mask &= EVLOOP_READ | EVLOOP_WRITE;
	e = &loop->fds[fd];
	e->fn = fn;
	e->arg = arg;
	e->gen = ++loop->fd_gen;
	e->mask = mask;
	e->slot = (int32_t)loop->npfds;
	p = &loop->pfds[loop->npfds++];
	p->fd = mask ? fd : ~fd;
	p->events = ev_poll_events(mask);
	p->revents = 0;
	if (mask)
		loop->nactive++;
	return QV_OK;
}

static struct ev_fd *ev_fd_lookup(const struct evloop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->fds_cap || loop->fds[fd].slot < 0)
		return NULL;
	return &loop->fds[fd];
}

void evloop_fd_set(struct evloop *loop, int fd, unsigned mask)
{
	struct ev_fd *e = ev_fd_lookup(loop, fd);
	struct pollfd *p;

	if (e == NULL)
		return;
	mask &= EVLOOP_READ | EVLOOP_WRITE;
	if ((e->mask != 0) != (mask != 0)) {
		if (mask)
			loop->nactive++;
		else
			loop->nactive--;
	}
	e->mask = mask;
	p = &loop->pfds[e->slot];
	p->fd = mask ? fd : ~fd;
	p->events = ev_poll_events(mask);
}

unsigned evloop_fd_get(const struct evloop *loop, int fd)
{
	const struct ev_fd *e = ev_fd_lookup(loop, fd);

	return e != NULL ? e->mask : 0;
}

void evloop_fd_del(struct evloop *loop, int fd)
{
	struct ev_fd *e = ev_fd_lookup(loop, fd);
	size_t slot, last;

	if (e == NULL)
		return;
	slot = (size_t)e->slot;
	last = loop->npfds - 1;
	if (slot != last) {
		loop->pfds[slot] = loop->pfds[last];
		loop->fds[ev_real_fd(&loop->pfds[slot])].slot = (int32_t)slot;
	}
	loop->npfds--;
	if (e->mask)
		loop->nactive--;
	e->slot = -1;
	e->mask = 0;
	e->fn = NULL;
	e->arg = NULL;
}

size_t evloop_fd_count(const struct evloop *loop)
{
	return loop->npfds;
}

/* ---- timers: binary min-heap on (due, seq) ---- */

static int ev_timer_before(const struct evloop *loop, uint32_t a, uint32_t b)
{
	const struct ev_timer *ta = &loop->timers[a], *tb = &loop->timers[b];

	if (ta->due != tb->due)
		return ta->due < tb->due;
	return ta->seq < tb->seq;
}

static void ev_heap_put(struct evloop *loop, size_t pos, uint32_t slot)
{
	loop->heap[pos] = slot;
	loop->timers[slot].pos = (uint32_t)pos;
}

static void ev_heap_up(struct evloop *loop, size_t pos)
{
	uint32_t slot = loop->heap[pos];

	while (pos > 0) {
		size_t parent = (pos - 1) / 2;

		if (!ev_timer_before(loop, slot, loop->heap[parent]))
			break;
		ev_heap_put(loop, pos, loop->heap[parent]);
		pos = parent;
	}
	ev_heap_put(loop, pos, slot);
}

static void ev_heap_down(struct evloop *loop, size_t pos)
{
	uint32_t slot = loop->heap[pos];

	for (;;) {
		size_t child = 2 * pos + 1;

		if (child >= loop->nheap)
			break;
		if (child + 1 < loop->nheap &&
		    ev_timer_before(loop, loop->heap[child + 1], loop->heap[child]))
			child++;
		if (!ev_timer_before(loop, loop->heap[child], slot))
			break;
		ev_heap_put(loop, pos, loop->heap[child]);
		pos = child;
	}
	ev_heap_put(loop, pos, slot);
}

/* Take slot out of the heap and put it on the free list. */
static void ev_timer_remove(struct evloop *loop, uint32_t slot)
{
	struct ev_timer *t = &loop->timers[slot];
	size_t pos = t->pos, last = loop->nheap - 1;

	loop->nheap--;
	if (pos != last) {
		ev_heap_put(loop, pos, loop->heap[last]);
		if (pos > 0 && ev_timer_before(loop, loop->heap[pos], loop->heap[(pos - 1) / 2]))
			ev_heap_up(loop, pos);
		else
			ev_heap_down(loop, pos);
	}
	t->pos = EV_TIMER_FREE;
	t->gen++;
	t->fn = NULL;
	t->arg = NULL;
	t->next_free = loop->free_timer;
	loop->free_timer = slot;
}

static int ev_timers_grow(struct evloop *loop)
{
	size_t cap = loop->ntimers_cap ? loop->ntimers_cap * 2 : EV_TIMERS_INIT;
	struct ev_timer *t;
	uint32_t *h;
	size_t i;

	if (cap >= EV_TIMER_FREE)
		return -1;
	t = realloc(loop->timers, cap * sizeof *t);
	if (t == NULL)
		return -1;
	loop->timers = t;
	h = realloc(loop->heap, cap * sizeof *h);
	if (h == NULL)
		return -1;   /* timers grew but the old cap still holds */
	loop->heap = h;
	for (i = cap; i-- > loop->ntimers_cap;) {
		memset(&t[i], 0, sizeof t[i]);
		t[i].pos = EV_TIMER_FREE;
		t[i].next_free = loop->free_timer;
		loop->free_timer = (uint32_t)i;
	}
	loop->ntimers_cap = cap;
	return 0;
}

enum qv_err evloop_timer_add(struct evloop *loop, int64_t delay_ms, evloop_timer_fn fn, void *arg,
			     uint64_t *id, struct qv_error *err)
{
	struct ev_timer *t;
	uint32_t slot;

	*id = 0;
	if (fn == NULL)
		return qv_error_set(err, QV_E_INTERNAL, "event loop: timer without a callback");
	if (loop->free_timer == EV_TIMER_FREE && ev_timers_grow(loop) != 0)
		return qv_error_set(err, QV_E_NOMEM, "out of memory for a timer");
	slot = loop->free_timer;
	t = &loop->timers[slot];
	loop->free_timer = t->next_free;
	t->due = clock_now_ms() + (delay_ms > 0 ? delay_ms : 0);
	t->seq = loop->timer_seq++;
	t->fn = fn;
	t->arg = arg;
	loop->heap[loop->nheap] = slot;
	t->pos = (uint32_t)loop->nheap++;
	ev_heap_up(loop, t->pos);
	*id = ((uint64_t)t->gen << 32) | ((uint64_t)slot + 1);
	return QV_OK;
}

int evloop_timer_cancel(struct evloop *loop, uint64_t id)
{
	uint64_t low = id & 0xffffffffu;
	uint32_t slot, gen = (uint32_t)(id >> 32);

	if (low == 0 || low > loop->ntimers_cap)
		return 0;
	slot = (uint32_t)(low - 1);
	if (loop->timers[slot].pos == EV_TIMER_FREE || loop->timers[slot].gen != gen)
		return 0;
	ev_timer_remove(loop, slot);
	return 1;
}

size_t evloop_timer_count(const struct evloop *loop)
{
	return loop->nheap;
}

/* Run the timers due by loop->now that existed when this phase began; ones
 * added by these callbacks wait for the next round, so a callback re-adding
 * itself with delay 0 cannot starve I/O. */
static void ev_timers_fire(struct evloop *loop)
{
	uint64_t seq_limit = loop->timer_seq;

	while (loop->nheap > 0) {
		uint32_t slot = loop->heap[0];
		struct ev_timer *t = &loop->timers[slot];
		evloop_timer_fn fn = t->fn;
		void *arg = t->arg;

		if (t->due > loop->now || t->seq >= seq_limit)
			break;
		ev_timer_remove(loop, slot);
		fn(loop, arg);
	}
}

int64_t evloop_now_ms(const struct evloop *loop)
{
	return loop->now;
}

/* ---- running ---- */

static int ev_poll_timeout(const struct evloop *loop, int max_wait_ms)
{
	int64_t wait;

	if (loop->nheap == 0)
		return max_wait_ms;
	wait = loop->timers[loop->heap[0]].due - clock_now_ms();
	if (wait < 0)
		wait = 0;
	if (wait > INT_MAX)
		wait = INT_MAX;
	if (max_wait_ms >= 0 && wait > max_wait_ms)
		wait = max_wait_ms;
	return (int)wait;
}

static unsigned ev_events_of(short revents, unsigned mask)
{
	unsigned ev = 0;

	if (revents & (POLLIN | POLLPRI))
		ev |= EVLOOP_READ;
	if (revents & POLLOUT)
		ev |= EVLOOP_WRITE;
	/* A hang-up or error must reach whichever callback is waiting, or a
	 * level-triggered poll() would report it forever. */
	if (revents & (POLLHUP | POLLERR | POLLNVAL))
		ev |= EVLOOP_READ | EVLOOP_WRITE;
	ev &= mask;
	if (revents & (POLLERR | POLLNVAL))
		ev |= EVLOOP_ERROR;
	return ev;
}

static void ev_dispatch(struct evloop *loop, int nready)
{
	size_t i, nfired = 0;

	for (i = 0; i < loop->npfds && nfired < (size_t)nready; i++) {
		const struct pollfd *p = &loop->pfds[i];

		if (p->revents == 0 || p->fd < 0)
			continue;
		loop->fired[nfired].fd = p->fd;
		loop->fired[nfired].revents = p->revents;
		loop->fired[nfired].gen = loop->fds[p->fd].gen;
		nfired++;
	}
	for (i = 0; i < nfired; i++) {
		const struct ev_fired *f = &loop->fired[i];
		struct ev_fd *e = ev_fd_lookup(loop, f->fd);
		unsigned ev;

		if (e == NULL || e->gen != f->gen || e->mask == 0)
			continue;
		ev = ev_events_of(f->revents, e->mask);
		if (ev != 0)
			e->fn(loop, f->fd, ev, e->arg);
	}
}

enum qv_err evloop_run_once(struct evloop *loop, int max_wait_ms, struct qv_error *err)
{
	int timeout = ev_poll_timeout(loop, max_wait_ms);
	int n = poll(loop->pfds, (nfds_t)loop->npfds, timeout);

	if (n < 0 && errno != EINTR)
		return qv_error_sys(err, QV_E_IO, errno, "poll failed");
	loop->now = clock_now_ms();
	if (n > 0)
		ev_dispatch(loop, n);
	ev_timers_fire(loop);
	return QV_OK;
}

enum qv_err evloop_run(struct evloop *loop, struct qv_error *err)
{
	loop->stop = 0;
	while (!loop->stop) {
		enum qv_err rc;

		if (loop->nactive == 0 && loop->nheap == 0)
			break;
		rc = evloop_run_once(loop, -1, err);
		if (rc != QV_OK)
			return rc;
	}
	return QV_OK;
}

void evloop_stop(struct evloop *loop)
{
	loop->stop = 1;
}
