/* test_serve.c - the flag server in process: a server on an evloop, a plain
 * blocking client socket, and the loop turned by hand until the answer is
 * in.  Covers the routes, keep-alive and close, delays that overlap, the
 * teapot, the connection cap, --dir, and teardown with open connections. */
#include "tq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/evloop.h"
#include "serve/country.h"
#include "serve/flag.h"
#include "serve/serve.h"
#include "util/clock.h"

void suite_serve(struct tq *t);

/* Longest wait for one answer: generous for sanitizer and qemu runs. */
#define WAIT_MS 5000
#define RESP_MAX 65536

struct fixture {
	struct evloop *loop;
	struct serve *srv;
};

static int fixture_start(struct tq *t, struct fixture *f, const struct serve_config *cfg)
{
	struct qv_error e;

	memset(f, 0, sizeof *f);
	if (!TQ_INT(t, evloop_new(&f->loop, &e), QV_OK))
		return -1;
	if (!TQ_INT(t, serve_new(&f->srv, f->loop, cfg, &e), QV_OK)) {
		printf("  serve_new: %s\n", e.msg);
		evloop_free(f->loop);
		return -1;
	}
	return 0;
}

static void fixture_stop(struct fixture *f)
{
	serve_free(f->srv);
	evloop_free(f->loop);
}

static void test_config(struct serve_config *cfg)
{
	serve_config_init(cfg);
	cfg->port = 0;
	cfg->seed = 1;
}

static int client_connect(struct fixture *f)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons(serve_port(f->srv));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* the listen backlog completes the handshake without the loop */
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* Turn the loop and collect what fd receives until `want` responses are
 * complete (by Content-Length) or the server closes.  Returns the bytes
 * received; *closed tells whether the server closed. */
static size_t client_read(struct fixture *f, int fd, char *buf, size_t cap, int want, int *closed)
{
	int64_t deadline = clock_now_ms() + WAIT_MS;
	size_t len = 0;

	*closed = 0;
	buf[0] = '\0';
	while (clock_now_ms() < deadline) {
		struct pollfd p = {fd, POLLIN, 0};
		const char *s = buf;
		int done = 0;

		(void)evloop_run_once(f->loop, 5, NULL);
		if (poll(&p, 1, 0) > 0) {
			ssize_t r = recv(fd, buf + len, cap - 1 - len, 0);

			if (r <= 0) {
				*closed = 1;
				break;
			}
			len += (size_t)r;
			buf[len] = '\0';
		}
		/* count complete responses */
		while ((s = strstr(s, "HTTP/1.1 ")) != NULL) {
			const char *cl = strstr(s, "Content-Length: "), *end = strstr(s, "\r\n\r\n");

			if (cl == NULL || end == NULL)
				break;
			if ((size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10) > len)
				break;
			done++;
			s = end + 4 + strtoul(cl + 16, NULL, 10);
		}
		if (want > 0 && done >= want)
			break;
	}
	return len;
}

static size_t exchange(struct fixture *f, const char *req, char *buf, size_t cap, int want,
		       int *closed)
{
	int fd = client_connect(f);
	size_t n;

	*closed = 0;
	if (fd < 0)
		return 0;
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		(void)close(fd);
		return 0;
	}
	n = client_read(f, fd, buf, cap, want, closed);
	(void)close(fd);
	return n;
}

static const char *body_of(const char *resp)
{
	const char *p = strstr(resp, "\r\n\r\n");

	return p != NULL ? p + 4 : "";
}

static void test_gif_and_json(struct tq *t)
{
	static char buf[RESP_MAX];
	static uint8_t gif[FLAG_GIF_MAX];
	struct serve_config cfg;
	struct fixture f;
	size_t n, glen = 0;
	int closed;
	char json[COUNTRY_JSON_MAX], want[64];

	test_config(&cfg);
	if (fixture_start(t, &f, &cfg) != 0)
		return;
	n = exchange(&f, "GET /flags/cn/cn.gif HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof buf, 1,
		     &closed);
	TQ_INT(t, flag_gif("cn", gif, sizeof gif, &glen, NULL), QV_OK);
	(void)snprintf(want, sizeof want, "Content-Length: %zu\r\n", glen);
	TQ_TRUE(t, strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) == 0);
	TQ_TRUE(t, strstr(buf, "Content-Type: image/gif\r\n") != NULL);
	TQ_TRUE(t, strstr(buf, want) != NULL);
	if (TQ_TRUE(t, n == (size_t)(body_of(buf) - buf) + glen))
		TQ_MEM(t, body_of(buf), glen, gif, glen);
	TQ_INT(t, closed, 0);   /* keep-alive */

	(void)exchange(&f, "GET /br/metadata.json HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof buf, 1,
		       &closed);
	(void)country_json(country_find("br", 2), json, sizeof json);
	TQ_TRUE(t, strstr(buf, "Content-Type: application/json\r\n") != NULL);
	TQ_STR(t, body_of(buf), json);

	/* no body to count: let the close end the wait */
	(void)exchange(&f, "HEAD /flags/us/us.gif HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		       buf, sizeof buf, 0, &closed);
	TQ_TRUE(t, strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) == 0);
	TQ_STR(t, body_of(buf), "");
	fixture_stop(&f);
}

static void test_errors_and_close(struct tq *t)
{
	static char buf[RESP_MAX];
	struct serve_config cfg;
	struct fixture f;
	int closed;

	test_config(&cfg);
	if (fixture_start(t, &f, &cfg) != 0)
		return;
	(void)exchange(&f, "GET /flags/zz/zz.gif HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof buf, 1,
		       &closed);
	TQ_TRUE(t, strncmp(buf, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
	TQ_INT(t, closed, 0);
	(void)exchange(&f, "DELETE /cn/cn.gif HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof buf, 1,
		       &closed);
	TQ_TRUE(t, strncmp(buf, "HTTP/1.1 405 ", 13) == 0);
	TQ_TRUE(t, strstr(buf, "Allow: GET, HEAD\r\n") != NULL);
	(void)exchange(&f, "GET / HTTP/1.1\r\n\r\n", buf, sizeof buf, 0, &closed);
	TQ_TRUE(t, strncmp(buf, "HTTP/1.1 400 ", 13) == 0);
	TQ_TRUE(t, strstr(buf, "Connection: close\r\n") != NULL);
	TQ_INT(t, closed, 1);
	/* pipelined: answered in order, the close request ends the connection */
	(void)exchange(&f, "GET /cn/metadata.json HTTP/1.1\r\nHost: x\r\n\r\n"
		       "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
		       "GET /de/metadata.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
		       "GET /fr/metadata.json HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof buf, 0, &closed);
	TQ_INT(t, closed, 1);
	TQ_TRUE(t, strstr(buf, "China") != NULL && strstr(buf, "Germany") != NULL);
	TQ_TRUE(t, strstr(buf, "China") < strstr(buf, "404 Not Found"));
	TQ_TRUE(t, strstr(buf, "404 Not Found") < strstr(buf, "Germany"));
	TQ_TRUE(t, strstr(buf, "France") == NULL);
	(void)exchange(&f, "GET /cn/metadata.json HTTP/1.0\r\n\r\n", buf, sizeof buf, 0, &closed);
	TQ_INT(t, closed, 1);
	TQ_TRUE(t, strstr(buf, "China") != NULL);
	TQ_TRUE(t, serve_stats(f.srv)->requests == 7);
	fixture_stop(&f);
}

/* Two connections each wait the delay at the same time, not one after the
 * other: the server must not block while a response is delayed. */
static void test_delay_overlaps(struct tq *t)
{
	static char buf[RESP_MAX];
	const char *req = "GET /cn/metadata.json HTTP/1.1\r\nHost: x\r\n\r\n";
	struct serve_config cfg;
	struct fixture f;
	int fd1, fd2, closed;
	int64_t start, took;

	test_config(&cfg);
	cfg.delay_ms = 300;
	if (fixture_start(t, &f, &cfg) != 0)
		return;
	fd1 = client_connect(&f);
	fd2 = client_connect(&f);
	if (TQ_TRUE(t, fd1 >= 0 && fd2 >= 0)) {
		start = clock_now_ms();
		TQ_INT(t, send(fd1, req, strlen(req), 0), strlen(req));
		TQ_INT(t, send(fd2, req, strlen(req), 0), strlen(req));
		(void)client_read(&f, fd1, buf, sizeof buf, 1, &closed);
		TQ_TRUE(t, strstr(buf, "China") != NULL);
		(void)client_read(&f, fd2, buf, sizeof buf, 1, &closed);
		TQ_TRUE(t, strstr(buf, "China") != NULL);
		took = clock_now_ms() - start;
		TQ_TRUE(t, took >= 300);
		TQ_TRUE(t, took < 550);
	}
	(void)close(fd1);
	(void)close(fd2);
	fixture_stop(&f);
}

/* After answering a close request the server shuts down its side and
 * drains what the client still sends; a client that never closes is cut off
 * after the linger time, not the (much longer) idle time. */
static void test_linger_ends(struct tq *t)
{
	static char buf[RESP_MAX];
	const char *req = "GET /cn/metadata.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	struct serve_config cfg;
	struct fixture f;
	int fd, closed;
	int64_t start;

	test_config(&cfg);
	if (fixture_start(t, &f, &cfg) != 0)
		return;
	fd = client_connect(&f);
	if (TQ_TRUE(t, fd >= 0) && TQ_INT(t, send(fd, req, strlen(req), 0), strlen(req))) {
		(void)client_read(&f, fd, buf, sizeof buf, 0, &closed);
		TQ_INT(t, closed, 1);   /* the server's FIN */
		TQ_TRUE(t, strstr(buf, "China") != NULL);
		TQ_INT(t, serve_stats(f.srv)->open, 1);   /* still draining */
		TQ_INT(t, send(fd, "more", 4, MSG_NOSIGNAL), 4);
		start = clock_now_ms();
		while (serve_stats(f.srv)->open > 0 && clock_now_ms() - start < WAIT_MS)
			(void)evloop_run_once(f.loop, 50, NULL);
		TQ_INT(t, serve_stats(f.srv)->open, 0);
		TQ_TRUE(t, clock_now_ms() - start < 3000);
	}
	(void)close(fd);
	fixture_stop(&f);
}

static void test_teapot(struct tq *t)
{
	static char buf[RESP_MAX];
	struct serve_config cfg;
	struct fixture f;
	int closed;

	test_config(&cfg);
	cfg.error_rate = 1.0;
	if (fixture_start(t, &f, &cfg) != 0)
		return;
	(void)exchange(&f, "GET /cn/cn.gif HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof buf, 1, &closed);
	TQ_TRUE(t, strncmp(buf, "HTTP/1.1 418 I'm a Teapot\r\n", 27) == 0);
	fixture_stop(&f);
}

/* Over the cap a client gets a 503 instead of waiting; serve_free closes
 * the connection still open. */
static void test_conn_cap(struct tq *t)
{
	static char buf[RESP_MAX];
	struct serve_config cfg;
	struct fixture f;
	int fd1, closed;

	test_config(&cfg);
	cfg.max_conns = 1;
	if (fixture_start(t, &f, &cfg) != 0)
		return;
	fd1 = client_connect(&f);
	TQ_TRUE(t, fd1 >= 0);
	(void)evloop_run_once(f.loop, 50, NULL);   /* the server takes fd1 */
	(void)exchange(&f, "GET /cn/cn.gif HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof buf, 1, &closed);
	TQ_TRUE(t, strncmp(buf, "HTTP/1.1 503 ", 13) == 0);
	TQ_INT(t, serve_stats(f.srv)->refused, 1);
	TQ_INT(t, serve_stats(f.srv)->accepted, 1);
	fixture_stop(&f);   /* with fd1's connection open */
	(void)close(fd1);
}

static int write_file(const char *path, const char *data)
{
	FILE *fp = fopen(path, "wb");

	if (fp == NULL)
		return -1;
	(void)fputs(data, fp);
	return fclose(fp);
}

static void test_dir(struct tq *t)
{
	static char buf[RESP_MAX];
	char dir[] = "/tmp/quiver-serve-test-XXXXXX", sub[64], file[96];
	struct serve_config cfg;
	struct fixture f;
	int closed;

	if (!TQ_TRUE(t, mkdtemp(dir) != NULL))
		return;
	(void)snprintf(sub, sizeof sub, "%s/cn", dir);
	(void)snprintf(file, sizeof file, "%s/cn/cn.gif", dir);
	if (!TQ_INT(t, mkdir(sub, 0700), 0) || !TQ_INT(t, write_file(file, "GIF89a-not-really"), 0))
		goto out;
	test_config(&cfg);
	cfg.dir = dir;
	if (fixture_start(t, &f, &cfg) != 0)
		goto out;
	(void)exchange(&f, "GET /flags/cn/cn.gif HTTP/1.1\r\nHost: x\r\n\r\n", buf, sizeof buf, 1,
		       &closed);
	TQ_TRUE(t, strstr(buf, "Content-Length: 17\r\n") != NULL);
	TQ_STR(t, body_of(buf), "GIF89a-not-really");
	(void)exchange(&f, "GET /flags/cn/metadata.json HTTP/1.1\r\nHost: x\r\n\r\n", buf,
		       sizeof buf, 1, &closed);
	TQ_TRUE(t, strncmp(buf, "HTTP/1.1 404 ", 13) == 0);
	fixture_stop(&f);
out:
	(void)unlink(file);
	(void)rmdir(sub);
	(void)rmdir(dir);
}

static void test_setup_errors(struct tq *t)
{
	struct serve_config cfg;
	struct evloop *loop = NULL;
	struct serve *srv = NULL;
	struct qv_error e;

	if (!TQ_INT(t, evloop_new(&loop, &e), QV_OK))
		return;
	test_config(&cfg);
	cfg.bind = "not-an-address";
	TQ_INT(t, serve_new(&srv, loop, &cfg, &e), QV_E_USAGE);
	TQ_TRUE(t, srv == NULL);
	cfg.bind = "127.0.0.1";
	cfg.dir = "/nonexistent/quiver";
	TQ_INT(t, serve_new(&srv, loop, &cfg, &e), QV_E_FILE);
	TQ_INT(t, evloop_fd_count(loop), 0);
	evloop_free(loop);
	serve_free(NULL);
}

static int ipv6_loopback_works(void)
{
	struct sockaddr_in6 a;
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

	if (fd < 0)
		return 0;
	memset(&a, 0, sizeof a);
	a.sin6_family = AF_INET6;
	a.sin6_addr = in6addr_loopback;
	ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
	(void)close(fd);
	return ok;
}

static void test_origin_ipv6(struct tq *t)
{
	struct serve_config cfg;
	struct fixture f;
	char url[64];

	if (!ipv6_loopback_works()) {
		tq_skip(t, "no IPv6 loopback here");
		return;
	}
	test_config(&cfg);
	cfg.bind = "[::1]";
	if (fixture_start(t, &f, &cfg) != 0)
		return;
	TQ_TRUE(t, serve_origin(f.srv, "http", url, sizeof url) > 0);
	TQ_TRUE(t, strncmp(url, "http://[::1]:", 13) == 0);
	TQ_INT(t, serve_origin(f.srv, "http", url, 8), 0);
	fixture_stop(&f);
}

void suite_serve(struct tq *t)
{
	tq_run(t, "GET and HEAD of a flag and its metadata", test_gif_and_json);
	tq_run(t, "404, 405, 400, pipelining and close", test_errors_and_close);
	tq_run(t, "delays overlap across connections", test_delay_overlaps);
	tq_run(t, "a lingering close ends without the client", test_linger_ends);
	tq_run(t, "error rate 1 is always a teapot", test_teapot);
	tq_run(t, "connection cap answers 503", test_conn_cap);
	tq_run(t, "--dir serves files, 404 for missing ones", test_dir);
	tq_run(t, "setup errors", test_setup_errors);
	tq_run(t, "IPv6 bind and origin string", test_origin_ipv6);
}
