/* engsrv.c - the scripted test server of engsrv.h: one thread, poll(),
 * non-blocking sockets, a pipe to stop it. */
#include "engsrv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Clients at once: the engine tests open at most a few hundred. */
#define ES_CLIENTS_MAX 1024
/* A request head is a few hundred bytes here. */
#define ES_REQ_MAX 4096
/* Response head + body (bodies are at most ES_BODY_MAX). */
#define ES_OUT_MAX 8192
#define ES_BODY_MAX 4096

struct es_client {
	int fd;
	char req[ES_REQ_MAX];
	size_t req_len;
	char out[ES_OUT_MAX];
	size_t out_len, out_sent;
	int64_t answer_at;          /* 0: answer now; >0: delayed */
	bool stalled;
	bool close_after;
	bool busy;                  /* a request is being answered */
};

struct engsrv {
	pthread_t th;
	int lfd;
	int wake[2];
	uint16_t port;
	pthread_mutex_t m;
	unsigned accepted, open, max_open; /* under m */
	unsigned busy, max_busy;           /* under m: requests in flight */
	struct es_client *c[ES_CLIENTS_MAX];
	size_t nc;
};

static int64_t es_now(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

size_t engsrv_body_len(const char *name)
{
	size_t h = 5381;

	for (; *name != '\0'; name++)
		h = h * 33u + (unsigned char)*name;
	return 200 + h % 1800;
}

size_t engsrv_body(const char *name, uint8_t *out, size_t cap)
{
	size_t len = engsrv_body_len(name), i, n = strlen(name);

	if (len > cap)
		len = cap;
	for (i = 0; i < len; i++)
		out[i] = i < n ? (uint8_t)name[i] : i == n ? ':' : (uint8_t)('a' + (i * 7 + n) % 26);
	return len;
}

static void es_respond(struct es_client *c, int status, const char *reason, const uint8_t *body,
		       size_t len)
{
	int n = snprintf(c->out, sizeof c->out,
			 "HTTP/1.1 %d %s\r\nContent-Length: %zu\r\nContent-Type: image/gif\r\n\r\n",
			 status, reason, len);

	if (n < 0 || (size_t)n + len > sizeof c->out)
		return;
	memcpy(c->out + n, body, len);
	c->out_len = (size_t)n + len;
	c->out_sent = 0;
}

static void es_busy(struct engsrv *s, struct es_client *c, bool busy)
{
	if (c->busy == busy)
		return;
	c->busy = busy;
	(void)pthread_mutex_lock(&s->m);
	if (busy && ++s->busy > s->max_busy)
		s->max_busy = s->busy;
	if (!busy)
		s->busy--;
	(void)pthread_mutex_unlock(&s->m);
}

/* A whole request head arrived: decide what to do with it. */
static void es_request(struct engsrv *s, struct es_client *c, const char *path)
{
	uint8_t body[ES_BODY_MAX];
	const char *name;
	size_t len;

	es_busy(s, c, true);
	c->answer_at = 0;
	if (strncmp(path, "/delay/", 7) == 0) {
		long ms = strtol(path + 7, NULL, 10);

		name = strchr(path + 7, '/');
		c->answer_at = es_now() + ms;
		path = name != NULL ? name : "/x";
		name = path + 1;
		len = engsrv_body(name, body, sizeof body);
		es_respond(c, 200, "OK", body, len);
		return;
	}
	if (strncmp(path, "/ok/", 4) == 0) {
		len = engsrv_body(path + 4, body, sizeof body);
		es_respond(c, 200, "OK", body, len);
	} else if (strncmp(path, "/stall/", 7) == 0) {
		c->stalled = true;
	} else if (strncmp(path, "/close/", 7) == 0) {
		c->close_after = true;
	} else {
		es_respond(c, 404, "Not Found", (const uint8_t *)"not here\n", 9);
	}
}

/* Parse "GET /path HTTP/1.1" once the head is complete. */
static void es_parse(struct engsrv *s, struct es_client *c)
{
	char path[1024];
	char *end = strstr(c->req, "\r\n\r\n");
	size_t used;

	if (end == NULL || c->out_len > 0 || c->stalled)
		return;
	used = (size_t)(end + 4 - c->req);
	if (sscanf(c->req, "%*s %1023s", path) != 1)
		(void)snprintf(path, sizeof path, "/");
	memmove(c->req, c->req + used, c->req_len - used);
	c->req_len -= used;
	c->req[c->req_len] = '\0';
	es_request(s, c, path);
}

static void es_close(struct engsrv *s, size_t i)
{
	es_busy(s, s->c[i], false);
	(void)close(s->c[i]->fd);
	free(s->c[i]);
	s->c[i] = s->c[--s->nc];
	(void)pthread_mutex_lock(&s->m);
	s->open--;
	(void)pthread_mutex_unlock(&s->m);
}

static void es_accept(struct engsrv *s)
{
	for (;;) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct es_client *c;

		if (fd < 0)
			return;
		c = s->nc < ES_CLIENTS_MAX ? calloc(1, sizeof *c) : NULL;
		if (c == NULL) {
			(void)close(fd);
			continue;
		}
		c->fd = fd;
		s->c[s->nc++] = c;
		(void)pthread_mutex_lock(&s->m);
		s->accepted++;
		s->open++;
		if (s->open > s->max_open)
			s->max_open = s->open;
		(void)pthread_mutex_unlock(&s->m);
	}
}

/* Read and answer what client i has; false when it must be closed. */
static bool es_serve(struct engsrv *s, struct es_client *c, short revents)
{
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		ssize_t r = read(c->fd, c->req + c->req_len, sizeof c->req - 1 - c->req_len);

		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			return false;
		if (r > 0) {
			c->req_len += (size_t)r;
			c->req[c->req_len] = '\0';
		}
		es_parse(s, c);
	}
	if (c->close_after)
		return false;
	if (c->out_len > 0 && (c->answer_at == 0 || es_now() >= c->answer_at)) {
		ssize_t w = write(c->fd, c->out + c->out_sent, c->out_len - c->out_sent);

		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return false;
		if (w > 0)
			c->out_sent += (size_t)w;
		if (c->out_sent == c->out_len) {
			c->out_len = c->out_sent = 0;
			c->answer_at = 0;
			es_busy(s, c, false);
			es_parse(s, c); /* a pipelined request */
		}
	}
	return true;
}

static int es_timeout(const struct engsrv *s)
{
	int64_t now = es_now(), best = -1;
	size_t i;

	for (i = 0; i < s->nc; i++) {
		const struct es_client *c = s->c[i];

		if (c->out_len > 0 && c->answer_at > 0) {
			int64_t left = c->answer_at > now ? c->answer_at - now : 0;

			if (best < 0 || left < best)
				best = left;
		}
	}
	return (int)best;
}

static void *es_main(void *arg)
{
	struct engsrv *s = arg;
	struct pollfd *p = calloc(ES_CLIENTS_MAX + 2, sizeof *p);

	if (p == NULL)
		return NULL;
	for (;;) {
		size_t i, n = s->nc;

		p[0].fd = s->wake[0];
		p[0].events = POLLIN;
		p[1].fd = s->lfd;
		p[1].events = POLLIN;
		for (i = 0; i < n; i++) {
			const struct es_client *c = s->c[i];

			p[i + 2].fd = c->fd;
			p[i + 2].events = POLLIN;
			if (c->out_len > 0 && (c->answer_at == 0 || c->answer_at <= es_now()))
				p[i + 2].events |= POLLOUT;
			p[i + 2].revents = 0;
		}
		p[0].revents = p[1].revents = 0;
		if (poll(p, n + 2, es_timeout(s)) < 0 && errno != EINTR)
			break;
		if (p[0].revents != 0)
			break;
		/* Walk backwards: es_close moves the last client into the hole. */
		for (i = n; i-- > 0;) {
			if (!es_serve(s, s->c[i], p[i + 2].revents))
				es_close(s, i);
		}
		if (p[1].revents & POLLIN)
			es_accept(s);
	}
	free(p);
	return NULL;
}

struct engsrv *engsrv_start(void)
{
	struct engsrv *s = calloc(1, sizeof *s);
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;

	if (s == NULL)
		return NULL;
	s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(s->lfd, 1024) != 0 || getsockname(s->lfd, (struct sockaddr *)&sin, &len) != 0 ||
	    pipe2(s->wake, O_CLOEXEC) != 0) {
		if (s->lfd >= 0)
			(void)close(s->lfd);
		free(s);
		return NULL;
	}
	s->port = ntohs(sin.sin_port);
	(void)pthread_mutex_init(&s->m, NULL);
	if (pthread_create(&s->th, NULL, es_main, s) != 0) {
		(void)close(s->lfd);
		(void)close(s->wake[0]);
		(void)close(s->wake[1]);
		(void)pthread_mutex_destroy(&s->m);
		free(s);
		return NULL;
	}
	return s;
}

uint16_t engsrv_port(const struct engsrv *s)
{
	return s->port;
}

unsigned engsrv_accepted(struct engsrv *s)
{
	unsigned n;

	(void)pthread_mutex_lock(&s->m);
	n = s->accepted;
	(void)pthread_mutex_unlock(&s->m);
	return n;
}

unsigned engsrv_max_open(struct engsrv *s)
{
	unsigned n;

	(void)pthread_mutex_lock(&s->m);
	n = s->max_open;
	(void)pthread_mutex_unlock(&s->m);
	return n;
}

unsigned engsrv_max_busy(struct engsrv *s)
{
	unsigned n;

	(void)pthread_mutex_lock(&s->m);
	n = s->max_busy;
	(void)pthread_mutex_unlock(&s->m);
	return n;
}

void engsrv_stop(struct engsrv *s)
{
	size_t i;

	if (s == NULL)
		return;
	(void)write(s->wake[1], "x", 1);
	(void)pthread_join(s->th, NULL);
	for (i = 0; i < s->nc; i++) {
		(void)close(s->c[i]->fd);
		free(s->c[i]);
	}
	(void)close(s->lfd);
	(void)close(s->wake[0]);
	(void)close(s->wake[1]);
	(void)pthread_mutex_destroy(&s->m);
	free(s);
}
