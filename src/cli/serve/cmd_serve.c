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

#include "net/evloop.h"
#include "serve/io_tls.h"
#include "serve/serve.h"
#include "tls/server.h"
#include "util/clock.h"

/* Longest --delay/--jitter: beyond an hour it is a typo, not a test. */
#define SERVE_DELAY_MAX_S 3600.0
/* "http://[ipv6]:65535/flags" fits. */
#define SERVE_URL_MAX 128

static void serve_usage(FILE *f)
{
	(void)fprintf(f,
		"usage: quiver serve [--port P] [--bind ADDR] [--dir DIR] [--delay S] [--jitter S]\n"
		"                    [--error-rate P] [--seed N] [--tls --cert PEM --key PEM]\n"
		"\n"
		"Serve the flags of the book's site over HTTP/1.1 (keep-alive):\n"
		"  /flags/{cc}/{cc}.gif and /flags/{cc}/metadata.json, also without /flags.\n"
		"\n"
		"  --port P        TCP port (default 8000; 0 picks a free one)\n"
		"  --bind ADDR     IP address to listen on (default 127.0.0.1; ::1, 0.0.0.0 ...)\n"
		"  --dir DIR       serve DIR/{cc}/{cc}.gif and DIR/{cc}/metadata.json (the\n"
		"                  flags.zip layout) instead of the 194 built-in flags\n"
		"  --delay S       wait S seconds before each answer (default 0)\n"
		"  --jitter S      ... plus a random 0 to S seconds\n"
		"  --error-rate P  answer 418 I'm a Teapot with probability P (0 to 1)\n"
		"  --seed N        seed of the jitter and error draws (default: the clock)\n"
		"  --tls           serve HTTPS (TLS 1.2, BearSSL) with the certificate chain\n"
		"  --cert PEM      (server certificate first) and private key (RSA or EC,\n"
		"  --key PEM       PKCS#1, SEC 1 or PKCS#8) from these PEM files\n"
		"\n"
		"The first line printed is the base URL, e.g. http://127.0.0.1:8000/flags\n"
		"(https://localhost:8000/flags with --tls on the loopback).\n"
		"SIGINT or SIGTERM stops the server (exit status 0).\n");
}

static int serve_bad(const char *why, const char *arg)
{
	(void)fprintf(stderr, "quiver serve: %s '%s'\n", why, arg);
	serve_usage(stderr);
	return 2;
}

static int serve_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A plain decimal ("0.25", "30", ".5"): by hand, because strtod links
 * libc's whole float scanner (hex, exponents, inf/nan: ~7 KiB static).
 * Fraction digits past the 15th are ignored; frac / scale is one rounding. */
static int serve_parse_real(const char *s, double max, double *out)
{
	double whole = 0, frac = 0, scale = 1, v;
	int digits = 0;

	for (; *s >= '0' && *s <= '9'; s++, digits++)
		whole = whole * 10 + (*s - '0');
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, digits++) {
			if (scale < 1e15) {
				frac = frac * 10 + (*s - '0');
				scale *= 10;
			}
		}
	}
	v = whole + frac / scale;
	if (digits == 0 || *s != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* --tls --cert PEM --key PEM */
struct serve_tls_args {
	int on;
	const char *cert;
	const char *key;
};

/* Seconds (already range-checked) to whole milliseconds. */
static uint32_t serve_ms(double secs)
{
	return (uint32_t)(secs * 1000.0 + 0.5);
}

/* One option with its value: returns 0, or the exit status of an error. */
static int serve_option(struct serve_config *cfg, struct serve_tls_args *tls, int *seeded,
			const char *name, const char *val)
{
	uint64_t u;
	double d;

	if (strcmp(name, "--port") == 0) {
		if (serve_parse_u64(val, 65535, &u) != 0)
			return serve_bad("--port wants 0 to 65535, not", val);
		cfg->port = (uint16_t)u;
	} else if (strcmp(name, "--bind") == 0) {
		cfg->bind = val;
	} else if (strcmp(name, "--dir") == 0) {
		cfg->dir = val;
	} else if (strcmp(name, "--cert") == 0) {
		tls->cert = val;
	} else if (strcmp(name, "--key") == 0) {
		tls->key = val;
	} else if (strcmp(name, "--delay") == 0 || strcmp(name, "--jitter") == 0) {
		if (serve_parse_real(val, SERVE_DELAY_MAX_S, &d) != 0)
			return serve_bad("--delay and --jitter want 0 to 3600 seconds, not", val);
		if (strcmp(name, "--delay") == 0)
			cfg->delay_ms = serve_ms(d);
		else
			cfg->jitter_ms = serve_ms(d);
	} else if (strcmp(name, "--error-rate") == 0) {
		if (serve_parse_real(val, 1.0, &d) != 0)
			return serve_bad("--error-rate wants a probability from 0 to 1, not", val);
		cfg->error_rate = d;
	} else if (strcmp(name, "--seed") == 0) {
		if (serve_parse_u64(val, UINT64_MAX, &u) != 0)
			return serve_bad("--seed wants a non-negative integer, not", val);
		cfg->seed = u;
		*seeded = 1;
	} else {
		return serve_bad("unknown option", name);
	}
	return 0;
}

static int serve_takes_value(const char *name)
{
	static const char *const with_value[] = {"--port",  "--bind",       "--dir",
						 "--delay", "--jitter",     "--error-rate",
						 "--seed",  "--cert",       "--key"};
	size_t i;

	for (i = 0; i < sizeof with_value / sizeof with_value[0]; i++) {
		if (strcmp(name, with_value[i]) == 0)
			return 1;
	}
	return 0;
}

/* --tls, --cert and --key go together. */
static int serve_tls_check(const struct serve_tls_args *tls)
{
	if (tls->on && (tls->cert == NULL || tls->key == NULL))
		return serve_bad("--tls needs --cert PEM and --key PEM:", "--tls");
	if (!tls->on && (tls->cert != NULL || tls->key != NULL))
		return serve_bad("--cert and --key need", "--tls");
	return -1;
}

/* Parse argv into cfg and tls.  Returns -1 to go on, or an exit status. */
static int serve_args(int argc, char **argv, struct serve_config *cfg,
		      struct serve_tls_args *tls)
{
	char name[32];
	int i, rc, seeded = 0;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq = strchr(arg, '='), *val;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			serve_usage(stdout);
			return 0;
		}
		if (strcmp(arg, "--tls") == 0) {
			tls->on = 1;
			continue;
		}
		if (strncmp(arg, "--", 2) != 0)
			return serve_bad("unexpected argument", arg);
		if (eq != NULL && (size_t)(eq - arg) < sizeof name) {
			memcpy(name, arg, (size_t)(eq - arg));
			name[eq - arg] = '\0';
			val = eq + 1;
		} else {
			(void)snprintf(name, sizeof name, "%s", arg);
			if (!serve_takes_value(name))
				return serve_bad("unknown option", arg);
			if (i + 1 >= argc)
				return serve_bad("missing value after", arg);
			val = argv[++i];
		}
		rc = serve_option(cfg, tls, &seeded, name, val);
		if (rc != 0)
			return rc;
	}
	if (!seeded)
		cfg->seed = (uint64_t)clock_now_ns() ^ ((uint64_t)time(NULL) << 20) ^
			    (uint64_t)getpid();
	return serve_tls_check(tls);
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
	struct serve_tls_args tls = {0, NULL, NULL};
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
			(void)fprintf(stderr, "quiver serve: %s\n", err.msg);
			serve_usage(stderr);
			rc = 2;
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
