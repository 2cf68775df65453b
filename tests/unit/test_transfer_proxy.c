/* test_transfer_proxy.c - the transfer machine through HTTP proxies and with
 * origin credentials: absolute-form requests, the CONNECT phase (answers,
 * refusals, 407, garbage, early close, retries), routes decided again on
 * redirects, pooled tunnels, and where each credential goes.  Scripted
 * servers (xfer_script.h), whole and byte by byte. */
#include <string.h>

#include "tq.h"
#include "xfer_script.h"

void suite_transfer_proxy(struct tq *t);

#define OK5 "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
#define TUNNEL_OK "HTTP/1.1 200 Connection established\r\n\r\n"

/* Proxies from the given -x and no_proxy, as a run sets them up. */
static void px_conf(struct tq *t, struct proxy_conf *c, const char *x, const char *no_proxy)
{
	struct proxy_settings s;
	struct qv_error e;

	memset(&s, 0, sizeof s);
	s.proxy = x;
	s.env.no_proxy = no_proxy;
	TQ_INT(t, proxy_conf_init(c, &s, &e), QV_OK);
}

static void t_forward(struct tq *t)
{
	static const struct t_ex ex[] = {{OK5, T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct proxy_conf c;

	px_conf(t, &c, "http://pu:pp@proxy:3128", NULL);
	o.proxy = &c;
	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_reset(&fix_);

		t_fix_run(f, &o, "http://Example.com:8080/a?b", ex, T_N(ex), bw, NULL);
		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "hello");
		TQ_STR(t, f->r.hosts[0], "proxy");
		TQ_INT(t, f->r.ports[0], 3128);
		TQ_INT(t, f->r.vias[0], ROUTE_PROXY);
		TQ_INT(t, f->r.tls, 0);
		TQ_TRUE(t, strncmp(f->r.reqs[0], "GET http://example.com:8080/a?b HTTP/1.1\r\n", 42) == 0);
		TQ_TRUE(t, strstr(f->r.reqs[0], "\r\nHost: example.com:8080\r\n") != NULL);
		/* base64("pu:pp") */
		TQ_TRUE(t, strstr(f->r.reqs[0], "\r\nProxy-Authorization: Basic cHU6cHA=\r\n") != NULL);
		TQ_TRUE(t, f->r.release_reusable[0]); /* keep-alive with the proxy */
		TQ_STR(t, xfer_result(&f->x)->final_url, "http://example.com:8080/a?b");
	}
}

static void t_tunnel(struct tq *t)
{
	static const struct t_ex ex[] = {{OK5, T_END_NONE}};
	static const char *const via[] = {TUNNEL_OK};
	struct xfer_opts o = t_opts();
	struct proxy_conf c;

	px_conf(t, &c, "pu:pp@proxy:3128", NULL);
	o.proxy = &c;
	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_reset(&fix_);
		const char *req;

		sink_mem_init(&f->m, f->buf, sizeof f->buf, 0);
		xfer_init(&f->x, &o, "https://secure.example/x", 24, sink_mem_sink(&f->m), 1);
		xfer_set_auth(&f->x, "Basic dTpw");
		f->r.ex = ex;
		f->r.ex_count = T_N(ex);
		f->r.bytewise = bw;
		f->r.proxies = via;
		f->end = t_drive(&f->r, &f->x);
		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "hello");
		TQ_INT(t, f->r.vias[0], ROUTE_TUNNEL);
		TQ_STR(t, f->r.hosts[0], "proxy");
		TQ_INT(t, f->r.tls, 1);
		req = f->r.reqs[0];
		TQ_TRUE(t, strncmp(req, "CONNECT secure.example:443 HTTP/1.1\r\n"
					"Host: secure.example:443\r\n", 63) == 0);
		/* each credential to its own hop only */
		req = strstr(req, "\r\n\r\n");
		if (!TQ_TRUE(t, req != NULL))
			continue;
		TQ_TRUE(t, memmem(f->r.reqs[0], (size_t)(req - f->r.reqs[0]),
				  "Proxy-Authorization: Basic cHU6cHA=", 35) != NULL);
		TQ_TRUE(t, memmem(f->r.reqs[0], (size_t)(req - f->r.reqs[0]), "Basic dTpw", 10) ==
			   NULL);
		TQ_TRUE(t, strncmp(req + 4, "GET /x HTTP/1.1\r\n", 17) == 0);
		TQ_TRUE(t, strstr(req, "Authorization: Basic dTpw\r\n") != NULL);
		TQ_TRUE(t, strstr(req, "Proxy-Authorization") == NULL);
		TQ_TRUE(t, f->r.release_reusable[0]);
	}
}

struct refusal {
	const char *answer;
	enum t_end end;
	enum qv_err code;
	const char *msg;
};

static void t_tunnel_refused(struct tq *t)
{
	static const struct refusal c[] = {
		{"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\nnope",
		 T_END_NONE, QV_E_PROXY_AUTH,
		 "proxy 127.0.0.1:3128 wants credentials (407 Proxy Authentication Required): use "
		 "--proxy-user or http://user:pass@proxy"},
		{"HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nno!\r\n0\r\n\r\n",
		 T_END_NONE, QV_E_PROXY,
		 "proxy 127.0.0.1:3128 refused CONNECT to secure.example:443: 403 Forbidden"},
		{"HTTP/1.1 400\r\n\r\n", T_END_NONE, QV_E_PROXY,
		 "proxy 127.0.0.1:3128 refused CONNECT to secure.example:443: 400"},
		{"SSH-2.0-OpenSSH_9.2\r\n", T_END_EOF, QV_E_PROXY,
		 "proxy 127.0.0.1:3128: malformed HTTP response: bad status line"},
		{"", T_END_EOF, QV_E_CLOSED,
		 "proxy 127.0.0.1:3128 closed the connection before answering CONNECT"},
		{"HTTP/1.1 200 OK\r\nContent-Len", T_END_EOF, QV_E_PROXY,
		 "proxy 127.0.0.1:3128 closed the connection in the middle of its answer"},
	};
	struct xfer_opts o = t_opts();
	struct proxy_conf pc;
	size_t i;

	px_conf(t, &pc, "127.0.0.1:3128", NULL);
	o.proxy = &pc;
	for (i = 0; i < T_N(c); i++) {
		const char *via[] = {c[i].answer};
		struct t_ex ex[] = {{"", c[i].end}};

		T_BOTH(bw)
		{
			struct t_fix fix_, *f = t_fix_reset(&fix_);

			t_fix_run_via(f, &o, "https://secure.example/x", ex, via, 1, bw);
			t_check_end(t, f, XFER_FAILED);
			TQ_INT(t, xfer_error(&f->x)->code, c[i].code);
			TQ_STR(t, xfer_error(&f->x)->msg, c[i].msg);
			TQ_INT(t, f->r.tls, 0);
			TQ_INT(t, f->m.len, 0);
			/* a connection whose tunnel never opened is never pooled */
			TQ_TRUE(t, !f->r.release_reusable[0]);
			TQ_TRUE(t, strstr(f->r.reqs[0], "GET") == NULL);
		}
	}
}

static void t_tunnel_data_after_answer(struct tq *t)
{
	static const char *const via[] = {TUNNEL_OK "\x16\x03\x01"};
	static const struct t_ex ex[] = {{OK5, T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct proxy_conf pc;
	struct t_fix fix_, *f = t_fix_reset(&fix_);

	px_conf(t, &pc, "p:1", NULL);
	o.proxy = &pc;
	t_fix_run_via(f, &o, "https://h/", ex, via, 1, false);
	t_check_end(t, f, XFER_FAILED);
	TQ_INT(t, xfer_error(&f->x)->code, QV_E_PROXY);
	TQ_STR(t, xfer_error(&f->x)->msg, "proxy p:1 sent data after its CONNECT answer");
	TQ_TRUE(t, !f->r.release_reusable[0]);
}

static void t_tunnel_retry(struct tq *t)
{
	static const char *const via[] = {"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n",
					   TUNNEL_OK};
	static const struct t_ex ex[] = {{"", T_END_NONE}, {OK5, T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct proxy_conf pc;

	px_conf(t, &pc, "p:1", NULL);
	o.proxy = &pc;
	o.retries = 1;
	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_reset(&fix_);

		t_fix_run_via(f, &o, "https://h/", ex, via, 2, bw);
		t_check_end(t, f, XFER_DONE);
		t_check_body(t, f, "hello");
		TQ_INT(t, f->r.connects, 2);
		TQ_TRUE(t, !f->r.reused[1]);
		TQ_INT(t, xfer_result(&f->x)->attempts, 2);
	}
}

static void t_pooled_tunnel(struct tq *t)
{
	static const struct t_ex ex[] = {{OK5, T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct proxy_conf pc;
	struct t_fix fix_, *f = t_fix_reset(&fix_);

	px_conf(t, &pc, "p:1", NULL);
	o.proxy = &pc;
	sink_mem_init(&f->m, f->buf, sizeof f->buf, 0);
	xfer_init(&f->x, &o, "https://h/", 10, sink_mem_sink(&f->m), 1);
	f->r.ex = ex;
	f->r.ex_count = 1;
	f->r.pool_always = true; /* a tunnel to h from the pool: TLS is up */
	f->end = t_drive(&f->r, &f->x);
	t_check_end(t, f, XFER_DONE);
	TQ_INT(t, f->r.tls, 0);
	TQ_TRUE(t, strncmp(f->r.reqs[0], "GET / HTTP/1.1\r\n", 16) == 0);
}

static void t_redirect_reroutes(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 302 Found\r\nLocation: https://b.example/y\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE},
		{OK5, T_END_NONE},
		{"HTTP/1.1 301 Moved\r\nLocation: http://local.lan/z\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE},
		{OK5, T_END_NONE}};
	static const char *const via[] = {NULL, TUNNEL_OK, NULL, NULL};
	struct xfer_opts o = t_opts();
	struct proxy_conf pc;

	px_conf(t, &pc, "p:1", ".lan");
	o.proxy = &pc;
	T_BOTH(bw)
	{
		struct t_fix fix_, *f = t_fix_reset(&fix_);

		t_fix_run_via(f, &o, "http://a.example/x", ex, via, 2, bw);
		t_check_end(t, f, XFER_DONE);
		TQ_INT(t, f->r.vias[0], ROUTE_PROXY);
		TQ_INT(t, f->r.vias[1], ROUTE_TUNNEL);
		TQ_TRUE(t, strncmp(f->r.reqs[1], "CONNECT b.example:443 ", 22) == 0);
		f = t_fix_reset(&fix_);
		t_fix_run_via(f, &o, "http://a.example/x", ex + 2, via + 2, 2, bw);
		t_check_end(t, f, XFER_DONE);
		TQ_INT(t, f->r.vias[1], ROUTE_DIRECT); /* no_proxy .lan */
		TQ_STR(t, f->r.hosts[1], "local.lan");
		TQ_TRUE(t, strncmp(f->r.reqs[1], "GET /z HTTP/1.1", 15) == 0);
	}
}

static void t_origin_credentials(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 302 Found\r\nLocation: /same\r\nContent-Length: 0\r\n\r\n", T_END_NONE},
		{"HTTP/1.1 302 Found\r\nLocation: http://other/\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE},
		{OK5, T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_reset(&fix_);

	sink_mem_init(&f->m, f->buf, sizeof f->buf, 0);
	xfer_init(&f->x, &o, "http://h/", 9, sink_mem_sink(&f->m), 1);
	xfer_set_auth(&f->x, "Basic dTpw");
	f->r.ex = ex;
	f->r.ex_count = T_N(ex);
	f->end = t_drive(&f->r, &f->x);
	t_check_end(t, f, XFER_DONE);
	TQ_TRUE(t, strstr(f->r.reqs[0], "\r\nAuthorization: Basic dTpw\r\n") != NULL);
	TQ_TRUE(t, strstr(f->r.reqs[1], "\r\nAuthorization: Basic dTpw\r\n") != NULL);
	/* another origin never sees them (curl CVE-2018-1000007) */
	TQ_TRUE(t, strstr(f->r.reqs[2], "Authorization") == NULL);
}

static void t_401(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=x\r\n"
		 "Content-Length: 0\r\n\r\n",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct t_fix fix_, *f = t_fix_reset(&fix_);

	t_fix_run(f, &o, "http://h/", ex, 1, false, NULL);
	t_check_end(t, f, XFER_FAILED);
	TQ_INT(t, xfer_error(&f->x)->code, QV_E_AUTH);
	TQ_STR(t, xfer_error(&f->x)->msg, "authentication required (401 Unauthorized)");
	f = t_fix_reset(&fix_);
	sink_mem_init(&f->m, f->buf, sizeof f->buf, 0);
	xfer_init(&f->x, &o, "http://h/", 9, sink_mem_sink(&f->m), 1);
	xfer_set_auth(&f->x, "Basic dTpw");
	f->r.ex = ex;
	f->r.ex_count = 1;
	f->end = t_drive(&f->r, &f->x);
	t_check_end(t, f, XFER_FAILED);
	TQ_STR(t, xfer_error(&f->x)->msg,
	       "authentication failed: the server refused the credentials (401 Unauthorized)");
}

static void t_forward_407(struct tq *t)
{
	static const struct t_ex ex[] = {
		{"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n",
		 T_END_NONE}};
	struct xfer_opts o = t_opts();
	struct proxy_conf pc;
	struct t_fix fix_, *f = t_fix_reset(&fix_);

	px_conf(t, &pc, "u:wrong@p:8", NULL);
	o.proxy = &pc;
	t_fix_run(f, &o, "http://h/", ex, 1, false, NULL);
	t_check_end(t, f, XFER_FAILED);
	TQ_INT(t, xfer_error(&f->x)->code, QV_E_PROXY_AUTH);
	TQ_STR(t, xfer_error(&f->x)->msg,
	       "proxy p:8 refused the credentials (407 Proxy Authentication Required)");
}

void suite_transfer_proxy(struct tq *t)
{
	tq_run(t, "http through a forwarding proxy", t_forward);
	tq_run(t, "https through a CONNECT tunnel", t_tunnel);
	tq_run(t, "CONNECT refused, garbled or cut", t_tunnel_refused);
	tq_run(t, "data after the CONNECT answer", t_tunnel_data_after_answer);
	tq_run(t, "CONNECT 502 retried", t_tunnel_retry);
	tq_run(t, "pooled tunnel skips CONNECT", t_pooled_tunnel);
	tq_run(t, "redirects decide the route again", t_redirect_reroutes);
	tq_run(t, "origin credentials to the first origin only", t_origin_credentials);
	tq_run(t, "401 named", t_401);
	tq_run(t, "407 from a forwarding proxy", t_forward_407);
}
