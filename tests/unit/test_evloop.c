/* test_evloop.c - the event loop: timer order, cancel, heap under churn,
 * fd readiness, interest changes, and tables changed from inside callbacks. */
#include "tq.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/evloop.h"
#include "util/clock.h"

void suite_evloop(struct tq *t);

/* What the callbacks record. */
struct log {
	int order[64];
	int n;
};

struct tag {
	struct log *log;
	int value;
};

static void on_timer_log(struct evloop *loop, void *arg)
{
	struct tag *tg = arg;

	(void)loop;
	if (tg->log->n < 64)
		tg->log->order[tg->log->n++] = tg->value;
}

static struct evloop *new_loop(struct tq *t)
{
	struct evloop *loop = NULL;
	struct qv_error e;

	TQ_INT(t, evloop_new(&loop, &e), QV_OK);
	return loop;
}

static void test_timer_order(struct tq *t)
{
	struct evloop *loop = new_loop(t);
	struct log log = {{0}, 0};
	struct tag tags[5];
	const int64_t delays[5] = {20, 0, 10, 10, 0};
	uint64_t id;
	int i;

	if (loop == NULL)
		return;
	for (i = 0; i < 5; i++) {
		tags[i].log = &log;
		tags[i].value = i;
		TQ_INT(t, evloop_timer_add(loop, delays[i], on_timer_log, &tags[i], &id, NULL), QV_OK);
		TQ_TRUE(t, id != 0);
	}
	TQ_INT(t, evloop_timer_count(loop), 5);
	TQ_INT(t, evloop_run(loop, NULL), QV_OK);
	/* by due time, ties in the order added */
	TQ_INT(t, log.n, 5);
	TQ_INT(t, log.order[0], 1);
	TQ_INT(t, log.order[1], 4);
	TQ_INT(t, log.order[2], 2);
	TQ_INT(t, log.order[3], 3);
	TQ_INT(t, log.order[4], 0);
	TQ_INT(t, evloop_timer_count(loop), 0);
	evloop_free(loop);
}

static void test_timer_cancel(struct tq *t)
{
	struct evloop *loop = new_loop(t);
	struct log log = {{0}, 0};
	struct tag a = {&log, 1}, b = {&log, 2};
	uint64_t ida, idb, idc;

	if (loop == NULL)
		return;
	TQ_INT(t, evloop_timer_add(loop, 0, on_timer_log, &a, &ida, NULL), QV_OK);
	TQ_INT(t, evloop_timer_add(loop, 0, on_timer_log, &b, &idb, NULL), QV_OK);
	TQ_INT(t, evloop_timer_cancel(loop, ida), 1);
	TQ_INT(t, evloop_timer_cancel(loop, ida), 0);
	TQ_INT(t, evloop_timer_cancel(loop, 0), 0);
	TQ_INT(t, evloop_timer_cancel(loop, 0xffffffffffffull), 0);
	TQ_INT(t, evloop_run(loop, NULL), QV_OK);
	TQ_INT(t, log.n, 1);
	TQ_INT(t, log.order[0], 2);
	TQ_INT(t, evloop_timer_cancel(loop, idb), 0);   /* already fired */
	/* the freed slot is reused with a new generation: old ids stay stale */
	TQ_INT(t, evloop_timer_add(loop, 0, on_timer_log, &a, &idc, NULL), QV_OK);
	TQ_TRUE(t, idc != ida && idc != idb);
	TQ_INT(t, evloop_timer_cancel(loop, ida), 0);
	TQ_INT(t, evloop_timer_cancel(loop, idb), 0);
	TQ_INT(t, evloop_timer_cancel(loop, idc), 1);
	evloop_free(loop);
}

/* Many timers, a third cancelled, some cancelled from callbacks: every
 * survivor fires exactly once, never before its due time, in due order. */
#define CHURN_N 1500

struct churn;

struct churn_item {
	struct churn *c;
	int i;
};

struct churn {
	uint64_t ids[CHURN_N];
	/* the loop reads the clock itself: its due time lies in [lo, hi] */
	int64_t due_lo[CHURN_N], due_hi[CHURN_N];
	int fired[CHURN_N];
	struct churn_item items[CHURN_N];
	int64_t last_lo;
	int bad_order, early;
};

static void on_churn(struct evloop *loop, void *arg)
{
	struct churn_item *it = arg;
	struct churn *c = it->c;
	int i = it->i;

	c->fired[i]++;
	if (c->due_hi[i] < c->last_lo)
		c->bad_order++;
	c->last_lo = c->due_lo[i];
	if (clock_now_ms() < c->due_lo[i])
		c->early++;
	/* cancel a later neighbour from inside a callback */
	if (i % 7 == 0 && i + 1 < CHURN_N)
		(void)evloop_timer_cancel(loop, c->ids[i + 1]);
}

static void test_timer_churn(struct tq *t)
{
	struct churn *c = calloc(1, sizeof *c);
	struct evloop *loop = new_loop(t);
	uint32_t x = 12345;
	int i, cancelled = 0, fired = 0;

	if (!TQ_TRUE(t, c != NULL) || loop == NULL) {
		free(c);
		evloop_free(loop);
		return;
	}
	for (i = 0; i < CHURN_N; i++) {
		int64_t d;

		x = x * 1103515245u + 12345u;
		d = (int64_t)((x >> 16) % 25u);
		c->items[i].c = c;
		c->items[i].i = i;
		c->due_lo[i] = clock_now_ms() + d;
		TQ_INT(t, evloop_timer_add(loop, d, on_churn, &c->items[i], &c->ids[i], NULL), QV_OK);
		c->due_hi[i] = clock_now_ms() + d;
	}
	for (i = 0; i < CHURN_N; i += 3)
		cancelled += evloop_timer_cancel(loop, c->ids[i]);
	TQ_INT(t, cancelled, (CHURN_N + 2) / 3);
	TQ_INT(t, evloop_timer_count(loop), CHURN_N - cancelled);
	TQ_INT(t, evloop_run(loop, NULL), QV_OK);
	for (i = 0; i < CHURN_N; i++) {
		TQ_TRUE(t, c->fired[i] <= 1);
		if (i % 3 == 0)
			TQ_INT(t, c->fired[i], 0);
		fired += c->fired[i];
	}
	TQ_TRUE(t, fired > CHURN_N / 2);
	TQ_INT(t, c->bad_order, 0);
	TQ_INT(t, c->early, 0);
	evloop_free(loop);
	free(c);
}

static void on_stop(struct evloop *loop, void *arg)
{
	(void)arg;
	evloop_stop(loop);
}

static void on_forever(struct evloop *loop, void *arg)
{
	int *n = arg;
	uint64_t id;

	(*n)++;
	(void)evloop_timer_add(loop, 0, on_forever, arg, &id, NULL);
}

/* A timer re-adding itself with delay 0 runs once per round, and a stop
 * from another timer ends evloop_run although work remains. */
static void test_stop_and_no_starvation(struct tq *t)
{
	struct evloop *loop = new_loop(t);
	int n = 0;
	uint64_t id;

	if (loop == NULL)
		return;
	TQ_INT(t, evloop_timer_add(loop, 0, on_forever, &n, &id, NULL), QV_OK);
	TQ_INT(t, evloop_run_once(loop, 0, NULL), QV_OK);
	TQ_INT(t, n, 1);
	TQ_INT(t, evloop_run_once(loop, 0, NULL), QV_OK);
	TQ_INT(t, n, 2);
	TQ_INT(t, evloop_timer_add(loop, 15, on_stop, NULL, &id, NULL), QV_OK);
	TQ_INT(t, evloop_run(loop, NULL), QV_OK);
	TQ_TRUE(t, n > 2);
	TQ_INT(t, evloop_timer_count(loop), 1);
	evloop_free(loop);
}

static void test_timer_delay(struct tq *t)
{
	struct evloop *loop = new_loop(t);
	int64_t start = clock_now_ms(), took;
	uint64_t id;

	if (loop == NULL)
		return;
	TQ_INT(t, evloop_timer_add(loop, 40, on_stop, NULL, &id, NULL), QV_OK);
	TQ_INT(t, evloop_run(loop, NULL), QV_OK);
	took = clock_now_ms() - start;
	TQ_TRUE(t, took >= 40);
	TQ_TRUE(t, took < 1000);
	TQ_TRUE(t, evloop_now_ms(loop) >= start + 40);
	evloop_free(loop);
}

/* ---- file descriptors ---- */

struct pipe_cb {
	int rfd, wfd;
	int calls;
	unsigned last_events;
	struct pipe_cb *other;   /* deleted by this one's callback */
	int eof;
};

static int make_pipe(struct pipe_cb *p)
{
	int fds[2];

	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
		return -1;
	p->rfd = fds[0];
	p->wfd = fds[1];
	return 0;
}

static void on_read(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct pipe_cb *p = arg;
	char buf[64];
	ssize_t n = read(fd, buf, sizeof buf);

	p->calls++;
	p->last_events = events;
	if (n == 0) {
		p->eof = 1;
		evloop_fd_del(loop, fd);
	}
	if (p->other != NULL) {
		evloop_fd_del(loop, p->other->rfd);
		p->other->other = NULL;
	}
}

static void test_fd_read(struct tq *t)
{
	struct evloop *loop = new_loop(t);
	struct pipe_cb p = {0};

	if (loop == NULL || !TQ_INT(t, make_pipe(&p), 0)) {
		evloop_free(loop);
		return;
	}
	TQ_INT(t, evloop_fd_add(loop, p.rfd, EVLOOP_READ, on_read, &p, NULL), QV_OK);
	TQ_INT(t, evloop_fd_add(loop, p.rfd, EVLOOP_READ, on_read, &p, NULL), QV_E_INTERNAL);
	TQ_INT(t, evloop_fd_add(loop, -1, EVLOOP_READ, on_read, &p, NULL), QV_E_INTERNAL);
	TQ_INT(t, evloop_fd_count(loop), 1);
	TQ_INT(t, evloop_run_once(loop, 0, NULL), QV_OK);
	TQ_INT(t, p.calls, 0);
	TQ_INT(t, write(p.wfd, "x", 1), 1);
	TQ_INT(t, evloop_run_once(loop, 1000, NULL), QV_OK);
	TQ_INT(t, p.calls, 1);
	TQ_INT(t, p.last_events, EVLOOP_READ);
	/* hang-up comes as READ and the read sees EOF; run ends: nothing left */
	(void)close(p.wfd);
	TQ_INT(t, evloop_run(loop, NULL), QV_OK);
	TQ_INT(t, p.eof, 1);
	TQ_INT(t, evloop_fd_count(loop), 0);
	(void)close(p.rfd);
	evloop_free(loop);
}

static void on_write(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct pipe_cb *p = arg;

	(void)loop;
	(void)fd;
	p->calls++;
	p->last_events = events;
}

static void test_fd_interest(struct tq *t)
{
	struct evloop *loop = new_loop(t);
	struct pipe_cb p = {0};
	int64_t start;

	if (loop == NULL || !TQ_INT(t, make_pipe(&p), 0)) {
		evloop_free(loop);
		return;
	}
	TQ_INT(t, evloop_fd_add(loop, p.wfd, 0, on_write, &p, NULL), QV_OK);
	TQ_INT(t, evloop_fd_get(loop, p.wfd), 0);
	/* registered idle: nothing to wait for */
	TQ_INT(t, evloop_run(loop, NULL), QV_OK);
	evloop_fd_set(loop, p.wfd, EVLOOP_WRITE);
	TQ_INT(t, evloop_fd_get(loop, p.wfd), EVLOOP_WRITE);
	TQ_INT(t, evloop_run_once(loop, 1000, NULL), QV_OK);
	TQ_INT(t, p.calls, 1);
	TQ_INT(t, p.last_events, EVLOOP_WRITE);
	/* idle again: a closed reader (POLLERR on the writer) does not wake it */
	evloop_fd_set(loop, p.wfd, 0);
	(void)close(p.rfd);
	start = clock_now_ms();
	TQ_INT(t, evloop_run_once(loop, 30, NULL), QV_OK);
	TQ_INT(t, p.calls, 1);
	TQ_TRUE(t, clock_now_ms() - start >= 25);
	/* interest back: the error is delivered with the interest bits */
	evloop_fd_set(loop, p.wfd, EVLOOP_WRITE);
	TQ_INT(t, evloop_run_once(loop, 1000, NULL), QV_OK);
	TQ_INT(t, p.calls, 2);
	TQ_TRUE(t, (p.last_events & EVLOOP_ERROR) != 0);
	TQ_TRUE(t, (p.last_events & EVLOOP_READ) == 0);
	evloop_fd_del(loop, p.wfd);
	evloop_fd_del(loop, p.wfd);   /* twice: ignored */
	evloop_fd_set(loop, p.wfd, EVLOOP_READ);   /* unregistered: ignored */
	TQ_INT(t, evloop_fd_count(loop), 0);
	(void)close(p.wfd);
	evloop_free(loop);
}

/* Two ready fds, each callback deletes the other: exactly one runs. */
static void test_fd_delete_other(struct tq *t)
{
	struct evloop *loop = new_loop(t);
	struct pipe_cb a = {0}, b = {0};

	if (loop == NULL || !TQ_INT(t, make_pipe(&a), 0) || !TQ_INT(t, make_pipe(&b), 0)) {
		evloop_free(loop);
		return;
	}
	a.other = &b;
	b.other = &a;
	TQ_INT(t, evloop_fd_add(loop, a.rfd, EVLOOP_READ, on_read, &a, NULL), QV_OK);
	TQ_INT(t, evloop_fd_add(loop, b.rfd, EVLOOP_READ, on_read, &b, NULL), QV_OK);
	TQ_INT(t, write(a.wfd, "x", 1), 1);
	TQ_INT(t, write(b.wfd, "x", 1), 1);
	TQ_INT(t, evloop_run_once(loop, 1000, NULL), QV_OK);
	TQ_INT(t, a.calls + b.calls, 1);
	TQ_INT(t, evloop_fd_count(loop), 1);
	(void)close(a.rfd);
	(void)close(a.wfd);
	(void)close(b.rfd);
	(void)close(b.wfd);
	evloop_free(loop);
}

/* A callback closes a ready fd and registers a new one that gets the same
 * number: the new registration must not receive the old round's event. */
struct reuse {
	struct pipe_cb victim, fresh;
	int fresh_calls;
};

static void on_fresh(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct reuse *r = arg;

	(void)loop;
	(void)fd;
	(void)events;
	r->fresh_calls++;
}

static void on_reuser(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct reuse *r = arg;
	int fds[2];

	(void)fd;
	(void)events;
	if (r->victim.rfd < 0)
		return;
	evloop_fd_del(loop, r->victim.rfd);
	(void)close(r->victim.rfd);
	(void)close(r->victim.wfd);
	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
		return;
	r->fresh.rfd = fds[0];
	r->fresh.wfd = fds[1];
	r->victim.rfd = -1;
	(void)evloop_fd_add(loop, fds[0], EVLOOP_READ | EVLOOP_WRITE, on_fresh, r, NULL);
}

static void test_fd_reuse(struct tq *t)
{
	struct evloop *loop = new_loop(t);
	struct reuse r;
	struct pipe_cb first = {0};
	int round, victim_fd;

	memset(&r, 0, sizeof r);
	if (loop == NULL || !TQ_INT(t, make_pipe(&first), 0) || !TQ_INT(t, make_pipe(&r.victim), 0)) {
		evloop_free(loop);
		return;
	}
	/* fds are polled in registration order, so on_reuser runs first and
	 * replaces the ready victim by a fresh idle pipe with the same number;
	 * neither this round nor the next may call the fresh registration */
	TQ_INT(t, evloop_fd_add(loop, first.rfd, EVLOOP_READ, on_reuser, &r, NULL), QV_OK);
	TQ_INT(t, evloop_fd_add(loop, r.victim.rfd, EVLOOP_READ, on_fresh, &r, NULL), QV_OK);
	TQ_INT(t, write(first.wfd, "x", 1), 1);
	TQ_INT(t, write(r.victim.wfd, "x", 1), 1);
	victim_fd = r.victim.rfd;
	for (round = 0; round < 2; round++)
		TQ_INT(t, evloop_run_once(loop, 0, NULL), QV_OK);
	TQ_INT(t, r.fresh_calls, 0);
	TQ_INT(t, r.fresh.rfd, victim_fd);   /* the number was reused */
	evloop_fd_del(loop, first.rfd);
	evloop_fd_del(loop, r.fresh.rfd);
	(void)close(first.rfd);
	(void)close(first.wfd);
	(void)close(r.fresh.rfd);
	(void)close(r.fresh.wfd);
	evloop_free(loop);
}

/* Many fds: tables grow, every one is served once, deletes keep the dense
 * array consistent. */
#define MANY_PIPES 200

static void test_fd_many(struct tq *t)
{
	struct evloop *loop = new_loop(t);
	struct pipe_cb *p = calloc(MANY_PIPES, sizeof *p);
	int i, made = 0, total = 0;

	if (loop == NULL || !TQ_TRUE(t, p != NULL)) {
		free(p);
		evloop_free(loop);
		return;
	}
	for (i = 0; i < MANY_PIPES; i++) {
		if (make_pipe(&p[i]) != 0)
			break;
		made++;
		TQ_INT(t, evloop_fd_add(loop, p[i].rfd, EVLOOP_READ, on_read, &p[i], NULL), QV_OK);
	}
	TQ_TRUE(t, made > 50);
	for (i = 0; i < made; i += 2)
		evloop_fd_del(loop, p[i].rfd);
	for (i = 0; i < made; i++)
		TQ_INT(t, write(p[i].wfd, "x", 1), 1);
	TQ_INT(t, evloop_run_once(loop, 1000, NULL), QV_OK);
	for (i = 0; i < made; i++) {
		TQ_INT(t, p[i].calls, i % 2);
		total += p[i].calls;
		(void)close(p[i].wfd);
	}
	TQ_INT(t, total, made / 2);
	TQ_INT(t, evloop_run(loop, NULL), QV_OK);   /* all see EOF and delete */
	TQ_INT(t, evloop_fd_count(loop), 0);
	for (i = 0; i < made; i++)
		(void)close(p[i].rfd);
	free(p);
	evloop_free(loop);
}

void suite_evloop(struct tq *t)
{
	tq_run(t, "timers fire by due time, ties in order", test_timer_order);
	tq_run(t, "cancel and stale ids", test_timer_cancel);
	tq_run(t, "heap under add/cancel churn", test_timer_churn);
	tq_run(t, "stop, and zero-delay timers do not starve", test_stop_and_no_starvation);
	tq_run(t, "timer waits its delay", test_timer_delay);
	tq_run(t, "fd read and hang-up", test_fd_read);
	tq_run(t, "fd interest changes", test_fd_interest);
	tq_run(t, "callback deletes another ready fd", test_fd_delete_other);
	tq_run(t, "reused fd number gets no stale event", test_fd_reuse);
	tq_run(t, "many fds", test_fd_many);
}
