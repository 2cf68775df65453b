/* cmd_serve.c - `quiver serve`: parse the options, start the flag server,
 * print its base URL as the first line of stdout (the demo and the tests
 * read it), and run until SIGINT or SIGTERM, then close everything and exit 0.
 *
 * The signals are blocked and read from a signalfd on the event loop, so
 * there is no handler and no global flag: a signal is just one more event. */
#include "cli/commands.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli/opt.h"
#include "net/evloop.h"
#include "serve/io_tls.h"
#include "serve/serve.h"
#include "tls/server.h"
#include "util/clock.h"

/* "http://[ipv6]:65535/flags" fits. */
#define SERVE_URL_MAX 128

enum {
	S_HELP = 1, S_PORT, S_BIND, S_DIR, S_DELAY, S_JITTER, S_ERROR_RATE, S_SEED, S_TLS, S_CERT,
	S_KEY
};

/* {id, short, kind, min, long, max} */
static const struct opt_spec serve_opts[] = {
	{S_HELP, 'h', OPT_FLAG, 0, "help", 0},
	{S_PORT, '\0', OPT_UINT, 0, "port", 65535},
	{S_BIND, '\0', OPT_TEXT, 0, "bind", 0},
	{S_DIR, '\0', OPT_TEXT, 0, "dir", 0},
	{S_DELAY, '\0', OPT_SECS, 0, "delay", CLI_SERVE_DELAY_MAX_MS},
	{S_JITTER, '\0', OPT_SECS, 0, "jitter", CLI_SERVE_DELAY_MAX_MS},
	{S_ERROR_RATE, '\0', OPT_PROB, 0, "error-rate", 1000000u}, /* 1 */
	{S_SEED, '\0', OPT_UINT, 0, "seed", UINT64_MAX},
	{S_TLS, '\0', OPT_FLAG, 0, "tls", 0},
	{S_CERT, '\0', OPT_TEXT, 0, "cert", 0},
	{S_KEY, '\0', OPT_TEXT, 0, "key", 0},
};
#define SERVE_NOPTS (sizeof serve_opts / sizeof serve_opts[0])

static void serve_usage(FILE *f)
{
	(void)fputs("usage: quiver serve [--port P] [--bind ADDR] [--dir DIR] [--delay S] [--jitter S]\n"
		    "                    [--error-rate P] [--seed N] [--tls --cert PEM --key PEM]\n",
		    f);
}

static void serve_help(void)
{
	serve_usage(stdout);
	(void)fputs(
		"\n"
		"Serve the flags of the book's site over HTTP/1.1 (keep-alive):\n"
		"  /flags/{cc}/{cc}.gif and /flags/{cc}/metadata.json, also without /flags.\n"
		"\n"
		"  --port P        TCP port (default 8000; 0 picks a free one)\n"
		"  --bind ADDR     IP address to listen on (default 127.0.0.1; ::1, 0.0.0.0 ...)\n"
		"  --dir DIR       serve DIR/{cc}/{cc}.gif and DIR/{cc}/metadata.json (the\n"
		"                  flags.zip layout) instead of the 194 built-in flags\n"
		"  --delay S       wait S seconds before each answer (default 0; at most 3600,\n"
		"                  to the millisecond)\n"
		"  --jitter S      ... plus a random 0 to S seconds\n"
		"  --error-rate P  answer 418 I'm a Teapot with probability P (0 to 1, at most\n"
		"                  6 decimals)\n"
		"  --seed N        seed of the jitter and error draws (default: the clock)\n"
		"  --tls           serve HTTPS (TLS 1.2, BearSSL) with the certificate chain\n"
		"  --cert PEM      (server certificate first) and private key (RSA or EC,\n"
		"  --key PEM       PKCS#1, SEC 1 or PKCS#8) from these PEM files\n"
		"\n"
		"The first line printed is the base URL, e.g. http://127.0.0.1:8000/flags\n"
		"(https://localhost:8000/flags with --tls on the loopback).\n"
		"SIGINT or SIGTERM stops the server (exit status 0).\n",
		stdout);
}

static int serve_bad(const char *why)
{
	(void)fprintf(stderr, "quiver serve: %s\n", why);
	serve_usage(stderr);
	return 2;
}

/* --tls --cert PEM --key PEM */
struct serve_tls_args {
	bool on;
	const char *cert;
	const char *key;
};

/* One option; its value in v (text) or n (numbers, range-checked). */
static void serve_option(struct serve_config *cfg, struct serve_tls_args *tls, int id,
			 const char *v, uint64_t n)
{
	switch (id) {
	case S_PORT: cfg->port = (uint16_t)n; break;
	case S_BIND: cfg->bind = v; break;
	case S_DIR: cfg->dir = v; break;
	case S_DELAY: cfg->delay_ms = (uint32_t)n; break;
	case S_JITTER: cfg->jitter_ms = (uint32_t)n; break;
	case S_ERROR_RATE: cfg->error_rate = (double)n / 1e6; break; /* millionths */
	case S_SEED: cfg->seed = n; break;
	case S_TLS: tls->on = true; break;
	case S_CERT: tls->cert = v; break;
	default: tls->key = v; break; /* S_KEY */
	}
}

/* Parse argv into cfg and tls.  Returns -1 to go on, or an exit status. */
static int serve_args(int argc, char **argv, struct serve_config *cfg,
		      struct serve_tls_args *tls)
{
	struct opt_iter it;
	const char *v;
	bool seeded = false;
	int id;

	opt_init(&it, argc, argv);
	while ((id = opt_next(&it, serve_opts, SERVE_NOPTS, &v)) != OPT_END) {
		if (id < 0) { /* serve takes no arguments */
			(void)fputs("quiver serve: ", stderr);
			opt_why_print(stderr, id, &it, v);
			(void)fputc('\n', stderr);
			serve_usage(stderr);
			return 2;
		}
		if (id == S_HELP) {
			serve_help();
			return 0;
		}
		seeded = seeded || id == S_SEED;
		serve_option(cfg, tls, id, v, it.num);
	}
	if (!seeded)
		cfg->seed = (uint64_t)clock_now_ns() ^ ((uint64_t)time(NULL) << 20) ^
			    (uint64_t)getpid();
	/* --tls, --cert and --key go together. */
	if (tls->on && (tls->cert == NULL || tls->key == NULL))
		return serve_bad("--tls needs --cert PEM and --key PEM");
	if (!tls->on && (tls->cert != NULL || tls->key != NULL))
		return serve_bad("--cert and --key need --tls");
	return -1;
}

static void serve_on_signal(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	while (read(fd, &si, sizeof si) == (ssize_t)sizeof si)
		;
	evloop_stop(loop);
}

/* Route SIGINT and SIGTERM to a signalfd on loop.  Returns the fd or -1. */
static int serve_signals(struct evloop *loop, sigset_t *old, struct qv_error *err)
{
	sigset_t set;
	int fd;

	(void)sigemptyset(&set);
	(void)sigaddset(&set, SIGINT);
	(void)sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, old) != 0) {
		(void)qv_error_sys(err, QV_E_INTERNAL, errno, "cannot block signals");
		return -1;
	}
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0) {
		(void)qv_error_sys(err, QV_E_INTERNAL, errno, "cannot create a signalfd");
		(void)sigprocmask(SIG_SETMASK, old, NULL);
		return -1;
	}
	if (evloop_fd_add(loop, fd, EVLOOP_READ, serve_on_signal, NULL, err) != QV_OK) {
		(void)close(fd);
		(void)sigprocmask(SIG_SETMASK, old, NULL);
		return -1;
	}
	return fd;
}

/* Print the base URL, run until a signal. */
static int serve_run(struct evloop *loop, struct serve *srv, const struct serve_config *cfg,
		     int tls, struct qv_error *err)
{
	char url[SERVE_URL_MAX];
	size_t n = serve_origin(srv, tls ? "https" : "http", url, sizeof url);

	/* Certificates name hosts, and a client cannot check one against an
	 * IP literal: on the IPv4 loopback, say localhost instead. */
	if (tls && (cfg->bind == NULL || strcmp(cfg->bind, "127.0.0.1") == 0 ||
		    strcmp(cfg->bind, "localhost") == 0)) {
		int m = snprintf(url, sizeof url, "https://localhost:%u", (unsigned)serve_port(srv));

		n = m > 0 && (size_t)m < sizeof url ? (size_t)m : 0;
	}

	if (n == 0 || n + sizeof "/flags" > sizeof url) {
		(void)fprintf(stderr, "quiver serve: cannot format the server address\n");
		return 1;
	}
	memcpy(url + n, "/flags", sizeof "/flags");
	printf("%s\n", url);
	(void)fflush(stdout);
	return evloop_run(loop, err) == QV_OK ? 0 : 1;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_config cfg;
	struct serve_tls_args tls = {false, NULL, NULL};
	struct serve_io_factory tls_io;
	struct tls_server *tls_srv = NULL;
	struct evloop *loop = NULL;
	struct serve *srv = NULL;
	struct qv_error err;
	sigset_t old;
	int rc, sfd = -1;

	qv_error_clear(&err);
	serve_config_init(&cfg);
	rc = serve_args(argc, argv, &cfg, &tls);
	if (rc >= 0)
		return rc;
	rc = 1;
	if (tls.on) {
		if (tls_server_new(&tls_srv, tls.cert, tls.key, &err) != QV_OK)
			goto out;
		serve_io_tls_factory(&tls_io, tls_srv);
		cfg.io = &tls_io;
	}
	if (evloop_new(&loop, &err) != QV_OK)
		goto out;
	sfd = serve_signals(loop, &old, &err);
	if (sfd < 0)
		goto out;
	if (serve_new(&srv, loop, &cfg, &err) != QV_OK) {
		if (err.code == QV_E_USAGE) {
			rc = serve_bad(err.msg);
		}
		goto out;
	}
	rc = serve_run(loop, srv, &cfg, tls.on, &err);
out:
	if (rc == 1 && err.code != QV_OK)
		(void)fprintf(stderr, "quiver serve: %s\n", err.msg);
	serve_free(srv);
	tls_server_free(tls_srv);
	if (sfd >= 0) {
		evloop_fd_del(loop, sfd);
		(void)close(sfd);
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
	}
	evloop_free(loop);
	return rc;
}
