/* cmd_demo.c - `quiver demo`: start the embedded flag server on a free
 * loopback port, download the POP20 flags with each engine against it,
 * print each run's seed output and a comparison table.
 *
 * The server is this same binary (/proc/self/exe serve --port 0), a child
 * process: the demo shows real sockets, not an in-process shortcut.  It is
 * always killed and reaped, on errors too.
 *
 * --tls: openssl (from PATH) makes a throw-away self-signed EC P-256
 * certificate for localhost in the demo's temp dir; the server serves HTTPS
 * with it and the engines trust exactly that certificate (as --cacert does,
 * never -k), so the demo shows verified TLS.  quiver cannot make a
 * certificate itself (BearSSL has no X.509 writer), so without openssl the
 * demo says so and stops: no fallback to plain HTTP or to -k. */
#include "cli/commands.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/flags/flags_common.h"
#include "cli/opt.h"
#include "cli/stop.h"
#include "cli/tls_setup.h"
#include "http/url.h"
#include "util/clock.h"

extern char **environ;

/* The server prints its base URL first; a line longer than this is not one. */
#define DEMO_LINE_MAX 512
/* Time for the server to start and print its URL (it binds and prints at
 * once; a generous bound still ends a hung start). */
#define DEMO_START_MS 10000
/* Temp path: TMPDIR + "/quiver-demo-XXXXXX/" + engine name. */
#define DEMO_PATH_MAX 1024
/* Validity of the throw-away certificate: it is deleted after the demo;
 * a day spares clock-skew trouble and is useless to anyone who copies it. */
#define DEMO_CERT_DAYS "1"

/* The engines compared, in table order; unavailable ones are skipped. */
static const enum engine_kind demo_engines[] = {ENGINE_SEQ, ENGINE_THREADS, ENGINE_POLL};
#define DEMO_ENGINES (sizeof demo_engines / sizeof demo_engines[0])

struct demo_server {
	pid_t pid;        /* 0: not running */
	int out_fd;       /* read end of its stdout, -1: closed */
	char url[DEMO_LINE_MAX];
	const char *cert; /* --tls: the PEM files served, else NULL */
	const char *key;
};

/* --tls: where the throw-away certificate lives (inside the demo's dir). */
struct demo_cert {
	char openssl[DEMO_PATH_MAX]; /* the openssl found on PATH */
	char cert[DEMO_PATH_MAX + 16];
	char key[DEMO_PATH_MAX + 16];
};

struct demo_row {
	enum engine_kind engine;
	bool ran;
	unsigned workers;
	unsigned ok, failed;
	unsigned connections;
	double secs;
};

static void demo_usage(FILE *f)
{
	(void)fprintf(f, "usage: quiver demo [--engine seq|threads|poll] [--delay S] [--tls]\n");
}

static int demo_bad(const char *why, const char *arg)
{
	(void)fprintf(stderr, "quiver demo: %s '%s'\n", why, arg);
	demo_usage(stderr);
	return 2;
}

/* Read the server's first stdout line (its base URL) within DEMO_START_MS. */
static enum qv_err demo_read_url(struct demo_server *srv, struct qv_error *err)
{
	int64_t deadline = clock_now_ms() + DEMO_START_MS;
	size_t len = 0;

	for (;;) {
		struct pollfd pfd = {srv->out_fd, POLLIN, 0};
		int64_t left = deadline - clock_now_ms();
		ssize_t r;
		char *nl;

		if (left <= 0)
			return qv_error_set(err, QV_E_INTERNAL, "the server did not print its URL");
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return qv_error_sys(err, QV_E_IO, errno, "poll on the server's output");
		r = read(srv->out_fd, srv->url + len, sizeof srv->url - 1 - len);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return qv_error_set(err, QV_E_INTERNAL,
					    "the server exited before printing its URL");
		len += (size_t)r;
		srv->url[len] = '\0';
		nl = strchr(srv->url, '\n');
		if (nl != NULL) {
			*nl = '\0';
			if (nl > srv->url && nl[-1] == '\r')
				nl[-1] = '\0';
			return QV_OK;
		}
		if (len >= sizeof srv->url - 1)
			return qv_error_set(err, QV_E_INTERNAL, "the server's first line is too long");
	}
}

static enum qv_err demo_server_start(struct demo_server *srv, const char *delay,
				     struct qv_error *err)
{
	char *argv[] = {(char *)(uintptr_t) "quiver", (char *)(uintptr_t) "serve",
			(char *)(uintptr_t) "--port",  (char *)(uintptr_t) "0",
			(char *)(uintptr_t) "--delay", (char *)(uintptr_t)delay,
			(char *)(uintptr_t) "--tls",   (char *)(uintptr_t) "--cert",
			(char *)(uintptr_t)srv->cert,  (char *)(uintptr_t) "--key",
			(char *)(uintptr_t)srv->key,   NULL};
	posix_spawn_file_actions_t fa;
	int fds[2], rc;

	if (srv->cert == NULL)
		argv[6] = NULL; /* plain HTTP: no --tls ... */
	if (pipe2(fds, O_CLOEXEC) != 0)
		return qv_error_sys(err, QV_E_IO, errno, "cannot create a pipe");
	rc = posix_spawn_file_actions_init(&fa);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
	if (rc == 0)
		rc = posix_spawn(&srv->pid, "/proc/self/exe", &fa, NULL, argv, environ);
	(void)posix_spawn_file_actions_destroy(&fa);
	(void)close(fds[1]);
	srv->out_fd = fds[0];
	if (rc != 0) {
		srv->pid = 0;
		return qv_error_sys(err, QV_E_INTERNAL, rc, "cannot start the flag server");
	}
	return demo_read_url(srv, err);
}

/* Throw away whatever the server logged, so its stdout pipe never fills. */
static void demo_server_drain(const struct demo_server *srv)
{
	char buf[4096];
	struct pollfd pfd = {srv->out_fd, POLLIN, 0};

	while (srv->out_fd >= 0 && poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN) != 0) {
		if (read(srv->out_fd, buf, sizeof buf) <= 0)
			break;
	}
}

static void demo_server_stop(struct demo_server *srv)
{
	if (srv->pid > 0) {
		int status;

		(void)kill(srv->pid, SIGTERM);
		while (waitpid(srv->pid, &status, 0) < 0 && errno == EINTR)
			;
		srv->pid = 0;
	}
	if (srv->out_fd >= 0)
		(void)close(srv->out_fd);
	srv->out_fd = -1;
}

/* The first executable `name` on PATH into out.  false when none. */
static bool demo_which(const char *name, char *out, size_t cap)
{
	const char *p = getenv("PATH");

	if (p == NULL || p[0] == '\0')
		p = "/usr/local/bin:/usr/bin:/bin";
	while (*p != '\0') {
		size_t len = strcspn(p, ":");
		int n = len == 0 ? snprintf(out, cap, "./%s", name)
				 : snprintf(out, cap, "%.*s/%s", (int)len, p, name);

		if (n > 0 && (size_t)n < cap && access(out, X_OK) == 0)
			return true;
		p += len;
		if (*p == ':')
			p++;
	}
	return false;
}

/* Make the throw-away certificate and key in dir with openssl: EC P-256,
 * self-signed, for localhost and 127.0.0.1.  Its chatter goes to
 * /dev/null; a failure is reported by its exit status. */
static enum qv_err demo_cert_make(struct demo_cert *c, const char *dir, struct qv_error *err)
{
	char *argv[] = {(char *)(uintptr_t) "openssl",
			(char *)(uintptr_t) "req",
			(char *)(uintptr_t) "-x509",
			(char *)(uintptr_t) "-newkey",
			(char *)(uintptr_t) "ec",
			(char *)(uintptr_t) "-pkeyopt",
			(char *)(uintptr_t) "ec_paramgen_curve:P-256",
			(char *)(uintptr_t) "-nodes",
			(char *)(uintptr_t) "-days",
			(char *)(uintptr_t)DEMO_CERT_DAYS,
			(char *)(uintptr_t) "-subj",
			(char *)(uintptr_t) "/CN=localhost",
			(char *)(uintptr_t) "-addext",
			(char *)(uintptr_t) "subjectAltName=DNS:localhost,IP:127.0.0.1",
			(char *)(uintptr_t) "-keyout",
			c->key,
			(char *)(uintptr_t) "-out",
			c->cert,
			NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid = 0;
	int rc, status = 0;

	(void)snprintf(c->cert, sizeof c->cert, "%s/cert.pem", dir);
	(void)snprintf(c->key, sizeof c->key, "%s/key.pem", dir);
	rc = posix_spawn_file_actions_init(&fa);
	if (rc != 0)
		return qv_error_sys(err, QV_E_INTERNAL, rc, "cannot run %s", c->openssl);
	rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	if (rc == 0)
		rc = posix_spawn(&pid, c->openssl, &fa, NULL, argv, environ);
	(void)posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return qv_error_sys(err, QV_E_INTERNAL, rc, "cannot run %s", c->openssl);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || access(c->cert, R_OK) != 0 ||
	    access(c->key, R_OK) != 0)
		return qv_error_set(err, QV_E_INTERNAL,
				    "%s req could not make the demo certificate (exit status %d)",
				    c->openssl, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return QV_OK;
}

/* Remove the files of one run directory, then the directory. */
static void demo_rmdir(const char *dir)
{
	char path[DEMO_PATH_MAX + 272];
	DIR *d = opendir(dir);
	struct dirent *ent;

	if (d != NULL) {
		while ((ent = readdir(d)) != NULL) {
			if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
				continue;
			if (snprintf(path, sizeof path, "%s/%s", dir, ent->d_name) <
			    (int)sizeof path)
				(void)unlink(path);
		}
		(void)closedir(d);
	}
	(void)rmdir(dir);
}

static enum qv_err demo_run_engine(struct demo_row *row, const char *site, const char *dir,
				   struct tls_client *tls, const volatile sig_atomic_t *stop,
				   struct qv_error *err)
{
	struct flags_codes codes;
	struct flags_run_cfg cfg;
	struct flags_run_report rep;
	enum qv_err rc;

	codes.count = 0;
	flags_codes_add_list(&codes, FLAGS_POP20);
	flags_codes_sort(&codes);
	memset(&cfg, 0, sizeof cfg);
	cfg.engine = row->engine;
	cfg.workers = flags_default_workers();
	cfg.site = site;
	cfg.dir = dir;
	cfg.timeout_ms = FLAGS_TIMEOUT_MS;
	cfg.codes = &codes;
	cfg.stop = stop;
	cfg.out = stdout;
	cfg.errout = stderr;
	cfg.tls = tls;
	printf("%s:\n", engine_name(row->engine));
	(void)fflush(stdout);
	rc = flags_run(&cfg, &rep);
	row->ran = rc == QV_OK;
	row->workers = row->engine == ENGINE_SEQ ? 1u : cfg.workers;
	row->ok = rep.ok;
	row->failed = rep.failed;
	row->connections = rep.stats.connections;
	row->secs = rep.secs;
	if (rc != QV_OK && err != NULL)
		*err = rep.err;
	return rc;
}

static void demo_table(const struct demo_row *rows, size_t n)
{
	double seq_secs = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].ran && rows[i].engine == ENGINE_SEQ)
			seq_secs = rows[i].secs;
	printf("%-8s %11s %8s %9s\n", "engine", "connections", "seconds", "speed-up");
	for (i = 0; i < n; i++) {
		if (!rows[i].ran)
			continue;
		printf("%-8s %11u %8.2f", engine_name(rows[i].engine), rows[i].connections,
		       rows[i].secs);
		if (seq_secs > 0 && rows[i].secs > 0)
			printf(" %8.2fx\n", seq_secs / rows[i].secs);
		else
			printf(" %9s\n", "-");
	}
}

/* Which engines to run: the one asked for, or every one in this build.
 * Returns the row count, 0 after printing an error. */
static size_t demo_pick(const char *engine, struct demo_row *rows)
{
	enum engine_kind k;
	size_t i, n = 0;

	if (engine != NULL) {
		if (!engine_parse(engine, &k)) {
			(void)demo_bad("unknown engine", engine);
			return 0;
		}
		if (!engine_available(k)) {
			(void)fprintf(stderr, "quiver demo: engine '%s' is not available yet\n",
				      engine);
			return 0;
		}
		rows[0].engine = k;
		return 1;
	}
	for (i = 0; i < DEMO_ENGINES; i++)
		if (engine_available(demo_engines[i]))
			rows[n++].engine = demo_engines[i];
	return n;
}

/* --tls: make the certificate in tmp and a client trusting only it. */
static enum qv_err demo_tls_setup(struct demo_cert *c, const char *tmp, struct demo_server *srv,
				  struct tls_client **tls, struct qv_error *err)
{
	enum qv_err rc = demo_cert_make(c, tmp, err);

	if (rc != QV_OK)
		return rc;
	srv->cert = c->cert;
	srv->key = c->key;
	return cli_tls_client(tls, c->cert, NULL, false, true, NULL, err);
}

/* Start the server, run every row, print the table; the exit status.
 * cert: --tls (openssl already found), else NULL. */
static int demo_main(const char *delay, struct demo_row *rows, size_t nrows,
		     struct demo_cert *cert)
{
	struct demo_server srv = {0, -1, "", NULL, NULL};
	struct tls_client *tls = NULL;
	const volatile sig_atomic_t *stop = cli_stop_install();
	char tmp[DEMO_PATH_MAX], dir[DEMO_PATH_MAX + 16];
	const char *tmpdir = getenv("TMPDIR");
	struct qv_error e;
	int status = 0;
	size_t i;

	qv_error_clear(&e);
	if (tmpdir == NULL || tmpdir[0] == '\0' || strlen(tmpdir) > DEMO_PATH_MAX / 2)
		tmpdir = "/tmp";
	(void)snprintf(tmp, sizeof tmp, "%s/quiver-demo-XXXXXX", tmpdir);
	if (mkdtemp(tmp) == NULL) {
		(void)fprintf(stderr, "quiver demo: cannot create a directory in %s: %s\n", tmpdir,
			      strerror(errno));
		return 1;
	}
	if (cert != NULL && demo_tls_setup(cert, tmp, &srv, &tls, &e) != QV_OK) {
		(void)fprintf(stderr, "quiver demo: %s\n", e.msg);
		status = 1;
		goto out;
	}
	if (demo_server_start(&srv, delay, &e) != QV_OK) {
		(void)fprintf(stderr, "quiver demo: %s\n", e.msg);
		status = 1;
		goto out;
	}
	printf("flag server: %s (delay %ss per request)\n", srv.url, delay);
	if (cert != NULL)
		printf("certificate: throw-away self-signed EC P-256 for localhost, made now by\n"
		       "  %s in %s;\n"
		       "  the engines trust only it (--cacert %s), deleted at the end\n",
		       cert->openssl, tmp, cert->cert);
	printf("\n");
	for (i = 0; i < nrows && status == 0; i++) {
		enum qv_err rc;

		(void)snprintf(dir, sizeof dir, "%s/%s", tmp, engine_name(rows[i].engine));
		rc = demo_run_engine(&rows[i], srv.url, dir, tls, stop, &e);
		demo_rmdir(dir);
		demo_server_drain(&srv);
		if (rc == QV_E_INTERRUPTED) {
			status = 130;
		} else if (rc != QV_OK) {
			(void)fprintf(stderr, "quiver demo: %s\n", e.msg);
			status = 1;
		} else if (rows[i].failed > 0) {
			status = 1;
		}
		printf("\n");
	}
	if (status != 130)
		demo_table(rows, nrows);
out:
	demo_server_stop(&srv);
	tls_client_free(tls);
	demo_rmdir(tmp); /* the certificate and key; engine dirs are gone */
	return status;
}

enum { D_HELP = 1, D_ENGINE, D_DELAY, D_TLS };

/* {id, short, kind, min, long, max}; --delay is handed to serve as given,
 * checked here against serve's own limit. */
static const struct opt_spec demo_opts[] = {
	{D_HELP, 'h', OPT_FLAG, 0, "help", 0},
	{D_ENGINE, '\0', OPT_TEXT, 0, "engine", 0},
	{D_DELAY, '\0', OPT_SECS, 0, "delay", CLI_SERVE_DELAY_MAX_MS},
	{D_TLS, '\0', OPT_FLAG, 0, "tls", 0},
};
#define DEMO_NOPTS (sizeof demo_opts / sizeof demo_opts[0])

static void demo_help(void)
{
	demo_usage(stdout);
	printf("\nStart the embedded flag server on a free loopback port, download the\n"
	       "20 flags with each engine and compare the times.\n\n"
	       "  --engine E   run only engine E (seq, threads or poll)\n"
	       "  --delay S    server delay per request in seconds (default 0.1; at most\n"
	       "               3600, to the millisecond)\n"
	       "  --tls        serve and download over HTTPS with a throw-away\n"
	       "               certificate made now by openssl (needs openssl on\n"
	       "               PATH; the engines verify it: --cacert, not -k)\n");
}

int cmd_demo(int argc, char **argv)
{
	struct demo_row rows[DEMO_ENGINES];
	struct demo_cert cert;
	struct opt_iter it;
	const char *engine = NULL, *delay = "0.1", *v;
	bool use_tls = false;
	size_t nrows;
	int id;

	memset(rows, 0, sizeof rows);
	opt_init(&it, argc, argv);
	while ((id = opt_next(&it, demo_opts, DEMO_NOPTS, &v)) != OPT_END) {
		if (id < 0) { /* demo takes no arguments */
			(void)fputs("quiver demo: ", stderr);
			opt_why_print(stderr, id, &it, v);
			(void)fputc('\n', stderr);
			demo_usage(stderr);
			return 2;
		}
		if (id == D_HELP) {
			demo_help();
			return 0;
		}
		if (id == D_TLS)
			use_tls = true;
		else if (id == D_ENGINE)
			engine = v;
		else
			delay = v;
	}
	nrows = demo_pick(engine, rows);
	if (nrows == 0)
		return 2;
	if (use_tls && !demo_which("openssl", cert.openssl, sizeof cert.openssl)) {
		(void)fprintf(stderr, "quiver demo: --tls needs openssl on PATH to make a throw-away "
				      "certificate, and none was found (plain HTTP: quiver demo)\n");
		return 1;
	}
	return demo_main(delay, rows, nrows, use_tls ? &cert : NULL);
}
