/* xfer_script.c - the fake engine of the transfer tests (see xfer_script.h). */
#include "xfer_script.h"

#include <stdio.h>
#include <string.h>

/* The proxy's answer on the current connection, or NULL. */
static const char *t_proxy(const struct t_run *r)
{
	return r->proxies != NULL && r->connects > 0 ? r->proxies[r->connects - 1] : NULL;
}

static void t_read(struct t_run *r, struct xfer *x, size_t *pos)
{
	const struct t_ex *ex;
	const char *text;
	size_t len, k;

	if (r->connects == 0 || r->connects > r->ex_count) {
		r->stuck = true;
		return;
	}
	ex = &r->ex[r->connects - 1];
	text = t_proxy(r) != NULL && !r->tunnel_open ? t_proxy(r) : ex->resp;
	len = strlen(text);
	if (*pos < len) {
		k = r->bytewise ? 1 : len - *pos;
		xfer_feed(x, (const uint8_t *)text + *pos, k);
		*pos += k;
	} else if (ex->end == T_END_EOF) {
		xfer_eof(x);
	} else if (ex->end == T_END_RESET) {
		xfer_io_error(x, QV_E_RESET, "connection reset by peer");
	} else {
		r->stuck = true; /* the machine wants more than the server sends */
	}
}

static void t_write(struct t_run *r, struct xfer *x)
{
	const uint8_t *p;
	size_t n, k, have;
	char *req = r->reqs[r->connects - 1];

	xfer_out(x, &p, &n);
	k = r->bytewise && n > 0 ? 1 : n;
	have = strlen(req);
	if (have + k < T_REQ_MAX) {
		memcpy(req + have, p, k);
		req[have + k] = '\0';
	}
	xfer_sent(x, k);
}

static void t_connect(struct t_run *r, struct xfer *x)
{
	const struct route *rt = xfer_route(x);
	const struct url_origin *u = &rt->peer;
	/* the last connection is reused when it was reusable and is on the same
	 * kind of route (a tunnel only to its own origin) */
	bool same = r->connects == 0 ||
		    (r->vias[r->connects - 1] == rt->via &&
		     (rt->via != ROUTE_TUNNEL || strcmp(r->origins[r->connects - 1], rt->origin.host) == 0));
	bool reused = (r->pool_always || (r->releases > 0 && r->release_reusable[r->releases - 1] &&
					  same)) &&
		      xfer_may_reuse(x);

	if (r->connects >= T_EX_MAX) {
		r->stuck = true;
		return;
	}
	(void)snprintf(r->hosts[r->connects], URL_HOST_MAX, "%s", u->host);
	r->ports[r->connects] = u->port;
	r->reused[r->connects] = reused;
	r->vias[r->connects] = rt->via;
	(void)snprintf(r->origins[r->connects], URL_HOST_MAX, "%s", rt->origin.host);
	r->tunnel_open = false;
	r->reqs[r->connects][0] = '\0';
	r->connects++;
	xfer_connected(x, reused);
}

/* The handshake over the tunnel: bytes of the proxy's answer left unread
 * would be garbage to TLS. */
static void t_tls(struct t_run *r, struct xfer *x, size_t *pos)
{
	const char *proxy = t_proxy(r);

	if (proxy == NULL || *pos < strlen(proxy)) {
		xfer_io_error(x, QV_E_TLS_PROTOCOL, "TLS: garbage from the proxy");
		return;
	}
	r->tls++;
	r->tunnel_open = true;
	*pos = 0;
	xfer_tls_done(x);
}

enum xfer_action t_drive(struct t_run *r, struct xfer *x)
{
	int64_t now = 1000;
	size_t pos = 0;
	long steps;

	for (steps = 0; steps < T_STEPS_MAX && !r->stuck; steps++) {
		enum xfer_action a = xfer_next(x, now);

		switch (a) {
		case XFER_CONNECT:
			t_connect(r, x);
			pos = 0;
			break;
		case XFER_WRITE:
			t_write(r, x);
			break;
		case XFER_READ:
			t_read(r, x, &pos);
			break;
		case XFER_TLS:
			t_tls(r, x, &pos);
			break;
		case XFER_RELEASE:
			if (r->releases < T_EX_MAX)
				r->release_reusable[r->releases++] = xfer_conn_reusable(x);
			xfer_released(x);
			break;
		case XFER_WAIT:
			if (r->waits < T_EX_MAX) {
				r->wait_from[r->waits] = now;
				r->wake_at[r->waits++] = xfer_wake_at(x);
			}
			now = xfer_wake_at(x);
			break;
		default:
			return a;
		}
	}
	r->stuck = true;
	return XFER_FAILED;
}

struct xfer_opts t_opts(void)
{
	struct xfer_opts o;

	memset(&o, 0, sizeof o);
	o.max_redirs = 20;
	o.follow = true;
	o.fail_on_status = true;
	o.retry_base_ms = 100;
	o.retry_max_ms = 1000;
	return o;
}

static void t_fix_start(struct t_fix *f, const struct xfer_opts *o, const char *url,
			const struct t_ex *ex, const char *const *proxies, size_t n, bool bytewise,
			const char *existing)
{
	size_t have = existing != NULL ? strlen(existing) : 0;

	memset(&f->r, 0, sizeof f->r);
	if (have > 0)
		memcpy(f->buf, existing, have);
	sink_mem_init(&f->m, f->buf, sizeof f->buf, have);
	f->m.base.resume_validator = f->validator != NULL ? f->validator
				     : have > 0		   ? T_VALIDATOR
							   : NULL;
	f->m.base.no_rewind = f->no_rewind;
	f->m.base.has_ims = f->has_ims;
	f->m.base.ims = f->ims;
	f->r.ex = ex;
	f->r.ex_count = n;
	f->r.bytewise = bytewise;
	f->r.proxies = proxies;
	xfer_init(&f->x, o, url, strlen(url), sink_mem_sink(&f->m), 42);
	f->end = t_drive(&f->r, &f->x);
}

void t_fix_run(struct t_fix *f, const struct xfer_opts *o, const char *url, const struct t_ex *ex,
	       size_t n, bool bytewise, const char *existing)
{
	t_fix_start(f, o, url, ex, NULL, n, bytewise, existing);
}

void t_fix_run_via(struct t_fix *f, const struct xfer_opts *o, const char *url,
		   const struct t_ex *ex, const char *const *proxies, size_t n, bool bytewise)
{
	t_fix_start(f, o, url, ex, proxies, n, bytewise, NULL);
}

void t_check_end(struct tq *t, const struct t_fix *f, enum xfer_action want)
{
	TQ_INT(t, f->end, want);
	TQ_TRUE(t, !f->r.stuck);
	TQ_TRUE(t, f->m.committed != f->m.aborted);
	TQ_INT(t, f->m.late_calls, 0);
	TQ_INT(t, f->r.releases, f->r.connects);
	if (f->end == XFER_DONE && !xfer_result(&f->x)->not_modified) {
		TQ_TRUE(t, f->m.committed);
		TQ_INT(t, xfer_error(&f->x)->code, QV_OK);
	} else {
		TQ_TRUE(t, f->m.aborted);
	}
}

struct t_fix *t_fix_reset(struct t_fix *f)
{
	memset(f, 0, sizeof *f);
	return f;
}

struct t_fix *t_fix_go(struct t_fix *f, const struct xfer_opts *o, const char *url,
		       const struct t_ex *ex, size_t n, bool bytewise, const char *existing)
{
	t_fix_run(t_fix_reset(f), o, url, ex, n, bytewise, existing);
	return f;
}

void t_check_body(struct tq *t, const struct t_fix *f, const char *want)
{
	TQ_MEM(t, f->m.buf, f->m.len, want, strlen(want));
}

