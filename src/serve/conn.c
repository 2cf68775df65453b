/* conn.c - one server connection: read request heads, queue answers in
 * order, write them with one gather-send, keep alive or close politely.
 *
 * Everything happens in serve_conn_drive, called on any readiness and when a
 * delay timer fires: send what is queued, parse what was received, receive
 * more, repeat while progress is made; then decide whether to close and
 * which readiness to wait for.  Pipelined requests are answered in order
 * (a delayed answer holds back the requests after it, as the book's
 * one-request-at-a-time server would), and input stops being read while the
 * queue is full, so a client that sends without reading cannot grow memory. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "serve/internal.h"
#include "serve/req.h"

static const char serve_conn_keep[] = "\r\n";
static const char serve_conn_close_line[] = "Connection: close\r\n\r\n";
static const char serve_conn_keep10[] = "Connection: keep-alive\r\n\r\n";

static void serve_conn_drive(struct serve_conn *c);
static void serve_conn_on_idle(struct evloop *loop, void *arg);

static int64_t serve_conn_now(const struct serve_conn *c)
{
	return evloop_now_ms(c->srv->loop);
}

/* ---- the output queue ---- */

static size_t serve_conn_out_total(const struct serve_conn_out *o)
{
	return o->resp.head_len + o->conn_len + (o->head_only ? 0 : o->resp.body_len);
}

static void serve_conn_out_push(struct serve_conn *c, const struct serve_conn_out *o)
{
	c->out[(c->out_first + c->out_count) % SERVE_CONN_OUT_MAX] = *o;
	c->out_count++;
}

static void serve_conn_out_pop(struct serve_conn *c)
{
	free(c->out[c->out_first].resp.owned);
	memset(&c->out[c->out_first], 0, sizeof c->out[0]);
	c->out_first = (c->out_first + 1) % SERVE_CONN_OUT_MAX;
	c->out_count--;
}

static void serve_conn_iov_add(struct iovec *iov, int *n, const void *p, size_t len, size_t *skip)
{
	if (*skip >= len) {
		*skip -= len;
		return;
	}
	/* iovec is not const-correct; the send path only reads it */
	iov[*n].iov_base = (void *)((uintptr_t)p + *skip);
	iov[*n].iov_len = len - *skip;
	*skip = 0;
	(*n)++;
}

/* Gather the unsent bytes of every queued response. */
static int serve_conn_iov(const struct serve_conn *c, struct iovec *iov)
{
	unsigned i;
	int n = 0;

	for (i = 0; i < c->out_count; i++) {
		const struct serve_conn_out *o = &c->out[(c->out_first + i) % SERVE_CONN_OUT_MAX];
		size_t skip = o->sent;

		serve_conn_iov_add(iov, &n, o->resp.head, o->resp.head_len, &skip);
		serve_conn_iov_add(iov, &n, o->conn_line, o->conn_len, &skip);
		if (!o->head_only)
			serve_conn_iov_add(iov, &n, o->resp.body, o->resp.body_len, &skip);
	}
	return n;
}

static void serve_conn_out_advance(struct serve_conn *c, size_t n)
{
	while (n > 0 && c->out_count > 0) {
		struct serve_conn_out *o = &c->out[c->out_first];
		size_t left = serve_conn_out_total(o) - o->sent;

		if (n < left) {
			o->sent += n;
			return;
		}
		n -= left;
		serve_conn_out_pop(c);
	}
}

/* Send the queue, then flush the io layer.  False when the connection is
 * dead. */
static bool serve_conn_send(struct serve_conn *c)
{
	struct iovec iov[SERVE_CONN_OUT_MAX * 3];
	enum serve_io_status st;
	unsigned want = 0;
	size_t n;

	c->send_want = 0;
	while (c->out_count > 0) {
		st = c->io.ops->send(&c->io, iov, serve_conn_iov(c, iov), &n, &want);
		if (st == SERVE_IO_AGAIN) {
			c->send_want = want;
			return true;
		}
		if (st != SERVE_IO_OK)
			return false;
		c->last_active = serve_conn_now(c);
		c->unflushed = true;
		serve_conn_out_advance(c, n);
	}
	if (c->unflushed) {
		st = c->io.ops->flush(&c->io, &want);
		if (st == SERVE_IO_AGAIN) {
			c->send_want = want;
			return true;
		}
		if (st != SERVE_IO_OK)
			return false;
		c->unflushed = false;
	}
	return true;
}

static bool serve_conn_output_idle(const struct serve_conn *c)
{
	return c->out_count == 0 && !c->unflushed && !c->waiting;
}

/* ---- requests ---- */

static void serve_conn_on_delay(struct evloop *loop, void *arg)
{
	struct serve_conn *c = arg;

	(void)loop;
	c->delay_timer = 0;
	c->waiting = false;
	serve_conn_out_push(c, &c->delayed);
	memset(&c->delayed, 0, sizeof c->delayed);
	serve_conn_drive(c);
}

/* Queue o now, or after the configured delay. */
static void serve_conn_answer(struct serve_conn *c, const struct serve_conn_out *o,
			      uint32_t delay_ms)
{
	if (delay_ms > 0 && evloop_timer_add(c->srv->loop, delay_ms, serve_conn_on_delay, c,
					     &c->delay_timer, NULL) == QV_OK) {
		c->delayed = *o;
		c->waiting = true;
		return;
	}
	serve_conn_out_push(c, o);   /* no delay (or no memory for a timer: answer now) */
}

static bool serve_conn_method_is(const struct serve_req *req, const char *m)
{
	size_t n = strlen(m);

	return req->method_len == n && memcmp(req->method, m, n) == 0;
}

static void serve_conn_handle(struct serve_conn *c, const struct serve_req *req)
{
	struct serve *srv = c->srv;
	struct serve_conn_out o;
	enum serve_kind kind;
	uint32_t delay;
	char cc[2];

	memset(&o, 0, sizeof o);
	srv->stats.requests++;
	c->no_more = !req->keep_alive;
	o.conn_line = c->no_more      ? serve_conn_close_line
		      : req->minor == 0 ? serve_conn_keep10
					: serve_conn_keep;
	o.conn_len = strlen(o.conn_line);
	o.head_only = serve_conn_method_is(req, "HEAD");
	if (!o.head_only && !serve_conn_method_is(req, "GET")) {
		serve_content_status(srv->content, 405, &o.resp);
		serve_conn_out_push(c, &o);
		return;
	}
	/* like slow_server.py: every GET waits, then may be a teapot */
	delay = serve_draw_delay(srv);
	if (serve_draw_error(srv))
		serve_content_status(srv->content, 418, &o.resp);
	else if (serve_route(req->target, req->target_len, cc, &kind))
		serve_content_get(srv->content, cc, kind, &o.resp);
	else
		serve_content_status(srv->content, 404, &o.resp);
	serve_conn_answer(c, &o, delay);
}

/* A head we cannot answer normally: say why, then close. */
static void serve_conn_reject(struct serve_conn *c, enum serve_req_status st)
{
	struct serve_conn_out o;
	int status = st == SERVE_REQ_TOO_BIG ? 431
		     : st == SERVE_REQ_VERSION ? 505
		     : st == SERVE_REQ_TE ? 501 : 400;

	memset(&o, 0, sizeof o);
	serve_content_status(c->srv->content, status, &o.resp);
	o.conn_line = serve_conn_close_line;
	o.conn_len = strlen(o.conn_line);
	serve_conn_out_push(c, &o);
	c->no_more = true;
	c->srv->stats.requests++;
}

/* Parse and answer the complete heads in the buffer.  True if anything
 * was consumed (the caller loops), false if nothing can be done now. */
static bool serve_conn_parse(struct serve_conn *c)
{
	size_t off = 0;
	bool progress = false;

	while (!c->waiting && !c->no_more && c->out_count < SERVE_CONN_OUT_MAX) {
		struct serve_req req;
		enum serve_req_status st;
		size_t k = c->in_len - off;

		if (c->discard > 0) {
			if (k > c->discard)
				k = (size_t)c->discard;
			off += k;
			c->discard -= k;
			progress = progress || k > 0;
			if (c->discard > 0)
				break;
		}
		if (off == c->in_len)
			break;
		st = serve_req_parse(c->in + off, c->in_len - off, &c->scan, &req);
		if (st == SERVE_REQ_INCOMPLETE)
			break;
		progress = true;
		c->scan = 0;
		if (st != SERVE_REQ_OK) {
			serve_conn_reject(c, st);
			off = c->in_len;
			break;
		}
		off += req.head_len;
		c->discard = req.content_length;
		serve_conn_handle(c, &req);   /* before the buffer moves: req points into it */
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	return progress;
}

/* ---- input ---- */

/* Whether there is, or may be made, room for input.  A full buffer grows
 * only for a head that does not fit yet, never for queued-up requests. */
static bool serve_conn_can_take(const struct serve_conn *c)
{
	return c->lingering || c->in_len < c->in_cap ||
	       (!c->waiting && c->out_count < SERVE_CONN_OUT_MAX && c->in_cap < SERVE_REQ_HEAD_MAX);
}

/* Whether there is room for input now (the buffer grown if it may be). */
static bool serve_conn_room(struct serve_conn *c)
{
	size_t cap;
	uint8_t *p;

	if (c->lingering)
		c->in_len = 0;   /* dropped: nobody parses it any more */
	if (c->in_len < c->in_cap)
		return true;
	if (!serve_conn_can_take(c))
		return false;
	cap = c->in_cap * 2 > SERVE_REQ_HEAD_MAX ? SERVE_REQ_HEAD_MAX : c->in_cap * 2;
	p = realloc(c->in, cap);
	if (p == NULL)
		return false;
	c->in = p;
	c->in_cap = cap;
	return true;
}

static bool serve_conn_wants_input(const struct serve_conn *c)
{
	return !c->rd_eof && (c->lingering || !c->no_more);
}

/* What a receive did. */
enum serve_conn_input {
	SERVE_CONN_GOT,      /* bytes arrived */
	SERVE_CONN_NONE,     /* none can or should be read now */
	SERVE_CONN_DEAD      /* the connection is unusable */
};

static enum serve_conn_input serve_conn_recv(struct serve_conn *c)
{
	enum serve_io_status st;
	unsigned want = 0;
	size_t n;

	if (!serve_conn_wants_input(c) || !serve_conn_room(c))
		return SERVE_CONN_NONE;
	st = c->io.ops->recv(&c->io, c->in + c->in_len, c->in_cap - c->in_len, &n, &want);
	switch (st) {
	case SERVE_IO_OK:
		c->in_len += n;
		c->last_active = serve_conn_now(c);
		c->recv_want = 0;
		return SERVE_CONN_GOT;
	case SERVE_IO_AGAIN:
		c->recv_want = want;
		return SERVE_CONN_NONE;
	case SERVE_IO_EOF:
		c->rd_eof = true;
		return SERVE_CONN_NONE;
	case SERVE_IO_ERROR:
		break;
	}
	return SERVE_CONN_DEAD;
}

/* ---- closing and waiting ---- */

/* All answered on a no_more connection: close our side, then linger.
 * False when the connection should just be closed. */
static bool serve_conn_finish(struct serve_conn *c)
{
	enum serve_io_status st;
	unsigned want = 0;

	if (c->shut_done)
		return true;
	st = c->io.ops->shutdown(&c->io, &want);
	if (st == SERVE_IO_AGAIN) {
		c->send_want = want;
		return true;
	}
	if (st != SERVE_IO_OK)
		return false;
	c->shut_done = true;
	c->lingering = true;
	c->linger_until = serve_conn_now(c) + SERVE_CONN_LINGER_MS;
	c->recv_want = 0;
	/* the idle timer may be set for much later: bring it forward */
	(void)evloop_timer_cancel(c->srv->loop, c->idle_timer);
	return evloop_timer_add(c->srv->loop, SERVE_CONN_LINGER_MS, serve_conn_on_idle, c,
				&c->idle_timer, NULL) == QV_OK;
}

static void serve_conn_interest(struct serve_conn *c)
{
	unsigned mask = 0;

	if (serve_conn_wants_input(c) && serve_conn_can_take(c))
		mask |= c->recv_want ? c->recv_want : EVLOOP_READ;
	if (c->send_want)
		mask |= c->send_want;
	if (mask != c->mask) {
		evloop_fd_set(c->srv->loop, c->io.fd, mask);
		c->mask = mask;
	}
}

static void serve_conn_drive(struct serve_conn *c)
{
	unsigned rounds = SERVE_CONN_RECV_ROUNDS;
	enum serve_conn_input r = SERVE_CONN_GOT;

	while (r == SERVE_CONN_GOT) {
		if (!serve_conn_send(c))
			goto close;
		if (serve_conn_parse(c))
			continue;
		if (rounds-- == 0)
			break;
		r = serve_conn_recv(c);
		if (r == SERVE_CONN_DEAD)
			goto close;
	}
	if (serve_conn_output_idle(c)) {
		/* the client is done (or gone) and everything is answered */
		if (c->rd_eof)
			goto close;
		if (c->no_more && !serve_conn_finish(c))
			goto close;
	}
	serve_conn_interest(c);
	return;
close:
	serve_conn_close(c);
}

static void serve_conn_on_io(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct serve_conn *c = arg;

	(void)loop;
	(void)fd;
	if (events & EVLOOP_ERROR)
		serve_conn_close(c);
	else
		serve_conn_drive(c);
}

/* Close when idle past the deadline; re-arm otherwise (cheaper than moving
 * a timer on every request). */
static void serve_conn_on_idle(struct evloop *loop, void *arg)
{
	struct serve_conn *c = arg;
	int64_t now = evloop_now_ms(loop), deadline;

	c->idle_timer = 0;
	deadline = c->lingering ? c->linger_until : c->last_active + SERVE_CONN_IDLE_MS;
	if (c->waiting && !c->lingering)
		deadline = now + SERVE_CONN_IDLE_MS;   /* we are the slow one */
	if (now >= deadline || evloop_timer_add(loop, deadline - now, serve_conn_on_idle, c,
						&c->idle_timer, NULL) != QV_OK)
		serve_conn_close(c);
}

/* ---- life cycle ---- */

enum qv_err serve_conn_start(struct serve *srv, int fd, struct qv_error *err)
{
	struct serve_conn *c = serve_conn_get(srv);
	enum qv_err rc;

	if (c == NULL) {
		(void)close(fd);
		return qv_error_set(err, QV_E_NOMEM, "out of memory for a connection");
	}
	c->io.fd = fd;
	c->io.ops = &serve_io_tcp;
	c->io.ctx = NULL;
	c->last_active = evloop_now_ms(srv->loop);
	rc = srv->cfg.io != NULL ? srv->cfg.io->open(srv->cfg.io->arg, &c->io, err) : QV_OK;
	if (rc != QV_OK) {
		c->io.ops = NULL;   /* nothing to free */
		serve_conn_close(c);
		return rc;
	}
	c->mask = EVLOOP_READ;
	rc = evloop_fd_add(srv->loop, fd, EVLOOP_READ, serve_conn_on_io, c, err);
	if (rc == QV_OK)
		rc = evloop_timer_add(srv->loop, SERVE_CONN_IDLE_MS, serve_conn_on_idle, c,
				      &c->idle_timer, err);
	if (rc != QV_OK) {
		serve_conn_close(c);
		return rc;
	}
	/* loopback clients often send the request with the connect: try now */
	serve_conn_drive(c);
	return QV_OK;
}

void serve_conn_close(struct serve_conn *c)
{
	struct serve *srv = c->srv;

	(void)evloop_timer_cancel(srv->loop, c->delay_timer);
	(void)evloop_timer_cancel(srv->loop, c->idle_timer);
	evloop_fd_del(srv->loop, c->io.fd);
	if (c->io.ops != NULL)
		c->io.ops->free(&c->io);
	(void)close(c->io.fd);
	while (c->out_count > 0)
		serve_conn_out_pop(c);
	free(c->delayed.resp.owned);
	serve_conn_put(srv, c);
}

void serve_conn_free(struct serve_conn *c)
{
	if (c == NULL)
		return;
	free(c->in);
	free(c);
}
