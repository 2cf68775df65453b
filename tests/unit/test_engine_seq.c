/* test_engine_seq.c - the seq engine end to end against a tiny HTTP server
 * forked by the test on a loopback port: keep-alive reuse, a server that
 * closes parked connections, refused connects, read timeouts, the stop flag
 * and a failing sink_open hook. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "emu.h"
#include "engine/engine.h"
#include "transfer/sink_mem.h"
#include "tq.h"

void suite_engine_seq(struct tq *t);

enum srv_mode {
	SRV_KEEP,      /* answer every request on a connection, keep it open */
	SRV_CLOSE,     /* answer one request per connection, then close */
	SRV_SILENT     /* accept, read, never answer */
};

struct srv {
	pid_t pid;
	uint16_t port;
};

#define JOBS_MAX 4

struct run {
	unsigned done_calls;
	enum qv_err codes[JOBS_MAX];
	char msgs[JOBS_MAX][QV_ERROR_MSG_MAX];
	int status[JOBS_MAX];
};

static const char body_text[] = "GIF89a-test-body";

/* Read one request head; false at EOF. */
static bool srv_read_head(int fd)
{
	char buf[4096];
	size_t len = 0;

	while (len < sizeof buf - 1) {
		ssize_t r = read(fd, buf + len, sizeof buf - 1 - len);

		if (r <= 0)
			return false;
		len += (size_t)r;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL)
			return true;
	}
	return false;
}

static void srv_serve_conn(int fd, enum srv_mode mode)
{
	char resp[256];
	int n = snprintf(resp, sizeof resp,
			 "HTTP/1.1 200 OK\r\nContent-Type: image/gif\r\nContent-Length: %zu\r\n\r\n%s",
			 sizeof body_text - 1, body_text);

	while (srv_read_head(fd)) {
		if (mode == SRV_SILENT) {
			(void)sleep(3);
			break;
		}
		if (write(fd, resp, (size_t)n) != n)
			break;
		if (mode == SRV_CLOSE)
			break;
	}
	(void)close(fd);
}

/* Fork a server child; it lives at most a few seconds whatever happens. */
static bool srv_start(struct srv *s, enum srv_mode mode)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (lfd < 0)
		return false;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(lfd, 16) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &len) != 0) {
		(void)close(lfd);
		return false;
	}
	s->port = ntohs(sin.sin_port);
	s->pid = fork();
	if (s->pid < 0) {
		(void)close(lfd);
		return false;
	}
	if (s->pid == 0) {
		(void)alarm(5);
		for (;;) {
			int fd = accept(lfd, NULL, NULL);

			if (fd < 0)
				_exit(0);
			srv_serve_conn(fd, mode);
		}
	}
	(void)close(lfd);
	return true;
}

static void srv_stop(struct srv *s)
{
	int st;

	if (s->pid > 0) {
		(void)kill(s->pid, SIGKILL);
		(void)waitpid(s->pid, &st, 0);
	}
	s->pid = 0;
}

static void on_done(void *ctx, size_t i, const struct xfer_result *res, const struct qv_error *err)
{
	struct run *r = ctx;

	r->done_calls++;
	if (i >= JOBS_MAX)
		return;
	r->codes[i] = err->code;
	(void)snprintf(r->msgs[i], sizeof r->msgs[i], "%s", err->msg);
	r->status[i] = res->status;
}

static enum qv_err failing_open(void *ctx, size_t i, struct sink **out, struct qv_error *err)
{
	(void)ctx;
	(void)i;
	*out = NULL;
	return qv_error_set(err, QV_E_NAME, "unsafe file name 'x'");
}

struct fixture {
	struct xfer_opts xo;
	struct engine_opts eo;
	struct run run;
	char urls[JOBS_MAX][64];
	uint8_t bufs[JOBS_MAX][256];
	struct sink_mem sinks[JOBS_MAX];
	struct engine_job jobs[JOBS_MAX];
};

static void fixture_init(struct fixture *f, uint16_t port, size_t n)
{
	size_t i;

	memset(f, 0, sizeof *f);
	f->xo.follow = true;
	f->xo.max_redirs = 20;
	f->xo.fail_on_status = true;
	f->eo.concurrency = 1;
	f->eo.connect_timeout_ms = 1000;
	f->eo.idle_timeout_ms = 1000;
	f->eo.xfer = &f->xo;
	f->eo.done = on_done;
	f->eo.ctx = &f->run;
	for (i = 0; i < n && i < JOBS_MAX; i++) {
		int len = snprintf(f->urls[i], sizeof f->urls[i], "http://127.0.0.1:%u/f/%zu.gif",
				   (unsigned)port, i);

		sink_mem_init(&f->sinks[i], f->bufs[i], sizeof f->bufs[i], 0);
		f->jobs[i].url = f->urls[i];
		f->jobs[i].url_len = (size_t)len;
		f->jobs[i].sink = sink_mem_sink(&f->sinks[i]);
	}
}

static struct fixture fx; /* large buffers; the tests run one at a time */

static void test_keepalive(struct tq *t)
{
	struct srv s;
	struct engine_stats st;
	struct qv_error e;
	size_t i;

	if (!TQ_TRUE(t, srv_start(&s, SRV_KEEP)))
		return;
	fixture_init(&fx, s.port, 3);
	TQ_INT(t, engine_run(ENGINE_SEQ, fx.jobs, 3, &fx.eo, &st, &e), QV_OK);
	TQ_INT(t, fx.run.done_calls, 3);
	for (i = 0; i < 3; i++) {
		TQ_INT(t, fx.run.codes[i], QV_OK);
		TQ_INT(t, fx.run.status[i], 200);
		TQ_TRUE(t, fx.sinks[i].committed);
		TQ_MEM(t, fx.bufs[i], fx.sinks[i].len, body_text, sizeof body_text - 1);
	}
	TQ_INT(t, st.connections, 1);
	TQ_INT(t, st.reused, 2);
	TQ_INT(t, st.failed, 0);
	srv_stop(&s);
}

static void test_server_closes(struct tq *t)
{
	struct srv s;
	struct engine_stats st;
	struct qv_error e;

	if (!TQ_TRUE(t, srv_start(&s, SRV_CLOSE)))
		return;
	fixture_init(&fx, s.port, 2);
	TQ_INT(t, engine_run(ENGINE_SEQ, fx.jobs, 2, &fx.eo, &st, &e), QV_OK);
	TQ_INT(t, fx.run.codes[0], QV_OK);
	TQ_INT(t, fx.run.codes[1], QV_OK);
	TQ_INT(t, st.connections, 2);
	srv_stop(&s);
}

static void test_refused(struct tq *t)
{
	struct srv s;
	struct engine_stats st;
	struct qv_error e;

	if (!TQ_TRUE(t, srv_start(&s, SRV_KEEP)))
		return;
	srv_stop(&s); /* the port is free again: connects are refused */
	fixture_init(&fx, s.port, 2);
	TQ_INT(t, engine_run(ENGINE_SEQ, fx.jobs, 2, &fx.eo, &st, &e), QV_OK);
	TQ_INT(t, fx.run.done_calls, 2);
	TQ_INT(t, fx.run.codes[0], QV_E_CONNECT);
	TQ_INT(t, st.failed, 2);
	TQ_TRUE(t, fx.sinks[0].begins == 0 && !fx.sinks[0].committed);
	if (emu_so_error_untranslated())
		tq_skip(t, EMU_SO_ERROR_WHY);
	else
		TQ_TRUE(t, strstr(fx.run.msgs[0], "Connection refused") != NULL);
}

static void test_read_timeout(struct tq *t)
{
	struct srv s;
	struct engine_stats st;
	struct qv_error e;
	char want[96];

	if (!TQ_TRUE(t, srv_start(&s, SRV_SILENT)))
		return;
	fixture_init(&fx, s.port, 1);
	fx.eo.idle_timeout_ms = 200;
	TQ_INT(t, engine_run(ENGINE_SEQ, fx.jobs, 1, &fx.eo, &st, &e), QV_OK);
	TQ_INT(t, fx.run.codes[0], QV_E_READ_TIMEOUT);
	(void)snprintf(want, sizeof want, "read timed out after 0.2s (no data from 127.0.0.1:%u)",
		       (unsigned)s.port);
	TQ_STR(t, fx.run.msgs[0], want);
	srv_stop(&s);
}

static void test_max_time(struct tq *t)
{
	struct srv s;
	struct engine_stats st;
	struct qv_error e;

	if (!TQ_TRUE(t, srv_start(&s, SRV_SILENT)))
		return;
	fixture_init(&fx, s.port, 1);
	fx.eo.max_time_ms = 150;
	TQ_INT(t, engine_run(ENGINE_SEQ, fx.jobs, 1, &fx.eo, &st, &e), QV_OK);
	TQ_INT(t, fx.run.codes[0], QV_E_TOTAL_TIMEOUT);
	srv_stop(&s);
}

static void test_stop(struct tq *t)
{
	volatile sig_atomic_t stop = 1;
	struct qv_error e;

	fixture_init(&fx, 9, 2);
	fx.eo.stop = &stop;
	TQ_INT(t, engine_run(ENGINE_SEQ, fx.jobs, 2, &fx.eo, NULL, &e), QV_E_INTERRUPTED);
	TQ_INT(t, fx.run.done_calls, 0);
}

static void test_sink_open_fails(struct tq *t)
{
	struct engine_stats st;
	struct qv_error e;

	fixture_init(&fx, 9, 1);
	fx.jobs[0].sink = NULL;
	fx.eo.sink_open = failing_open;
	TQ_INT(t, engine_run(ENGINE_SEQ, fx.jobs, 1, &fx.eo, &st, &e), QV_OK);
	TQ_INT(t, fx.run.done_calls, 1);
	TQ_INT(t, fx.run.codes[0], QV_E_NAME);
	TQ_INT(t, fx.run.status[0], 0);
	TQ_INT(t, st.connections, 0);
}

static void test_dispatch(struct tq *t)
{
	enum engine_kind k = ENGINE_SEQ;
	struct qv_error e;

	TQ_TRUE(t, engine_parse("poll", &k) && k == ENGINE_POLL);
	TQ_TRUE(t, !engine_parse("fast", &k));
	TQ_STR(t, engine_name(ENGINE_THREADS), "threads");
	TQ_TRUE(t, engine_available(ENGINE_SEQ));
	if (!engine_available(ENGINE_THREADS)) {
		TQ_INT(t, engine_run(ENGINE_THREADS, NULL, 0, &fx.eo, NULL, &e), QV_E_USAGE);
		TQ_STR(t, e.msg, "engine 'threads' is not available yet");
	}
}

void suite_engine_seq(struct tq *t)
{
	tq_run(t, "keep-alive reuse", test_keepalive);
	tq_run(t, "server closes each connection", test_server_closes);
	tq_run(t, "connection refused", test_refused);
	tq_run(t, "read timeout message", test_read_timeout);
	tq_run(t, "max-time", test_max_time);
	tq_run(t, "stop flag", test_stop);
	tq_run(t, "sink_open failure", test_sink_open_fails);
	tq_run(t, "engine names and dispatch", test_dispatch);
}
